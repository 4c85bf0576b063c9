package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One sorted set on the ordered key space (docs/encoding.md, "Sorted sets"): the view the ZSET
 * commands work through, inside one command's transaction.
 *
 * <p>Each member is two entries under the key's element prefix {@code E|db|keylen|key|version}:
 *
 * <pre>
 * member entry   'm' | member                      -> score, IEEE 754 bits (8 bytes)
 * score index    's' | sortable score (8) | member  -> empty ("-" for a score of -0)
 * encoding mark  'e'                               -> empty; present while Redis would use a skiplist
 * </pre>
 *
 * ZSCORE is a point read of the member entry; score ranges are bounded scans of the index, whose
 * byte order is (score, member) order, Redis's order. There is no order-statistics structure:
 * the rank of an entry costs a scan of the entries before it (or after it, whichever is found
 * first, see {@link #rank}).
 *
 * <p>The encoding mark reproduces the one place where Redis 7.0's two encodings answer
 * differently: a listpack (at most 128 members, none over 64 bytes, until the set first grows
 * past either) stores {@code -0} as the integer 0, a skiplist keeps the sign; and ZSCAN returns a
 * listpack whole. The mark is written when Redis would convert, and never removed (Redis never
 * converts back, except when a command builds a new set: see {@link #create}).
 *
 * <p>Changes are written as they are made; {@link #save()} then writes the metadata (size), or
 * deletes the key when the set became empty, as Redis does. Every command that changes the set
 * must call it: on an engine that validates reads at commit, rewriting the metadata is what makes
 * two writers of one set conflict (their element scans do not join the read set, the metadata read
 * does); where reads lock ({@link io.respkv.api.EngineFeature#LOCKING_READS}) the metadata read
 * already serializes them, and a change that keeps the size leaves the metadata alone.
 */
public final class RedisZSet {

    /** Redis's zset-max-listpack-entries default: a set larger than this is a skiplist. */
    public static final long LISTPACK_MAX_ENTRIES = 128;
    /** Redis's zset-max-listpack-value default: a member longer than this makes a skiplist. */
    public static final int LISTPACK_MAX_VALUE = 64;

    static final byte MEMBER = 'm';
    static final byte SCORE = 's';
    static final byte ENCODING_MARK = 'e';

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEGATIVE_ZERO = {'-'};
    private static final long SIGN = 0x8000000000000000L;

    /**
     * Whether {@code elementKey}, under an element prefix of {@code prefixLength} bytes, is a score
     * index entry: written with {@link Transaction#putScanned} and {@link Transaction#deleteScanned},
     * so read only by scans, never by {@code get}.
     */
    static boolean isIndexEntry(byte[] elementKey, int prefixLength) {
        return elementKey.length > prefixLength && elementKey[prefixLength] == SCORE;
    }

    /** A member and its score. */
    public record Entry(byte[] member, double score) {
    }

    private final Keyspace ks;
    private final Transaction txn;
    private final byte[] key;
    private final long version;
    private final long expireAt;
    private final byte[] memberPrefix;
    private final byte[] scorePrefix;
    private final byte[] scoreEnd;
    private final boolean stored;
    /** The size the stored metadata holds. */
    private final long storedSize;
    private long size;
    /** null until known: whether Redis would hold this set as a skiplist. */
    private Boolean skiplist;

    private RedisZSet(Keyspace ks, byte[] key, long version, long expireAt, long size, boolean stored,
            Boolean skiplist) {
        this.ks = ks;
        this.txn = ks.txn();
        this.key = key;
        this.version = version;
        this.expireAt = expireAt;
        this.size = size;
        this.storedSize = size;
        this.stored = stored;
        this.skiplist = skiplist;
        byte[] prefix = KeyCodec.elementPrefix(ks.db(), key, version);
        this.memberPrefix = append(prefix, MEMBER);
        this.scorePrefix = append(prefix, SCORE);
        this.scoreEnd = KeyCodec.prefixEnd(scorePrefix);
    }

    /** The sorted set at {@code key}, or null if there is none; WRONGTYPE for another type. */
    public static RedisZSet find(Keyspace ks, byte[] key) {
        KeyMeta meta = ks.meta(key, RedisType.ZSET);
        if (meta == null) {
            return null;
        }
        return new RedisZSet(ks, key, meta.version(), meta.expireAt(), meta.size(), true, null);
    }

    /**
     * A new, empty sorted set for {@code key} under a fresh version, without expiry. Nothing is
     * stored until {@link #save()}, which replaces whatever {@code key} held. It starts as a
     * listpack would; {@link #markSkiplist()} makes it a skiplist from the start (the store
     * commands, which know the result's shape first).
     */
    public static RedisZSet create(Keyspace ks, byte[] key, RandomGenerator random) {
        long version = ks.newVersion(key, random);
        return new RedisZSet(ks, key, version, KeyMeta.NO_EXPIRY, 0, false, Boolean.FALSE);
    }

    /** The number of members. */
    public long size() {
        return size;
    }

    /** The key this set is stored at. */
    public byte[] key() {
        return key;
    }

    /** The score of {@code member} (one point read), or null if it is not a member. */
    public Double score(byte[] member) {
        byte[] raw = txn.get(memberKey(member));
        return raw == null ? null : Double.longBitsToDouble(KeyCodec.getLong(raw, 0));
    }

    /**
     * Whether Redis 7.0 would hold this set as a skiplist rather than a listpack: it has more
     * than 128 members, or has had (see the class comment). One point read at most.
     */
    public boolean isSkiplist() {
        if (size > LISTPACK_MAX_ENTRIES) {
            return true;
        }
        if (skiplist == null) {
            skiplist = txn.get(encodingMarkKey()) != null;
        }
        return skiplist;
    }

    /** Makes this set a skiplist (Redis's zsetConvert): writes the encoding mark. */
    public void markSkiplist() {
        if (!Boolean.TRUE.equals(skiplist)) {
            txn.put(encodingMarkKey(), EMPTY);
            skiplist = Boolean.TRUE;
        }
    }

    /** The name OBJECT ENCODING would give this set in Redis 7.0. */
    public String encodingName() {
        return isSkiplist() ? "skiplist" : "listpack";
    }

    /**
     * Adds {@code member}, which must not be a member yet, with {@code score} (not NaN). As
     * Redis's zsetAdd, a listpack that would exceed 128 members or receives a member over 64
     * bytes becomes a skiplist first; a listpack stores -0 as 0. Returns the score stored.
     */
    public double insert(byte[] member, double score) {
        boolean converts = size + 1 > LISTPACK_MAX_ENTRIES || member.length > LISTPACK_MAX_VALUE;
        if (converts && size <= LISTPACK_MAX_ENTRIES) {
            markSkiplist(); // past 128 members the mark is there already (written on the way)
        }
        double stored = storedScore(score);
        txn.put(memberKey(member), scoreBytes(stored));
        txn.putScanned(indexKey(member, stored), indexValue(stored)); // read by range scans only
        size++;
        return stored;
    }

    /**
     * Changes the score of member {@code member} from {@code oldScore} (its current score) to
     * {@code newScore}: rewrites the member entry, deletes the old index entry and writes the new
     * one. Nothing is written if the scores are equal (-0 equals 0, as in C).
     *
     * <p>Each change leaves a deletion of the old index entry behind: on an LSM engine a hot set
     * whose scores change all the time accumulates tombstones in its index range until compaction
     * (docs/encoding.md).
     */
    public void update(byte[] member, double oldScore, double newScore) {
        if (oldScore == newScore) {
            return;
        }
        double stored = storedScore(newScore);
        txn.put(memberKey(member), scoreBytes(stored));
        byte[] oldIndex = indexKey(member, oldScore);
        byte[] newIndex = indexKey(member, stored);
        txn.deleteScanned(oldIndex);
        txn.putScanned(newIndex, indexValue(stored));
    }

    /** Removes member {@code member} whose score is {@code score}. */
    public void remove(byte[] member, double score) {
        txn.delete(memberKey(member));
        txn.deleteScanned(indexKey(member, score));
        size--;
    }

    /** Removes {@code member} if present (one point read); returns whether it was a member. */
    public boolean remove(byte[] member) {
        Double score = score(member);
        if (score == null) {
            return false;
        }
        remove(member, score);
        return true;
    }

    /**
     * Stores the result of this command's changes: the metadata with the new size, or, when the
     * set is empty, deletes the key (Redis deletes empty collections). A set made by
     * {@link #create} replaces whatever the key held, of any type, and has no expiry.
     */
    public void save() {
        if (size == 0) {
            if (stored) {
                ks.delete(key);
            }
            return;
        }
        if (stored && size == storedSize && ks.metadataSerializesWriters()) {
            // Scores changed, the size did not (ZADD or ZINCRBY of existing members): the
            // metadata read already holds off every other writer of this set, so it stays as it is
            // (one write fewer of four per score update, and no expiry-index rewrite).
            ks.touched(key);
            return;
        }
        ks.put(key, KeyMeta.collection(RedisType.ZSET, expireAt, version, size));
    }

    /**
     * Removes up to {@code count} members with the lowest (or, {@code max}, highest) scores and
     * returns them in pop order. The caller saves. This is what ZPOPMIN, ZPOPMAX, ZMPOP and the
     * blocking pops do.
     */
    public List<Entry> pop(boolean max, long count) {
        List<Entry> out = new ArrayList<>((int) Math.min(count, Math.min(size, 1024)));
        try (IndexCursor c = scan(scorePrefix, scoreEnd, max)) {
            while (out.size() < count && c.next()) {
                out.add(c.entry());
            }
        }
        for (Entry e : out) {
            remove(e.member(), e.score());
        }
        return out;
    }

    /**
     * Pops from the sorted set at {@code key}: up to {@code count} (at least 1) members with the
     * lowest or, {@code max}, highest scores, in pop order, deleting the key if it becomes
     * empty. Returns null if there is no such key (an empty list never: sets are not empty);
     * WRONGTYPE for another type. For the blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP).
     */
    public static List<Entry> pop(Keyspace ks, byte[] key, boolean max, long count) {
        RedisZSet z = find(ks, key);
        if (z == null) {
            return null;
        }
        List<Entry> popped = z.pop(max, count);
        z.save();
        return popped;
    }

    // ---- reads in order ----

    /** A cursor over all members in (score, member) order, or the reverse. */
    public IndexCursor all(boolean reverse) {
        return scan(scorePrefix, scoreEnd, reverse);
    }

    /** A cursor over the members whose score is in {@code range}, in order or reversed. */
    public IndexCursor scores(ScoreRange range, boolean reverse) {
        if (range.isEmpty()) {
            return scan(scorePrefix, scorePrefix, reverse);
        }
        byte[] low = scoreKey(range.min());
        if (range.minExclusive()) {
            low = KeyCodec.prefixEnd(low);
        }
        byte[] high = scoreKey(range.max());
        if (!range.maxExclusive()) {
            high = KeyCodec.prefixEnd(high);
        }
        if (Arrays.compareUnsigned(low, high) >= 0) {
            high = low;
        }
        return scan(low, high, reverse);
    }

    /** The entries of ascending ranks {@code from..to} (inclusive, {@code 0 <= from <= to < size}). */
    public List<Entry> byRank(long from, long to) {
        int n = (int) Math.min(to - from + 1, Integer.MAX_VALUE - 8);
        List<Entry> out = new ArrayList<>(Math.min(n, 1024));
        // Walk from whichever end is closer: the cost is the entries skipped plus those returned.
        boolean fromTail = size - from < to + 1;
        long skip = fromTail ? size - 1 - to : from;
        try (IndexCursor c = scan(scorePrefix, scoreEnd, fromTail)) {
            for (long i = 0; i < skip && c.next(); i++) {
                // skipped
            }
            while (out.size() < n && c.next()) {
                out.add(c.entry());
            }
        }
        if (fromTail) {
            Collections.reverse(out);
        }
        return out;
    }

    /**
     * The ascending rank of {@code member} whose score is {@code score}. There is no
     * order-statistics index, so this counts entries: one cursor from each end, advanced in turn,
     * until one meets the member; the cost is about twice the distance to the nearer end.
     */
    public long rank(byte[] member, double score) {
        byte[] target = indexKey(member, score);
        try (KvCursor up = txn.scan(scorePrefix, scoreEnd, false);
                KvCursor down = txn.scan(scorePrefix, scoreEnd, true)) {
            for (long steps = 0; steps < size; steps++) {
                if (!up.next() || Arrays.equals(up.key(), target)) {
                    return steps;
                }
                if (!down.next() || Arrays.equals(down.key(), target)) {
                    return size - 1 - steps;
                }
            }
        }
        throw new IllegalStateException("member not in the score index");
    }

    /** The first entry in (score, member) order, or in reverse order the last; null if empty. */
    public Entry edge(boolean last) {
        try (IndexCursor c = all(last)) {
            return c.next() ? c.entry() : null;
        }
    }

    /**
     * A cursor over the members in {@code range}, in order or reversed, with Redis's semantics for
     * lexicographic ranges. They are meant for sets whose scores are all equal, where they are
     * member ranges: then this seeks (one bounded scan). With different scores Redis's answer
     * depends on its encoding (for a skiplist on its random levels); this gives the listpack's:
     * starting from the lowest score (reversed: the highest), skip entries below {@code min} (above
     * {@code max}), then return entries while they are within the range, after checking that
     * the last entry is not below {@code min} and the first not above {@code max}. That walk is a
     * scan from the end of the index.
     */
    public IndexCursor lex(LexRange range, boolean reverse) {
        Entry first = edge(false);
        Entry last = edge(true);
        if (first == null || range.isEmpty() || !range.aboveMin(last.member()) || !range.belowMax(first.member())) {
            return scan(scorePrefix, scorePrefix, reverse);
        }
        if (first.score() == last.score()) {
            byte[] p = scoreKey(first.score());
            byte[] low = range.min().lowKey(p, range.minExclusive());
            byte[] high = range.max().highKey(p, range.maxExclusive());
            if (Arrays.compareUnsigned(low, high) >= 0) {
                high = low;
            }
            return scan(low, high, reverse);
        }
        return new LexWalk(scan(scorePrefix, scoreEnd, reverse), range, reverse);
    }

    /**
     * A cursor over all members in member order (the member entries), starting at the first
     * member {@code >= from} ({@code null}: the first). ZSCAN of a large set pages through it.
     */
    public MemberCursor members(byte[] from) {
        byte[] low = from == null ? memberPrefix : concat(memberPrefix, from);
        return new MemberCursor(txn.scan(low, KeyCodec.prefixEnd(memberPrefix), false), memberPrefix.length);
    }

    // ---- encodings ----

    /**
     * The order-preserving form of a score: IEEE bits with the sign bit flipped for positive
     * values and all bits flipped for negative ones, so that unsigned byte order is numeric
     * order ({@code -inf < ... < -0 = 0 < ... < +inf}). -0 is encoded as 0: the two are equal.
     */
    public static long sortable(double score) {
        long bits = Double.doubleToRawLongBits(score == 0 ? 0.0 : score);
        return bits >= 0 ? bits ^ SIGN : ~bits;
    }

    /** The score whose {@link #sortable} form is {@code sortable}. */
    public static double fromSortable(long sortable) {
        long bits = sortable < 0 ? sortable ^ SIGN : ~sortable;
        return Double.longBitsToDouble(bits);
    }

    private double storedScore(double score) {
        // A listpack stores an integral score as an integer: -0 becomes 0 (zzlInsertAt).
        if (score == 0 && Double.doubleToRawLongBits(score) != 0 && !isSkiplist()) {
            return 0.0;
        }
        return score;
    }

    private static byte[] scoreBytes(double score) {
        byte[] out = new byte[8];
        KeyCodec.putLong(out, 0, Double.doubleToRawLongBits(score));
        return out;
    }

    private static byte[] indexValue(double score) {
        return score == 0 && Double.doubleToRawLongBits(score) != 0 ? NEGATIVE_ZERO : EMPTY;
    }

    private byte[] memberKey(byte[] member) {
        return concat(memberPrefix, member);
    }

    private byte[] scoreKey(double score) {
        byte[] out = Arrays.copyOf(scorePrefix, scorePrefix.length + 8);
        KeyCodec.putLong(out, scorePrefix.length, sortable(score));
        return out;
    }

    private byte[] indexKey(byte[] member, double score) {
        byte[] out = Arrays.copyOf(scorePrefix, scorePrefix.length + 8 + member.length);
        KeyCodec.putLong(out, scorePrefix.length, sortable(score));
        System.arraycopy(member, 0, out, scorePrefix.length + 8, member.length);
        return out;
    }

    private byte[] encodingMarkKey() {
        byte[] out = memberPrefix.clone();
        out[out.length - 1] = ENCODING_MARK;
        return out;
    }

    private IndexCursor scan(byte[] low, byte[] high, boolean reverse) {
        return new IndexCursor(txn.scan(low, high, reverse), scorePrefix.length);
    }

    private static byte[] append(byte[] a, byte b) {
        byte[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- ranges ----

    /** A score range as Redis's zrangespec: {@code min} and {@code max}, each inclusive or not. */
    public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {

        /** Whether no score can be in the range (zslIsInRange's first test). */
        public boolean isEmpty() {
            return min > max || (min == max && (minExclusive || maxExclusive));
        }

        /** zslValueGteMin. */
        public boolean aboveMin(double v) {
            return minExclusive ? v > min : v >= min;
        }

        /** zslValueLteMax. */
        public boolean belowMax(double v) {
            return maxExclusive ? v < max : v <= max;
        }
    }

    /** One end of a lexicographic range: {@code -} (below everything), {@code +} (above), or a value. */
    public record LexBound(int kind, byte[] value) {
        /** {@code -}: compares below every string. */
        public static final LexBound MIN = new LexBound(-1, null);
        /** {@code +}: compares above every string. */
        public static final LexBound MAX = new LexBound(1, null);

        public static LexBound of(byte[] value) {
            return new LexBound(0, value);
        }

        /** sdscmplex(this, other). */
        int compareTo(LexBound other) {
            if (this == other || (kind != 0 && kind == other.kind)) {
                return 0;
            }
            if (kind == -1 || other.kind == 1) {
                return -1;
            }
            if (kind == 1 || other.kind == -1) {
                return 1;
            }
            return Arrays.compareUnsigned(value, other.value);
        }

        /** The first key of prefix {@code p} + member at or above this bound. */
        byte[] lowKey(byte[] p, boolean exclusive) {
            if (kind == -1) {
                return p;
            }
            if (kind == 1) {
                return KeyCodec.prefixEnd(p);
            }
            byte[] k = concat(p, value);
            return exclusive ? Arrays.copyOf(k, k.length + 1) : k; // k + 0x00: the least key above k
        }

        /** The exclusive upper key bound of prefix {@code p} + member for this bound. */
        byte[] highKey(byte[] p, boolean exclusive) {
            if (kind == -1) {
                return p;
            }
            if (kind == 1) {
                return KeyCodec.prefixEnd(p);
            }
            byte[] k = concat(p, value);
            return exclusive ? k : Arrays.copyOf(k, k.length + 1);
        }
    }

    /** A lexicographic range as Redis's zlexrangespec. */
    public record LexRange(LexBound min, boolean minExclusive, LexBound max, boolean maxExclusive) {

        /** zslIsInLexRange's first test: the range is empty whatever the members. */
        public boolean isEmpty() {
            int cmp = min.compareTo(max);
            return cmp > 0 || (cmp == 0 && (minExclusive || maxExclusive));
        }

        /** zslLexValueGteMin. */
        public boolean aboveMin(byte[] member) {
            int cmp = compareLex(member, min);
            return minExclusive ? cmp > 0 : cmp >= 0;
        }

        /** zslLexValueLteMax. */
        public boolean belowMax(byte[] member) {
            int cmp = compareLex(member, max);
            return maxExclusive ? cmp < 0 : cmp <= 0;
        }

        /** Redis's sdscmplex(member, bound): {@code -} is below and {@code +} above every member. */
        private static int compareLex(byte[] member, LexBound bound) {
            return bound.kind() != 0 ? -bound.kind() : Arrays.compareUnsigned(member, bound.value());
        }
    }

    // ---- cursors ----

    /** Entries of the score index in scan order. {@link #next()} first; close it. */
    public static class IndexCursor implements AutoCloseable {
        private final KvCursor cursor;
        private final int prefixLength;

        IndexCursor(KvCursor cursor, int prefixLength) {
            this.cursor = cursor;
            this.prefixLength = prefixLength;
        }

        /** Advances; false at the end. */
        public boolean next() {
            return cursor.next();
        }

        /** The current member (a copy). */
        public byte[] member() {
            byte[] k = cursor.key();
            return Arrays.copyOfRange(k, prefixLength + 8, k.length);
        }

        /** The current score. */
        public double score() {
            if (cursor.value().length != 0) {
                return -0.0;
            }
            return fromSortable(KeyCodec.getLong(cursor.key(), prefixLength));
        }

        /** The current member and score. */
        public Entry entry() {
            return new Entry(member(), score());
        }

        @Override
        public void close() {
            cursor.close();
        }
    }

    /** The listpack walk of a lexicographic range over mixed scores (see {@link #lex}). */
    private static final class LexWalk extends IndexCursor {
        private final LexRange range;
        private final boolean reverse;
        private boolean started;
        private boolean done;

        LexWalk(IndexCursor inner, LexRange range, boolean reverse) {
            super(inner.cursor, inner.prefixLength);
            this.range = range;
            this.reverse = reverse;
        }

        @Override
        public boolean next() {
            if (done) {
                return false;
            }
            while (super.next()) {
                byte[] m = member();
                if (!started) {
                    // zzlFirstInLexRange / zzlLastInLexRange: the first entry past the near bound
                    // decides; if it is beyond the far bound, nothing is in range.
                    if (reverse ? !range.belowMax(m) : !range.aboveMin(m)) {
                        continue;
                    }
                    started = true;
                }
                if (reverse ? range.aboveMin(m) : range.belowMax(m)) {
                    return true;
                }
                break;
            }
            done = true;
            return false;
        }
    }

    /** Member entries in member order. */
    public static final class MemberCursor implements AutoCloseable {
        private final KvCursor cursor;
        private final int prefixLength;

        MemberCursor(KvCursor cursor, int prefixLength) {
            this.cursor = cursor;
            this.prefixLength = prefixLength;
        }

        public boolean next() {
            return cursor.next();
        }

        public byte[] member() {
            byte[] k = cursor.key();
            return Arrays.copyOfRange(k, prefixLength, k.length);
        }

        public double score() {
            return Double.longBitsToDouble(KeyCodec.getLong(cursor.value(), 0));
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
