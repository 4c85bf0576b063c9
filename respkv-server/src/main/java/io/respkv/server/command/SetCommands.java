package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.RedisSet;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.WrongTypeException;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.util.GlobMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Set commands, with the semantics, replies and error lines of Redis 7.0's t_set.c: SADD, SREM,
 * SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SUNION,
 * SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, SSCAN. The layout and the algorithms are
 * {@link RedisSet}'s.
 *
 * <p>Where respkv differs by design: members come out in byte order (Redis: hash or intset
 * order); SPOP and SRANDMEMBER on sets larger than {@value RedisSet#SMALL_SET} members draw with a
 * bounded sampler, close to uniform for evenly spread members but not exactly (see
 * {@link io.respkv.server.keyspace.PositionSampler}); SRANDMEMBER with a negative count returns at
 * most {@value #MAX_REPEATED_DRAWS} members; SSCAN cursors are positions in member order
 * ({@link ScanCursors}), and a call looks at COUNT members even on a small set.
 *
 * <p>Read lookups count in INFO's keyspace_hits/keyspace_misses where Redis's
 * {@code lookupKeyRead} does (SISMEMBER, SMEMBERS, the multi-key reads and their STORE forms'
 * sources, SSCAN...), write lookups (SADD, SREM, SMOVE, SPOP) do not.
 */
final class SetCommands {

    /**
     * The largest negative count SRANDMEMBER serves on an existing set, as for HRANDFIELD and
     * ZRANDMEMBER. Redis has no bound (only the client's output buffer) and would build a reply
     * of up to 2^63 members until memory runs out; respkv builds each reply in memory, so a
     * larger count is refused.
     */
    static final long MAX_REPEATED_DRAWS = 1L << 22;

    private SetCommands() {
    }

    static void register(CommandTable t) {
        ScanCursors cursors = new ScanCursors(KeyCommands.SCAN_TABLE_ENTRIES, KeyCommands.SCAN_TABLE_BYTES);
        t.register("sadd", SetCommands::sadd);
        t.register("srem", SetCommands::srem);
        t.register("smembers", SetCommands::smembers);
        t.register("sismember", SetCommands::sismember);
        t.register("smismember", SetCommands::smismember);
        t.register("scard", SetCommands::scard);
        t.register("spop", SetCommands::spop);
        t.register("srandmember", SetCommands::srandmember);
        t.register("smove", SetCommands::smove);
        t.register("sinter", ctx -> sinter(ctx, 1, ctx.argc() - 1));
        t.register("sintercard", SetCommands::sintercard);
        t.register("sinterstore", SetCommands::sinterstore);
        t.register("sunion", ctx -> sunionDiff(ctx, false));
        t.register("sunionstore", ctx -> sunionDiffStore(ctx, false));
        t.register("sdiff", ctx -> sunionDiff(ctx, true));
        t.register("sdiffstore", ctx -> sunionDiffStore(ctx, true));
        t.register("sscan", ctx -> sscan(ctx, cursors));
    }

    // ---------------------------------------------------------------- single key

    /** {@code SADD key member [member ...]}: the number of members added. */
    static void sadd(ExecutionContext ctx) {
        RedisSet sets = new RedisSet(ctx.keyspace());
        long added = sets.add(ctx.arg(1), args(ctx, 2), ctx.random());
        if (added > 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "sadd", ctx.arg(1));
        }
        ctx.reply().integer(added);
    }

    /** {@code SREM key member [member ...]}: the number of members removed; an emptied set is deleted. */
    static void srem(ExecutionContext ctx) {
        RedisSet sets = new RedisSet(ctx.keyspace());
        long removed = sets.remove(ctx.arg(1), args(ctx, 2));
        if (removed > 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "srem", ctx.arg(1));
            notifyIfDeleted(ctx, ctx.arg(1));
        }
        ctx.reply().integer(removed);
    }

    /** {@code SMEMBERS key}: every member, a set reply (empty for a missing key). */
    static void smembers(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        KeyMeta meta = readSet(ctx, key);
        replySet(ctx, meta == null ? List.of() : new RedisSet(ctx.keyspace()).members(key, meta));
    }

    /** {@code SISMEMBER key member}: 1 if member is in the set, else 0. */
    static void sismember(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        KeyMeta meta = readSet(ctx, key);
        boolean member = meta != null && new RedisSet(ctx.keyspace()).contains(key, meta, ctx.arg(2));
        ctx.reply().integer(member ? 1 : 0);
    }

    /** {@code SMISMEMBER key member [member ...]}: an array of 1 or 0, one per member. */
    static void smismember(ExecutionContext ctx) {
        byte[] key = ctx.arg(1);
        KeyMeta meta = readSet(ctx, key);
        RedisSet sets = new RedisSet(ctx.keyspace());
        ReplySink reply = ctx.reply();
        reply.array(ctx.argc() - 2);
        for (int i = 2; i < ctx.argc(); i++) {
            reply.integer(meta != null && sets.contains(key, meta, ctx.arg(i)) ? 1 : 0);
        }
    }

    /** {@code SCARD key}: the number of members, 0 for a missing key. */
    static void scard(ExecutionContext ctx) {
        KeyMeta meta = readSet(ctx, ctx.arg(1));
        ctx.reply().integer(meta == null ? 0 : meta.size());
    }

    /**
     * {@code SPOP key}: removes and returns a random member, nil for a missing key.
     * {@code SPOP key count}: removes and returns up to count distinct random members, a set
     * reply; count must be a non-negative integer. A set left empty is deleted.
     */
    static void spop(ExecutionContext ctx) {
        if (ctx.argc() > 3) {
            ctx.syntaxError();
            return;
        }
        long count = -1;
        if (ctx.argc() == 3) {
            Long parsed = parseOr(ctx, 2, Errors.NOT_POSITIVE);
            if (parsed == null) {
                return;
            }
            if (parsed < 0) {
                ctx.reply().error(Errors.NOT_POSITIVE);
                return;
            }
            count = parsed;
        }
        byte[] key = ctx.arg(1);
        RedisSet sets = new RedisSet(ctx.keyspace());
        KeyMeta meta = sets.meta(key);
        if (count < 0) {
            byte[] popped = meta == null ? null : sets.pop(key, meta, ctx.random());
            if (popped != null) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
            }
            ctx.reply().bulk(popped);
            if (popped != null) {
                notifyIfDeleted(ctx, key);
            }
            return;
        }
        if (meta == null || count == 0) {
            ctx.reply().set(0);
            return;
        }
        if (count >= meta.size()) {
            // Redis answers this case through SUNION's code, whose read lookup counts a hit.
            ctx.server().keyspaceHits.increment();
            List<byte[]> all = sets.members(key, meta);
            ctx.keyspace().delete(key);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
            replySet(ctx, all);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
            return;
        }
        List<byte[]> popped = sets.pop(key, meta, Math.toIntExact(count), ctx.random());
        ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
        replySet(ctx, popped);
    }

    /**
     * {@code SRANDMEMBER key}: a random member, nil for a missing key.
     * {@code SRANDMEMBER key count}: an array of up to count distinct random members; with a
     * negative count, exactly -count members, possibly repeated.
     */
    static void srandmember(ExecutionContext ctx) {
        if (ctx.argc() > 3) {
            ctx.syntaxError();
            return;
        }
        byte[] key = ctx.arg(1);
        if (ctx.argc() == 2) {
            KeyMeta meta = readSet(ctx, key);
            ctx.reply().bulk(meta == null ? null : new RedisSet(ctx.keyspace()).randomMember(key, meta, ctx.random()));
            return;
        }
        Long parsed = ctx.longArg(2);
        if (parsed == null) {
            return;
        }
        if (parsed == Long.MIN_VALUE) {
            // Redis parses the count in [-LONG_MAX, LONG_MAX] so that -count cannot overflow.
            ctx.reply().error(Errors.SRANDMEMBER_COUNT_RANGE);
            return;
        }
        boolean distinct = parsed >= 0;
        long count = Math.abs(parsed);
        KeyMeta meta = readSet(ctx, key);
        if (meta == null || count == 0) {
            ctx.reply().array(0);
            return;
        }
        RedisSet sets = new RedisSet(ctx.keyspace());
        List<byte[]> members;
        if (!distinct || count == 1) {
            if (count > MAX_REPEATED_DRAWS) {
                ctx.reply().error(Errors.srandmemberTooMany(MAX_REPEATED_DRAWS));
                return;
            }
            members = sets.randomMembersWithRepeats(key, meta, (int) count, ctx.random());
        } else if (count >= meta.size()) {
            members = sets.members(key, meta);
        } else {
            members = sets.randomDistinctMembers(key, meta, Math.toIntExact(count), ctx.random());
        }
        ReplySink reply = ctx.reply();
        reply.array(members.size());
        for (byte[] member : members) {
            reply.bulk(member);
        }
    }

    /**
     * {@code SMOVE source destination member}: 1 if member moved (destination created if
     * absent), 0 if source does not exist or does not hold it.
     */
    static void smove(ExecutionContext ctx) {
        RedisSet sets = new RedisSet(ctx.keyspace());
        byte[] src = ctx.arg(1);
        byte[] dst = ctx.arg(2);
        byte[] member = ctx.arg(3);
        boolean notify = ctx.notifying(KeyspaceEvents.SET | KeyspaceEvents.GENERIC) && !Arrays.equals(src, dst);
        KeyMeta srcMeta = notify ? ctx.keyspace().meta(src) : null;
        if (srcMeta != null && srcMeta.type() == RedisType.SET && sets.contains(src, srcMeta, member)) {
            // Redis reports the source's side before it creates (event "new") or fills the destination;
            // the events go out only if the move commits (a wrong-type destination rolls them back)
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "srem", src);
            if (srcMeta.size() == 1) {
                ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", src);
            }
            KeyMeta dstMeta = ctx.keyspace().meta(dst);
            notify = dstMeta == null || dstMeta.type() != RedisType.SET || !sets.contains(dst, dstMeta, member);
        } else {
            notify = false;
        }
        boolean moved = sets.move(src, dst, member, ctx.random());
        if (moved && notify) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, "sadd", dst);
        }
        ctx.reply().integer(moved ? 1 : 0);
    }

    /** The {@code del} event of a set its last removal deleted. */
    private static void notifyIfDeleted(ExecutionContext ctx, byte[] key) {
        if (!ctx.keyspace().exists(key)) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /**
     * Stores a SINTERSTORE / SUNIONSTORE / SDIFFSTORE result with its events, and replies its
     * size. {@code missingSource}: SINTERSTORE met a missing key, where Redis deletes the
     * destination (event {@code del}) before it replies.
     */
    private static void store(ExecutionContext ctx, RedisSet sets, String event, List<byte[]> result,
                              boolean missingSource) {
        byte[] dst = ctx.arg(1);
        boolean existed = ctx.keyspace().exists(dst);
        long stored = sets.store(dst, result, ctx.random());
        if (stored == 0 && existed && missingSource) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", dst);
        }
        ctx.reply().integer(stored);
        if (stored > 0) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.SET, event, dst);
        } else if (existed && !missingSource) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", dst);
        }
    }

    // ---------------------------------------------------------------- several keys

    /** {@code SINTER key [key ...]}: the members of every set, a set reply (empty if a key is missing). */
    static void sinter(ExecutionContext ctx, int firstKey, int keyCount) {
        List<RedisSet.Handle> sets = readSets(ctx, firstKey, keyCount);
        if (anyMissing(sets)) {
            ctx.reply().set(0);
            return;
        }
        replySet(ctx, new RedisSet(ctx.keyspace()).intersection(sets, 0));
    }

    /**
     * {@code SINTERCARD numkeys key [key ...] [LIMIT limit]}: the size of the intersection,
     * counting stops at limit (0: no limit).
     */
    static void sintercard(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Long numkeys = parseOr(ctx, 1, Errors.NUMKEYS);
        if (numkeys == null) {
            return;
        }
        if (numkeys < 1) {
            ctx.reply().error(Errors.NUMKEYS);
            return;
        }
        if (numkeys > ctx.argc() - 2) {
            ctx.reply().error(Errors.NUMKEYS_TOO_MANY);
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) (long) numkeys; j < ctx.argc(); j++) {
            if (args.is(j, "LIMIT") && j + 1 < ctx.argc()) {
                j++;
                Long parsed = parseOr(ctx, j, Errors.SINTERCARD_LIMIT);
                if (parsed == null) {
                    return;
                }
                if (parsed < 0) {
                    ctx.reply().error(Errors.SINTERCARD_LIMIT);
                    return;
                }
                limit = parsed;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        List<RedisSet.Handle> sets = readSets(ctx, 2, (int) (long) numkeys);
        if (anyMissing(sets)) {
            ctx.reply().integer(0);
            return;
        }
        ctx.reply().integer(new RedisSet(ctx.keyspace()).intersection(sets, limit).size());
    }

    /**
     * {@code SINTERSTORE destination key [key ...]}: stores the intersection at destination,
     * replacing any value of any type (and its expiry); an empty result deletes destination.
     * Replies the size stored.
     */
    static void sinterstore(ExecutionContext ctx) {
        List<RedisSet.Handle> sets = readSets(ctx, 2, ctx.argc() - 2);
        RedisSet redisSets = new RedisSet(ctx.keyspace());
        boolean missing = anyMissing(sets);
        List<byte[]> result = missing ? List.of() : redisSets.intersection(sets, 0);
        store(ctx, redisSets, "sinterstore", result, missing);
    }

    /** {@code SUNION key [key ...]} and {@code SDIFF key [key ...]}: a set reply; missing keys are empty sets. */
    static void sunionDiff(ExecutionContext ctx, boolean diff) {
        List<RedisSet.Handle> sets = readSets(ctx, 1, ctx.argc() - 1);
        RedisSet redisSets = new RedisSet(ctx.keyspace());
        replySet(ctx, diff ? redisSets.difference(sets) : redisSets.union(sets));
    }

    /**
     * {@code SUNIONSTORE destination key [key ...]} and {@code SDIFFSTORE destination key
     * [key ...]}: as SINTERSTORE, with the union or the difference.
     */
    static void sunionDiffStore(ExecutionContext ctx, boolean diff) {
        List<RedisSet.Handle> sets = readSets(ctx, 2, ctx.argc() - 2);
        RedisSet redisSets = new RedisSet(ctx.keyspace());
        List<byte[]> result = diff ? redisSets.difference(sets) : redisSets.union(sets);
        store(ctx, redisSets, diff ? "sdiffstore" : "sunionstore", result, false);
    }

    // ---------------------------------------------------------------- SSCAN

    /**
     * {@code SSCAN key cursor [MATCH pattern] [COUNT count]}: a two-element array, the next
     * cursor ("0" when done) and the members found. Each call looks at up to COUNT (default 10)
     * members from the cursor's position in member order and returns those matching the
     * pattern; a full iteration returns every member present from its start to its end exactly
     * once. A missing key answers an empty page; options are checked only for an existing set,
     * as in Redis.
     */
    static void sscan(ExecutionContext ctx, ScanCursors cursors) {
        RespRequest args = ctx.args();
        long cursor;
        try {
            cursor = ScanCursors.parse(args, 2);
        } catch (NumberFormatException e) {
            ctx.reply().error(Errors.INVALID_CURSOR);
            return;
        }
        byte[] key = ctx.arg(1);
        KeyMeta meta = readSet(ctx, key);
        if (meta == null) {
            replyScan(ctx, ScanCursors.START, List.of());
            return;
        }
        ScanOptions options = ScanOptions.parse(ctx, 3, false);
        if (options == null) {
            return;
        }
        // Redis skips matching for exactly "*": only there does the empty member match it.
        GlobMatcher matcher = options.matcher();
        Predicate<byte[]> filter = matcher == null ? member -> true : matcher::matches;
        byte[] from = cursors.resumeKey(cursor);
        byte[] to = null;
        if (matcher != null) {
            byte[] prefix = matcher.literalPrefix();
            if (prefix.length > 0) {
                if (from == null || Arrays.compareUnsigned(from, prefix) < 0) {
                    from = prefix;
                }
                to = KeyCodec.prefixEnd(prefix);
            }
        }
        if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
            replyScan(ctx, ScanCursors.START, List.of());
            return;
        }
        RedisSet.ScanStep step = new RedisSet(ctx.keyspace()).scan(key, meta, from, to, options.count(), filter);
        long next = step.next() == null ? ScanCursors.START : cursors.cursorAfter(step.last(), step.next(), ctx.random());
        replyScan(ctx, next, step.matched());
    }

    private static void replyScan(ExecutionContext ctx, long cursor, List<byte[]> members) {
        ReplySink reply = ctx.reply();
        reply.array(2);
        reply.bulk(ScanCursors.format(cursor));
        reply.array(members.size());
        for (byte[] member : members) {
            reply.bulk(member);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The live metadata of set {@code key} looked up as Redis's {@code lookupKeyRead} does:
     * counted in keyspace_hits or keyspace_misses, then type-checked (WRONGTYPE).
     */
    private static KeyMeta readSet(ExecutionContext ctx, byte[] key) {
        KeyMeta meta = ctx.keyspace().meta(key);
        if (meta == null) {
            ctx.keyMiss(key);
            return null;
        }
        ctx.server().keyspaceHits.increment();
        if (meta.type() != RedisType.SET) {
            throw WrongTypeException.INSTANCE;
        }
        return meta;
    }

    /** Arguments {@code first .. first+count-1} read as sets, in order, as Redis looks them up. */
    private static List<RedisSet.Handle> readSets(ExecutionContext ctx, int first, int count) {
        List<RedisSet.Handle> sets = new ArrayList<>(count);
        for (int i = first; i < first + count; i++) {
            byte[] key = ctx.arg(i);
            sets.add(new RedisSet.Handle(key, readSet(ctx, key)));
        }
        return sets;
    }

    private static boolean anyMissing(List<RedisSet.Handle> sets) {
        for (RedisSet.Handle set : sets) {
            if (set.meta() == null) {
                return true;
            }
        }
        return false;
    }

    /** Copies of arguments {@code from ..}. */
    private static List<byte[]> args(ExecutionContext ctx, int from) {
        List<byte[]> out = new ArrayList<>(ctx.argc() - from);
        for (int i = from; i < ctx.argc(); i++) {
            out.add(ctx.arg(i));
        }
        return out;
    }

    private static void replySet(ExecutionContext ctx, List<byte[]> members) {
        ReplySink reply = ctx.reply();
        reply.set(members.size());
        for (byte[] member : members) {
            reply.bulk(member);
        }
    }

    /** Argument {@code i} as an integer; if it is not one, replies {@code error} and returns null. */
    private static Long parseOr(ExecutionContext ctx, int i, String error) {
        try {
            return ctx.args().parseLong(i);
        } catch (NumberFormatException e) {
            ctx.reply().error(error);
            return null;
        }
    }
}
