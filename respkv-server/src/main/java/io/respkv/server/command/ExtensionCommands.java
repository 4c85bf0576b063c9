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
import java.util.function.Predicate;

/**
 * respkv's own commands and options, which Redis 7.0.15 does not have (docs/commands.md): KEYS
 * with PIVOT, LIMIT, DESC and WITHVALUES, PDEL and DELRANGE. They use what an ordered key space
 * gives cheaply: keys in order, from any position, bounded by a pattern's literal prefix or a
 * key range.
 */
final class ExtensionCommands {

    /**
     * PDEL's declaration: two arguments, a write, no key at a fixed position (its argument is a
     * pattern, not a key). Not in Redis's catalog, so COMMAND does not describe it.
     */
    static final CommandSpec PDEL_SPEC = new CommandSpec("pdel", 2, Set.of(CommandFlag.WRITE), 0, 0, 0,
            Set.of("keyspace", "write", "slow", "dangerous"));

    /**
     * DELRANGE's declaration: three arguments, a write. Its arguments are keys, but of a range
     * that may hold any number of keys, so it declares no key positions (as PDEL): a cluster
     * proxy routing by the two bounds would send it to the slots of the bounds, not of the keys
     * it deletes. Not in Redis's catalog, so COMMAND does not describe it.
     */
    static final CommandSpec DELRANGE_SPEC = new CommandSpec("delrange", 3, Set.of(CommandFlag.WRITE), 0, 0, 0,
            Set.of("keyspace", "write", "slow", "dangerous"));

    /**
     * RESPKV.DIGEST's declaration: no arguments, a read of the whole key space. Not in Redis's
     * catalog (Redis has DEBUG DIGEST), so COMMAND does not describe it.
     */
    static final CommandSpec DIGEST_SPEC = new CommandSpec("respkv.digest", 1, Set.of(CommandFlag.READONLY), 0, 0, 0,
            Set.of("keyspace", "read", "slow"));

