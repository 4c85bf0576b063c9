package io.respkv.server.command;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.TransactionConflictException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.pubsub.KeyspaceEvents;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * respkv's own commands and options, which Redis 7.0.15 does not have (docs/commands.md): KEYS
 * with PIVOT, LIMIT, DESC and WITHVALUES, and PDEL. They use what an ordered key space gives
 * cheaply: keys in order, from any position, bounded by a pattern's literal prefix.
 */
final class ExtensionCommands {

    /**
     * PDEL's declaration: two arguments, a write, no key at a fixed position (its argument is a
     * pattern, not a key). Not in Redis's catalog, so COMMAND does not describe it.
     */
    static final CommandSpec PDEL_SPEC = new CommandSpec("pdel", 2, Set.of(CommandFlag.WRITE), 0, 0, 0,
            Set.of("keyspace", "write", "slow", "dangerous"));

    /** Keys PDEL deletes per transaction. */
    static final int PDEL_BATCH = 1024;
    /** Keys one PDEL transaction looks at, matching or not (bounds a transaction over sparse matches). */
    static final int PDEL_SCAN = 16 * 1024;

    private ExtensionCommands() {
    }

    static void register(CommandTable t) {
        // KEYS accepts options after the pattern: at least 2 arguments instead of Redis's exactly
        // 2. COMMAND INFO keys still shows Redis's declaration (it comes from the catalog).
        CommandSpec redisKeys = t.sourceSpec("keys");
        t.register(new CommandSpec(redisKeys.name(), -2, redisKeys.flags(), redisKeys.firstKey(),
                redisKeys.lastKey(), redisKeys.keyStep(), redisKeys.aclCategories()), ExtensionCommands::keys);
        t.register(PDEL_SPEC, ExtensionCommands::pdel);
    }

    /**
     * {@code KEYS pattern [PIVOT key] [LIMIT count] [DESC] [WITHVALUES]}. Without options,
     * Redis's KEYS. With options: the live keys matching the glob pattern in key order (byte
     * order), strictly after {@code PIVOT} (with {@code DESC}: in reverse order, strictly before
     * it), at most {@code count} of them (a negative count: no limit), as a flat array; with
     * {@code WITHVALUES} each key is followed by its value if it is a string, else by a null.
     * Options may come in any order; a repeated one takes its last value. If the argument after
     * the pattern is no option at all, the reply is Redis's arity error, as Redis gives
     * {@code KEYS} with extra arguments; a bad option after a good one is a syntax error.
     */
    static void keys(ExecutionContext ctx) {
        if (ctx.argc() == 2) {
            KeyCommands.keys(ctx);
            return;
        }
        if (!isOption(ctx, 2)) {
            ctx.reply().error(Errors.arity("keys"));
            return;
        }
        byte[] pivot = null;
        long limit = -1;
        boolean desc = false;
        boolean withValues = false;
        for (int i = 2; i < ctx.argc(); i++) {
            if (ctx.args().is(i, "PIVOT") && i + 1 < ctx.argc()) {
                pivot = ctx.arg(++i);
            } else if (ctx.args().is(i, "LIMIT") && i + 1 < ctx.argc()) {
                Long n = ctx.longArg(++i);
                if (n == null) {
                    return;
                }
                limit = n;
            } else if (ctx.args().is(i, "DESC")) {
                desc = true;
            } else if (ctx.args().is(i, "WITHVALUES")) {
                withValues = true;
            } else {
                ctx.syntaxError();
                return;
            }
        }
        KeyCommands.KeyFilter filter = KeyCommands.KeyFilter.of(ctx.arg(1));
        byte[] low = filter.from;
        byte[] high = filter.to;
        if (pivot != null) {
            if (desc) {
                high = high == null || Arrays.compareUnsigned(pivot, high) < 0 ? pivot : high;
            } else {
                byte[] afterPivot = Arrays.copyOf(pivot, pivot.length + 1); // the least key > pivot
                low = low == null || Arrays.compareUnsigned(afterPivot, low) > 0 ? afterPivot : low;
            }
        }
        List<byte[]> found = new ArrayList<>();
        List<byte[]> values = withValues ? new ArrayList<>() : null;
        boolean empty = limit == 0 || (low != null && high != null && Arrays.compareUnsigned(low, high) >= 0);
        if (!empty) {
            try (Keyspace.KeyCursor c = ctx.keyspace().keys(low, high, desc)) {
                while ((limit < 0 || found.size() < limit) && c.next()) {
                    byte[] key = c.key();
                    if (filter.matches(key)) {
                        found.add(key);
                        if (values != null) {
                            values.add(c.type() == RedisType.STRING ? c.meta().value() : null);
                        }
                    }
                }
            }
        }
        RespReplyWriter reply = ctx.reply();
        reply.array(withValues ? found.size() * 2 : found.size());
        for (int i = 0; i < found.size(); i++) {
            reply.bulk(found.get(i));
            if (values != null) {
                if (values.get(i) == null) {
                    reply.nullBulk();
                } else {
                    reply.bulk(values.get(i));
                }
            }
        }
    }

