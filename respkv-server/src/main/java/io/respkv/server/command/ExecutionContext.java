package io.respkv.server.command;

import io.netty.buffer.ByteBuf;
import io.respkv.api.CommandContext;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Transaction;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.keyspace.KeyChanges;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.pubsub.PubSubRegistry;
import io.respkv.server.pubsub.Publication;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * What a built-in command sees while it runs: its arguments, the reply writer, the connection,
 * the server, and the data layer inside this execution's engine transaction.
 *
 * <p>One instance per connection, reset before each command. The engine transaction is opened
 * on first use of {@link #keyspace()} and committed by the dispatcher after the command returns;
 * if the commit conflicts, the dispatcher discards the reply written so far and runs the command
 * again, so a command must have no effect outside the transaction and its reply.
 */
public final class ExecutionContext implements CommandContext {

    private final ServerState server;
    private final ClientConnection client;
    private final RespReplyWriter reply;
    private RespRequest args;
    private long now;
    private long seed;
    private RandomGenerator random;
    private Transaction txn;
    /** For a read-only command: the consistency its transaction asks of the engine; null for others. */
    private io.respkv.api.ConsistencyLevel readConsistency;
    /** {@link #args(RespRequest)} switched commands: this execution runs several (EXEC, a script, a batch). */
    private boolean severalCommands;
    /** A commit of this connection waits for the engine's group sync before its reply may go out. */
    private boolean syncPending;
    /** Keys the commits behind {@link #syncPending} changed. */
    private int keysChangedForSync;
    private Keyspace keyspace;
    /** Set by {@link #block}: the dispatcher blocks the client after the commit. */
    private BlockingKeys.Request blockRequest;
    /** Keys {@link #signalKeyReady} named in this execution; null until the first. */
    private java.util.List<BlockingKeys.WaitKey> readyKeys;
    /** Whether this context completes a blocked command (see {@link BlockingKeys}). */
    private final boolean serving;
    /** See {@link #replication()}. */
    private final io.respkv.server.replication.Replication replication;
    /** The log entry this execution applies, or -1 (see {@link #appliedIndex(long)}). */
    private long appliedIndex = -1;
    /** A command changed the ACL users while applying the log: the commit stores them (see {@link #usersChanged}). */
    private boolean usersChanged;
    /** The keys this execution's transaction changed, for WATCH (see {@link WatchRegistry}). */
    private final KeyChanges changes = new KeyChanges();
    /** What runs once this execution has committed (EXEC ending the transaction); null if nothing. */
    private java.util.List<Runnable> afterCommit;
    /** Keyspace notifications of the open transaction, published once it commits; null until the first. */
    private java.util.List<PubSubRegistry.KeyspaceEvent> events;
    /** Where this command's reply starts, and how many bytes of its own pub/sub messages precede it. */
    private int replyMark;
    private int ownPushed;
    /** Reports key creations and expired removals of the data layer as keyspace events. */
    private final Keyspace.Listener keyEvents = new Keyspace.Listener() {
        @Override
        public void created(int db, byte[] key) {
            notifyKeyspaceEvent(KeyspaceEvents.NEW, "new", key, db);
        }

        @Override
        public void expired(int db, byte[] key) {
            notifyKeyspaceEvent(KeyspaceEvents.EXPIRED, "expired", key, db);
        }
    };

    public ExecutionContext(ServerState server, ClientConnection client, RespReplyWriter reply) {
        this(server, client, reply, false);
    }

    ExecutionContext(ServerState server, ClientConnection client, RespReplyWriter reply, boolean serving) {
        this(server, client, reply, serving, null);
    }

    ExecutionContext(ServerState server, ClientConnection client, RespReplyWriter reply, boolean serving,
                     io.respkv.server.replication.Replication replication) {
        this.server = server;
        this.client = client;
        this.reply = reply;
        this.serving = serving;
        this.replication = replication;
    }

    /**
     * The replication this connection's writes go through, or null: without one, and while a
     * replica applies the log (then everything runs here).
     */
    io.respkv.server.replication.Replication replication() {
        return replication;
    }

    /**
     * This execution applies the replicated log's entry at {@code position}: its commit records
     * the position in the same engine transaction ({@link ReplicaApplier}), so after a restart
     * the replica knows which entries its engine already holds.
     */
    void appliedIndex(long position) {
        this.appliedIndex = position;
    }

    /** Whether this execution applies an entry of the replicated log (on any node, the leader too). */
    boolean applyingLog() {
        return appliedIndex >= 0;
    }

    void reset(RespRequest request, long nowMillis, long randomSeed) {
        this.args = request;
        this.now = nowMillis;
        this.seed = randomSeed;
        this.random = null;
        this.txn = null;
        this.readConsistency = null;
        this.severalCommands = false;
        this.keyspace = null;
        this.blockRequest = null;
        this.readyKeys = null;
        this.replyMark = reply.target() == null ? 0 : reply.target().writerIndex();
        this.ownPushed = 0;
        this.afterCommit = null;
        this.appliedIndex = -1;
        this.usersChanged = false;
        this.changes.clear();
    }

    /**
     * Called by a command that changed the ACL users (ACL SETUSER, DELUSER, LOAD). Applying the
     * replicated log, the commit then stores every user with the entry's position
     * ({@link ReplicaApplier#recordUsers}), so a restarted replica has the users of the log
     * position its engine holds; otherwise nothing.
     */
    void usersChanged() {
        if (appliedIndex >= 0) {
            usersChanged = true;
            transaction(); // (a commit without a transaction records nothing)
        }
    }

    /** Switches the arguments to a queued command's (EXEC runs its queue in one execution). */
    void args(RespRequest request) {
        this.args = request;
        this.severalCommands = true;
    }

    @Override
    public RespRequest args() {
        return args;
    }

    @Override
    public RespReplyWriter reply() {
        return reply;
    }

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public RandomGenerator random() {
        if (random == null) {
            random = new SplittableRandom(seed);
        }
        return random;
    }

    @Override
    public KeyspaceEngine engine() {
        return server.engine();
    }

    public ServerState server() {
        return server;
    }

    public ClientConnection client() {
        return client;
    }

    /** {@code SET key value} in this command's transaction (for engine commands, see {@link CommandContext#setString}). */
    @Override
    public void setString(byte[] key, byte[] value) {
        keyspace().putString(key, value, io.respkv.server.keyspace.KeyMeta.NO_EXPIRY);
        notifyKeyspaceEvent(io.respkv.server.pubsub.KeyspaceEvents.STRING, "set", key);
    }

    /** The selected database of this connection, inside this execution's transaction. */
    public Keyspace keyspace() {
        int db = client.db();
        if (keyspace == null) {
            keyspace = new Keyspace(transaction(), db, now, changes).sampledSets(server.sampledSets)
                    .unreadWrites(server.unreadWrites).lockingReads(server.lockingReads);
            if (KeyspaceEvents.enabled(server.pubsub().notifyFlags(), KeyspaceEvents.NEW | KeyspaceEvents.EXPIRED)) {
                keyspace.listener(keyEvents);
            }
        } else if (keyspace.db() != db) {
            keyspace = keyspace.database(db); // SELECT inside EXEC: same transaction, other database
        }
        return keyspace;
    }

    /** This execution's engine transaction, opened on first use. */
    public Transaction transaction() {
        if (txn == null) {
            txn = beginCommand();
        }
        return txn;
    }

    /**
     * Marks this execution as a read-only command's at {@code level} (null: not read-only): its
     * transaction is then {@link KeyspaceEngine#beginRead} at that level. Set by the dispatcher
     * after {@link #reset}.
     */
    void readConsistency(io.respkv.api.ConsistencyLevel level) {
        this.readConsistency = level;
    }

    /**
     * Whether this execution runs one read-only command alone (not inside EXEC, a script or a
     * batch), so a command that reads one key and nothing else may read it as its transaction's
     * only operation ({@link Keyspace#soleMeta}, {@link Transaction#getSole}).
     */
    public boolean soleReadOnlyCommand() {
        return readConsistency != null && !severalCommands;
    }

    /** A command's engine transaction: its commit waits for the group sync when the engine has one. */
    private Transaction beginCommand() {
        if (readConsistency != null) {
            return server.engine().beginRead(readConsistency);
        }
        return server.groupCommit() ? server.engine().beginDeferringSync() : server.engine().begin();
    }

    /**
     * Commits the transaction if one was opened (telling WATCH which keys it changed, see
     * {@link WatchRegistry}), then runs what {@link #afterCommit} registered.
     */
    void commit() {
        Transaction t = txn;
        if (t != null) {
            Keyspace ks = keyspace;
            txn = null;
            keyspace = null;
            try {
                if (appliedIndex >= 0) {
                    ReplicaApplier.recordApplied(t, appliedIndex);
                    if (usersChanged) {
                        ReplicaApplier.recordUsers(t, server.acl());
                    }
                }
                TransactionState own = client.transaction();
                server.watches().commit(t, changes, own.executing ? own : null);
                committedForSync(changes.size());
            } finally {
                t.close();
                changes.clear();
            }
            if (ks != null) {
                server.expiredKeys.add(ks.expiredRemoved()); // stale entries writes removed
            }
        }
        if (events != null) {
            publishKeyspaceEvents();
        }
        java.util.List<Runnable> hooks = afterCommit;
        if (hooks != null) {
            afterCommit = null;
            hooks.forEach(Runnable::run);
        }
    }

    /** Discards the transaction if one was opened. */
    void rollback() {
        events = null;
        usersChanged = false;
        Transaction t = txn;
        afterCommit = null;
        changes.clear();
        if (t != null) {
            txn = null;
            keyspace = null;
            t.close();
        }
    }

    /**
     * Runs {@code action} once this execution has committed, and not if it is rolled back (a
     * conflict runs the command again, which registers it again): for changes to the connection
     * that must not happen unless the command's data changes do (EXEC leaving MULTI).
     */
    void afterCommit(Runnable action) {
        if (afterCommit == null) {
            afterCommit = new java.util.ArrayList<>(1);
        }
        afterCommit.add(action);
    }

    /**
     * Runs {@code body} on the selected database in an engine transaction of its own, committed
     * before this returns, apart from this execution's transaction (retried from scratch on a
     * conflict, up to {@link KeyspaceEngine#MAX_TRANSACTION_ATTEMPTS} attempts, then the
     * {@link io.respkv.api.TransactionConflictException} propagates). For commands that work
     * through unbounded data in bounded steps, each step its own transaction (PDEL). The commit
     * counts for WATCH like any other, and this command's reply waits for its group sync.
     */
    public <T> T commitSeparately(java.util.function.Function<Keyspace, T> body) {
        KeyChanges own = new KeyChanges();
        for (int attempt = 0; ; attempt++) {
            own.clear();
            Transaction t = beginCommand();
            try {
                Keyspace ks = new Keyspace(t, client.db(), now, own).unreadWrites(server.unreadWrites)
                        .lockingReads(server.lockingReads);
                T result = body.apply(ks);
                server.watches().commit(t, own, null);
                committedForSync(own.size());
                server.expiredKeys.add(ks.expiredRemoved());
                return result;
            } catch (io.respkv.api.TransactionConflictException conflict) {
                if (attempt + 1 >= KeyspaceEngine.MAX_TRANSACTION_ATTEMPTS) {
                    throw conflict;
                }
                io.respkv.api.TransactionConflictException.backoff(attempt);
            } finally {
                t.close();
            }
        }
    }

    // ---- pub/sub and keyspace notifications ----

    /**
     * Reports a keyspace event on {@code key} of the client's database (Redis's
     * {@code notifyKeyspaceEvent}): {@code type} is its class ({@link KeyspaceEvents#STRING}...),
     * {@code event} its name ({@code "set"}, {@code "lpush"}...). It is published once this
     * execution's transaction commits, never if it rolls back or is retried. Costs one field read
     * when notifications of that class are off. Events {@code new} and {@code expired} come from
     * the data layer itself.
     */
    public void notifyKeyspaceEvent(int type, String event, byte[] key) {
        notifyKeyspaceEvent(type, event, key, client.db());
    }

    /**
     * Whether events of class {@code type} are being published: for a command that must look at
     * something extra to report its events exactly (most need not ask).
     */
    public boolean notifying(int type) {
        return KeyspaceEvents.enabled(server.pubsub().notifyFlags(), type);
    }

    /**
     * A read lookup found no {@code key} (Redis's {@code lookupKeyRead} miss): counted in
     * {@code keyspace_misses} and reported as a {@code keymiss} event.
     */
    public void keyMiss(byte[] key) {
        server.keyspaceMisses.increment();
        notifyKeyspaceEvent(KeyspaceEvents.KEY_MISS, "keymiss", key);
    }

    /** Like {@link #notifyKeyspaceEvent(int, String, byte[])} for a key of database {@code db}. */
    public void notifyKeyspaceEvent(int type, String event, byte[] key, int db) {
        if (!KeyspaceEvents.enabled(server.pubsub().notifyFlags(), type)) {
            return;
        }
        if (events == null) {
            events = new java.util.ArrayList<>(4);
        }
        events.add(new PubSubRegistry.KeyspaceEvent(type, event, key.clone(), db, replyWritten()));
    }

    /**
     * Publishes the keyspace events recorded so far now, for a command whose writes committed in
     * transactions of their own ({@link #commitSeparately}): PDEL, batch by batch.
     */
    void publishKeyspaceEventsNow() {
        if (events != null) {
            publishKeyspaceEvents();
        }
    }

    private void publishKeyspaceEvents() {
        java.util.List<PubSubRegistry.KeyspaceEvent> list = events;
        events = null;
        PubSubRegistry pubsub = server.pubsub();
        if (!pubsub.wanted()) {
            return;
        }
        Publication p = pubsub.publication(client);
        for (PubSubRegistry.KeyspaceEvent e : list) {
            pubsub.publishKeyspaceEvent(e, p);
            insertOwn(p, e.replyAt());
        }
        server.deliver(p, server.groupCommit());
    }

    /** Bytes of this command's own reply written so far (its own pub/sub messages not counted). */
    private int replyWritten() {
        ByteBuf out = reply.target();
        return out == null ? 0 : out.writerIndex() - replyMark - ownPushed;
    }

    /**
     * Sends what a publication holds: the messages for this client itself go into its reply
     * stream where its reply has got to now (as Redis writes them); the others to their
     * subscribers, after the engine's group sync if they reveal a commit
     * ({@link ServerState#deliver}).
     */
    public void publish(Publication p, boolean revealsCommit) {
        insertOwn(p, replyWritten());
        server.deliver(p, revealsCommit);
    }

    /**
     * Moves the messages of {@code p} for this client into its reply stream, after
     * {@code replyAt} bytes of this command's reply (and after its earlier own messages), as
     * Redis interleaves a client's pushes with its reply.
     */
    private void insertOwn(Publication p, int replyAt) {
        ByteBuf own = p.takeOwn();
        if (own != null) {
            ByteBuf out = reply.target();
            if (out == null) {
                own.release();
                return;
            }
            // clamped: a command inside EXEC may have truncated its reply to an error since
            int at = Math.min(out.writerIndex(), replyMark + ownPushed + Math.max(0, replyAt));
            int tail = out.writerIndex() - at;
            byte[] after = new byte[tail];
            out.getBytes(at, after);
            int length = own.readableBytes();
            out.writerIndex(at);
            out.writeBytes(own);
            out.writeBytes(after);
            ownPushed += length;
            own.release();
        }
    }

    // ---- blocking commands (BLPOP, BLMOVE, BZPOPMIN...: see BlockingKeys) ----

    /**
     * Whether a command that finds nothing to take may block the client. False inside MULTI and
     * scripts (Redis's {@code CLIENT_DENY_BLOCKING}: such commands then answer as on a timeout)
     * and while a blocked command is being completed.
     */
    public boolean mayBlock() {
        return !serving && !client.denyBlocking();
    }

    /**
     * Blocks the client on {@code keys} of its selected database once this execution commits:
     * the command writes no reply now; when one of the keys is signalled ready (a write command
     * touched it) the {@link BlockedCommand} runs again in its own transaction and writes the
     * reply, or, after {@code timeoutMillis} (0: never), the client gets a null array. Only
     * when {@link #mayBlock()}.
     */
    public void block(byte[][] keys, long timeoutMillis, BlockedCommand command) {
        if (!mayBlock()) {
            throw new IllegalStateException("this client may not block");
        }
        blockRequest = new BlockingKeys.Request(keys, timeoutMillis, command);
    }

    /** What {@link #block} asked for in this execution, or null. */
    BlockingKeys.Request blockRequest() {
        return blockRequest;
    }

    /**
     * Tells clients blocked on {@code key} of database {@code db} to look again once this
     * execution commits (Redis's {@code signalKeyAsReady}). The dispatcher already signals the
     * key arguments of every write command (by the command's spec) in the client's database;
     * a command calls this for other keys it may fill: another database (MOVE, COPY ... DB),
     * keys at movable positions. Costs nothing when no client is blocked.
     */
    public void signalKeyReady(int db, byte[] key) {
        if (!server.blocking().hasWaiters()) {
            return;
        }
        if (readyKeys == null) {
            readyKeys = new java.util.ArrayList<>(2);
        }
        readyKeys.add(new BlockingKeys.WaitKey(db, key.clone()));
    }

    /** The keys {@link #signalKeyReady} named in this execution, or null. */
    java.util.List<BlockingKeys.WaitKey> readyKeys() {
        return readyKeys;
    }

    // ---- argument helpers shared by commands ----

    /** Argument {@code i} parsed as a Redis integer; on failure replies the standard error and returns null. */
    public Long longArg(int i) {
        try {
            return args.parseLong(i);
        } catch (NumberFormatException e) {
            reply.error(Errors.NOT_AN_INTEGER);
            return null;
        }
    }

    /** Replies {@code -ERR syntax error}. */
    public void syntaxError() {
        reply.error(Errors.SYNTAX);
    }

    /** A copy of argument {@code i}. */
    public byte[] arg(int i) {
        return args.bytes(i);
    }

    /** The number of arguments, the command name included. */
    public int argc() {
        return args.count();
    }

    /** A commit that changed {@code keysChanged} keys: under group commit, the replies wait for the sync. */
    private void committedForSync(int keysChanged) {
        if (server.groupCommit()) {
            syncPending = true;
            keysChangedForSync += keysChanged;
        }
    }

    /** Whether a commit since the last call needs the engine's sync before replies are sent; clears it. */
    public boolean takeSyncPending() {
        boolean pending = syncPending;
        syncPending = false;
        return pending;
    }

    /**
     * How many key changes the commits since the last call made (what their sync has to write,
     * 0 for reads, which wait for it all the same: they may have seen a commit not yet durable);
     * clears it.
     */
    public int takeKeysChangedForSync() {
        int keys = keysChangedForSync;
        keysChangedForSync = 0;
        return keys;
    }
}
