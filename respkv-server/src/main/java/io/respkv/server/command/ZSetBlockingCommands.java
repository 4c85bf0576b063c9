package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.RedisZSet;
import io.respkv.server.keyspace.RedisZSet.Entry;
import java.util.List;

/**
 * The blocking sorted-set pops, BZPOPMIN, BZPOPMAX and BZMPOP, with Redis 7.0's replies and
 * order of checks ({@code blockingGenericZpopCommand} and {@code zmpopGenericCommand} in
 * src/t_zset.c), over {@link RedisZSet} and the {@link BlockingKeys} registry: the same blocking
 * machinery as BLPOP, with waiters that consume sorted sets.
 */
final class ZSetBlockingCommands {

    private ZSetBlockingCommands() {
    }

    static void register(CommandTable t) {
        t.register("bzpopmin", ctx -> bzpop(ctx, false));
        t.register("bzpopmax", ctx -> bzpop(ctx, true));
        t.register("bzmpop", ZSetBlockingCommands::bzmpop);
    }

    /**
     * {@code BZPOPMIN key [key ...] timeout} / {@code BZPOPMAX ...}: {@code [key, member, score]}
     * from the first non-empty sorted set, or a null array on timeout.
     */
    static void bzpop(ExecutionContext ctx, boolean max) {
        RespRequest args = ctx.args();
        popFirstOrBlock(ctx, ListCommands.keys(args, 1, args.count() - 2), max, -1, args.count() - 1);
    }

    /**
     * {@code BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]}: up to count members
     * (default 1) of the first non-empty sorted set, {@code [key, [[member, score], ...]]}, or a
     * null array on timeout.
     */
    static void bzmpop(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        ReplySink reply = ctx.reply();
        long numkeys;
        try {
            numkeys = args.parseLong(2);
        } catch (NumberFormatException e) {
            numkeys = 0;
        }
        if (numkeys < 1) {
            reply.error(Errors.NUMKEYS);
            return;
        }
        if (numkeys >= args.count() - 3) { // where_idx = 2 + numkeys + 1 must be an argument
            reply.error(Errors.SYNTAX);
            return;
        }
        int whereIndex = 3 + (int) numkeys;
        boolean max;
        if (args.is(whereIndex, "MIN")) {
            max = false;
        } else if (args.is(whereIndex, "MAX")) {
            max = true;
        } else {
            reply.error(Errors.SYNTAX);
            return;
        }
        long count = -1;
        for (int j = whereIndex + 1; j < args.count(); j++) {
            int moreArgs = args.count() - 1 - j;
            if (count == -1 && args.is(j, "COUNT") && moreArgs > 0) {
                j++;
                count = ListCommands.rangeLong(args, j, 1, Long.MAX_VALUE);
                if (count < 0) {
                    reply.error(Errors.MPOP_COUNT);
                    return;
                }
            } else {
                reply.error(Errors.SYNTAX);
                return;
            }
        }
        popFirstOrBlock(ctx, ListCommands.keys(args, 3, (int) numkeys), max, count == -1 ? 1 : count, 1);
    }

    /**
     * Parses the timeout (argument {@code timeoutIndex}), pops from the first non-empty sorted set
     * of {@code keys} (WRONGTYPE for a key of another type met before it), or blocks; when the
     * client may not block, a null array. {@code count} -1: BZPOPMIN/BZPOPMAX's flat reply.
     */
    private static void popFirstOrBlock(ExecutionContext ctx, byte[][] keys, boolean max, long count,
                                        int timeoutIndex) {
        long timeout = BlockingTimeout.parse(ctx, timeoutIndex);
        if (timeout < 0) {
            return;
        }
        Keyspace ks = ctx.keyspace();
        for (byte[] key : keys) {
            RedisZSet z = RedisZSet.find(ks, key);
            if (z == null || z.size() == 0) {
                continue;
            }
            popWithKey(ctx, z, key, max, count);
            return;
        }
        if (!ctx.mayBlock()) {
            ctx.reply().nullArray();
            return;
        }
        ctx.block(keys, BlockingTimeout.forBlock(ctx, timeout), new BlockedZPop(max, count));
    }

    /** Pops and replies {@code [key, member, score]} (count -1) or {@code [key, [[member, score], ...]]}. */
    private static void popWithKey(ExecutionContext ctx, RedisZSet z, byte[] key, boolean max, long count) {
        ReplySink reply = ctx.reply();
        List<Entry> popped = z.pop(max, count == -1 ? 1 : count);
        z.save();
        if (count == -1) {
            Entry e = popped.get(0);
            reply.array(3);
            reply.bulk(key);
            ZSetCommands.notifyPop(ctx, key, max);
            reply.bulk(e.member());
            reply.doubleValue(e.score());
        } else {
            reply.array(2);
            reply.bulk(key);
            reply.array(popped.size());
            ZSetCommands.notifyPop(ctx, key, max);
            for (Entry e : popped) {
                reply.array(2);
                reply.bulk(e.member());
                reply.doubleValue(e.score());
            }
        }
        ZSetCommands.notifyIfDeleted(ctx, z, key);
    }

    /** A blocked BZPOPMIN, BZPOPMAX ({@code count} -1) or BZMPOP. */
    private record BlockedZPop(boolean max, long count) implements BlockedCommand {

        @Override
        public RedisType consumes() {
            return RedisType.ZSET;
        }

        @Override
        public Outcome serve(ExecutionContext ctx, byte[] key, KeyMeta meta) {
            Keyspace ks = ctx.keyspace();
            RedisZSet z = RedisZSet.find(ks, key);
            if (z.size() == 0) {
                return Outcome.EMPTY;
            }
            popWithKey(ctx, z, key, max, count);
            return Outcome.SERVED;
        }
    }
}