    private static boolean isOption(ExecutionContext ctx, int i) {
        return ctx.args().is(i, "PIVOT") || ctx.args().is(i, "LIMIT") || ctx.args().is(i, "DESC")
                || ctx.args().is(i, "WITHVALUES");
    }

    /**
     * {@code PDEL pattern}: deletes every key of the selected database matching the glob
     * pattern; replies the number of keys deleted. Outside MULTI it works in transactions of at
     * most {@value #PDEL_BATCH} deletions (and {@value #PDEL_SCAN} keys looked at) each, so no
     * transaction grows with the database: each batch is atomic, the whole is not (a matching
     * key written meanwhile behind the batches' position survives). Inside MULTI/EXEC it is part
     * of EXEC's one transaction, atomic with the rest.
     */
    static void pdel(ExecutionContext ctx) {
        KeyCommands.KeyFilter filter = KeyCommands.KeyFilter.of(ctx.arg(1));
        if (ctx.client().transaction().executing) {
            Step all = deleteMatching(ctx.keyspace(), filter, filter.from, Long.MAX_VALUE, Long.MAX_VALUE);
            notifyDeleted(ctx, all);
            ctx.reply().integer(all.deleted);
            return;
        }
        long deleted = 0;
        byte[] from = filter.from;
        try {
            while (true) {
                byte[] start = from;
                Step step = ctx.commitSeparately(ks -> deleteMatching(ks, filter, start, PDEL_BATCH, PDEL_SCAN));
                deleted += step.deleted;
                notifyDeleted(ctx, step);
                ctx.publishKeyspaceEventsNow(); // this batch has committed
                if (step.next == null) {
                    break;
                }
                from = step.next;
            }
        } catch (TransactionConflictException conflict) {
            // the batches committed so far stay deleted
            ctx.reply().error("ERR transaction conflict: too many concurrent updates, try again");
            return;
        }
        ctx.reply().integer(deleted);
    }

    /** What one PDEL step deleted (the keys, if keyspace events are on), and the key the next step starts from (null: done). */
    private record Step(long deleted, List<byte[]> keys, byte[] next) {
    }

    /** A {@code del} keyspace event per key a step deleted, as DEL reports them. */
    private static void notifyDeleted(ExecutionContext ctx, Step step) {
        for (byte[] key : step.keys()) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /**
     * Deletes the keys matching {@code filter} from {@code from} on, at most {@code maxDeletes},
     * looking at at most {@code maxScanned} keys; the scan finishes before the first deletion.
     */
    private static Step deleteMatching(Keyspace ks, KeyCommands.KeyFilter filter, byte[] from, long maxDeletes,
                                       long maxScanned) {
        List<byte[]> doomed = new ArrayList<>();
        byte[] next = null;
        long scanned = 0;
        try (Keyspace.KeyCursor c = ks.keys(from, filter.to)) {
            while (c.next()) {
                byte[] key = c.key();
                if (doomed.size() == maxDeletes || scanned == maxScanned) {
                    next = key;
                    break;
                }
                scanned++;
                if (filter.matches(key)) {
                    doomed.add(key);
                }
            }
        }
        long deleted = 0;
        List<byte[]> deletedKeys = new ArrayList<>();
        for (byte[] key : doomed) {
            if (ks.delete(key)) {
                deleted++;
                deletedKeys.add(key);
            }
        }
        return new Step(deleted, deletedKeys, next);
    }
}
