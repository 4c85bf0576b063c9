package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisZSet;
import io.respkv.server.keyspace.RedisZSet.Entry;
import io.respkv.server.keyspace.RedisZSet.IndexCursor;
import io.respkv.server.keyspace.RedisZSet.LexBound;
import io.respkv.server.keyspace.RedisZSet.LexRange;
import io.respkv.server.keyspace.RedisZSet.ScoreRange;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.util.CStrtod;
import io.respkv.server.util.GlobMatcher;
import io.respkv.server.util.RedisNumbers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Sorted-set commands (Redis's {@code t_zset.c}) on {@link RedisZSet}: ZADD, ZINCRBY, ZREM,
 * ZSCORE, ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANGE and its older forms, ZRANGESTORE, ZRANK,
 * ZREVRANK, the ZREMRANGEBY* family, ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, ZUNION, ZINTER, ZDIFF,
 * their STORE forms, ZINTERCARD and ZSCAN.
 *
 * <p>Replies and error lines are Redis 7.0.15's, in the order Redis checks things (arguments,
 * then the key). Where respkv differs: ZSCAN of a large set (one Redis keeps as a skiplist)
 * pages in member order with respkv's cursors ({@link ScanCursors}) instead of hash order;
 * ZRANDMEMBER draws from respkv's random source and returns distinct draws in score order;
 * ZRANGEBYLEX and friends over members with different scores give the answer of Redis's small
 * encoding (Redis leaves it unspecified). Costs: see docs/encoding.md ("Sorted sets") — ranks
 * are counted by scanning.
 */
final class ZSetCommands {

    private ZSetCommands() {
    }

    static void register(CommandTable t) {
        ScanCursors cursors = new ScanCursors(KeyCommands.SCAN_TABLE_ENTRIES, KeyCommands.SCAN_TABLE_BYTES);
        t.register("zadd", ctx -> zadd(ctx, false));
        t.register("zincrby", ctx -> zadd(ctx, true));
        t.register("zrem", ZSetCommands::zrem);
        t.register("zscore", ZSetCommands::zscore);
        t.register("zmscore", ZSetCommands::zmscore);
        t.register("zcard", ZSetCommands::zcard);
        t.register("zcount", ZSetCommands::zcount);
        t.register("zlexcount", ZSetCommands::zlexcount);
        t.register("zrange", ctx -> zrange(ctx, null, Range.AUTO, null));
        t.register("zrangestore", ctx -> zrange(ctx, ctx.arg(1), Range.AUTO, null));
        t.register("zrevrange", ctx -> zrange(ctx, null, Range.RANK, true));
        t.register("zrangebyscore", ctx -> zrange(ctx, null, Range.SCORE, false));
        t.register("zrevrangebyscore", ctx -> zrange(ctx, null, Range.SCORE, true));
        t.register("zrangebylex", ctx -> zrange(ctx, null, Range.LEX, false));
        t.register("zrevrangebylex", ctx -> zrange(ctx, null, Range.LEX, true));
        t.register("zrank", ctx -> zrank(ctx, false));
        t.register("zrevrank", ctx -> zrank(ctx, true));
        t.register("zremrangebyrank", ctx -> zremrange(ctx, Range.RANK));
        t.register("zremrangebyscore", ctx -> zremrange(ctx, Range.SCORE));
        t.register("zremrangebylex", ctx -> zremrange(ctx, Range.LEX));
        t.register("zpopmin", ctx -> zpop(ctx, false));
        t.register("zpopmax", ctx -> zpop(ctx, true));
        t.register("zmpop", ZSetCommands::zmpop);
        t.register("zrandmember", ZSetCommands::zrandmember);
        t.register("zunion", ctx -> zsetOp(ctx, "zunion", null, Op.UNION, false));
        t.register("zinter", ctx -> zsetOp(ctx, "zinter", null, Op.INTER, false));
        t.register("zdiff", ctx -> zsetOp(ctx, "zdiff", null, Op.DIFF, false));
        t.register("zunionstore", ctx -> zsetOp(ctx, "zunionstore", ctx.arg(1), Op.UNION, false));
        t.register("zinterstore", ctx -> zsetOp(ctx, "zinterstore", ctx.arg(1), Op.INTER, false));
        t.register("zdiffstore", ctx -> zsetOp(ctx, "zdiffstore", ctx.arg(1), Op.DIFF, false));
        t.register("zintercard", ctx -> zsetOp(ctx, "zintercard", null, Op.INTER, true));
        t.register("zscan", ctx -> zscan(ctx, cursors));
    }

    // ---- lookups ----

    /**
     * The sorted set at {@code key} looked up as Redis's {@code lookupKeyRead} does: counted as a
     * keyspace hit or miss (a key of another type is a hit, then WRONGTYPE).
     */
    private static RedisZSet readLookup(ExecutionContext ctx, byte[] key) {
        Keyspace ks = ctx.keyspace();
        countLookup(ctx, key, ks.exists(key));
        return RedisZSet.find(ks, key);
    }

    private static void countLookup(ExecutionContext ctx, byte[] key, boolean found) {
        if (found) {
            ctx.server().keyspaceHits.increment();
        } else {
            ctx.keyMiss(key);
        }
    }

    // ---- ZADD, ZINCRBY ----

