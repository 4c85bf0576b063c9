package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisList;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.pubsub.KeyspaceEvents;
import java.util.Arrays;
import java.util.List;

/**
 * List commands, with Redis 7.0's replies and order of checks (src/t_list.c), over
 * {@link RedisList}: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET,
 * LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, BLMPOP (see {@link BlockingKeys}).
 *
 * <p>Costs: pushes and pops at either end, LINDEX and LSET are O(1) engine operations per
 * element; LRANGE, LPOS and the pivot search of LINSERT scan only the range they need; LINSERT,
 * LREM and other removals inside the list move the elements of the shorter side (see
 * {@link RedisList#insert} and {@link RedisList#removeAt}).
 */
final class ListCommands {

    static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second"
            + " ... or use negative to start from the end of the list";
    static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    static final String INDEX_OUT_OF_RANGE = "ERR index out of range";

    private ListCommands() {
    }

    static void register(CommandTable t) {
        t.register("lpush", ctx -> push(ctx, true, false));
        t.register("rpush", ctx -> push(ctx, false, false));
        t.register("lpushx", ctx -> push(ctx, true, true));
        t.register("rpushx", ctx -> push(ctx, false, true));
        t.register("lpop", ctx -> pop(ctx, true));
        t.register("rpop", ctx -> pop(ctx, false));
        t.register("llen", ListCommands::llen);
        t.register("lrange", ListCommands::lrange);
        t.register("lindex", ListCommands::lindex);
        t.register("lset", ListCommands::lset);
        t.register("linsert", ListCommands::linsert);
        t.register("lrem", ListCommands::lrem);
        t.register("ltrim", ListCommands::ltrim);
        t.register("lpos", ListCommands::lpos);
        t.register("lmove", ListCommands::lmove);
        t.register("rpoplpush", ctx -> move(ctx, false, true));
        t.register("lmpop", ctx -> lmpop(ctx, 1, false));
        t.register("blpop", ctx -> blockingPop(ctx, true));
        t.register("brpop", ctx -> blockingPop(ctx, false));
        t.register("blmove", ListCommands::blmove);
        t.register("brpoplpush", ctx -> blockingMove(ctx, false, true, 3));
        t.register("blmpop", ctx -> lmpop(ctx, 2, true));
    }

    // ---- pushes ----

