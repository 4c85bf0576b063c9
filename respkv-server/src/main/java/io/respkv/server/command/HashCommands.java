package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.ElementSampler;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisHash;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.util.GlobMatcher;
import io.respkv.server.util.LongDouble;
import io.respkv.server.util.RedisNumbers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hash commands (Redis's {@code t_hash.c}): HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HDEL,
 * HEXISTS, HLEN, HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN, on
 * {@link RedisHash}.
 *
 * <p>Replies and error lines are Redis 7.0.15's, in the same order of checks. Where respkv
 * differs by design: HGETALL, HKEYS, HVALS and HSCAN return fields in byte order (Redis:
 * insertion order for small hashes, hash order for large ones); HSCAN cursors are positions in
 * that order ({@link ScanCursors}) and COUNT is exact (Redis returns a small hash whole,
 * whatever COUNT); HRANDFIELD draws uniformly but walks the fields to do so, O(N) where Redis
 * is O(count) ({@link ElementSampler}), and a negative count is limited to
 * {@link #MAX_RANDOM_FIELDS}.
 */
final class HashCommands {

    /**
     * The largest number of fields HRANDFIELD returns with a negative count. Redis has no limit
     * (only the client's output buffer); respkv builds each reply in memory, so a count like
     * -2^62 must be refused rather than exhaust the heap. About 60 MB of reply for short fields.
     */
    static final int MAX_RANDOM_FIELDS = 1 << 22;


    private HashCommands() {
    }

    static void register(CommandTable t) {
        ScanCursors cursors = new ScanCursors(KeyCommands.SCAN_TABLE_ENTRIES, KeyCommands.SCAN_TABLE_BYTES);
        t.register("hset", ctx -> hset(ctx, "hset"));
        t.register("hmset", ctx -> hset(ctx, "hmset"));
        t.register("hsetnx", HashCommands::hsetnx);
        t.register("hget", HashCommands::hget);
        t.register("hmget", HashCommands::hmget);
        t.register("hgetall", ctx -> hgetall(ctx, true, true));
        t.register("hkeys", ctx -> hgetall(ctx, true, false));
        t.register("hvals", ctx -> hgetall(ctx, false, true));
        t.register("hdel", HashCommands::hdel);
        t.register("hexists", HashCommands::hexists);
        t.register("hlen", HashCommands::hlen);
        t.register("hstrlen", HashCommands::hstrlen);
        t.register("hincrby", HashCommands::hincrby);
        t.register("hincrbyfloat", HashCommands::hincrbyfloat);
        t.register("hrandfield", HashCommands::hrandfield);
        t.register("hscan", ctx -> hscan(ctx, cursors));
    }

    /**
     * {@code HSET key field value [field value ...]}: the number of fields created.
     * {@code HMSET key field value [field value ...]}: OK. A later value of a field named twice
     * wins.
     */
    static void hset(ExecutionContext ctx, String name) {
        if (ctx.argc() % 2 == 1) {
            ctx.reply().error(Errors.arity(name));
            return;
        }
        List<byte[]> pairs = new ArrayList<>(ctx.argc() - 2);
        for (int i = 2; i < ctx.argc(); i++) {
            pairs.add(ctx.arg(i));
        }
        long created = RedisHash.at(ctx.keyspace(), ctx.arg(1)).setAll(pairs, ctx.random());
        if (name.equals("hset")) {
            ctx.reply().integer(created);
        } else {
            ctx.reply().ok();
        }
        ctx.notifyKeyspaceEvent(KeyspaceEvents.HASH, "hset", ctx.arg(1));
    }

    /** {@code HSETNX key field value}: 1 if the field was set, 0 if it already existed. */
    static void hsetnx(ExecutionContext ctx) {
        RedisHash hash = RedisHash.at(ctx.keyspace(), ctx.arg(1));
        boolean set = hash.setIfAbsent(ctx.arg(2), ctx.arg(3), ctx.random());
        ctx.reply().integer(set ? 1 : 0);
        if (set) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.HASH, "hset", ctx.arg(1));
        }
    }

    /** {@code HGET key field}: the value, or nil. */
    static void hget(ExecutionContext ctx) {
        RedisHash hash = readHash(ctx, ctx.arg(1));
        ctx.reply().bulk(hash.get(ctx.arg(2)));
    }

    /** {@code HMGET key field [field ...]}: an array of the values, nil for missing fields. */
    static void hmget(ExecutionContext ctx) {
        RedisHash hash = readHash(ctx, ctx.arg(1));
        byte[][] fields = new byte[ctx.argc() - 2][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = ctx.arg(i + 2);
        }
        RespReplyWriter reply = ctx.reply();
        reply.array(fields.length);
        for (byte[] value : hash.getAll(fields)) {
            reply.bulk(value);
        }
    }

    /**
     * {@code HGETALL key}: a map of fields to values (a flat array in RESP2); {@code HKEYS key}:
     * the fields; {@code HVALS key}: the values. Fields in byte order.
     */
    static void hgetall(ExecutionContext ctx, boolean fields, boolean values) {
        RedisHash hash = readHash(ctx, ctx.arg(1));
        List<byte[]> out = new ArrayList<>();
        try (RedisHash.FieldCursor c = hash.fields()) {
            while (c.next()) {
                if (fields) {
                    out.add(c.field());
                }
                if (values) {
                    out.add(c.value());
                }
            }
        }
        RespReplyWriter reply = ctx.reply();
        if (fields && values) {
            reply.map(out.size() / 2);
        } else {
            reply.array(out.size());
        }
        for (byte[] b : out) {
            reply.bulk(b);
        }
    }

    /** {@code HDEL key field [field ...]}: the number of fields removed; an emptied hash is deleted. */
    static void hdel(ExecutionContext ctx) {
        RedisHash hash = RedisHash.at(ctx.keyspace(), ctx.arg(1));
        List<byte[]> fields = new ArrayList<>(ctx.argc() - 2);
        for (int i = 2; i < ctx.argc(); i++) {
            fields.add(ctx.arg(i));
        }
        long deleted = hash.delete(fields);
        if (deleted > 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.HASH, "hdel", ctx.arg(1));
            if (!hash.exists()) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", ctx.arg(1));
            }
        }
        ctx.reply().integer(deleted);
    }

    /** {@code HEXISTS key field}: 1 if the field exists, else 0. */
    static void hexists(ExecutionContext ctx) {
        RedisHash hash = readHash(ctx, ctx.arg(1));
        ctx.reply().integer(hash.get(ctx.arg(2)) != null ? 1 : 0);
    }

    /** {@code HLEN key}: the number of fields (0 if the key does not exist), from the metadata. */
    static void hlen(ExecutionContext ctx) {
        ctx.reply().integer(readHash(ctx, ctx.arg(1)).size());
    }

    /** {@code HSTRLEN key field}: the length of the field's value, 0 if absent. */
    static void hstrlen(ExecutionContext ctx) {
        byte[] value = readHash(ctx, ctx.arg(1)).get(ctx.arg(2));
        ctx.reply().integer(value == null ? 0 : value.length);
    }

    /**
     * {@code HINCRBY key field increment}: the new value; a missing field counts as 0. The
     * increment is parsed before the key is looked at.
     */
    static void hincrby(ExecutionContext ctx) {
        Long incr = ctx.longArg(3);
        if (incr == null) {
            return;
        }
        RedisHash hash = RedisHash.at(ctx.keyspace(), ctx.arg(1));
        byte[] field = ctx.arg(2);
        byte[] current = hash.get(field);
        long value = 0;
        if (current != null) {
            long[] parsed = new long[1];
            if (!RedisNumbers.tryParseLong(current, parsed)) {
                ctx.reply().error(Errors.HASH_VALUE_NOT_AN_INTEGER);
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
        hash.set(field, RedisNumbers.formatLong(value), ctx.random());
        ctx.reply().integer(value);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.HASH, "hincrby", ctx.arg(1));
    }

    /**
     * {@code HINCRBYFLOAT key field increment}: the new value as a bulk string, computed in x87
     * long double and printed as Redis does ({@code %.17Lf} without trailing zeros). Checks, in
     * Redis's order: the increment is a float, it is finite, the key is a hash, the stored value
     * is a float, the sum is finite.
     */
    static void hincrbyfloat(ExecutionContext ctx) {
        LongDouble incr = LongDouble.parse(ctx.arg(3));
        if (incr == null) {
            ctx.reply().error(Errors.NOT_A_FLOAT);
            return;
        }
        if (!incr.isFinite()) {
            ctx.reply().error(Errors.NAN_OR_INFINITE_VALUE);
            return;
        }
        RedisHash hash = RedisHash.at(ctx.keyspace(), ctx.arg(1));
        byte[] field = ctx.arg(2);
        byte[] current = hash.get(field);
        LongDouble value = LongDouble.ZERO;
        if (current != null) {
            value = LongDouble.parse(current);
            if (value == null) {
                ctx.reply().error(Errors.HASH_VALUE_NOT_A_FLOAT);
                return;
            }
        }
        LongDouble sum = value.add(incr);
        if (!sum.isFinite()) {
            ctx.reply().error(Errors.NAN_OR_INFINITY);
            return;
        }
        byte[] result = sum.toHumanBytes();
        hash.set(field, result, ctx.random());
        ctx.reply().bulk(result);
        ctx.notifyKeyspaceEvent(KeyspaceEvents.HASH, "hincrbyfloat", ctx.arg(1));
    }

    /**
     * {@code HRANDFIELD key [count [WITHVALUES]]}. Without count: a random field, or nil if the
     * key does not exist. With a count {@code n >= 0}: up to n distinct fields; {@code n < 0}:
     * |n| fields, repeats allowed. WITHVALUES adds each field's value: a flat array in RESP2,
     * an array of [field, value] pairs in RESP3.
     */
    static void hrandfield(ExecutionContext ctx) {
        if (ctx.argc() < 3) {
            RedisHash hash = readHash(ctx, ctx.arg(1));
            if (!hash.exists()) {
                ctx.reply().nullBulk();
                return;
            }
            ElementSampler.Element e = hash.sampler().one(hash.size(), ctx.random());
            if (e == null) {
                ctx.reply().nullBulk(); // a size ahead of the elements; the metadata never is
                return;
            }
            ctx.reply().bulk(e.subKey());
            return;
        }
        Long parsed = ctx.longArg(2);
        if (parsed == null) {
            return;
        }
        long count = parsed;
        if (count == Long.MIN_VALUE) {
            ctx.reply().error(Errors.HRANDFIELD_COUNT_RANGE);
            return;
        }
        boolean withValues = false;
        if (ctx.argc() > 4 || (ctx.argc() == 4 && !KeyCommands.keyword(ctx.args(), 3, "WITHVALUES"))) {
            ctx.syntaxError();
            return;
        }
        if (ctx.argc() == 4) {
            withValues = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                ctx.reply().error(Errors.VALUE_OUT_OF_RANGE);
                return;
            }
        }
        RedisHash hash = readHash(ctx, ctx.arg(1));
        if (!hash.exists() || count == 0) {
            ctx.reply().array(0);
            return;
        }
        List<ElementSampler.Element> picked;
        if (count < 0) {
            if (-count > MAX_RANDOM_FIELDS) {
                ctx.reply().error(Errors.hrandfieldTooMany(MAX_RANDOM_FIELDS));
                return;
            }
            picked = hash.sampler().withRepeats((int) -count, hash.size(), ctx.random());
        } else {
            int n = (int) Math.min(count, Math.min(hash.size(), Integer.MAX_VALUE));
            picked = hash.sampler().distinct(n, ctx.random());
        }
        RespReplyWriter reply = ctx.reply();
        boolean pairs = withValues && reply.protocol() != ProtocolVersion.RESP2;
        reply.array(withValues && !pairs ? picked.size() * 2 : picked.size());
        for (ElementSampler.Element e : picked) {
            if (pairs) {
                reply.array(2);
            }
            reply.bulk(e.subKey());
            if (withValues) {
                reply.bulk(e.value());
            }
        }
    }

    /**
     * {@code HSCAN key cursor [MATCH pattern] [COUNT count]}: a two-element array, the next
     * cursor ("0" when the iteration is complete) and a flat array of field, value pairs. Each
     * call looks at up to COUNT (default 10) fields from the cursor's position in byte order and
     * returns those whose field matches the pattern. A full iteration returns every field that
     * existed from its start to its end exactly once. Checks, in Redis's order: the cursor, the
     * key (a missing key ends the iteration at once), its type, then the options.
     */
    static void hscan(ExecutionContext ctx, ScanCursors cursors) {
        RespRequest args = ctx.args();
        long cursor;
        try {
            cursor = ScanCursors.parse(args, 2);
        } catch (NumberFormatException e) {
            ctx.reply().error(Errors.INVALID_CURSOR);
            return;
        }
        RedisHash hash = readHash(ctx, ctx.arg(1));
        if (!hash.exists()) {
            ctx.reply().array(2);
            ctx.reply().bulk("0");
            ctx.reply().array(0);
            return;
        }
        ScanOptions options = ScanOptions.parse(ctx, 3, false);
        if (options == null) {
            return;
        }
        long count = options.count();
        // Redis skips matching for exactly "*" (there the empty field matches too).
        GlobMatcher matcher = options.matcher();
        byte[] from = cursors.resumeKey(cursor);
        byte[] to = null;
        if (matcher != null) {
            byte[] literal = matcher.literalPrefix();
            if (literal.length > 0) {
                if (from == null || Arrays.compareUnsigned(from, literal) < 0) {
                    from = literal;
                }
                to = KeyCodec.prefixEnd(literal);
            }
        }
        List<byte[]> found = new ArrayList<>();
        long next = ScanCursors.START;
        try (RedisHash.FieldCursor c = hash.fields(from, to)) {
            long scanned = 0;
            byte[] last = null;
            while (c.next()) {
                byte[] field = c.field();
                if (scanned == count) {
                    next = cursors.cursorAfter(last, field, ctx.random());
                    break;
                }
                scanned++;
                last = field;
                if (matcher == null || matcher.matches(field)) {
                    found.add(field);
                    found.add(c.value());
                }
            }
        }
        RespReplyWriter reply = ctx.reply();
        reply.array(2);
        reply.bulk(ScanCursors.format(next));
        reply.array(found.size());
        for (byte[] b : found) {
            reply.bulk(b);
        }
    }

    /**
     * The hash at {@code key} for a read command, counted as a keyspace hit or miss before the
     * type check, as Redis's {@code lookupKeyRead} does (write commands are not counted).
     */
    private static RedisHash readHash(ExecutionContext ctx, byte[] key) {
        Keyspace ks = ctx.keyspace();
        if (ks.exists(key)) {
            ctx.server().keyspaceHits.increment();
        } else {
            ctx.keyMiss(key);
        }
        return RedisHash.at(ks, key);
    }
}
