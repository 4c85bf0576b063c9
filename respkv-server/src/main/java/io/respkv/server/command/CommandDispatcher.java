package io.respkv.server.command;

import io.respkv.api.CommandSpec;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.TransactionConflictException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.acl.Acl;
import io.respkv.server.keyspace.WrongTypeException;
import io.respkv.server.replication.Replication;
import io.respkv.server.replication.ReplicatedEntry;
import io.respkv.server.replication.ReplicationUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one connection's requests through the command table, in Redis's order of checks:
 * existence, arity, authentication; then executes the command inside an engine transaction,
 * retrying the whole command (with its reply discarded) when the commit conflicts.
 */
public final class CommandDispatcher {

    private static final Logger LOG = Logger.getLogger(CommandDispatcher.class.getName());

    private final ServerState server;
    private final CommandTable table;
    private final ClientConnection client;
    private final RespReplyWriter reply;
    private final ExecutionContext ctx;
    /**
     * The replication commands go through (see {@link Replication}); null without one, and for
     * the {@link ReplicaApplier}'s dispatcher, which applies what the log ordered.
     */
    private final Replication replication;
    /** Applying a log entry: its stamped time, seed and log position (see {@link #applyReplicated}). */
    private long stampedNow;
    private long stampedSeed;
    private long appliedIndex = -1;

    public CommandDispatcher(ServerState server, ClientConnection client, RespReplyWriter reply) {
        this(server, client, reply, server.replication());
    }

    /** A dispatcher that applies replicated entries: runs everything locally, at the stamped time. */
    static CommandDispatcher forReplica(ServerState server, ClientConnection client, RespReplyWriter reply) {
        CommandDispatcher d = new CommandDispatcher(server, client, reply, null);
        d.applying = true;
        return d;
    }

    /** This dispatcher applies the replicated log (see {@link #forReplica}). */
    private boolean applying;

    private CommandDispatcher(ServerState server, ClientConnection client, RespReplyWriter reply,
                              Replication replication) {
        this.server = server;
        this.table = server.commands();
        this.client = client;
        this.reply = reply;
        this.replication = replication;
        this.ctx = new ExecutionContext(server, client, reply, false, replication);
    }

    /**
     * Runs {@code request} as the log entry at {@code position} (see {@link ReplicaApplier}) with
     * the leader's stamped time and seed (a replica applying it; retries after a conflict use the
     * same stamp, so every replica computes the same result). The position is recorded in the
     * command's transaction.
     */
    void applyReplicated(RespRequest request, long nowMillis, long seed, long position) {
        stampedNow = nowMillis;
        stampedSeed = seed;
        appliedIndex = position;
        try {
            dispatch(request);
        } finally {
            appliedIndex = -1;
        }
    }

    /**
     * Applies a replicated ACL LOAD ({@link ReplicatedEntry#aclLoad}) as the log entry at
     * {@code position}: every replica loads the content the node that ran it read from its file.
     */
    void applyAclLoad(String path, String text, long nowMillis, long seed, long position) {
        ctx.reset(RespRequest.of("ACL", "LOAD"), nowMillis, seed);
        ctx.appliedIndex(position);
        try {
            AclCommands.loadText(ctx, text, path);
            ctx.commit();
        } catch (RuntimeException e) {
            ctx.rollback();
            throw e;
        }
    }

    /** Whether replies written since the last call must wait for the engine's group sync; clears it. */
    public boolean takeSyncPending() {
        return ctx.takeSyncPending();
    }

    /** How many key changes the commits behind {@link #takeSyncPending} made; clears it. */
    public int takeKeysChangedForSync() {
        return ctx.takeKeysChangedForSync();
    }

