package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.WrongTypeException;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.util.LongDouble;
import io.respkv.server.util.RedisNumbers;
import java.util.Arrays;

/**
 * String commands, with the semantics, replies and error lines of Redis 7.0's t_string.c: GET,
 * SET, SETNX, SETEX, PSETEX, MGET, MSET, MSETNX, GETSET, GETDEL, GETEX, APPEND, STRLEN, INCR,
 * DECR, INCRBY, DECRBY, INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE, LCS.
 *
 * <p>Values are stored as bytes, as Redis stores strings; integers are parsed from the bytes
 * with {@code string2ll} when a command needs one. Relative expiries (EX, PX) become absolute
 * deadlines from the command's "now", so a replayed command sets the same deadline.
 *
 * <p>Every command parses all its arguments before it reads or writes, and replies once at the
 * end; a key of another type throws WRONGTYPE through the dispatcher, which discards anything
 * already written and rolls the transaction back.
 */
final class StringCommands {

    private static final byte[] EMPTY = new byte[0];

    private StringCommands() {
    }

    static void register(CommandTable t) {
        t.register("get", StringCommands::get);
        t.register("set", StringCommands::set);
        t.register("setnx", StringCommands::setnx);
        t.register("setex", ctx -> setex(ctx, StringOptions.EX, "setex"));
        t.register("psetex", ctx -> setex(ctx, StringOptions.PX, "psetex"));
        t.register("mget", StringCommands::mget);
        t.register("mset", ctx -> mset(ctx, false));
        t.register("msetnx", ctx -> mset(ctx, true));
        t.register("getset", StringCommands::getset);
        t.register("getdel", StringCommands::getdel);
        t.register("getex", StringCommands::getex);
        t.register("append", StringCommands::append);
        t.register("strlen", StringCommands::strlen);
        t.register("incr", ctx -> incrDecr(ctx, 1));
        t.register("decr", ctx -> incrDecr(ctx, -1));
        t.register("incrby", StringCommands::incrby);
        t.register("decrby", StringCommands::decrby);
        t.register("incrbyfloat", StringCommands::incrbyfloat);
        t.register("getrange", StringCommands::getrange);
        t.register("substr", StringCommands::getrange);
        t.register("setrange", StringCommands::setrange);
        t.register("lcs", StringCommands::lcs);
    }

    // ---------------------------------------------------------------- GET / SET family

    /** {@code GET key}: the value, or nil. */
    static void get(ExecutionContext ctx) {
        KeyMeta meta = soleStringMeta(ctx, ctx.arg(1));
        if (meta == null) {
            ctx.reply().nullBulk();
        } else {
            meta.replyValue(ctx.reply());
        }
    }

    /**
     * {@code SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-seconds |
     * PXAT unix-milliseconds | KEEPTTL]}: OK, or nil when NX/XX prevented the write; with GET
     * the old value (nil if none) whether or not the write happened.
     */
    static void set(ExecutionContext ctx) {
        StringOptions opts = StringOptions.parseSet(ctx.args());
        if (opts == null) {
            ctx.syntaxError();
            return;
        }
        setGeneric(ctx, opts, ctx.arg(1), ctx.arg(2), "set", false);
    }

    /** {@code SETNX key value}: 1 if set, 0 if the key exists. */
    static void setnx(ExecutionContext ctx) {
        setGeneric(ctx, StringOptions.of(StringOptions.NX), ctx.arg(1), ctx.arg(2), "setnx", true);
    }

    /** {@code SETEX key seconds value} / {@code PSETEX key milliseconds value}: OK. */
    static void setex(ExecutionContext ctx, int unitFlag, String name) {
        setGeneric(ctx, StringOptions.expiry(unitFlag, 2), ctx.arg(1), ctx.arg(3), name, false);
    }