    /**
     * {@code ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]}: the number of
     * members added (with CH: added or changed); with INCR, the new score or nil when a condition
     * stopped it. {@code ZINCRBY key increment member}: the new score. (ZINCRBY is ZADD INCR in
     * Redis, flag parsing included: {@code ZINCRBY k nx m} is a syntax error.)
     */
    static void zadd(ExecutionContext ctx, boolean incrCommand) {
        RespRequest args = ctx.args();
        int argc = args.count();
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = incrCommand;
        int scoreIdx = 2;
        for (; scoreIdx < argc; scoreIdx++) {
            if (args.is(scoreIdx, "nx")) {
                nx = true;
            } else if (args.is(scoreIdx, "xx")) {
                xx = true;
            } else if (args.is(scoreIdx, "ch")) {
                ch = true;
            } else if (args.is(scoreIdx, "incr")) {
                incr = true;
            } else if (args.is(scoreIdx, "gt")) {
                gt = true;
            } else if (args.is(scoreIdx, "lt")) {
                lt = true;
            } else {
                break;
            }
        }
        int elements = argc - scoreIdx;
        if (elements % 2 != 0 || elements == 0) {
            ctx.syntaxError();
            return;
        }
        elements /= 2;
        if (nx && xx) {
            ctx.reply().error(Errors.ZADD_XX_AND_NX);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            ctx.reply().error(Errors.ZADD_GT_LT_NX);
            return;
        }
        if (incr && elements > 1) {
            ctx.reply().error(Errors.ZADD_INCR_PAIR);
            return;
        }
        double[] scores = new double[elements];
        double[] parsed = new double[1];
        for (int j = 0; j < elements; j++) {
            if (!RedisNumbers.tryParseDouble(args.bytes(scoreIdx + 2 * j), parsed)) {
                ctx.reply().error(Errors.NOT_A_FLOAT);
                return;
            }
            scores[j] = parsed[0];
        }
        Keyspace ks = ctx.keyspace();
        byte[] key = ctx.arg(1);
        RedisZSet z = RedisZSet.find(ks, key);
        long added = 0;
        long updated = 0;
        long processed = 0;
        double score = 0;
        if (z != null || !xx) {
            if (z == null) {
                z = RedisZSet.create(ks, key, ctx.random());
            }
            for (int j = 0; j < elements; j++) {
                byte[] member = args.bytes(scoreIdx + 1 + 2 * j);
                double s = scores[j];
                Double current = z.score(member);
                if (current != null) {
                    if (nx) {
                        continue;
                    }
                    double cur = current;
                    if (incr) {
                        s += cur;
                        if (Double.isNaN(s)) {
                            ctx.reply().error(Errors.ZSET_NAN_SCORE);
                            return; // INCR takes one pair: nothing was changed
                        }
                    }
                    if ((lt && s >= cur) || (gt && s <= cur)) {
                        continue;
                    }
                    if (s != cur) {
                        z.update(member, cur, s);
                        updated++;
                    }
                } else if (!xx) {
                    z.insert(member, s);
                    added++;
                } else {
                    continue;
                }
                processed++;
                score = s;
            }
            if (added + updated > 0) {
                z.save();
            }
        }
        if (incr) {
            if (processed > 0) {
                ctx.reply().doubleValue(score);
            } else {
                ctx.reply().nullBulk();
            }
        } else {
            ctx.reply().integer(ch ? added + updated : added);
        }
        if (added + updated > 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", key);
        }
    }

    /**
     * The keyspace event of a pop ({@code zpopmin} or {@code zpopmax}); Redis raises it after the
     * reply's headers, before the first member, and {@link #notifyIfDeleted} after the last.
     */
    static void notifyPop(ExecutionContext ctx, byte[] key, boolean max) {
        ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", key);
    }