    /** Keys PDEL and DELRANGE delete per transaction. */
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
        t.register(DELRANGE_SPEC, ExtensionCommands::delrange);
        t.register(DIGEST_SPEC, ExtensionCommands::digest);
    }

    /**
     * {@code RESPKV.DIGEST}: a SHA-256 (hex) of the whole data set, every database: each key's
     * metadata entry (type, expiry, version, size, a string's value) and, for a collection, every
     * element entry of its current version, in key order. Two servers with the same data (the
     * replicas of a Raft group, once they applied the same log) give the same digest; what each
     * keeps locally (retired versions not swept yet, the replica's own state) does not count.
     */
    static void digest(ExecutionContext ctx) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        io.respkv.api.Transaction txn = ctx.transaction();
        int databases = ctx.server().databases();
        for (int db = 0; db < databases; db++) {
            try (io.respkv.api.KvCursor metas = txn.scan(io.respkv.server.keyspace.KeyCodec.metaPrefix(db),
                    io.respkv.server.keyspace.KeyCodec.metaEnd(db), false)) {
                while (metas.next()) {
                    byte[] metaKey = metas.key().clone();
                    byte[] raw = metas.value();
                    digestEntry(sha, metaKey, raw);
                    io.respkv.server.keyspace.KeyMeta meta = io.respkv.server.keyspace.KeyMeta.decode(raw);
                    if (meta.type().isCollection()) {
                        byte[] prefix = io.respkv.server.keyspace.KeyCodec.elementPrefix(db,
                                io.respkv.server.keyspace.KeyCodec.userKeyOfMeta(metaKey), meta.version());
                        try (io.respkv.api.KvCursor elements = txn.scan(prefix,
                                io.respkv.server.keyspace.KeyCodec.prefixEnd(prefix), false)) {
                            while (elements.next()) {
                                digestEntry(sha, elements.key(), elements.value());
                            }
                        }
                    }
                }
            }
        }
        ctx.reply().bulk(java.util.HexFormat.of().formatHex(sha.digest()));
    }

    /** Length-prefixed, so that entry boundaries count. */
    private static void digestEntry(java.security.MessageDigest sha, byte[] key, byte[] value) {
        sha.update(java.nio.ByteBuffer.allocate(8).putInt(key.length).putInt(value.length).array());
        sha.update(key);
        sha.update(value);
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
        deleteInSteps(ctx, filter.from, filter.to, filter::matches, PDEL_SCAN);
    }

    /**
     * {@code DELRANGE start end}: deletes every key {@code k} of the selected database with
     * {@code start <= k < end} in byte order; replies the number of keys deleted ({@code 0} when
     * {@code start >= end}). Each key is deleted as DEL deletes it: its metadata and expiry-index
     * entries go, a collection's version is retired (the {@code VersionSweeper} reclaims its
     * elements with the engine's range delete), WATCH sees it modified and a {@code del} keyspace
     * event is reported. Outside MULTI it works in transactions of at most {@value #PDEL_BATCH}
     * deletions, as PDEL; inside MULTI/EXEC it is part of EXEC's one transaction.
     *
     * <p>The keys are visited, not range-deleted as metadata: a range delete of the metadata
     * entries would also remove a key another client created in the range after this command
     * looked at it, without retiring its version or telling its watchers (scans do not join a
     * transaction's read set, so nothing would conflict), leaking its elements for good.
     */
    static void delrange(ExecutionContext ctx) {
        byte[] start = ctx.arg(1);
        byte[] end = ctx.arg(2);
        if (Arrays.compareUnsigned(start, end) >= 0) {
            ctx.reply().integer(0);
            return;
        }
        deleteInSteps(ctx, start, end, key -> true, Long.MAX_VALUE);
    }

    /**
     * Deletes the live keys in {@code [from, to)} ({@code null}: unbounded) that {@code matches}
     * accepts and replies their number: in EXEC's transaction when executing MULTI/EXEC, else in
     * steps of their own transactions, each deleting at most {@value #PDEL_BATCH} keys and
     * looking at at most {@code maxScanned}, their keyspace events published as each commits.
     */
    private static void deleteInSteps(ExecutionContext ctx, byte[] from, byte[] to, Predicate<byte[]> matches,
                                      long maxScanned) {
        if (ctx.client().transaction().executing) {
            Step all = deleteMatching(ctx.keyspace(), from, to, matches, Long.MAX_VALUE, Long.MAX_VALUE);
            notifyDeleted(ctx, all);
            ctx.reply().integer(all.deleted);
            return;
        }
        long deleted = 0;
        byte[] next = from;
        try {
            while (true) {
                byte[] stepFrom = next;
                Step step = ctx.commitSeparately(ks -> deleteMatching(ks, stepFrom, to, matches, PDEL_BATCH, maxScanned));
                deleted += step.deleted;
                notifyDeleted(ctx, step);
                ctx.publishKeyspaceEventsNow(); // this batch has committed
                if (step.next == null) {
                    break;
                }
                next = step.next;
            }
        } catch (TransactionConflictException conflict) {
            // the batches committed so far stay deleted
            ctx.reply().error("ERR transaction conflict: too many concurrent updates, try again");
            return;
        }
        ctx.reply().integer(deleted);
    }

    /** What one PDEL or DELRANGE step deleted (the keys, if keyspace events are on), and the key the next step starts from (null: done). */
    private record Step(long deleted, List<byte[]> keys, byte[] next) {
    }

    /** A {@code del} keyspace event per key a step deleted, as DEL reports them. */
    private static void notifyDeleted(ExecutionContext ctx, Step step) {
        for (byte[] key : step.keys()) {
            ctx.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /**
     * Deletes the keys in {@code [from, to)} that {@code matches} accepts, at most
     * {@code maxDeletes}, looking at at most {@code maxScanned} keys; the scan finishes before
     * the first deletion.
     */
    private static Step deleteMatching(Keyspace ks, byte[] from, byte[] to, Predicate<byte[]> matches,
                                       long maxDeletes, long maxScanned) {
        List<byte[]> doomed = new ArrayList<>();
        byte[] next = null;
        long scanned = 0;
        try (Keyspace.KeyCursor c = ks.keys(from, to)) {
            while (c.next()) {
                byte[] key = c.key();
                if (doomed.size() == maxDeletes || scanned == maxScanned) {
                    next = key;
                    break;
                }
                scanned++;
                if (matches.test(key)) {
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
