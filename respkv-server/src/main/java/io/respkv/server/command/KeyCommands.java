package io.respkv.server.command;

import io.respkv.api.CommandArgs;
import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.util.GlobMatcher;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Generic key commands (Redis's {@code db.c} and {@code expire.c}): DEL, UNLINK, EXISTS, TYPE,
 * TOUCH, the EXPIRE family, TTL family, PERSIST, RENAME, RENAMENX, COPY, MOVE, KEYS, SCAN,
 * RANDOMKEY.
 *
 * <p>Replies and error lines are Redis 7.0.15's. Where respkv differs by design: KEYS and SCAN
 * return keys in key order (Redis: hash order), SCAN cursors are positions in that order (see
 * {@link ScanCursors}), and RANDOMKEY's choice is not uniform (see {@link Keyspace#randomKey}).
 */
final class KeyCommands {

    /** Bounds of the per-server table of long SCAN resume keys (see {@link ScanCursors}). */
    static final int SCAN_TABLE_ENTRIES = 16_384;
    static final long SCAN_TABLE_BYTES = 16L << 20;


    private KeyCommands() {
    }

    static void register(CommandTable t) {
        ScanCursors cursors = new ScanCursors(SCAN_TABLE_ENTRIES, SCAN_TABLE_BYTES);
        t.register("del", KeyCommands::del);
        t.register("unlink", KeyCommands::del);
        t.register("exists", KeyCommands::exists);
        t.register("touch", KeyCommands::exists);
        t.register("type", KeyCommands::type);
        t.register("expire", ctx -> expire(ctx, "expire", true, false));
        t.register("pexpire", ctx -> expire(ctx, "pexpire", false, false));
        t.register("expireat", ctx -> expire(ctx, "expireat", true, true));
        t.register("pexpireat", ctx -> expire(ctx, "pexpireat", false, true));
        t.register("ttl", ctx -> ttl(ctx, false, false));
        t.register("pttl", ctx -> ttl(ctx, true, false));
        t.register("expiretime", ctx -> ttl(ctx, false, true));
        t.register("pexpiretime", ctx -> ttl(ctx, true, true));
        t.register("persist", KeyCommands::persist);
        t.register("rename", ctx -> rename(ctx, false));
        t.register("renamenx", ctx -> rename(ctx, true));
        t.register("copy", KeyCommands::copy);
        t.register("move", KeyCommands::move);
        // KEYS is registered by ExtensionCommands (respkv's options on top of this one)
        t.register("scan", ctx -> scan(ctx, cursors));
        t.register("randomkey", KeyCommands::randomkey);
    }

    /** {@code DEL key [key ...]} and {@code UNLINK key [key ...]}: the number of keys removed. */
    static void del(ExecutionContext ctx) {
        Keyspace ks = ctx.keyspace();
        long removed = 0;
        for (int i = 1; i < ctx.argc(); i++) {
            if (ks.delete(ctx.arg(i))) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", ctx.arg(i));
                removed++;
            }
        }
        ctx.reply().integer(removed);
    }

    /**
     * {@code EXISTS key [key ...]} and {@code TOUCH key [key ...]}: how many of the arguments
     * exist, a key named twice counting twice. (TOUCH's access-time update has no counterpart:
     * respkv keeps no access times.)
     */
    static void exists(ExecutionContext ctx) {
        Keyspace ks = ctx.keyspace();
        long found = 0;
        for (int i = 1; i < ctx.argc(); i++) {
            if (readLookup(ctx, ctx.arg(i), ks.exists(ctx.arg(i)))) {
                found++;
            }
        }
        ctx.reply().integer(found);
    }

    /** {@code TYPE key}: a status reply, {@code string}, {@code list}... or {@code none}. */
    static void type(ExecutionContext ctx) {
        RedisType type = ctx.keyspace().type(ctx.arg(1));
        readLookup(ctx, ctx.arg(1), type != null);
        ctx.reply().simple(type == null ? "none" : type.typeName());
    }

    /**
     * {@code EXPIRE key seconds [NX|XX|GT|LT]}, {@code PEXPIRE key milliseconds [...]},
     * {@code EXPIREAT key unix-seconds [...]}, {@code PEXPIREAT key unix-ms [...]}: 1 if the
     * deadline was set, 0 if the key does not exist or a condition failed. A deadline not after
     * now deletes the key (and replies 1). NX: only without a deadline; XX: only with one; GT:
     * only later than the current one (no deadline counts as infinite); LT: only earlier.
     */
    static void expire(ExecutionContext ctx, String name, boolean seconds, boolean absolute) {
        RespRequest args = ctx.args();
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.count(); i++) {
            if (keyword(args, i, "NX")) {
                nx = true;
            } else if (keyword(args, i, "XX")) {
                xx = true;
            } else if (keyword(args, i, "GT")) {
                gt = true;
            } else if (keyword(args, i, "LT")) {
                lt = true;
            } else {
                unsupportedOption(ctx, args, i);
                return;
            }
        }
        if (nx && (xx || gt || lt)) {
            ctx.reply().error(Errors.EXPIRE_NX_AND_OTHERS);
            return;
        }
        if (gt && lt) {
            ctx.reply().error(Errors.EXPIRE_GT_AND_LT);
            return;
        }
        Long parsed = ctx.longArg(2);
        if (parsed == null) {
            return;
        }
        long when = parsed;
        long base = absolute ? 0 : ctx.nowMillis();
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                ctx.reply().error(Errors.invalidExpire(name));
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - base) {
            ctx.reply().error(Errors.invalidExpire(name));
            return;
        }
        when += base;

        Keyspace ks = ctx.keyspace();
        byte[] key = ctx.arg(1);
        KeyMeta meta = ks.meta(key);
        if (meta == null) {
            ctx.reply().integer(0);
            return;
        }
        boolean has = meta.hasExpiry();
        long current = meta.expireAt();
        if ((nx && has) || (xx && !has) || (gt && (!has || when <= current)) || (lt && has && when >= current)) {
            ctx.reply().integer(0);
            return;
        }
        if (when <= ctx.nowMillis()) {
            ks.delete(key);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        } else {
            ks.setExpireAt(key, meta, when);
            ctx.reply().integer(1);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "expire", key);
            return;
        }
        ctx.reply().integer(1);
    }

    /**
     * {@code TTL key}, {@code PTTL key}: remaining time to live in seconds (rounded) or
     * milliseconds; {@code EXPIRETIME key}, {@code PEXPIRETIME key}: the absolute Unix deadline.
     * -2 if the key does not exist, -1 if it has no deadline.
     */
    static void ttl(ExecutionContext ctx, boolean millis, boolean absolute) {
        KeyMeta meta = ctx.keyspace().meta(ctx.arg(1));
        if (!readLookup(ctx, ctx.arg(1), meta != null)) {
            ctx.reply().integer(-2);
            return;
        }
        if (!meta.hasExpiry()) {
            ctx.reply().integer(-1);
            return;
        }
        long ttl = absolute ? meta.expireAt() : meta.expireAt() - ctx.nowMillis();
        if (ttl < 0) {
            ttl = 0;
        }
        // (ttl+500)/1000 without overflow: redis-server 7.0.15 answers EXPIRETIME of a
        // deadline near Long.MAX_VALUE with the exact quotient, which unsigned division gives.
        ctx.reply().integer(millis ? ttl : Long.divideUnsigned(ttl + 500, 1000));
    }

    /** {@code PERSIST key}: 1 if a deadline was removed, else 0. */
    static void persist(ExecutionContext ctx) {
        Keyspace ks = ctx.keyspace();
        byte[] key = ctx.arg(1);
        KeyMeta meta = ks.meta(key);
        if (meta == null || !meta.hasExpiry()) {
            ctx.reply().integer(0);
            return;
        }
        ks.setExpireAt(key, meta, KeyMeta.NO_EXPIRY);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "persist", key);
        ctx.reply().integer(1);
    }

    /**
     * {@code RENAME key newkey}: OK, replacing newkey; {@code RENAMENX key newkey}: 1, or 0 if
     * newkey exists. Both keep the deadline and fail with {@code ERR no such key} when key does
     * not exist; renaming a key to itself changes nothing.
     */
    static void rename(ExecutionContext ctx, boolean nx) {
        Keyspace ks = ctx.keyspace();
        byte[] src = ctx.arg(1);
        byte[] dst = ctx.arg(2);
        if (!ks.exists(src)) {
            ctx.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        if (Arrays.equals(src, dst)) {
            replyRenamed(ctx, nx, false);
            return;
        }
        boolean replaced = (nx || ctx.notifying(KeyspaceEvents.NEW)) && ks.exists(dst);
        if (nx && replaced) {
            ctx.reply().integer(0);
            return;
        }
        if (replaced) {
            // Redis deletes newkey and adds it again: a "new" key whatever it held before
            ctx.notifyKeyspaceEvent(KeyspaceEvents.NEW, "new", dst);
        }
        ks.rename(src, dst);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "rename_from", src);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "rename_to", dst);
        replyRenamed(ctx, nx, true);
    }

    private static void replyRenamed(ExecutionContext ctx, boolean nx, boolean renamed) {
        if (nx) {
            ctx.reply().integer(renamed ? 1 : 0);
        } else {
            ctx.reply().ok();
        }
    }

    /**
     * {@code COPY source destination [DB destination-db] [REPLACE]}: 1 if copied (value and
     * deadline), 0 if source does not exist or destination exists without REPLACE.
     */
    static void copy(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        boolean replace = false;
        int srcDb = ctx.client().db();
        int dstDb = srcDb;
        for (int j = 3; j < args.count(); j++) {
            if (keyword(args, j, "REPLACE")) {
                replace = true;
            } else if (keyword(args, j, "DB") && j + 1 < args.count()) {
                Integer db = dbArg(ctx, j + 1);
                if (db == null) {
                    return;
                }
                dstDb = db;
                j++;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        byte[] src = ctx.arg(1);
        byte[] dst = ctx.arg(2);
        if (srcDb == dstDb && Arrays.equals(src, dst)) {
            ctx.reply().error(Errors.SAME_OBJECT);
            return;
        }
        Keyspace ks = ctx.keyspace();
        if (!readLookup(ctx, src, ks.exists(src))) {
            ctx.reply().integer(0);
            return;
        }
        Keyspace target = ks.database(dstDb);
        boolean replaced = (!replace || ctx.notifying(KeyspaceEvents.NEW)) && target.exists(dst);
        if (!replace && replaced) {
            ctx.reply().integer(0);
            return;
        }
        if (replaced) {
            // Redis deletes destination and adds it again: a "new" key whatever it held before
            ctx.notifyKeyspaceEvent(KeyspaceEvents.NEW, "new", dst, dstDb);
        }
        ks.copyTo(src, target, dst);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "copy_to", dst, dstDb);
        ctx.signalKeyReady(dstDb, dst); // clients blocked on dst (in any db) look again
        ctx.reply().integer(1);
    }

    /**
     * {@code MOVE key db}: 1 if key moved to db (with its deadline), 0 if it does not exist here
     * or already exists there.
     */
    static void move(ExecutionContext ctx) {
        Integer dstDb = dbArg(ctx, 2);
        if (dstDb == null) {
            return;
        }
        if (dstDb == ctx.client().db()) {
            ctx.reply().error(Errors.SAME_OBJECT);
            return;
        }
        Keyspace ks = ctx.keyspace();
        byte[] key = ctx.arg(1);
        if (!ks.exists(key)) {
            ctx.reply().integer(0);
            return;
        }
        Keyspace target = ks.database(dstDb);
        if (target.exists(key)) {
            ctx.reply().integer(0);
            return;
        }
        ks.moveTo(key, target);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "move_from", key);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "move_to", key, dstDb);
        ctx.signalKeyReady(dstDb, key); // clients blocked on key in the target db look again
        ctx.reply().integer(1);
    }

    /**
     * Argument {@code i} as a database index, as Redis's {@code getIntFromObjectOrReply} then
     * {@code selectDb} check it; on failure replies the error and returns null.
     */
    private static Integer dbArg(ExecutionContext ctx, int i) {
        Long db = ctx.longArg(i);
        if (db == null) {
            return null;
        }
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            ctx.reply().error(Errors.NOT_AN_INT32);
            return null;
        }
        if (db < 0 || db >= ctx.server().databases()) {
            ctx.reply().error(Errors.DB_INDEX);
            return null;
        }
        return (int) (long) db;
    }

    /** {@code KEYS pattern}: every live key matching the glob pattern, in key order. */
    static void keys(ExecutionContext ctx) {
        KeyFilter filter = KeyFilter.of(ctx.arg(1));
        List<byte[]> out = new ArrayList<>();
        try (Keyspace.KeyCursor c = ctx.keyspace().keys(filter.from, filter.to)) {
            while (c.next()) {
                byte[] key = c.key();
                if (filter.matches(key)) {
                    out.add(key);
                }
            }
        }
        ReplySink reply = ctx.reply();
        reply.array(out.size());
        for (byte[] key : out) {
            reply.bulk(key);
        }
    }

    /**
     * {@code SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]}: a two-element array, the
     * next cursor (a bulk string, "0" when the iteration is complete) and the keys found. Each
     * call looks at up to COUNT (default 10) live keys from the cursor's position in key order
     * and returns those that match the pattern and type. A full iteration returns every key that
     * existed from its start to its end exactly once (keys added or removed meanwhile may or may
     * not be returned); see {@link ScanCursors} for the cursor format.
     */
    static void scan(ExecutionContext ctx, ScanCursors cursors) {
        RespRequest args = ctx.args();
        long cursor;
        try {
            cursor = ScanCursors.parse(args, 1);
        } catch (NumberFormatException e) {
            ctx.reply().error(Errors.INVALID_CURSOR);
            return;
        }
        ScanOptions options = ScanOptions.parse(ctx, 2, true);
        if (options == null) {
            return;
        }
        ScanPage page = scanPage(ctx.keyspace(), cursors, cursor, options.count(), options.pattern(), options.type(),
                ctx.random());
        // Redis looks each key that passed MATCH up as a read to learn its type: a keyspace hit.
        ctx.server().keyspaceHits.add(page.typeLookups());
        ReplySink reply = ctx.reply();
        reply.array(2);
        reply.bulk(ScanCursors.format(page.next()));
        reply.array(page.keys().size());
        for (byte[] key : page.keys()) {
            reply.bulk(key);
        }
    }

    /**
     * One SCAN reply: the next cursor and the keys found; {@code typeLookups} counts the keys
     * whose type the TYPE option had to check.
     */
    record ScanPage(long next, List<byte[]> keys, long typeLookups) {
    }

    /**
     * One SCAN step over {@code ks}: looks at up to {@code count} live keys from {@code cursor}'s
     * position (within the range of the pattern's literal prefix), keeps those matching
     * {@code pattern} (null: all) and {@code typeName} (null: any), and makes the next cursor.
     */
    static ScanPage scanPage(Keyspace ks, ScanCursors cursors, long cursor, long count, byte[] pattern,
            byte[] typeName, RandomGenerator random) {
        KeyFilter filter = KeyFilter.of(pattern);
        byte[] from = cursors.resumeKey(cursor);
        if (filter.from != null && (from == null || Arrays.compareUnsigned(from, filter.from) < 0)) {
            from = filter.from;
        }
        List<byte[]> found = new ArrayList<>();
        long next = ScanCursors.START;
        long typeLookups = 0;
        if (filter.to == null || from == null || Arrays.compareUnsigned(from, filter.to) < 0) {
            try (Keyspace.KeyCursor c = ks.keys(from, filter.to)) {
                long scanned = 0;
                byte[] last = null;
                while (c.next()) {
                    byte[] key = c.key();
                    if (scanned == count) {
                        next = cursors.cursorAfter(last, key, random);
                        break;
                    }
                    scanned++;
                    last = key;
                    if (!filter.matches(key)) {
                        continue;
                    }
                    if (typeName != null) {
                        typeLookups++;
                        if (!isType(c.type(), typeName)) {
                            continue;
                        }
                    }
                    found.add(key);
                }
            }
        }
        return new ScanPage(next, found, typeLookups);
    }

    /**
     * Whether SCAN's TYPE argument names {@code type}: Redis compares them with
     * {@code strcasecmp}, so ASCII case is ignored and the argument ends at its first NUL byte.
     */
    private static boolean isType(RedisType type, byte[] name) {
        String actual = type.typeName();
        for (int k = 0; ; k++) {
            int a = k < name.length ? name[k] & 0xff : 0;
            int w = k < actual.length() ? actual.charAt(k) : 0;
            if (lower(a) != lower(w)) {
                return false;
            }
            if (a == 0) {
                return true;
            }
        }
    }

    /**
     * Redis's {@code !strcasecmp(argv[i]->ptr, word)}: ASCII case-insensitive, and the argument
     * ends at its first NUL byte as a C string does ({@code "NX\0junk"} is NX).
     */
    static boolean keyword(CommandArgs args, int i, String word) {
        return args.is(i, word);
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /**
     * Counts a read lookup in INFO's keyspace_hits or keyspace_misses, as Redis's
     * {@code lookupKeyRead} does for EXISTS, TOUCH, TYPE, the TTL family and COPY's source (its
     * write lookups, and KEYS, do not count). Returns {@code found}.
     */
    private static boolean readLookup(ExecutionContext ctx, byte[] key, boolean found) {
        if (found) {
            ctx.server().keyspaceHits.increment();
        } else {
            ctx.keyMiss(key);
        }
        return found;
    }

    /** {@code RANDOMKEY}: a random live key, or nil when the database is empty. */
    static void randomkey(ExecutionContext ctx) {
        ctx.reply().bulk(ctx.keyspace().randomKey(ctx.random()));
    }

    /**
     * Replies {@code ERR Unsupported option <opt>} with the option's bytes as Redis's {@code %s}
     * prints them: up to the first NUL byte, CR and LF turned into spaces. The reply sink takes
     * text, so an option that is not UTF-8 is written as raw bytes to stay byte-exact.
     */
    private static void unsupportedOption(ExecutionContext ctx, RespRequest args, int i) {
        byte[] raw = args.bytes(i);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        byte[] opt = Arrays.copyOf(raw, end);
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(opt)).toString();
            ctx.reply().error(Errors.unsupportedOption(text));
        } catch (CharacterCodingException notUtf8) {
            byte[] head = ("-" + Errors.unsupportedOption("")).getBytes(StandardCharsets.US_ASCII);
            byte[] line = Arrays.copyOf(head, head.length + opt.length + 2);
            for (int j = 0; j < opt.length; j++) {
                byte b = opt[j];
                line[head.length + j] = b == '\r' || b == '\n' ? (byte) ' ' : b;
            }
            line[line.length - 2] = '\r';
            line[line.length - 1] = '\n';
            ctx.reply().raw(line);
        }
    }

    /**
     * A KEYS/SCAN pattern and the key range it can match: keys starting with the pattern's
     * literal prefix, {@code [from, to)} (null bounds are open).
     */
    static final class KeyFilter {
        final GlobMatcher matcher;
        final byte[] from;
        final byte[] to;

        private KeyFilter(GlobMatcher matcher, byte[] from, byte[] to) {
            this.matcher = matcher;
            this.from = from;
            this.to = to;
        }

        /** The filter of {@code pattern}; null (or exactly {@code *}) matches every key. */
        static KeyFilter of(byte[] pattern) {
            // Redis skips matching for exactly "*": only there does the empty key match it.
            if (pattern == null || (pattern.length == 1 && pattern[0] == '*')) {
                return new KeyFilter(null, null, null);
            }
            GlobMatcher m = GlobMatcher.compile(pattern);
            byte[] prefix = m.literalPrefix();
            if (prefix.length == 0) {
                return new KeyFilter(m, null, null);
            }
            return new KeyFilter(m, prefix, KeyCodec.prefixEnd(prefix));
        }

        boolean matches(byte[] key) {
            return matcher == null || matcher.matches(key);
        }
    }
}