    /**
     * {@code LPUSH key element [element ...]}, {@code RPUSH ...}, and with {@code xx} LPUSHX /
     * RPUSHX (only if the list exists): the list's length after the pushes.
     */
    static void push(ExecutionContext ctx, boolean left, boolean xx) {
        RespRequest args = ctx.args();
        byte[] key = args.bytes(1);
        Keyspace ks = ctx.keyspace();
        RedisList list = RedisList.open(ks, key);
        if (list == null) {
            if (xx) {
                ctx.reply().integer(0);
                return;
            }
            list = RedisList.create(ks, key, ctx.random());
        }
        for (int i = 2; i < args.count(); i++) {
            list.push(args.bytes(i), left);
        }
        list.store();
        ctx.reply().integer(list.size());
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, left ? "lpush" : "rpush", key);
    }

    // ---- pops ----

    /**
     * {@code LPOP key [count]} / {@code RPOP key [count]}: one element (bulk), or with a count an
     * array of up to count elements; a missing key is a null bulk, or a null array with a count.
     */
    static void pop(ExecutionContext ctx, boolean left) {
        RespRequest args = ctx.args();
        ReplySink reply = ctx.reply();
        if (args.count() > 3) {
            reply.error(Errors.arity(left ? "lpop" : "rpop"));
            return;
        }
        boolean hasCount = args.count() == 3;
        long count = 0;
        if (hasCount) {
            count = positiveLong(ctx, 2, Errors.NOT_POSITIVE);
            if (count < 0) {
                return;
            }
        }
        byte[] key = args.bytes(1);
        RedisList list = RedisList.open(ctx.keyspace(), key);
        if (list == null) {
            if (hasCount) {
                reply.nullArray();
            } else {
                reply.nullBulk();
            }
            return;
        }
        if (hasCount && count == 0) {
            reply.array(0);
            return;
        }
        if (!hasCount) {
            byte[] value = list.pop(left);
            list.store();
            reply.bulk(value);
            notifyPopped(ctx, list, left);
            return;
        }
        List<byte[]> values = list.pop(left, count);
        list.store();
        replyElements(reply, values);
        notifyPopped(ctx, list, left);
    }

    /** Keyspace events of a pop: {@code lpop} or {@code rpop}, then {@code del} if the list is gone. */
    private static void notifyPopped(ExecutionContext ctx, RedisList list, boolean left) {
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, left ? "lpop" : "rpop", list.key());
        notifyIfDeleted(ctx, list);
    }

    /** The {@code del} event of a list its last removal deleted. */
    private static void notifyIfDeleted(ExecutionContext ctx, RedisList list) {
        if (list.isEmpty()) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", list.key());
        }
    }

    /**
     * {@code LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]} and
     * {@code BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]}: pops up to count
     * elements (default 1) from the first non-empty list and replies {@code [key, [elements]]};
     * nothing to pop is a null array (BLMPOP blocks).
     */
    static void lmpop(ExecutionContext ctx, int numkeysIndex, boolean blocking) {
        RespRequest args = ctx.args();
        ReplySink reply = ctx.reply();
        long numkeys;
        try {
            numkeys = args.parseLong(numkeysIndex);
        } catch (NumberFormatException e) {
            numkeys = 0;
        }
        if (numkeys < 1) {
            reply.error(Errors.NUMKEYS);
            return;
        }
        // where_idx = numkeys_idx + numkeys + 1 must be an argument
        if (numkeys >= args.count() - numkeysIndex - 1) {
            reply.error(Errors.SYNTAX);
            return;
        }
        int whereIndex = numkeysIndex + (int) numkeys + 1;
        Boolean left = position(args, whereIndex);
        if (left == null) {
            reply.error(Errors.SYNTAX);
            return;
        }
        long count = -1;
        for (int j = whereIndex + 1; j < args.count(); j++) {
            int moreArgs = args.count() - 1 - j;
            if (count == -1 && args.is(j, "COUNT") && moreArgs > 0) {
                j++;
                count = rangeLong(args, j, 1, Long.MAX_VALUE);
                if (count < 0) {
                    reply.error(Errors.MPOP_COUNT);
                    return;
                }
            } else {
                reply.error(Errors.SYNTAX);
                return;
            }
        }
        if (count == -1) {
            count = 1;
        }
        byte[][] keys = keys(args, numkeysIndex + 1, (int) numkeys);
        if (blocking) {
            popFirstOrBlock(ctx, keys, left, count, 1);
        } else if (!popFirst(ctx, keys, left, count)) {
            reply.nullArray();
        }
    }

    /**
     * Pops from the first of {@code keys} holding a non-empty list, as Redis's
     * {@code mpopGenericCommand}; WRONGTYPE for a key of another type met before it. With
     * {@code count} -1 the reply is {@code [key, element]}, otherwise {@code [key, [elements]]}.
     * Returns false, having replied nothing, if every key is missing.
     */
    private static boolean popFirst(ExecutionContext ctx, byte[][] keys, boolean left, long count) {
        Keyspace ks = ctx.keyspace();
        for (byte[] key : keys) {
            RedisList list = RedisList.open(ks, key);
            if (list == null || list.isEmpty()) {
                continue;
            }
            popWithKey(ctx, list, left, count);
            return true;
        }
        return false;
    }

    /** Pops from {@code list} (non-empty) and replies {@code [key, element]} or {@code [key, [elements]]}. */
    private static void popWithKey(ExecutionContext ctx, RedisList list, boolean left, long count) {
        ReplySink reply = ctx.reply();
        if (count == -1) {
            byte[] value = list.pop(left);
            list.store();
            reply.array(2);
            reply.bulk(list.key());
            reply.bulk(value);
            notifyPopped(ctx, list, left);
            return;
        }
        List<byte[]> values = list.pop(left, count);
        list.store();
        reply.array(2);
        reply.bulk(list.key());
        replyElements(reply, values);
        notifyPopped(ctx, list, left);
    }

    /** {@code BLPOP key [key ...] timeout} / {@code BRPOP ...}: {@code [key, element]}, or a null array on timeout. */
    static void blockingPop(ExecutionContext ctx, boolean left) {
        RespRequest args = ctx.args();
        popFirstOrBlock(ctx, keys(args, 1, args.count() - 2), left, -1, args.count() - 1);
    }

    /**
     * Redis's {@code blockingPopGenericCommand}: parses the timeout (argument
     * {@code timeoutIndex}), pops from the first non-empty list of {@code keys}, or blocks.
     */
    private static void popFirstOrBlock(ExecutionContext ctx, byte[][] keys, boolean left, long count,
                                        int timeoutIndex) {
        long timeout = BlockingTimeout.parse(ctx, timeoutIndex);
        if (timeout < 0) {
            return;
        }
        if (popFirst(ctx, keys, left, count)) {
            return;
        }
        if (!ctx.mayBlock()) {
            ctx.reply().nullArray();
            return;
        }
        ctx.block(keys, BlockingTimeout.forBlock(ctx, timeout), new BlockedPop(left, count));
    }

    /** A blocked BLPOP, BRPOP or BLMPOP ({@code count} -1 for the first two). */
    private record BlockedPop(boolean left, long count) implements BlockedCommand {

        @Override
        public RedisType consumes() {
            return RedisType.LIST;
        }

        @Override
        public Outcome serve(ExecutionContext ctx, byte[] key, KeyMeta meta) {
            Keyspace ks = ctx.keyspace();
            RedisList list = RedisList.of(ks, key, meta);
            if (list.isEmpty()) {
                return Outcome.EMPTY;
            }
            popWithKey(ctx, list, left, count);
            return Outcome.SERVED;
        }
    }

    // ---- moves ----

    /** {@code LMOVE source destination LEFT|RIGHT LEFT|RIGHT}: the element moved, or a null bulk. */
    static void lmove(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Boolean from = position(args, 3);
        Boolean to = from == null ? null : position(args, 4);
        if (to == null) {
            ctx.reply().error(Errors.SYNTAX);
            return;
        }
        move(ctx, from, to);
    }

    /** LMOVE after parsing, and {@code RPOPLPUSH source destination}. */
    static void move(ExecutionContext ctx, boolean fromLeft, boolean toLeft) {
        RespRequest args = ctx.args();
        byte[] src = args.bytes(1);
        RedisList source = RedisList.open(ctx.keyspace(), src);
        if (source == null || source.isEmpty()) {
            ctx.reply().nullBulk();
            return;
        }
        moveElement(ctx, source, args.bytes(2), fromLeft, toLeft);
    }

    /**
     * Pops from {@code source} (non-empty) and pushes onto the list at {@code dst} (created if
     * missing; WRONGTYPE, with nothing changed, if another type): Redis's
     * {@code lmoveGenericCommand}, and replies the element moved (between the push's and the
     * pop's keyspace events, as Redis).
     */
    private static void moveElement(ExecutionContext ctx, RedisList source, byte[] dst, boolean fromLeft,
                                      boolean toLeft) {
        if (Arrays.equals(source.key(), dst)) {
            byte[] value = source.pop(fromLeft);
            source.push(value, toLeft);
            source.store();
            ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, toLeft ? "lpush" : "rpush", dst);
            ctx.reply().bulk(value);
            ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, fromLeft ? "lpop" : "rpop", dst);
            return;
        }
        Keyspace ks = ctx.keyspace();
        RedisList destination = RedisList.openOrCreate(ks, dst, ctx.random());
        byte[] value = source.pop(fromLeft);
        destination.push(value, toLeft);
        destination.store();
        source.store();
        // Redis pushes (creating the destination) before it reports the pop
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, toLeft ? "lpush" : "rpush", dst);
        ctx.reply().bulk(value);
        notifyPopped(ctx, source, fromLeft);
    }

    /** {@code BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout}. */
    static void blmove(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Boolean from = position(args, 3);
        Boolean to = from == null ? null : position(args, 4);
        if (to == null) {
            ctx.reply().error(Errors.SYNTAX);
            return;
        }
        blockingMove(ctx, from, to, 5);
    }

    /**
     * BLMOVE after parsing its positions, and {@code BRPOPLPUSH source destination timeout}: moves
     * at once if the source has elements, else blocks; a timeout replies a null array (as Redis,
     * although the immediate "nothing" of LMOVE is a null bulk).
     */
    static void blockingMove(ExecutionContext ctx, boolean fromLeft, boolean toLeft, int timeoutIndex) {
        RespRequest args = ctx.args();
        long timeout = BlockingTimeout.parse(ctx, timeoutIndex);
        if (timeout < 0) {
            return;
        }
        byte[] src = args.bytes(1);
        RedisList source = RedisList.open(ctx.keyspace(), src);
        if (source != null && !source.isEmpty()) {
            moveElement(ctx, source, args.bytes(2), fromLeft, toLeft);
            return;
        }
        if (!ctx.mayBlock()) {
            ctx.reply().nullBulk();
            return;
        }
        ctx.block(new byte[][] {src}, BlockingTimeout.forBlock(ctx, timeout),
                new BlockedMove(args.bytes(2), fromLeft, toLeft));
    }

    /** A blocked BLMOVE or BRPOPLPUSH. */
    private record BlockedMove(byte[] destination, boolean fromLeft, boolean toLeft) implements BlockedCommand {

        @Override
        public RedisType consumes() {
            return RedisType.LIST;
        }

        @Override
        public Outcome serve(ExecutionContext ctx, byte[] key, KeyMeta meta) {
            Keyspace ks = ctx.keyspace();
            RedisList source = RedisList.of(ks, key, meta);
            if (source.isEmpty()) {
                return Outcome.EMPTY;
            }
            // a destination of another type throws WRONGTYPE: the client is unblocked with it
            moveElement(ctx, source, destination, fromLeft, toLeft);
            ctx.signalKeyReady(ctx.client().db(), destination);
            return Outcome.SERVED;
        }
    }

    // ---- reads ----

    /** {@code LLEN key}: the length, 0 if missing. */
    static void llen(ExecutionContext ctx) {
        RedisList list = readList(ctx, ctx.args().bytes(1));
        ctx.reply().integer(list == null ? 0 : list.size());
    }

    /** {@code LRANGE key start stop}: the elements from start to stop inclusive (negative from the end). */
    static void lrange(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Long start = ctx.longArg(2);
        if (start == null) {
            return;
        }
        Long end = ctx.longArg(3);
        if (end == null) {
            return;
        }
        RedisList list = readList(ctx, args.bytes(1));
        ReplySink reply = ctx.reply();
        if (list == null) {
            reply.array(0);
            return;
        }
        long llen = list.size();
        long from = start < 0 ? llen + start : start;
        long to = end < 0 ? llen + end : end;
        if (from < 0) {
            from = 0;
        }
        if (from > to || from >= llen) {
            reply.array(0);
            return;
        }
        if (to >= llen) {
            to = llen - 1;
        }
        reply.array(arrayLength(to - from + 1));
        list.scan(from, to + 1, false, (index, value) -> {
            reply.bulk(value);
            return true;
        });
    }

    /** {@code LINDEX key index}: the element, or a null bulk if the key is missing or the index out of range. */
    static void lindex(ExecutionContext ctx) {
        RedisList list = readList(ctx, ctx.args().bytes(1));
        if (list == null) {
            ctx.reply().nullBulk();
            return;
        }
        Long index = ctx.longArg(2);
        if (index == null) {
            return;
        }
        long i = list.normalize(index);
        if (i < 0) {
            ctx.reply().nullBulk();
        } else {
            ctx.reply().bulk(list.get(i));
        }
    }

    /**
     * {@code LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]}: the index of the
     * rank-th match (negative rank: from the tail), or with COUNT an array of up to
     * num-matches indexes (0: all), looking at no more than len elements (0: all).
     */
    static void lpos(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        ReplySink reply = ctx.reply();
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < args.count(); j++) {
            int moreArgs = args.count() - 1 - j;
            if (args.is(j, "RANK") && moreArgs > 0) {
                j++;
                Long r = ctx.longArg(j);
                if (r == null) {
                    return;
                }
                if (r == 0) {
                    reply.error(RANK_ZERO);
                    return;
                }
                rank = r;
            } else if (args.is(j, "COUNT") && moreArgs > 0) {
                j++;
                count = positiveLong(ctx, j, COUNT_NEGATIVE);
                if (count < 0) {
                    return;
                }
            } else if (args.is(j, "MAXLEN") && moreArgs > 0) {
                j++;
                maxlen = positiveLong(ctx, j, MAXLEN_NEGATIVE);
                if (maxlen < 0) {
                    return;
                }
            } else {
                reply.error(Errors.SYNTAX);
                return;
            }
        }
        boolean fromTail = false;
        if (rank < 0) {
            rank = -rank; // Long.MIN_VALUE stays negative, as in Redis: every match then qualifies
            fromTail = true;
        }
        RedisList list = readList(ctx, args.bytes(1));
        if (list == null) {
            if (count != -1) {
                reply.array(0);
            } else {
                reply.nullBulk();
            }
            return;
        }
        byte[] element = args.bytes(2);
        LposScan scan = new LposScan(element, rank, count);
        long limit = maxlen == 0 ? list.size() : Math.min(maxlen, list.size());
        if (fromTail) {
            list.scan(list.size() - limit, list.size(), true, scan);
        } else {
            list.scan(0, limit, false, scan);
        }
        if (count != -1) {
            reply.array(arrayLength(scan.found));
            for (int i = 0; i < scan.found; i++) {
                reply.integer(scan.indexes[i]);
            }
        } else if (scan.matchIndex != -1) {
            reply.integer(scan.matchIndex);
        } else {
            reply.nullBulk();
        }
    }

    /** The match loop of Redis's {@code lposCommand}, arithmetic included. */
    private static final class LposScan implements RedisList.ElementVisitor {
        final byte[] element;
        final long rank;
        final long count;
        long matches;
        long matchIndex = -1;
        long[] indexes = new long[4];
        int found;

        LposScan(byte[] element, long rank, long count) {
            this.element = element;
            this.rank = rank;
            this.count = count;
        }

        @Override
        public boolean visit(long index, byte[] value) {
            if (Arrays.equals(value, element)) {
                matches++;
                matchIndex = index;
                if (matches >= rank) {
                    if (count == -1) {
                        return false;
                    }
                    if (found == indexes.length) {
                        indexes = Arrays.copyOf(indexes, found * 2);
                    }
                    indexes[found++] = index;
                    if (count != 0 && matches - rank + 1 >= count) {
                        return false;
                    }
                }
            }
            matchIndex = -1;
            return true;
        }
    }

    // ---- changes inside the list ----

    /** {@code LSET key index element}: OK, "no such key", or "index out of range". */
    static void lset(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        RedisList list = RedisList.open(ctx.keyspace(), args.bytes(1));
        if (list == null) {
            ctx.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        Long index = ctx.longArg(2);
        if (index == null) {
            return;
        }
        long i = list.normalize(index);
        if (i < 0) {
            ctx.reply().error(INDEX_OUT_OF_RANGE);
            return;
        }
        list.set(i, args.bytes(3));
        list.store();
        ctx.reply().ok();
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, "lset", list.key());
    }

    /**
     * {@code LINSERT key BEFORE|AFTER pivot element}: the length after the insert, -1 if the
     * pivot is not found, 0 if the key is missing.
     */
    static void linsert(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        boolean after;
        if (args.is(2, "AFTER")) {
            after = true;
        } else if (args.is(2, "BEFORE")) {
            after = false;
        } else {
            ctx.reply().error(Errors.SYNTAX);
            return;
        }
        RedisList list = RedisList.open(ctx.keyspace(), args.bytes(1));
        if (list == null) {
            ctx.reply().integer(0);
            return;
        }
        byte[] pivot = args.bytes(3);
        long[] at = {-1};
        list.scan(0, list.size(), false, (index, value) -> {
            if (Arrays.equals(value, pivot)) {
                at[0] = index;
                return false;
            }
            return true;
        });
        if (at[0] < 0) {
            ctx.reply().integer(-1);
            return;
        }
        list.insert(after ? at[0] + 1 : at[0], args.bytes(4));
        list.store();
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, "linsert", list.key());
        ctx.reply().integer(list.size());
    }

    /**
     * {@code LREM key count element}: removes the first count occurrences (negative: from the
     * tail; 0: all) and replies how many were removed.
     */
    static void lrem(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Long toRemove = ctx.longArg(2);
        if (toRemove == null) {
            return;
        }
        RedisList list = RedisList.open(ctx.keyspace(), args.bytes(1));
        if (list == null) {
            ctx.reply().integer(0);
            return;
        }
        byte[] element = args.bytes(3);
        boolean fromTail = toRemove < 0;
        long limit = fromTail ? -toRemove : toRemove; // Long.MIN_VALUE stays negative: no limit, as in Redis
        long[][] found = {new long[8]};
        int[] n = {0};
        list.scan(0, list.size(), fromTail, (index, value) -> {
            if (Arrays.equals(value, element)) {
                if (n[0] == found[0].length) {
                    found[0] = Arrays.copyOf(found[0], n[0] * 2);
                }
                found[0][n[0]++] = index;
                return limit == 0 || n[0] != limit;
            }
            return true;
        });
        long[] indexes = found[0];
        int removed = n[0];
        if (removed > 0) {
            if (fromTail) {
                for (int i = 0, j = removed - 1; i < j; i++, j--) {
                    long t = indexes[i];
                    indexes[i] = indexes[j];
                    indexes[j] = t;
                }
            }
            list.removeAt(indexes, removed);
            list.store();
            ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, "lrem", list.key());
            notifyIfDeleted(ctx, list);
        }
        ctx.reply().integer(removed);
    }

    /** {@code LTRIM key start stop}: keeps only the elements from start to stop (inclusive). */
    static void ltrim(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Long start = ctx.longArg(2);
        if (start == null) {
            return;
        }
        Long end = ctx.longArg(3);
        if (end == null) {
            return;
        }
        RedisList list = RedisList.open(ctx.keyspace(), args.bytes(1));
        if (list == null) {
            ctx.reply().ok();
            return;
        }
        long llen = list.size();
        long from = start < 0 ? llen + start : start;
        long to = end < 0 ? llen + end : end;
        if (from < 0) {
            from = 0;
        }
        if (from > to || from >= llen) {
            list.trim(0, 0);
        } else {
            if (to >= llen) {
                to = llen - 1;
            }
            list.trim(from, to + 1);
        }
        list.store();
        ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, "ltrim", list.key());
        notifyIfDeleted(ctx, list);
        ctx.reply().ok();
    }

    // ---- helpers ----

    /** The list at {@code key} for a read command, counted as a keyspace hit or miss (Redis's lookupKeyRead). */
    private static RedisList readList(ExecutionContext ctx, byte[] key) {
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(key);
        if (meta != null) {
            ctx.server().keyspaceHits.increment();
        } else {
            ctx.keyMiss(key);
        }
        return RedisList.of(ks, key, meta);
    }

    /** LEFT (true) or RIGHT (false), case-insensitive; null for anything else. */
    private static Boolean position(RespRequest args, int i) {
        if (args.is(i, "LEFT")) {
            return Boolean.TRUE;
        }
        if (args.is(i, "RIGHT")) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** Copies of {@code n} arguments from {@code first}. */
    static byte[][] keys(RespRequest args, int first, int n) {
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = args.bytes(first + i);
        }
        return keys;
    }

    /**
     * Redis's {@code getPositiveLongFromObjectOrReply} with {@code error} for both a non-integer
     * and a negative value: the value, or -1 after replying.
     */
    private static long positiveLong(ExecutionContext ctx, int i, String error) {
        long v = rangeLong(ctx.args(), i, 0, Long.MAX_VALUE);
        if (v < 0) {
            ctx.reply().error(error);
        }
        return v;
    }

    /** Argument {@code i} as an integer in {@code [min, max]} (min >= 0), or -1. */
    static long rangeLong(RespRequest args, int i, long min, long max) {
        try {
            long v = args.parseLong(i);
            return v < min || v > max ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void replyElements(ReplySink reply, List<byte[]> values) {
        reply.array(values.size());
        for (byte[] v : values) {
            reply.bulk(v);
        }
    }

    private static int arrayLength(long n) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("reply of " + n + " elements exceeds what one reply may hold");
        }
        return (int) n;
    }
}