    /** Executes {@code request}, writing exactly one reply. */
    public void dispatch(RespRequest request) {
        server.totalCommands.increment();
        CommandEntry entry = table.lookup(request, 0);
        if (entry == null) {
            reject(null, unknownCommand(request));
            return;
        }
        if (entry.isContainer() && request.count() >= 2) {
            CommandEntry sub = table.lookupSubcommand(entry, request);
            if (sub == null) {
                reject(entry, "ERR unknown subcommand '" + printable(request.string(1), 128) + "'. Try "
                        + entry.name().toUpperCase(Locale.ROOT) + " HELP.");
                return;
            }
            entry = sub;
        }
        CommandSpec spec = entry.spec();
        if (!spec.arityAccepts(request.count()) || !entry.isExecutable()) {
            entry.rejectedCalls.increment();
            reject(entry, Errors.arity(spec.name()));
            return;
        }
        if (!client.authenticated() && !spec.is(io.respkv.api.CommandFlag.NO_AUTH) && server.acl().authRequired()) {
            entry.rejectedCalls.increment();
            reject(entry, Errors.NOAUTH);
            return;
        }
        io.respkv.server.acl.AclRules rules = client.aclUser().rules();
        if (!rules.unrestricted() && !applying && !permitted(rules, entry, request)) {
            return;
        }
        if (PubSubCommands.refusedWhileSubscribed(client, entry)) {
            entry.rejectedCalls.increment();
            reject(entry, PubSubCommands.notAllowed(spec.name()));
            return;
        }
        if (!applying && !spec.is(io.respkv.api.CommandFlag.ALLOW_BUSY)) {
            io.respkv.server.script.ScriptRun busy = server.scripts().busyRun();
            if (busy != null) {
                entry.rejectedCalls.increment();
                reject(entry, busy.function() ? Errors.BUSY_FUNCTION : Errors.BUSY_SCRIPT);
                return;
            }
        }
        if (TransactionCommands.queueIfMulti(client, entry, request, reply)) {
            return;
        }
        if (replication != null) {
            if (entry.replicated()) { // (EXEC decides inside, see TransactionCommands: its queue is one entry)
                submit(entry, request);
                return;
            }
            if (spec.is(io.respkv.api.CommandFlag.READONLY) && !awaitReadable(entry)) {
                return;
            }
        }
        execute(entry, request);
    }

