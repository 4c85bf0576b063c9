package io.respkv.server.command;

import io.respkv.api.CommandFlag;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.TransactionConflictException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.WrongTypeException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Transactions (Redis's {@code multi.c}): MULTI, EXEC, DISCARD, WATCH, UNWATCH, and the two
 * hooks the dispatcher calls while a connection is in MULTI.
 *
 * <p>EXEC runs the queued commands in order inside EXEC's own engine transaction, so they
 * commit together or not at all and no other client sees part of them; if the commit
 * conflicts, the dispatcher runs EXEC again with its reply discarded, as it does for any
 * command. A queued command that fails at run time (WRONGTYPE, a bad value) replies its error
 * in EXEC's array and the others keep their effects, as in Redis. WATCH is in
 * {@link WatchRegistry}.
 *
 * <p>Where respkv differs: a queued command whose implementation failed after writing part of
 * its changes (an internal error, not a Redis error) keeps those writes, like the other queued
 * commands' (Redis would have crashed). And when EXEC's commit keeps conflicting until the
 * dispatcher gives up, EXEC replies the conflict error and the connection stays in MULTI with its
 * queue: EXEC may be sent again, or DISCARD.
 */
final class TransactionCommands {

    private static final Logger LOG = Logger.getLogger(TransactionCommands.class.getName());

    static final String EXEC_ABORT = "EXECABORT Transaction discarded because of previous errors.";
    static final String NESTED = "ERR MULTI calls can not be nested";
    static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";

    private TransactionCommands() {
    }

    static void register(CommandTable t) {
        t.register("multi", TransactionCommands::multi);
        t.register("exec", TransactionCommands::exec);
        t.register("discard", TransactionCommands::discard);
        t.register("watch", TransactionCommands::watch);
        t.register("unwatch", TransactionCommands::unwatch);
    }

    // ---- dispatcher hooks ----

    /**
     * Called by the dispatcher for a request that passed the existence, arity and auth checks:
     * inside MULTI, refuses a {@code no-multi} command or queues any command but EXEC, DISCARD,
     * MULTI, WATCH, QUIT and RESET (which run at once), replying {@code +QUEUED}. Returns whether
     * it replied (the request must not run now).
     */
    static boolean queueIfMulti(ClientConnection client, CommandEntry entry, RespRequest request,
                                RespReplyWriter reply) {
        TransactionState tx = client.transaction();
        if (!tx.inMulti()) {
            return false;
        }
        if (entry.spec().is(CommandFlag.NO_MULTI)) {
            entry.rejectedCalls.increment();
            tx.flagError();
            reply.error(NOT_IN_MULTI);
            return true;
        }
        switch (entry.name()) {
            case "exec", "discard", "multi", "watch", "quit", "reset" -> {
                return false;
            }
            default -> {
                tx.enqueue(entry, request.copy());
                client.lastCommandName(entry.name());
                reply.simple("QUEUED");
                return true;
            }
        }
    }

    /**
     * Called by the dispatcher instead of replying {@code error} to a request it refused before
     * running it (unknown command or subcommand, arity, authentication; {@code entry} null if
     * the command is unknown): inside MULTI this dooms the transaction (Redis's flagTransaction),
     * and a refused EXEC aborts it with {@code -EXECABORT Transaction discarded because of: ...}
     * (inside MULTI or not, as Redis's rejectCommand does).
     */
    static void reject(ClientConnection client, WatchRegistry watches, CommandEntry entry, String error,
                       RespReplyWriter reply) {
        TransactionState tx = client.transaction();
        tx.flagError();
        if (entry != null && entry.name().equals("exec")) {
            tx.discard(watches);
            // Redis prints the reason without the generic "ERR " code (other codes stay).
            String reason = error.startsWith("ERR ") ? error.substring(4) : error;
            reply.error("EXECABORT Transaction discarded because of: " + reason);
            return;
        }
        reply.error(error);
    }

    // ---- commands ----

    /** {@code MULTI}: starts queuing; OK. */
    static void multi(ExecutionContext ctx) {
        TransactionState tx = ctx.client().transaction();
        if (tx.inMulti()) {
            ctx.reply().error(NESTED);
            return;
        }
        tx.beginMulti();
        ctx.reply().ok();
    }

    /** {@code DISCARD}: drops the queue and every watch; OK. */
    static void discard(ExecutionContext ctx) {
        TransactionState tx = ctx.client().transaction();
        if (!tx.inMulti()) {
            ctx.reply().error(DISCARD_WITHOUT_MULTI);
            return;
        }
        tx.discard(ctx.server().watches());
        ctx.reply().ok();
    }

    /**
     * {@code WATCH key [key ...]}: EXEC will do nothing (and reply a null array) if a commit
     * modifies one of the keys, of the selected database, before it; OK. A key stored but past
     * its deadline is remembered as already expired: its removal does not count, only a write
     * that stores it again.
     */
    static void watch(ExecutionContext ctx) {
        TransactionState tx = ctx.client().transaction();
        if (tx.inMulti()) {
            ctx.reply().error(WATCH_IN_MULTI);
            return;
        }
        WatchRegistry registry = ctx.server().watches();
        int db = ctx.client().db();
        io.respkv.server.replication.Replication replication = ctx.replication();
        if (replication != null && tx.replicatedWatchIndex < 0) {
            try {
                replication.awaitReadable(io.respkv.api.ConsistencyLevel.LINEARIZABLE);
            } catch (io.respkv.server.replication.ReplicationUnavailableException unavailable) {
                ctx.reply().error(Errors.NO_REPLICAS);
                return;
            }
            tx.replicatedWatchIndex = replication.appliedIndex();
        }
        boolean added = false;
        Keyspace ks = null;
        for (int i = 1; i < ctx.argc(); i++) {
            byte[] key = ctx.arg(i);
            if (tx.watching(db, key)) {
                continue;
            }
            if (ks == null) {
                ks = ctx.keyspace();
            }
            WatchRegistry.Watched w = new WatchRegistry.Watched(tx, db, key, ks.isStoredExpired(key));
            registry.register(w);
            tx.addWatched(w);
            added = true;
        }
        if (added) {
            // A write that did not see these keys registered commits before WATCH replies: it
            // happened before the WATCH (see WatchRegistry).
            registry.awaitCommitsInFlight();
        }
        ctx.reply().ok();
    }

    /** {@code UNWATCH}: forgets every watched key; OK. */
    static void unwatch(ExecutionContext ctx) {
        TransactionState tx = ctx.client().transaction();
        if (!tx.executing) { // inside EXEC the keys are unwatched already (and kept for a retry)
            tx.unwatchAll(ctx.server().watches());
        }
        ctx.reply().ok();
    }

    /**
     * {@code EXEC}: runs the queued commands in one engine transaction and replies an array of
     * their replies; a null array if a watched key was modified (or has expired) since WATCH;
     * {@code -EXECABORT} if a command was refused while queuing. Leaves MULTI and unwatches
     * every key in every case.
     */
    static void exec(ExecutionContext ctx) {
        ClientConnection client = ctx.client();
        TransactionState tx = client.transaction();
        RespReplyWriter reply = ctx.reply();
        if (!tx.inMulti()) {
            reply.error(EXEC_WITHOUT_MULTI);
            return;
        }
        WatchRegistry registry = ctx.server().watches();
        if (tx.executing) {
            // a retry after a conflict: undo what the failed attempt's queue did to the connection
            client.db(tx.execDb);
            client.protocol(tx.execProtocol);
            reply.protocol(tx.execProtocol);
        } else {
            tx.execDb = client.db();
            tx.execProtocol = client.protocol();
        }
        // The failed-watch verdict reads the watched keys first and the marks after (see
        // WatchRegistry); a key watched live and now stored past its deadline fails EXEC
        // (Redis's isWatchedKeyExpired).
        boolean watchFailed = false;
        List<WatchRegistry.Watched> watched = tx.watched();
        if (!watched.isEmpty()) {
            Keyspace ks = ctx.keyspace();
            for (WatchRegistry.Watched w : watched) {
                if (!w.expired && ks.database(w.db).isStoredExpired(w.key)) {
                    watchFailed = true;
                }
            }
            for (WatchRegistry.Watched w : watched) {
                watchFailed |= w.touched;
            }
        }
        if (tx.aborted() || watchFailed) {
            if (tx.aborted()) {
                reply.error(EXEC_ABORT);
            } else {
                reply.nullArray();
            }
            ctx.afterCommit(() -> tx.discard(registry));
            return;
        }
        if (ctx.replication() != null) {
            execReplicated(ctx, tx, registry);
            return;
        }
        RespRequest execRequest = ctx.args();
        boolean denied = client.denyBlocking();
        tx.executing = true;
        client.denyBlocking(true); // blocking commands answer as on a timeout
        try {
            List<TransactionState.Queued> queue = tx.queue();
            reply.array(queue.size());
            for (TransactionState.Queued q : queue) {
                runQueued(ctx, q);
            }
        } catch (RuntimeException e) {
            if (!(e instanceof TransactionConflictException) && !(e instanceof EngineUnavailableException)) {
                tx.executing = false;
            }
            throw e; // a conflict runs EXEC again; an unavailable engine ends it (endUnavailable)
        } finally {
            client.denyBlocking(denied);
            ctx.args(execRequest);
        }
        ctx.afterCommit(() -> tx.discard(registry));
    }

    /**
     * EXEC under replication: the queue is one log entry, which every replica applies as EXEC
     * (in one engine transaction); the reply is the applying leader's. The checks above ran here,
     * on this connection's view (a watched key touched or expired here fails EXEC without an
     * entry); the entry carries the watched keys and the log index they were watched at, and
     * every replica fails it the same way if the log modified one of them after that index
     * ({@link ModificationLog}), whichever node's client wrote it.
     */
    private static void execReplicated(ExecutionContext ctx, TransactionState tx, WatchRegistry registry) {
        ClientConnection client = ctx.client();
        List<RespRequest> queued = new java.util.ArrayList<>(tx.queue().size());
        for (TransactionState.Queued q : tx.queue()) {
            queued.add(q.request());
        }
        queued = ScriptCommands.forLog(ctx.server(), queued);
        List<io.respkv.server.replication.ReplicatedEntry.WatchedKey> watched = new java.util.ArrayList<>();
        for (WatchRegistry.Watched w : tx.watched()) {
            watched.add(new io.respkv.server.replication.ReplicatedEntry.WatchedKey(w.db, w.key, w.expired));
        }
        try {
            byte[] replied = ctx.replication().submit(io.respkv.server.replication.ReplicatedEntry.transaction(
                    client.protocol(), client.db(), queued, tx.replicatedWatchIndex, watched));
            ctx.reply().target().writeBytes(replied);
        } catch (io.respkv.server.replication.ReplicationUnavailableException unavailable) {
            ctx.reply().error(Errors.NO_REPLICAS);
        }
        ctx.afterCommit(() -> tx.discard(registry));
    }

    /**
     * After this connection's command failed because the engine is unavailable: if it was EXEC
     * (it failed while running its queue or at the commit), the MULTI transaction ends as EXEC
     * always ends it (queue dropped, keys unwatched), with the connection's database and protocol
     * as they were before EXEC, since none of the queue's effects happened.
     */
    static void endUnavailable(ClientConnection client, WatchRegistry registry, RespReplyWriter reply) {
        TransactionState tx = client.transaction();
        if (tx.inMulti() && tx.executing) {
            client.db(tx.execDb);
            client.protocol(tx.execProtocol);
            reply.protocol(tx.execProtocol);
            tx.discard(registry);
        }
    }

    /**
     * Redis checks the ACL again at EXEC, in case the rules changed since the command was
     * queued: false after replying Redis's error for it (and logging the denial).
     */
    private static boolean permittedAtExec(ExecutionContext ctx, CommandEntry entry, RespRequest request) {
        int[] idx = new int[1];
        ClientConnection client = ctx.client();
        int denial = ctx.server().acl().check(client.aclUser().rules(), entry.name(), entry.spec(), request, 0, idx);
        if (denial == io.respkv.server.acl.Acl.OK) {
            return true;
        }
        String reason = switch (denial) {
            case io.respkv.server.acl.Acl.DENIED_CMD -> "no permission to execute the command or subcommand";
            case io.respkv.server.acl.Acl.DENIED_KEY -> "no permission to touch the specified keys";
            default -> "no permission for the used channels";
        };
        byte[] object = denial == io.respkv.server.acl.Acl.DENIED_CMD
                ? entry.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII) : request.bytes(idx[0]);
        AclDenials.log(ctx.server(), client, AclDenials.reason(denial), object, client.user(), ctx.nowMillis(), "exec");
        ctx.reply().error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
                + "call. This command is no longer allowed for the following reason: " + reason);
        return false;
    }

    /** Runs one queued command of EXEC, its reply (or its error) going into EXEC's array. */
    private static void runQueued(ExecutionContext ctx, TransactionState.Queued q) {
        RespReplyWriter reply = ctx.reply();
        ClientConnection client = ctx.client();
        reply.protocol(client.protocol()); // a queued HELLO changes the protocol of what follows
        ctx.args(q.request());
        CommandEntry entry = q.entry();
        int mark = reply.target().writerIndex();
        long start = System.nanoTime();
        if (!client.aclUser().rules().unrestricted() && !permittedAtExec(ctx, entry, q.request())) {
            return;
        }
        try {
            entry.command().execute(ctx);
        } catch (WrongTypeException wrongType) {
            reply.target().writerIndex(mark);
            reply.error(Errors.WRONG_TYPE);
        } catch (TransactionConflictException conflict) {
            throw conflict; // the whole EXEC runs again
        } catch (EngineUnavailableException unavailable) {
            throw unavailable; // nothing can commit: EXEC fails as a whole
        } catch (RuntimeException e) {
            reply.target().writerIndex(mark);
            LOG.log(Level.WARNING, "command " + entry.name() + " failed inside EXEC", e);
            reply.error(Errors.INTERNAL + ": " + e);
        }
        entry.calls.increment();
        entry.micros.add((System.nanoTime() - start) / 1_000);
        if (reply.target().writerIndex() > mark && reply.target().getByte(mark) == '-') {
            entry.failedCalls.increment();
            ctx.server().errorReplies.increment();
        }
        if (entry.spec().isWrite()) {
            // clients blocked on these keys look again once EXEC commits
            int db = client.db();
            RespRequest args = q.request();
            for (int i : entry.spec().keyIndexes(args.count())) {
                ctx.signalKeyReady(db, args.bytes(i));
            }
        }
    }
}