    /** The {@code del} event of a sorted set its last removal deleted. */
    static void notifyIfDeleted(ExecutionContext ctx, RedisZSet z, byte[] key) {
        if (z.size() == 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /** {@code ZREM key member [member ...]}: the number of members removed. */
    static void zrem(ExecutionContext ctx) {
        RedisZSet z = RedisZSet.find(ctx.keyspace(), ctx.arg(1));
        long deleted = 0;
        if (z != null) {
            for (int j = 2; j < ctx.argc(); j++) {
                if (z.remove(ctx.arg(j))) {
                    deleted++;
                }
                if (z.size() == 0) {
                    break;
                }
            }
            if (deleted > 0) {
                z.save();
                ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, "zrem", ctx.arg(1));
                notifyIfDeleted(ctx, z, ctx.arg(1));
            }
        }
        ctx.reply().integer(deleted);
    }

    // ---- point reads ----

    /** {@code ZSCORE key member}: the score, or nil. */
    static void zscore(ExecutionContext ctx) {
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        Double score = z == null ? null : z.score(ctx.arg(2));
        if (score == null) {
            ctx.reply().nullBulk();
        } else {
            ctx.reply().doubleValue(score);
        }
    }

    /** {@code ZMSCORE key member [member ...]}: an array of scores, nil for non-members. */
    static void zmscore(ExecutionContext ctx) {
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ReplySink reply = ctx.reply();
        reply.array(ctx.argc() - 2);
        for (int j = 2; j < ctx.argc(); j++) {
            Double score = z == null ? null : z.score(ctx.arg(j));
            if (score == null) {
                reply.nullBulk();
            } else {
                reply.doubleValue(score);
            }
        }
    }

    /** {@code ZCARD key}: the number of members, 0 for a missing key. */
    static void zcard(ExecutionContext ctx) {
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ctx.reply().integer(z == null ? 0 : z.size());
    }

    /** {@code ZCOUNT key min max}: the number of members with a score in the range. */
    static void zcount(ExecutionContext ctx) {
        ScoreRange range = scoreRange(ctx, 2, 3);
        if (range == null) {
            return;
        }
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ctx.reply().integer(z == null ? 0 : count(z.scores(range, false)));
    }

    /** {@code ZLEXCOUNT key min max}: the number of members in the lexicographic range. */
    static void zlexcount(ExecutionContext ctx) {
        LexRange range = lexRange(ctx, 2, 3);
        if (range == null) {
            return;
        }
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ctx.reply().integer(z == null ? 0 : count(z.lex(range, false)));
    }

    private static long count(IndexCursor c) {
        long n = 0;
        try (c) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    /** {@code ZRANK key member} / {@code ZREVRANK key member}: the 0-based rank, or nil. */
    static void zrank(ExecutionContext ctx, boolean reverse) {
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        byte[] member = ctx.arg(2);
        Double score = z == null ? null : z.score(member);
        if (score == null) {
            ctx.reply().nullBulk();
            return;
        }
        long rank = z.rank(member, score);
        ctx.reply().integer(reverse ? z.size() - 1 - rank : rank);
    }

    // ---- ZRANGE and friends ----

    private enum Range { AUTO, RANK, SCORE, LEX }

    /**
     * {@code ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]},
     * {@code ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]} (the number
     * of members stored; an empty result deletes {@code dst}), and the older forms ZREVRANGE,
     * ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, which fix the range type and
     * direction (Redis's zrangeGenericCommand). In RESP3, WITHSCORES replies [member, score] pairs.
     */
    static void zrange(ExecutionContext ctx, byte[] dst, Range rangeType, Boolean direction) {
        RespRequest args = ctx.args();
        int argc = args.count();
        boolean store = dst != null;
        int keyIdx = store ? 2 : 1;
        int minIdx = keyIdx + 1;
        int maxIdx = keyIdx + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        Range type = rangeType;
        Boolean reverse = direction;
        for (int j = keyIdx + 3; j < argc; j++) {
            int left = argc - j - 1;
            if (!store && args.is(j, "withscores")) {
                withScores = true;
            } else if (args.is(j, "limit") && left >= 2) {
                Long o = ctx.longArg(j + 1);
                if (o == null) {
                    return;
                }
                Long l = ctx.longArg(j + 2);
                if (l == null) {
                    return;
                }
                offset = o;
                limit = l;
                j += 2;
            } else if (reverse == null && args.is(j, "rev")) {
                reverse = true;
            } else if (type == Range.AUTO && args.is(j, "bylex")) {
                type = Range.LEX;
            } else if (type == Range.AUTO && args.is(j, "byscore")) {
                type = Range.SCORE;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        boolean rev = reverse != null && reverse;
        if (type == Range.AUTO) {
            type = Range.RANK;
        }
        if (limit != -1 && type == Range.RANK) {
            ctx.reply().error(Errors.ZRANGE_LIMIT_NEEDS_BY);
            return;
        }
        if (withScores && type == Range.LEX) {
            ctx.reply().error(Errors.ZRANGE_WITHSCORES_BYLEX);
            return;
        }
        if (rev && type != Range.RANK) {
            int tmp = maxIdx;
            maxIdx = minIdx;
            minIdx = tmp;
        }
        long start = 0;
        long end = 0;
        ScoreRange scoreRange = null;
        LexRange lexRange = null;
        switch (type) {
            case RANK -> {
                Long s = ctx.longArg(minIdx);
                if (s == null) {
                    return;
                }
                Long e = ctx.longArg(maxIdx);
                if (e == null) {
                    return;
                }
                start = s;
                end = e;
            }
            case SCORE -> {
                scoreRange = scoreRange(ctx, minIdx, maxIdx);
                if (scoreRange == null) {
                    return;
                }
            }
            default -> {
                lexRange = lexRange(ctx, minIdx, maxIdx);
                if (lexRange == null) {
                    return;
                }
            }
        }
        RedisZSet z = readLookup(ctx, ctx.arg(keyIdx));
        if (z == null) {
            if (store) {
                storeRange(ctx, dst, List.of(), false);
            } else {
                ctx.reply().array(0);
            }
            return;
        }
        List<Entry> result;
        boolean bigFromStart = false;
        if (type == Range.RANK) {
            long llen = z.size();
            if (start < 0) {
                start = llen + start;
            }
            if (end < 0) {
                end = llen + end;
            }
            if (start < 0) {
                start = 0;
            }
            if (start > end || start >= llen) {
                result = List.of();
            } else {
                if (end >= llen) {
                    end = llen - 1;
                }
                // Redis's ZRANGESTORE makes a skiplist at once for a rank range over 128.
                bigFromStart = end - start + 1 > RedisZSet.LISTPACK_MAX_ENTRIES;
                if (rev) {
                    result = z.byRank(llen - 1 - end, llen - 1 - start);
                    Collections.reverse(result);
                } else {
                    result = z.byRank(start, end);
                }
            }
        } else if (type == Range.SCORE && offset > 0 && offset >= z.size()) {
            result = List.of();
        } else {
            IndexCursor c = type == Range.SCORE ? z.scores(scoreRange, rev) : z.lex(lexRange, rev);
            result = take(c, offset, limit);
        }
        if (store) {
            storeRange(ctx, dst, result, bigFromStart);
        } else {
            replyEntries(ctx.reply(), result, withScores);
        }
    }

    /** Skips {@code offset} entries (a negative offset skips all, as Redis's loop does), then takes up to {@code limit} (negative: all). */
    private static List<Entry> take(IndexCursor c, long offset, long limit) {
        List<Entry> out = new ArrayList<>();
        try (c) {
            if (offset < 0) {
                return out;
            }
            for (long i = 0; i < offset; i++) {
                if (!c.next()) {
                    return out;
                }
            }
            while ((limit < 0 || out.size() < limit) && c.next()) {
                out.add(c.entry());
            }
        }
        return out;
    }

    /**
     * ZRANGESTORE's result: a new sorted set at {@code dst} replacing what it held (the encoding
     * progresses as Redis's zsetAdd makes it), or, when empty, {@code dst} deleted. Replies the
     * count.
     */
    private static void storeRange(ExecutionContext ctx, byte[] dst, List<Entry> entries, boolean bigFromStart) {
        Keyspace ks = ctx.keyspace();
        if (entries.isEmpty()) {
            ctx.reply().integer(0);
            if (ks.delete(dst)) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", dst);
            }
            return;
        }
        RedisZSet out = RedisZSet.create(ks, dst, ctx.random());
        if (bigFromStart) {
            out.markSkiplist();
        }
        for (Entry e : entries) {
            out.insert(e.member(), e.score());
        }
        out.save();
        ctx.reply().integer(entries.size());
        ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, "zrangestore", dst);
    }

    /** An array of members, with their scores if asked: flat in RESP2, [member, score] pairs in RESP3. */
    private static void replyEntries(ReplySink reply, List<Entry> entries, boolean withScores) {
        boolean pairs = withScores && reply.protocol() == ProtocolVersion.RESP3;
        reply.array(withScores && !pairs ? entries.size() * 2 : entries.size());
        for (Entry e : entries) {
            if (pairs) {
                reply.array(2);
            }
            reply.bulk(e.member());
            if (withScores) {
                reply.doubleValue(e.score());
            }
        }
    }

    // ---- ZREMRANGEBY* ----

    /**
     * {@code ZREMRANGEBYRANK key start stop}, {@code ZREMRANGEBYSCORE key min max},
     * {@code ZREMRANGEBYLEX key min max}: the number of members removed.
     */
    static void zremrange(ExecutionContext ctx, Range type) {
        long start = 0;
        long end = 0;
        ScoreRange scoreRange = null;
        LexRange lexRange = null;
        if (type == Range.RANK) {
            Long s = ctx.longArg(2);
            if (s == null) {
                return;
            }
            Long e = ctx.longArg(3);
            if (e == null) {
                return;
            }
            start = s;
            end = e;
        } else if (type == Range.SCORE) {
            scoreRange = scoreRange(ctx, 2, 3);
            if (scoreRange == null) {
                return;
            }
        } else {
            lexRange = lexRange(ctx, 2, 3);
            if (lexRange == null) {
                return;
            }
        }
        RedisZSet z = RedisZSet.find(ctx.keyspace(), ctx.arg(1));
        if (z == null) {
            ctx.reply().integer(0);
            return;
        }
        List<Entry> doomed;
        if (type == Range.RANK) {
            long llen = z.size();
            if (start < 0) {
                start = llen + start;
            }
            if (end < 0) {
                end = llen + end;
            }
            if (start < 0) {
                start = 0;
            }
            if (start > end || start >= llen) {
                ctx.reply().integer(0);
                return;
            }
            if (end >= llen) {
                end = llen - 1;
            }
            doomed = z.byRank(start, end);
        } else {
            doomed = take(type == Range.SCORE ? z.scores(scoreRange, false) : z.lex(lexRange, false), 0, -1);
        }
        for (Entry e : doomed) {
            z.remove(e.member(), e.score());
        }
        if (!doomed.isEmpty()) {
            z.save();
            ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, switch (type) {
                case RANK -> "zremrangebyrank";
                case SCORE -> "zremrangebyscore";
                default -> "zremrangebylex";
            }, ctx.arg(1));
            notifyIfDeleted(ctx, z, ctx.arg(1));
        }
        ctx.reply().integer(doomed.size());
    }

    // ---- pops ----

    /**
     * {@code ZPOPMIN key [count]} / {@code ZPOPMAX key [count]}: popped members and scores, flat;
     * in RESP3 with a count, [member, score] pairs.
     */
    static void zpop(ExecutionContext ctx, boolean max) {
        if (ctx.argc() > 3) {
            ctx.syntaxError();
            return;
        }
        long count = -1;
        if (ctx.argc() == 3) {
            Long n = positiveLong(ctx, 2, Errors.NOT_POSITIVE);
            if (n == null) {
                return;
            }
            count = n;
        }
        boolean pairs = ctx.reply().protocol() == ProtocolVersion.RESP3 && count != -1;
        RedisZSet z = RedisZSet.find(ctx.keyspace(), ctx.arg(1));
        if (z == null || count == 0) {
            ctx.reply().array(0);
            return;
        }
        List<Entry> popped = z.pop(max, count == -1 ? 1 : count);
        z.save();
        ReplySink reply = ctx.reply();
        reply.array(pairs ? popped.size() : popped.size() * 2);
        notifyPop(ctx, ctx.arg(1), max); // Redis reports it between the header and the first member
        for (Entry e : popped) {
            if (pairs) {
                reply.array(2);
            }
            reply.bulk(e.member());
            reply.doubleValue(e.score());
        }
        notifyIfDeleted(ctx, z, ctx.arg(1));
    }

    /**
     * {@code ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]}: pops from the first non-empty
     * key: [key, [[member, score], ...]], or nil when every key is missing.
     */
    static void zmpop(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        int argc = args.count();
        Long numkeys = rangedLong(ctx, 1, 1, Errors.ZMPOP_NUMKEYS);
        if (numkeys == null) {
            return;
        }
        long whereIdx = 2 + numkeys;
        if (whereIdx >= argc || whereIdx < 0) {
            ctx.syntaxError();
            return;
        }
        int where = (int) whereIdx;
        boolean max;
        if (args.is(where, "MIN")) {
            max = false;
        } else if (args.is(where, "MAX")) {
            max = true;
        } else {
            ctx.syntaxError();
            return;
        }
        long count = -1;
        for (int j = where + 1; j < argc; j++) {
            boolean more = argc - 1 - j > 0;
            if (count == -1 && args.is(j, "COUNT") && more) {
                j++;
                Long n = rangedLong(ctx, j, 1, Errors.ZMPOP_COUNT);
                if (n == null) {
                    return;
                }
                count = n;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        if (count == -1) {
            count = 1;
        }
        Keyspace ks = ctx.keyspace();
        for (int k = 2; k < where; k++) {
            byte[] key = ctx.arg(k);
            RedisZSet z = RedisZSet.find(ks, key);
            if (z == null) {
                continue;
            }
            List<Entry> popped = z.pop(max, count);
            z.save();
            ReplySink reply = ctx.reply();
            reply.array(2);
            reply.bulk(key);
            reply.array(popped.size());
            notifyPop(ctx, key, max);
            for (Entry e : popped) {
                reply.array(2);
                reply.bulk(e.member());
                reply.doubleValue(e.score());
            }
            notifyIfDeleted(ctx, z, key);
            return;
        }
        ctx.reply().nullArray();
    }

    // ---- ZRANDMEMBER ----

    /**
     * {@code ZRANDMEMBER key [count [WITHSCORES]]}: one random member (nil for a missing key); with
     * a positive count, up to count distinct members (all of them, highest score first, if count
     * reaches the size; otherwise in score order); with a negative count, that many draws with
     * repetition. Draws are uniform.
     */
    static void zrandmember(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        int argc = args.count();
        if (argc >= 3) {
            Long l = ctx.longArg(2);
            if (l == null) {
                return;
            }
            if (l == Long.MIN_VALUE) {
                ctx.reply().error(Errors.ZRANDMEMBER_COUNT_RANGE);
                return;
            }
            boolean withScores = false;
            if (argc > 4 || (argc == 4 && !args.is(3, "withscores"))) {
                ctx.syntaxError();
                return;
            } else if (argc == 4) {
                withScores = true;
                if (l < Long.MIN_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    ctx.reply().error(Errors.VALUE_OUT_OF_RANGE);
                    return;
                }
            }
            zrandmemberWithCount(ctx, l, withScores);
            return;
        }
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        if (z == null) {
            ctx.reply().nullBulk();
            return;
        }
        long r = ctx.random().nextLong(z.size());
        ctx.reply().bulk(z.byRank(r, r).get(0).member());
    }

    /** The most draws a negative ZRANDMEMBER count may ask for: respkv builds replies in memory (as HRANDFIELD). */
    private static final long MAX_REPLY_ELEMENTS = 4_194_304;

    private static void zrandmemberWithCount(ExecutionContext ctx, long l, boolean withScores) {
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ReplySink reply = ctx.reply();
        if (z == null) {
            reply.array(0);
            return;
        }
        long size = z.size();
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0) {
            reply.array(0);
            return;
        }
        if (!unique && count > MAX_REPLY_ELEMENTS) {
            // Redis would stream draws until its memory ran out; respkv builds the reply in memory.
            reply.error(Errors.zrandmemberTooMany(MAX_REPLY_ELEMENTS));
            return;
        }
        RandomGenerator random = ctx.random();
        if (!unique || count == 1) {
            List<Entry> picks = drawsWithRepeats(z, count, random);
            replyEntries(reply, picks, withScores);
            return;
        }
        if (count >= size) {
            // Redis walks the whole set from its tail: every member, highest score first.
            List<Entry> all = z.byRank(0, size - 1);
            Collections.reverse(all);
            replyEntries(reply, all, withScores);
            return;
        }
        replyEntries(reply, distinctDraws(z, (int) count, random), withScores);
    }

    /** {@code count} uniform draws with repetition, in draw order. */
    private static List<Entry> drawsWithRepeats(RedisZSet z, long count, RandomGenerator random) {
        long size = z.size();
        int n = (int) Math.min(count, Integer.MAX_VALUE - 8);
        List<Entry> out = new ArrayList<>(Math.min(n, 1 << 16));
        if (count >= size) {
            List<Entry> all = z.byRank(0, size - 1);
            for (int i = 0; i < n; i++) {
                out.add(all.get((int) random.nextLong(size)));
            }
            return out;
        }
        long[] ranks = new long[n];
        for (int i = 0; i < n; i++) {
            ranks[i] = random.nextLong(size);
        }
        Map<Long, Entry> byRank = entriesAt(z, ranks);
        for (long r : ranks) {
            out.add(byRank.get(r));
        }
        return out;
    }

    /** {@code count} (less than the size) distinct members, uniformly (Floyd's sampling), in score order. */
    private static List<Entry> distinctDraws(RedisZSet z, int count, RandomGenerator random) {
        long size = z.size();
        Set<Long> chosen = new HashSet<>();
        for (long j = size - count; j < size; j++) {
            long t = random.nextLong(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        long[] ranks = chosen.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<Long, Entry> byRank = entriesAt(z, ranks);
        List<Entry> out = new ArrayList<>(count);
        for (long r : ranks) {
            out.add(byRank.get(r));
        }
        return out;
    }

    /** The entries at the given ascending ranks: one scan up to the highest. */
    private static Map<Long, Entry> entriesAt(RedisZSet z, long[] ranks) {
        long[] sorted = ranks.clone();
        Arrays.sort(sorted);
        Map<Long, Entry> out = new HashMap<>();
        long highest = sorted[sorted.length - 1];
        try (IndexCursor c = z.all(false)) {
            int next = 0;
            for (long r = 0; r <= highest && c.next(); r++) {
                if (sorted[next] == r) {
                    out.put(r, c.entry());
                    while (next < sorted.length && sorted[next] == r) {
                        next++;
                    }
                }
            }
        }
        return out;
    }

    // ---- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----

    private enum Op { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    /**
     * {@code ZUNION|ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]},
     * {@code ZDIFF numkeys key [key ...] [WITHSCORES]}, the STORE forms with a destination first
     * (no WITHSCORES; the size of the result is the reply, an empty result deletes the
     * destination), and {@code ZINTERCARD numkeys key [key ...] [LIMIT limit]}. Input keys may be
     * sets (score 1). As Redis's zunionInterDiffGenericCommand: keys are looked up before options
     * are parsed; sources are combined smallest first, which fixes the order of additions.
     */
    static void zsetOp(ExecutionContext ctx, String name, byte[] dst, Op op, boolean cardinalityOnly) {
        RespRequest args = ctx.args();
        int argc = args.count();
        int numkeysIdx = dst != null ? 2 : 1;
        Long setnumArg = ctx.longArg(numkeysIdx);
        if (setnumArg == null) {
            return;
        }
        long setnum = setnumArg;
        if (setnum < 1) {
            ctx.reply().error(Errors.zsetNeedsKeys(name));
            return;
        }
        if (setnum > argc - (numkeysIdx + 1)) {
            ctx.syntaxError();
            return;
        }
        Keyspace ks = ctx.keyspace();
        List<ZSetOperand> src = new ArrayList<>((int) setnum);
        int j = numkeysIdx + 1;
        for (int i = 0; i < setnum; i++, j++) {
            byte[] key = ctx.arg(j);
            countLookup(ctx, key, ks.exists(key));
            src.add(ZSetOperand.open(ks, key));
        }
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        int remaining = argc - j;
        while (remaining > 0) {
            if (op != Op.DIFF && !cardinalityOnly && remaining >= setnum + 1 && args.is(j, "weights")) {
                j++;
                remaining--;
                double[] w = new double[1];
                for (int i = 0; i < setnum; i++, j++, remaining--) {
                    if (!RedisNumbers.tryParseDouble(args.bytes(j), w)) {
                        ctx.reply().error(Errors.ZSET_WEIGHT_NOT_FLOAT);
                        return;
                    }
                    src.get(i).weight = w[0];
                }
            } else if (op != Op.DIFF && !cardinalityOnly && remaining >= 2 && args.is(j, "aggregate")) {
                j++;
                remaining--;
                if (args.is(j, "sum")) {
                    aggregate = Aggregate.SUM;
                } else if (args.is(j, "min")) {
                    aggregate = Aggregate.MIN;
                } else if (args.is(j, "max")) {
                    aggregate = Aggregate.MAX;
                } else {
                    ctx.syntaxError();
                    return;
                }
                j++;
                remaining--;
            } else if (remaining >= 1 && dst == null && !cardinalityOnly && args.is(j, "withscores")) {
                j++;
                remaining--;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && args.is(j, "limit")) {
                j++;
                remaining--;
                Long n = positiveLong(ctx, j, Errors.ZINTERCARD_LIMIT);
                if (n == null) {
                    return;
                }
                limit = n;
                j++;
                remaining--;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        if (op != Op.DIFF) {
            src.sort(Comparator.comparingLong(s -> s.size)); // stable, as glibc's merge-sort qsort
        }
        if (cardinalityOnly) {
            ctx.reply().integer(interCard(src, limit));
            return;
        }
        Map<ByteBuffer, Double> result = switch (op) {
            case UNION -> union(src, aggregate);
            case INTER -> inter(src, aggregate);
            case DIFF -> diff(src);
        };
        List<Entry> sorted = sortedEntries(result);
        if (dst != null) {
            if (sorted.isEmpty()) {
                ctx.reply().integer(0);
                if (ks.delete(dst)) {
                    ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", dst);
                }
                return;
            }
            int longest = 0;
            for (Entry e : sorted) {
                longest = Math.max(longest, e.member().length);
            }
            // Redis builds a skiplist and converts it to a listpack if it is small enough.
            RedisZSet out = RedisZSet.create(ks, dst, ctx.random());
            if (sorted.size() > RedisZSet.LISTPACK_MAX_ENTRIES || longest > RedisZSet.LISTPACK_MAX_VALUE) {
                out.markSkiplist();
            }
            for (Entry e : sorted) {
                out.insert(e.member(), e.score());
            }
            out.save();
            ctx.reply().integer(sorted.size());
            ctx.notifyKeyspaceEvent(KeyspaceEvents.ZSET, switch (op) {
                case UNION -> "zunionstore";
                case INTER -> "zinterstore";
                case DIFF -> "zdiffstore";
            }, dst);
            return;
        }
        replyEntries(ctx.reply(), sorted, withScores);
    }

    /** Redis's zunionInterAggregate. */
    private static double aggregate(double target, double value, Aggregate aggregate) {
        switch (aggregate) {
            case SUM -> {
                double sum = target + value;
                return Double.isNaN(sum) ? 0.0 : sum; // inf + -inf
            }
            case MIN -> {
                return value < target ? value : target;
            }
            default -> {
                return value > target ? value : target;
            }
        }
    }

    /** A weighted score, NaN (0 × inf) counting as 0. */
    private static double weighted(double weight, double score) {
        double v = weight * score;
        return Double.isNaN(v) ? 0.0 : v;
    }

    private static Map<ByteBuffer, Double> union(List<ZSetOperand> src, Aggregate aggregate) {
        Map<ByteBuffer, Double> acc = new LinkedHashMap<>();
        for (ZSetOperand s : src) {
            s.forEach((member, score) -> {
                double v = weighted(s.weight, score);
                acc.merge(ByteBuffer.wrap(member), v, (old, add) -> aggregate(old, add, aggregate));
            });
        }
        return acc;
    }

    private static Map<ByteBuffer, Double> inter(List<ZSetOperand> src, Aggregate aggregate) {
        Map<ByteBuffer, Double> out = new LinkedHashMap<>();
        ZSetOperand first = src.get(0);
        first.forEach((member, score0) -> {
            Double total = interScore(src, member, score0, aggregate);
            if (total != null) {
                out.put(ByteBuffer.wrap(member), total);
            }
        });
        return out;
    }

    /** The aggregated score of {@code member} of the first source in every source, or null if one lacks it. */
    private static Double interScore(List<ZSetOperand> src, byte[] member, double score0, Aggregate aggregate) {
        ZSetOperand first = src.get(0);
        double score = weighted(first.weight, score0);
        for (int j = 1; j < src.size(); j++) {
            ZSetOperand s = src.get(j);
            double value;
            if (Arrays.equals(s.key, first.key)) {
                value = score0 * s.weight; // the same object in Redis: no lookup
            } else {
                Double found = s.score(member);
                if (found == null) {
                    return null;
                }
                value = found * s.weight;
            }
            score = aggregate(score, value, aggregate);
        }
        return score;
    }

    private static long interCard(List<ZSetOperand> src, long limit) {
        long[] count = {0};
        src.get(0).forEachWhile((member, score0) -> {
            if (interScore(src, member, score0, Aggregate.SUM) != null) {
                count[0]++;
                return limit == 0 || count[0] < limit; // stop reading at the limit
            }
            return true;
        });
        return count[0];
    }

    private static Map<ByteBuffer, Double> diff(List<ZSetOperand> src) {
        Map<ByteBuffer, Double> out = new LinkedHashMap<>();
        ZSetOperand first = src.get(0);
        if (first.size == 0) {
            return out;
        }
        for (int j = 1; j < src.size(); j++) {
            if (Arrays.equals(src.get(j).key, first.key)) {
                return out; // the first set minus itself
            }
        }
        first.forEach((member, score) -> {
            for (int j = 1; j < src.size(); j++) {
                if (src.get(j).score(member) != null) {
                    return;
                }
            }
            out.put(ByteBuffer.wrap(member), score);
        });
        return out;
    }

    /** Entries in Redis's sorted-set order: by score (-0 equal to 0), then by member bytes. */
    private static List<Entry> sortedEntries(Map<ByteBuffer, Double> scores) {
        List<Entry> out = new ArrayList<>(scores.size());
        for (Map.Entry<ByteBuffer, Double> e : scores.entrySet()) {
            out.add(new Entry(e.getKey().array(), e.getValue()));
        }
        out.sort(ZSetCommands::compareEntries);
        return out;
    }

    private static int compareEntries(Entry a, Entry b) {
        if (a.score() < b.score()) {
            return -1;
        }
        if (a.score() > b.score()) {
            return 1;
        }
        return Arrays.compareUnsigned(a.member(), b.member());
    }

    // ---- ZSCAN ----


    /**
     * {@code ZSCAN key cursor [MATCH pattern] [COUNT count]}: [next cursor, [member, score, ...]].
     * A set Redis keeps as a listpack comes back whole in one call, in score order, scores as
     * the listpack holds them (integers as integers), with cursor 0. A larger one is paged in
     * member order: each call looks at up to COUNT members from the cursor's position.
     */
    static void zscan(ExecutionContext ctx, ScanCursors cursors) {
        RespRequest args = ctx.args();
        long cursor;
        try {
            cursor = ScanCursors.parse(args, 2);
        } catch (NumberFormatException e) {
            ctx.reply().error(Errors.INVALID_CURSOR);
            return;
        }
        RedisZSet z = readLookup(ctx, ctx.arg(1));
        ReplySink reply = ctx.reply();
        if (z == null) {
            reply.array(2);
            reply.bulk("0");
            reply.array(0);
            return;
        }
        ScanOptions options = ScanOptions.parse(ctx, 3, false);
        if (options == null) {
            return;
        }
        long count = options.count();
        GlobMatcher matcher = options.matcher();
        List<byte[]> out = new ArrayList<>();
        long next = ScanCursors.START;
        if (!z.isSkiplist()) {
            try (IndexCursor c = z.all(false)) {
                while (c.next()) {
                    byte[] member = c.member();
                    if (matcher == null || matcher.matches(member)) {
                        out.add(member);
                        out.add(listpackScore(c.score()));
                    }
                }
            }
        } else {
            try (RedisZSet.MemberCursor c = z.members(cursors.resumeKey(cursor))) {
                long looked = 0;
                byte[] last = null;
                while (c.next()) {
                    byte[] member = c.member();
                    if (looked == count) {
                        next = cursors.cursorAfter(last, member, ctx.random());
                        break;
                    }
                    looked++;
                    last = member;
                    if (matcher == null || matcher.matches(member)) {
                        out.add(member);
                        out.add(RedisNumbers.formatDouble(c.score()));
                    }
                }
            }
        }
        reply.array(2);
        reply.bulk(ScanCursors.format(next));
        reply.array(out.size());
        for (byte[] b : out) {
            reply.bulk(b);
        }
    }

    private static final double LISTPACK_INT_BOUND = Long.MAX_VALUE / 2;

    /**
     * A score as a listpack holds it (and ZSCAN prints it): an integer if it is integral within
     * ±LLONG_MAX/2 (double2ll), else {@code %.17g}.
     */
    static byte[] listpackScore(double score) {
        if (score >= -LISTPACK_INT_BOUND && score <= LISTPACK_INT_BOUND && (double) (long) score == score) {
            return RedisNumbers.formatLong((long) score);
        }
        return RedisNumbers.formatDouble(score);
    }

    // ---- argument parsing ----

    /**
     * Redis's zslParseRange of arguments {@code minIdx} and {@code maxIdx}: {@code (} makes a bound
     * exclusive, numbers as C's strtod reads them ({@link CStrtod}). Replies the error and
     * returns null if either is invalid.
     */
    static ScoreRange scoreRange(ExecutionContext ctx, int minIdx, int maxIdx) {
        double[] min = new double[1];
        double[] max = new double[1];
        boolean[] minEx = new boolean[1];
        boolean[] maxEx = new boolean[1];
        if (!scoreBound(ctx.arg(minIdx), min, minEx) || !scoreBound(ctx.arg(maxIdx), max, maxEx)) {
            ctx.reply().error(Errors.ZSET_MIN_MAX_NOT_FLOAT);
            return null;
        }
        return new ScoreRange(min[0], minEx[0], max[0], maxEx[0]);
    }

    private static boolean scoreBound(byte[] arg, double[] out, boolean[] exclusive) {
        byte[] number = arg;
        if (arg.length > 0 && arg[0] == '(') {
            exclusive[0] = true;
            number = Arrays.copyOfRange(arg, 1, arg.length);
        }
        return CStrtod.parseWhole(number, out);
    }

    /**
     * Redis's zslParseLexRange: {@code [x} inclusive, {@code (x} exclusive, {@code -} and
     * {@code +} the ends (alone, or followed by a NUL byte: Redis reads them as C strings).
     * Replies the error and returns null if either is invalid.
     */
    static LexRange lexRange(ExecutionContext ctx, int minIdx, int maxIdx) {
        byte[] min = ctx.arg(minIdx);
        byte[] max = ctx.arg(maxIdx);
        LexBound lo = lexBound(min);
        LexBound hi = lexBound(max);
        if (lo == null || hi == null) {
            ctx.reply().error(Errors.ZSET_LEX_RANGE);
            return null;
        }
        return new LexRange(lo, min[0] != '[', hi, max[0] != '[');
    }

    private static LexBound lexBound(byte[] arg) {
        if (arg.length == 0) {
            return null;
        }
        switch (arg[0]) {
            case '+':
                return arg.length == 1 || arg[1] == 0 ? LexBound.MAX : null;
            case '-':
                return arg.length == 1 || arg[1] == 0 ? LexBound.MIN : null;
            case '(':
            case '[':
                return LexBound.of(Arrays.copyOfRange(arg, 1, arg.length));
            default:
                return null;
        }
    }

    /**
     * Redis's getRangeLongFromObjectOrReply(min..LONG_MAX) with a message: {@code msg} for a
     * non-integer and for a value below {@code min}.
     */
    private static Long rangedLong(ExecutionContext ctx, int i, long min, String msg) {
        long v;
        try {
            v = ctx.args().parseLong(i);
        } catch (NumberFormatException e) {
            ctx.reply().error(msg);
            return null;
        }
        if (v < min) {
            ctx.reply().error(msg);
            return null;
        }
        return v;
    }

    /** Redis's getPositiveLongFromObjectOrReply: {@code msg} for a non-integer or a negative value. */
    private static Long positiveLong(ExecutionContext ctx, int i, String msg) {
        return rangedLong(ctx, i, 0, msg);
    }
}
