package io.respkv.server.command;

import io.respkv.api.CommandArgs;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * SCAN cursors: the decimal numbers a client passes back to continue a key iteration.
 *
 * <p>respkv keeps keys in order, so a position in an iteration is a key: "continue at the first
 * key {@code >= R}". Resuming at a key, instead of Redis's hash-table bucket, is what keeps the
 * SCAN guarantee under concurrent inserts and deletes: a key that exists for the whole iteration
 * is either before {@code R} (returned by an earlier call) or at or after it (returned by a later
 * one), whatever else was added or removed meanwhile. No server state is needed to keep that
 * guarantee, but clients expect a cursor to be an unsigned 64-bit decimal (some parse it as a
 * signed long), and a resume key can be long. So a cursor has two forms, both below 2^63:
 *
 * <pre>
 * 0                                                 start (and end) of an iteration
 * direct:  bit 62 = 0 | len:3 (bits 56-58) | R left-aligned in bits 0-55    R of 1..7 bytes
 * table:   bit 62 = 1 | first 4 bytes of R (bits 30-61) | id:30 (bits 0-29)  R of 8+ bytes
 * </pre>
 *
 * The resume key is chosen as short as possible: the shortest byte string after the last key
 * scanned and not after the next one (their common prefix plus one byte of the next key). When it
 * fits in 7 bytes the cursor carries it entirely (the direct form, stateless: it survives restarts
 * and works on any node serving the same data). Otherwise the cursor names an entry of a bounded,
 * least-recently-used table in this server's memory that holds the full resume key, and also
 * carries the key's first 4 bytes: if the entry is gone (evicted, server restarted, another node)
 * the iteration resumes at those 4 bytes instead, which can only return keys again (allowed by
 * SCAN's contract), never skip one; the next cursor is then a fresh table entry, so the iteration
 * moves on from there. (An iteration only fails to finish if its table entries are lost again and
 * again before the client comes back — a server restarted every few calls, or more than
 * {@code maxEntries} long cursors made between two calls of one client.) Ids are drawn from the
 * command's random source so that a cursor from before a restart is unlikely to name an
 * unrelated entry of the new table.
 *
 * <p>Why not only a table: a table alone loses iterations on restart or on another node. Why
 * not only an encoding: 62 bits hold 7 bytes of key, and real keys share longer prefixes
 * ({@code session:...}), where a truncated position would stall an iteration.
 *
 * <p>Any number Redis accepts as a cursor is accepted (see {@link #parse}); a number that is not
 * one of these forms resumes somewhere arbitrary, as a made-up cursor does in Redis.
 *
 * <p>Thread-safe: one instance serves every connection of a server.
 */
final class ScanCursors {

    /** The cursor that starts an iteration, and that SCAN returns when it is complete. */
    static final long START = 0;

    private static final int DIRECT_MAX = 7;
    private static final long TABLE_FLAG = 1L << 62;
    private static final int PREFIX_BYTES = 4;
    private static final int ID_BITS = 30;
    private static final long ID_MASK = (1L << ID_BITS) - 1;
    private static final int MAX_ID_DRAWS = 8;

    private final int maxEntries;
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<Long, byte[]> table = new LinkedHashMap<>(64, 0.75f, true);

    /** A table of at most {@code maxEntries} resume keys totalling at most {@code maxBytes} bytes. */
    ScanCursors(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("table bounds must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * Parses argument {@code i} as Redis's SCAN does ({@code strtoul(s, &end, 10)}, rejecting a
     * leading space, trailing characters and overflow): an optional {@code +} or {@code -} (which
     * negates modulo 2^64), decimal digits; the empty string is 0; the argument ends at its first
     * NUL byte, as a C string does. Returns the cursor as an unsigned 64-bit value.
     *
     * @throws NumberFormatException if Redis would reply {@code ERR invalid cursor}
     */
    static long parse(CommandArgs args, int i) {
        int len = args.length(i);
        for (int j = 0; j < len; j++) {
            if (args.byteAt(i, j) == 0) {
                len = j;
                break;
            }
        }
        if (len == 0) {
            return 0;
        }
        int at = 0;
        byte first = args.byteAt(i, 0);
        if (isSpace(first)) {
            throw new NumberFormatException("leading space");
        }
        boolean negative = false;
        if (first == '+' || first == '-') {
            negative = first == '-';
            at++;
        }
        if (at == len) {
            throw new NumberFormatException("no digits"); // strtoul leaves end at the sign
        }
        long value = 0;
        for (; at < len; at++) {
            int d = args.byteAt(i, at) - '0';
            if (d < 0 || d > 9) {
                throw new NumberFormatException("not a digit");
            }
            // value * 10 + d must stay below 2^64.
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
                throw new NumberFormatException("overflow");
            }
            long next = value * 10 + d;
            if (Long.compareUnsigned(next, value * 10) < 0) {
                throw new NumberFormatException("overflow");
            }
            value = next;
        }
        return negative ? -value : value;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    /** The decimal text of {@code cursor} as an unsigned number. */
    static String format(long cursor) {
        return Long.toUnsignedString(cursor);
    }

    /** The key to resume at (first key {@code >=} it), or null to start from the first key. */
    byte[] resumeKey(long cursor) {
        if ((cursor & TABLE_FLAG) == 0) {
            int len = (int) (cursor >>> 56) & 7;
            if (len == 0) {
                return null;
            }
            byte[] key = new byte[len];
            for (int j = 0; j < len; j++) {
                key[j] = (byte) (cursor >>> (48 - 8 * j));
            }
            return key;
        }
        long lookup = cursor & ~(1L << 63);
        synchronized (this) {
            byte[] key = table.get(lookup);
            if (key != null) {
                return key;
            }
        }
        byte[] prefix = new byte[PREFIX_BYTES];
        for (int j = 0; j < PREFIX_BYTES; j++) {
            prefix[j] = (byte) (cursor >>> (ID_BITS + 8 * (PREFIX_BYTES - 1 - j)));
        }
        return prefix;
    }

    /**
     * The cursor to continue after {@code lastScanned} with {@code next} the next key: it
     * resumes at a key {@code R} with {@code lastScanned < R <= next}.
     */
    long cursorAfter(byte[] lastScanned, byte[] next, RandomGenerator random) {
        byte[] resume = separator(lastScanned, next);
        if (resume.length <= DIRECT_MAX) {
            long c = (long) resume.length << 56;
            for (int j = 0; j < resume.length; j++) {
                c |= (long) (resume[j] & 0xff) << (48 - 8 * j);
            }
            return c;
        }
        long base = TABLE_FLAG;
        for (int j = 0; j < PREFIX_BYTES; j++) {
            base |= (long) (resume[j] & 0xff) << (ID_BITS + 8 * (PREFIX_BYTES - 1 - j));
        }
        synchronized (this) {
            long cursor = base;
            for (int draw = 0; draw < MAX_ID_DRAWS; draw++) {
                cursor = base | (random.nextLong() & ID_MASK);
                byte[] held = table.get(cursor);
                if (held == null || Arrays.equals(held, resume)) {
                    break;
                }
            }
            // After MAX_ID_DRAWS collisions (a nearly full id space) the last draw replaces an
            // entry: its holder then resumes at this key, which shares its first 4 bytes, and
            // may miss keys; with 2^30 ids and a table far smaller, this does not happen.
            byte[] old = table.put(cursor, resume);
            if (old != null) {
                bytes -= old.length;
            }
            bytes += resume.length;
            evict();
            return cursor;
        }
    }

    private void evict() {
        var it = table.entrySet().iterator();
        while ((table.size() > maxEntries || bytes > maxBytes) && table.size() > 1 && it.hasNext()) {
            Map.Entry<Long, byte[]> eldest = it.next();
            bytes -= eldest.getValue().length;
            it.remove();
        }
    }

    /** How many resume keys the table holds (for tests). */
    synchronized int size() {
        return table.size();
    }

    /**
     * The shortest byte string {@code s} with {@code a < s <= b}, given {@code a < b}: the common
     * prefix of the two plus the next byte of {@code b}.
     */
    static byte[] separator(byte[] a, byte[] b) {
        int common = Arrays.mismatch(a, b);
        if (common < 0 || common >= b.length || (common < a.length && (a[common] & 0xff) > (b[common] & 0xff))) {
            throw new IllegalArgumentException("keys out of order");
        }
        return Arrays.copyOf(b, common + 1);
    }
}