    /**
     * Redis's {@code setGenericCommand}: validates the expiry, answers the old value for GET
     * (WRONGTYPE if it is not a string), applies NX/XX, then writes. A plain write clears the
     * key's TTL; KEEPTTL keeps it; an expiry replaces it.
     *
     * @param integerReplies SETNX's :1 / :0 instead of OK / nil
     */
    private static void setGeneric(ExecutionContext ctx, StringOptions opts, byte[] key, byte[] value,
                                   String name, boolean integerReplies) {
        ReplySink reply = ctx.reply();
        long expireAt = KeyMeta.NO_EXPIRY;
        if (opts.hasExpiry()) {
            expireAt = expireAtOrReply(ctx, opts, name);
            if (expireAt < 0) {
                return;
            }
        }
        Keyspace ks = ctx.keyspace();
        boolean get = opts.has(StringOptions.GET);
        if (!get && !opts.has(StringOptions.NX) && !opts.has(StringOptions.XX)
                // The reply is OK whatever the key held: where the engine can check at commit
                // that the key was absent or a string without TTL, it is not read first. Then
                // KEEPTTL has no TTL to keep.
                && ks.overwriteStringUnread(key, value, expireAt)) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "set", key);
            if (opts.hasExpiry()) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "expire", key);
            }
            reply.ok(); // not SETNX: that has NX
            return;
        }
        KeyMeta current;
        if (get) {
            current = readStringMeta(ctx, key);
            reply.bulk(current == null ? null : current.value());
        } else {
            current = ks.meta(key);
        }
        boolean found = current != null;
        if ((opts.has(StringOptions.NX) && found) || (opts.has(StringOptions.XX) && !found)) {
            if (!get) {
                if (integerReplies) {
                    reply.integer(0);
                } else {
                    reply.nullBulk();
                }
            }
            return;
        }
        if (!opts.hasExpiry()) {
            expireAt = opts.has(StringOptions.KEEPTTL) && found ? current.expireAt() : KeyMeta.NO_EXPIRY;
        }
        ks.putString(key, value, expireAt);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "set", key);
        if (opts.hasExpiry()) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "expire", key);
        }
        if (!get) {
            if (integerReplies) {
                reply.integer(1);
            } else {
                reply.ok();
            }
        }
    }

    /**
     * The absolute deadline of the expiry in {@code opts}, or -1 after replying the error Redis
     * gives for it.
     */
    private static long expireAtOrReply(ExecutionContext ctx, StringOptions opts, String name) {
        long at = opts.expireAt(ctx.args(), ctx.nowMillis());
        if (at == StringOptions.NOT_AN_INTEGER) {
            ctx.reply().error(Errors.NOT_AN_INTEGER);
            return -1;
        }
        if (at == StringOptions.INVALID) {
            ctx.reply().error(String.format(Errors.INVALID_EXPIRE, name));
            return -1;
        }
        return at;
    }

    /** {@code GETSET key value}: the old value (nil if none); sets the value and clears the TTL. */
    static void getset(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        byte[] old = readString(ctx, key);
        ctx.reply().bulk(old);
        ctx.keyspace().putString(key, ctx.arg(2), KeyMeta.NO_EXPIRY);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "set", key);
    }

    /** {@code GETDEL key}: the value (nil if none), and the key is deleted. */
    static void getdel(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        byte[] value = readString(ctx, key);
        ctx.reply().bulk(value);
        if (value != null) {
            ctx.keyspace().delete(key);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /**
     * {@code GETEX key [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT unix-milliseconds |
     * PERSIST]}: the value (nil if none), changing the TTL as asked; an absolute deadline already
     * past deletes the key.
     */
    static void getex(ExecutionContext ctx) {
        StringOptions opts = StringOptions.parseGetEx(ctx.args());
        if (opts == null) {
            ctx.syntaxError();
            return;
        }
        byte[] key = ctx.arg(1);
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = readStringMeta(ctx, key);
        if (meta == null) {
            ctx.reply().nullBulk();
            return;
        }
        long expireAt = 0;
        if (opts.hasExpiry()) {
            expireAt = expireAtOrReply(ctx, opts, "getex");
            if (expireAt < 0) {
                return;
            }
        }
        ctx.reply().bulk(meta.value());
        if (opts.absoluteExpiry() && expireAt <= ctx.nowMillis()) {
            ks.delete(key);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        } else if (opts.hasExpiry()) {
            ks.setExpireAt(key, meta, expireAt);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "expire", key);
        } else if (opts.has(StringOptions.PERSIST) && meta.hasExpiry()) {
            ks.setExpireAt(key, meta, KeyMeta.NO_EXPIRY);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "persist", key);
        }
    }

    /** {@code MGET key [key ...]}: one value per key, nil for a missing key or one of another type. */
    static void mget(ExecutionContext ctx) {
        int n = ctx.argc() - 1;
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = ctx.arg(i + 1);
        }
        KeyMeta[] metas = ctx.keyspace().metas(keys);
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            KeyMeta meta = counted(ctx, keys[i], metas[i]);
            values[i] = meta != null && meta.type() == RedisType.STRING ? meta.value() : null;
        }
        ReplySink reply = ctx.reply();
        reply.array(n);
        for (byte[] v : values) {
            reply.bulk(v);
        }
    }

    /**
     * {@code MSET key value [key value ...]}: OK. {@code MSETNX ...}: 1 if no key existed and all
     * were set, else 0 and nothing is set. Every key written loses its TTL.
     */
    static void mset(ExecutionContext ctx, boolean nx) {
        int argc = ctx.argc();
        if (argc % 2 == 0) {
            ctx.reply().error(Errors.arity(nx ? "msetnx" : "mset"));
            return;
        }
        Keyspace ks = ctx.keyspace();
        if (nx) {
            for (int j = 1; j < argc; j += 2) {
                if (ks.exists(ctx.arg(j))) {
                    ctx.reply().integer(0);
                    return;
                }
            }
        }
        for (int j = 1; j < argc; j += 2) {
            if (nx) {
                ks.putString(ctx.arg(j), ctx.arg(j + 1), KeyMeta.NO_EXPIRY);
            } else {
                ks.overwriteString(ctx.arg(j), ctx.arg(j + 1), KeyMeta.NO_EXPIRY);
            }
            ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "set", ctx.arg(j));
        }
        if (nx) {
            ctx.reply().integer(1);
        } else {
            ctx.reply().ok();
        }
    }

    // ---------------------------------------------------------------- in-place updates

    /** {@code APPEND key value}: the new length; creates the key if missing, keeps the TTL. */
    static void append(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        byte[] suffix = ctx.arg(2);
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(key, RedisType.STRING);
        if (meta == null) {
            ks.putString(key, suffix, KeyMeta.NO_EXPIRY);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "append", key);
            ctx.reply().integer(suffix.length);
            return;
        }
        byte[] old = meta.value();
        if (!lengthAllowed(ctx, old.length, suffix.length)) {
            return;
        }
        byte[] value = Arrays.copyOf(old, old.length + suffix.length);
        System.arraycopy(suffix, 0, value, old.length, suffix.length);
        ks.updateString(key, meta, value);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "append", key);
        ctx.reply().integer(value.length);
    }

    /** {@code STRLEN key}: the value's length, 0 if missing. */
    static void strlen(ExecutionContext ctx) {
        KeyMeta meta = soleStringMeta(ctx, ctx.arg(1));
        ctx.reply().integer(meta == null ? 0 : meta.valueLength());
    }

    /**
     * {@code SETRANGE key offset value}: the new length. Overwrites from {@code offset}, padding
     * with zero bytes; an empty value writes nothing and answers the current length.
     */
    static void setrange(ExecutionContext ctx) {
        Long offsetArg = ctx.longArg(2);
        if (offsetArg == null) {
            return;
        }
        long offset = offsetArg;
        if (offset < 0) {
            ctx.reply().error(Errors.OFFSET_OUT_OF_RANGE);
            return;
        }
        byte[] key = ctx.arg(1);
        byte[] patch = ctx.arg(3);
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(key, RedisType.STRING);
        byte[] old = meta == null ? EMPTY : meta.value();
        if (patch.length == 0) {
            ctx.reply().integer(old.length);
            return;
        }
        if (!lengthAllowed(ctx, offset, patch.length)) {
            return;
        }
        int end = (int) offset + patch.length;
        byte[] value = Arrays.copyOf(old, Math.max(old.length, end));
        System.arraycopy(patch, 0, value, (int) offset, patch.length);
        ks.updateString(key, meta, value);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "setrange", key);
        ctx.reply().integer(value.length);
    }

    /**
     * {@code GETRANGE key start end} (and its old name {@code SUBSTR}): the bytes from start to
     * end inclusive, negative indexes counting from the end, clamped to the string; empty if the
     * range is empty or the key is missing.
     */
    static void getrange(ExecutionContext ctx) {
        Long startArg = ctx.longArg(2);
        if (startArg == null) {
            return;
        }
        Long endArg = ctx.longArg(3);
        if (endArg == null) {
            return;
        }
        KeyMeta meta = soleStringMeta(ctx, ctx.arg(1));
        byte[] value = meta == null ? null : meta.value();
        if (value == null) {
            ctx.reply().bulk(EMPTY);
            return;
        }
        long start = startArg;
        long end = endArg;
        long len = value.length;
        if (start < 0 && end < 0 && start > end) {
            ctx.reply().bulk(EMPTY);
            return;
        }
        if (start < 0) {
            start += len;
        }
        if (end < 0) {
            end += len;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            ctx.reply().bulk(EMPTY);
        } else {
            ctx.reply().bulk(value, (int) start, (int) (end - start + 1));
        }
    }

    // ---------------------------------------------------------------- counters

    /** {@code INCRBY key increment}. */
    static void incrby(ExecutionContext ctx) {
        Long incr = ctx.longArg(2);
        if (incr != null) {
            incrDecr(ctx, incr);
        }
    }

    /** {@code DECRBY key decrement}: negating LLONG_MIN is its own error. */
    static void decrby(ExecutionContext ctx) {
        Long decr = ctx.longArg(2);
        if (decr == null) {
            return;
        }
        if (decr == Long.MIN_VALUE) {
            ctx.reply().error(Errors.DECREMENT_OVERFLOW);
            return;
        }
        incrDecr(ctx, -decr);
    }

    /**
     * {@code INCR}, {@code DECR}, and the shared body of INCRBY/DECRBY: the new value; a missing
     * key counts as 0; the TTL is kept.
     */
    static void incrDecr(ExecutionContext ctx, long incr) {
        byte[] key = ctx.arg(1);
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(key, RedisType.STRING);
        long value = 0;
        if (meta != null) {
            long[] parsed = new long[1];
            if (!RedisNumbers.tryParseLong(meta.value(), parsed)) {
                ctx.reply().error(Errors.NOT_AN_INTEGER);
                return;
            }
            value = parsed[0];
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            ctx.reply().error(Errors.OVERFLOW);
            return;
        }
        value += incr;
        ks.updateString(key, meta, RedisNumbers.formatLong(value));
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "incrby", key);
        ctx.reply().integer(value);
    }

    /**
     * {@code INCRBYFLOAT key increment}: the new value as a bulk string, computed in x87 long
     * double precision and printed like Redis ({@code %.17Lf} without trailing zeros); the TTL
     * is kept.
     */
    static void incrbyfloat(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(key, RedisType.STRING);
        // Redis parses the stored value before the increment, so a bad value wins over a bad increment.
        LongDouble value = meta == null ? LongDouble.ZERO : LongDouble.parse(meta.value());
        LongDouble incr = value == null ? null : LongDouble.parse(ctx.arg(2));
        if (value == null || incr == null) {
            ctx.reply().error(Errors.NOT_A_FLOAT);
            return;
        }
        LongDouble sum = value.add(incr);
        if (!sum.isFinite()) {
            ctx.reply().error(Errors.NAN_OR_INFINITY);
            return;
        }
        byte[] result = sum.toHumanBytes();
        ks.updateString(key, meta, result);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.STRING, "incrbyfloat", key);
        ctx.reply().bulk(result);
    }

    // ---------------------------------------------------------------- LCS

    /**
     * {@code LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]}: the longest common
     * subsequence of two strings (missing keys are empty), its length (LEN), or its matching
     * ranges (IDX: a map of "matches" and "len").
     */
    static void lcs(ExecutionContext ctx) {
        KeyMeta ma = readMeta(ctx, ctx.arg(1));
        KeyMeta mb = readMeta(ctx, ctx.arg(2));
        // Redis checks the types before the options, with its own error rather than WRONGTYPE.
        if ((ma != null && ma.type() != RedisType.STRING) || (mb != null && mb.type() != RedisType.STRING)) {
            ctx.reply().error(Errors.LCS_NOT_STRINGS);
            return;
        }
        RespRequest args = ctx.args();
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < args.count(); j++) {
            boolean more = j < args.count() - 1;
            if (StringOptions.keyword(args, j, "IDX")) {
                getIdx = true;
            } else if (StringOptions.keyword(args, j, "LEN")) {
                getLen = true;
            } else if (StringOptions.keyword(args, j, "WITHMATCHLEN")) {
                withMatchLen = true;
            } else if (StringOptions.keyword(args, j, "MINMATCHLEN") && more) {
                Long v = ctx.longArg(j + 1);
                if (v == null) {
                    return;
                }
                minMatchLen = Math.max(0, v);
                j++;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        if (getLen && getIdx) {
            ctx.reply().error(Errors.LCS_LEN_AND_IDX);
            return;
        }
        byte[] a = ma == null ? EMPTY : ma.value();
        byte[] b = mb == null ? EMPTY : mb.value();
        long table = ((long) a.length + 1) * ((long) b.length + 1) * Integer.BYTES;
        if (table > ctx.server().config().limits().maxBulkLength()) {
            ctx.reply().error(Errors.LCS_MEMORY);
            return;
        }
        Lcs result = Lcs.compute(a, b, getIdx || !getLen, minMatchLen);
        ReplySink reply = ctx.reply();
        if (getIdx) {
            reply.map(2);
            reply.bulk("matches");
            int ranges = result.rangeCount();
            reply.array(ranges);
            for (int r = 0; r < ranges; r++) {
                reply.array(withMatchLen ? 3 : 2);
                reply.array(2);
                reply.integer(result.aStart(r));
                reply.integer(result.aEnd(r));
                reply.array(2);
                reply.integer(result.bStart(r));
                reply.integer(result.bEnd(r));
                if (withMatchLen) {
                    reply.integer(result.aEnd(r) - result.aStart(r) + 1);
                }
            }
            reply.bulk("len");
            reply.integer(result.length());
        } else if (getLen) {
            reply.integer(result.length());
        } else {
            reply.bulk(result.subsequence());
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The value of string {@code key} for a read (null if missing; WRONGTYPE if another type),
     * counted in the keyspace statistics.
     */
    private static byte[] readString(ExecutionContext ctx, byte[] key) {
        KeyMeta meta = readStringMeta(ctx, key);
        return meta == null ? null : meta.value();
    }

    /** {@link #readMeta}, then WRONGTYPE if the key holds another type. */
    private static KeyMeta readStringMeta(ExecutionContext ctx, byte[] key) {
        return ofString(readMeta(ctx, key));
    }

    /** {@code meta} (null: none) if it is a string's; WRONGTYPE otherwise. */
    private static KeyMeta ofString(KeyMeta meta) {
        if (meta != null && meta.type() != RedisType.STRING) {
            throw WrongTypeException.INSTANCE;
        }
        return meta;
    }

    /**
     * {@link #readStringMeta} for a command whose only read is this one (GET, STRLEN, GETRANGE):
     * run alone, the engine may answer it without locking the key ({@link Keyspace#soleMeta}).
     */
    private static KeyMeta soleStringMeta(ExecutionContext ctx, byte[] key) {
        return ctx.soleReadOnlyCommand() ? ofString(counted(ctx, key, ctx.keyspace().soleMeta(key))) : readStringMeta(ctx, key);
    }

    /**
     * The live metadata of {@code key} for a read, counted as a keyspace hit or miss as Redis's
     * read lookups ({@code lookupKeyRead}) count them: before any type check. Write lookups
     * (INCR, APPEND, SET NX...) are not counted, as in Redis.
     */
    private static KeyMeta readMeta(ExecutionContext ctx, byte[] key) {
        return counted(ctx, key, ctx.keyspace().meta(key));
    }

    /** {@code meta}, the lookup of {@code key}, counted as a keyspace hit or miss (INFO stats). */
    private static KeyMeta counted(ExecutionContext ctx, byte[] key, KeyMeta meta) {
        if (meta != null) {
            ctx.server().keyspaceHits.increment();
        } else {
            ctx.keyMiss(key);
        }
        return meta;
    }

    /**
     * Redis's {@code checkStringLength}: whether a string of {@code size + append} bytes is within
     * proto-max-bulk-len; replies the error if not.
     */
    private static boolean lengthAllowed(ExecutionContext ctx, long size, long append) {
        long total = size + append;
        if (total > ctx.server().config().limits().maxBulkLength() || total < size || total < append) {
            ctx.reply().error(Errors.STRING_TOO_LONG);
            return false;
        }
        return true;
    }
}