    /**
     * The ACL check of a restricted user (Redis's {@code ACLCheckAllPerm} in processCommand):
     * false after replying NOPERM and logging the denial. A NO_MULTI command inside MULTI is
     * left to the MULTI check, which Redis runs first.
     */
    private boolean permitted(io.respkv.server.acl.AclRules rules, CommandEntry entry, RespRequest request) {
        if (client.transaction().inMulti() && entry.spec().is(io.respkv.api.CommandFlag.NO_MULTI)) {
            return true;
        }
        int[] idx = new int[1];
        int denial = server.acl().check(rules, entry.name(), entry.spec(), request, 0, idx);
        if (denial == io.respkv.server.acl.Acl.OK) {
            return true;
        }
        byte[] object = denial == io.respkv.server.acl.Acl.DENIED_CMD
                ? entry.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII) : request.bytes(idx[0]);
        long now = System.currentTimeMillis();
        AclDenials.log(server, client, AclDenials.reason(denial), object, client.user(), now, entry.name());
        entry.rejectedCalls.increment();
        reject(entry, Acl.deniedError(denial, entry.name()));
        return false;
    }

    /**
     * A write under replication: one log entry, the applying leader's reply. A blocking command
     * that found nothing blocks the client here (see {@link ReplicatedWaiter}).
     */
    private void submit(CommandEntry entry, RespRequest request) {
        long start = System.nanoTime();
        request = ScriptCommands.forLog(server, request);
        if (request == null) { // EVALSHA of a script this node does not have
            entry.calls.increment();
            entry.failedCalls.increment();
            server.errorReplies.increment();
            reply.error(ScriptCommands.NOSCRIPT);
            client.lastCommandName(entry.name());
            return;
        }
        try {
            byte[] replied = replication.submit(ReplicatedEntry.command(client.protocol(), client.db(), request));
            if (io.respkv.server.replication.WouldBlock.is(replied)) {
                io.respkv.server.replication.WouldBlock wait = io.respkv.server.replication.WouldBlock.decode(replied);
                server.blocking().block(client, new BlockingKeys.Request(wait.keys(), wait.timeoutMillis(),
                        new ReplicatedWaiter(replication, io.respkv.server.keyspace.RedisType.ofCode((byte) wait.typeCode()),
                                request.copy())));
            } else {
                reply.target().writeBytes(replied);
            }
        } catch (ReplicationUnavailableException unavailable) {
            entry.failedCalls.increment();
            server.errorReplies.increment();
            reply.error(Errors.NO_REPLICAS);
        }
        entry.calls.increment();
        entry.micros.add((System.nanoTime() - start) / 1_000);
        client.lastCommandName(entry.name());
    }

    /** A read under replication: waits until the local state is fresh enough; false if it replied an error. */
    private boolean awaitReadable(CommandEntry entry) {
        try {
            replication.awaitReadable(client.consistency());
            return true;
        } catch (ReplicationUnavailableException unavailable) {
            entry.rejectedCalls.increment();
            reject(entry, Errors.NO_REPLICAS);
            return false;
        }
    }

    /** Most requests {@link #dispatchBatch} runs together. */
    public static final int MAX_BATCH = 64;

    /**
     * Whether {@code request} may run together with the requests before it in this connection's
     * pipeline ({@link #dispatchBatch}): a plain SET on a blocking engine
     * ({@link #batchableSet}), or, under replication, a write that one log entry may carry with
     * others ({@link #batchableWrite}).
     */
    public boolean batchable(RespRequest request) {
        return replication != null ? batchableWrite(request) : batchableSet(request);
    }

    /**
     * Runs consecutive {@link #batchable} requests: under replication as one log entry
     * ({@link #submitBatch}), otherwise as one engine transaction ({@link #dispatchSets}).
     */
    public void dispatchBatch(List<RespRequest> requests) {
        if (replication != null) {
            submitBatch(requests);
        } else {
            dispatchSets(requests);
        }
    }

    /**
     * Under replication: whether {@code request} is a write that can share a log entry with the
     * writes around it: a known command with a valid arity from an authenticated client, outside
     * MULTI and subscribed mode, not blocking, not refused inside MULTI, no EXEC. Anything else
     * goes through {@link #dispatch} alone (with its own checks and errors).
     */
    private boolean batchableWrite(RespRequest request) {
        if (!client.authenticated() || !client.aclUser().rules().unrestricted() || client.transaction().inMulti()
                || client.subscriber().active()) {
            return false;
        }
        CommandEntry entry = table.lookup(request, 0);
        if (entry == null || entry.isContainer()) {
            return false;
        }
        CommandSpec spec = entry.spec();
        return entry.replicated() && spec.arityAccepts(request.count()) && entry.isExecutable()
                && !spec.is(io.respkv.api.CommandFlag.BLOCKING) && !spec.is(io.respkv.api.CommandFlag.NO_MULTI);
    }

    /**
     * Consecutive writes of one pipeline under replication ({@link #batchableWrite}): one log
     * entry, applied on every replica as a MULTI/EXEC of them (so atomically, one of the orders
     * sending them one by one could show); the client gets each command's reply, as if sent
     * alone (EXEC's array, without its header).
     */
    private void submitBatch(List<RespRequest> requests) {
        if (requests.size() == 1) {
            dispatch(requests.get(0));
            return;
        }
        long start = System.nanoTime();
        CommandEntry first = table.lookup(requests.get(0), 0);
        server.totalCommands.add(requests.size());
        try {
            byte[] replied = replication.submit(ReplicatedEntry.transaction(client.protocol(), client.db(),
                    ScriptCommands.forLog(server, requests), -1, List.of()));
            int header = arrayHeaderLength(replied, requests.size());
            if (header < 0) {
                LOG.warning("a replicated batch of " + requests.size() + " commands got no array of replies");
                for (int i = 0; i < requests.size(); i++) {
                    reply.error(Errors.INTERNAL + ": replicated batch failed");
                }
            } else {
                reply.target().writeBytes(replied, header, replied.length - header);
            }
        } catch (ReplicationUnavailableException unavailable) {
            for (int i = 0; i < requests.size(); i++) {
                reply.error(Errors.NO_REPLICAS);
            }
            server.errorReplies.add(requests.size());
        }
        for (RespRequest r : requests) {
            CommandEntry entry = table.lookup(r, 0);
            entry.calls.increment();
        }
        first.micros.add((System.nanoTime() - start) / 1_000);
        client.lastCommandName(table.lookup(requests.get(requests.size() - 1), 0).name());
    }

    /** The length of the {@code *n\r\n} header EXEC's reply of {@code n} commands starts with; -1 if it does not. */
    private static int arrayHeaderLength(byte[] execReply, int n) {
        byte[] expected = ("*" + n + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (execReply.length < expected.length || !java.util.Arrays.equals(execReply, 0, expected.length, expected, 0, expected.length)) {
            return -1;
        }
        return expected.length;
    }

    /**
     * Whether {@code request} is a plain {@code SET key value} that may join other such SETs of
     * this connection's pipeline in one engine transaction ({@link #dispatchSets}): no options,
     * the client authenticated, not in MULTI, not in RESP2 subscribed mode, and no keyspace
     * notifications to interleave with the replies.
     */
    public boolean batchableSet(RespRequest request) {
        return replication == null && !applying
                && request.count() == 3 && request.length(0) == 3 && request.is(0, "set") && client.authenticated()
                && client.aclUser().rules().unrestricted()
                && !client.transaction().inMulti() && !client.subscriber().active()
                && server.pubsub().notifyFlags() == 0;
    }

    /**
     * Runs consecutive plain SETs of one pipeline (each {@link #batchableSet}) as one engine
     * transaction, so that an engine where a commit is a network round trip and a WAL flush
     * (PostgreSQL) commits them with one. The replies are those of running them one by one (each
     * {@code +OK}); other clients see them all at once, which is one of the orders running them
     * one by one could have shown. If the transaction conflicts or fails, nothing of it stays and
     * the SETs run one by one as usual (with their own retries and errors).
     */
    public void dispatchSets(List<RespRequest> sets) {
        if (sets.size() == 1) {
            dispatch(sets.get(0));
            return;
        }
        CommandEntry entry = table.lookup(sets.get(0), 0);
        long start = System.nanoTime();
        int mark = reply.target().writerIndex();
        ctx.reset(sets.get(0), System.currentTimeMillis(), ThreadLocalRandom.current().nextLong());
        try {
            for (RespRequest set : sets) {
                ctx.args(set);
                entry.command().execute(ctx);
            }
            ctx.commit();
        } catch (RuntimeException failed) {
            ctx.rollback();
            reply.target().writerIndex(mark);
            for (RespRequest set : sets) {
                dispatch(set);
            }
            return;
        }
        server.totalCommands.add(sets.size());
        entry.calls.add(sets.size());
        entry.micros.add((System.nanoTime() - start) / 1_000);
        for (RespRequest set : sets) {
            afterCommit(entry.spec(), set);
        }
        client.lastCommandName(entry.name());
    }

    /** Replies {@code error} to a request refused before running (inside MULTI this dooms EXEC). */
    private void reject(CommandEntry entry, String error) {
        TransactionCommands.reject(client, server.watches(), entry, error, reply);
    }

    private void execute(CommandEntry entry, RespRequest request) {
        long start = System.nanoTime();
        int mark = reply.target().writerIndex();
        boolean committed = false;
        for (int attempt = 0; ; attempt++) {
            if (appliedIndex < 0) {
                ctx.reset(request, System.currentTimeMillis(), ThreadLocalRandom.current().nextLong());
            } else {
                ctx.reset(request, stampedNow, stampedSeed);
                ctx.appliedIndex(appliedIndex);
            }
            ctx.readConsistency(readOnly(entry.spec()) ? client.consistency() : null);
            try {
                entry.command().execute(ctx);
                ctx.commit();
                committed = true;
                break;
            } catch (TransactionConflictException conflict) {
                ctx.rollback();
                reply.target().writerIndex(mark);
                if (attempt + 1 >= KeyspaceEngine.MAX_TRANSACTION_ATTEMPTS) {
                    reply.error("ERR transaction conflict: too many concurrent updates, try again");
                    break;
                }
                TransactionConflictException.backoff(attempt);
            } catch (WrongTypeException wrongType) {
                ctx.rollback();
                reply.target().writerIndex(mark);
                reply.error(Errors.WRONG_TYPE);
                break;
            } catch (EngineUnavailableException unavailable) {
                // expected while the store is down: every command says so, none logs a stack trace
                ctx.rollback();
                reply.target().writerIndex(mark);
                LOG.log(Level.FINE, "command " + entry.name() + " failed: engine unavailable", unavailable);
                TransactionCommands.endUnavailable(client, server.watches(), reply);
                reply.error(Errors.ENGINE_UNAVAILABLE + ": " + unavailable.getMessage());
                break;
            } catch (RuntimeException e) {
                ctx.rollback();
                reply.target().writerIndex(mark);
                LOG.log(Level.WARNING, "command " + entry.name() + " failed", e);
                reply.error(Errors.INTERNAL + ": " + e);
                break;
            }
        }
        if (committed) {
            afterCommit(entry.spec(), request);
        }
        entry.calls.increment();
        entry.micros.add((System.nanoTime() - start) / 1_000);
        if (reply.target().writerIndex() > mark && reply.target().getByte(mark) == '-') {
            entry.failedCalls.increment();
            server.errorReplies.increment();
        }
        client.lastCommandName(entry.name());
    }

    /**
     * Blocking commands: blocks the client if the command asked to; otherwise, if any client is
     * blocked, signals the keys this write touched (its spec's key arguments and what it named
     * with {@link ExecutionContext#signalKeyReady}) so their waiters are served now, before this
     * connection's next request (see {@link BlockingKeys}); on a store shared with other
     * instances, also signals them to the instances whose clients wait on them
     * ({@link RemoteWakeups}). With nobody blocked anywhere this is two volatile reads.
     */
    private void afterCommit(CommandSpec spec, RespRequest request) {
        BlockingKeys.Request block = ctx.blockRequest();
        BlockingKeys blocking = server.blocking();
        if (block != null) {
            if (applying) {
                // a replica does not block: the node of the client that sent it does (see submit)
                reply.target().writeBytes(new io.respkv.server.replication.WouldBlock(block.timeoutMillis(),
                        block.command().consumes().code(), block.keys()).encode());
            } else {
                blocking.block(client, block);
            }
            return;
        }
        RemoteWakeups remote = server.remoteWakeups();
        boolean local = blocking.hasWaiters();
        boolean others = remote != null && remote.othersWaiting();
        if (!local && !others) {
            return;
        }
        List<BlockingKeys.WaitKey> ready = new ArrayList<>();
        if (ctx.readyKeys() != null) {
            ready.addAll(ctx.readyKeys());
        }
        if (spec.isWrite()) {
            int db = client.db();
            for (int i : spec.keyIndexes(request.count())) {
                ready.add(new BlockingKeys.WaitKey(db, request.bytes(i)));
            }
        }
        if (!ready.isEmpty()) {
            if (local && applying) {
                // waiters here submit their command again, which this thread (the log's) applies
                server.commandThreads().execute(() -> blocking.serve(ready));
            } else if (local) {
                blocking.serve(ready);
            }
            if (others) {
                remote.signal(ready); // clients blocked on these keys on other instances
            }
        }
    }

    /**
     * Whether a command only reads data: Redis's {@code readonly} flag (GET, HGETALL, SCAN...).
     * Commands without {@code write} that are not {@code readonly} either (EXEC, WATCH, MULTI,
     * PUBLISH...) may commit writes or must see the primary's versions, so they never get a
     * stale transaction.
     */
    static boolean readOnly(CommandSpec spec) {
        return spec.is(io.respkv.api.CommandFlag.READONLY) && !spec.isWrite();
    }

    /** Redis's unknown-command line: the name and up to 128 characters of the arguments, quoted. */
    static String unknownCommand(RespRequest request) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < request.count() && args.length() < 128; i++) {
            String a = cString(request.string(i));
            int room = 128 - args.length();
            args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
        }
        return "ERR unknown command '" + printable(request.string(0), 128) + "', with args beginning with: " + args;
    }

    /** As C's {@code %.<max>s} prints it: up to the first NUL, at most {@code max} characters. */
    private static String printable(String s, int max) {
        s = cString(s);
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The string up to its first NUL byte, as a C string. */
    private static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
