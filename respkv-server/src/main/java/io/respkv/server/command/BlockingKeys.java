package io.respkv.server.command;

import io.netty.buffer.ByteBuf;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.TransactionConflictException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.WrongTypeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The clients blocked by BLPOP and the other blocking commands, by the keys they wait on
 * (Redis's {@code db->blocking_keys}), and how they are woken.
 *
 * <p>How it works:
 * <ul>
 *   <li><b>Blocking.</b> A blocking command that finds no data calls
 *       {@link ExecutionContext#block}; after its (read-only) transaction commits, the dispatcher
 *       {@link #block registers} the client here under each of its keys, in FIFO order per key,
 *       marks the connection blocked (it stops running pipelined requests) and schedules the
 *       timeout on the connection's event loop. Then the keys are looked at once more, because a
 *       push may have committed between the command's look and the registration.</li>
 *   <li><b>Waking.</b> After a write command commits, the dispatcher {@link #serve signals} the
 *       keys it touched (the key arguments its spec declares, plus those it named with
 *       {@link ExecutionContext#signalKeyReady}) in the client's database, on the writer's
 *       thread, before the writer's next request: so, as in Redis, a client that pushes and then
 *       reads sees the list after the waiters took their share. For each signalled key with
 *       waiters, the waiters are tried in the order they blocked, each in its own engine
 *       transaction with its own reply ({@link BlockedCommand#serve}), until the key runs out;
 *       a served BLMOVE's destination is signalled in turn. The reply goes to the waiter's event
 *       loop, which writes it and resumes the connection's pending requests. Nobody polls.</li>
 *   <li><b>Timeout and disconnect.</b> The timeout task and a disconnect remove the waiter; if it
 *       is being served at that moment, the serving thread finishes the job (a served waiter's
 *       reply wins over its timeout; a disconnect observed before the commit cancels the pop).</li>
 * </ul>
 *
 * <p>Costs: with no client blocked, the dispatcher's only overhead is one volatile read per
 * command ({@link #hasWaiters()}). The registry's structures are guarded by one lock held for
 * short, allocation-light sections, never across an engine transaction. One thread at a time
 * serves a given key (others leave it a note to look again), so waiters of a key are served in
 * FIFO order even when several writers signal it at once.
 *
 * <p>Not yet: MULTI/EXEC and scripts, where blocking commands must not block
 * ({@link ClientConnection#denyBlocking(boolean)} is the hook), CLIENT UNBLOCK.
 */
public final class BlockingKeys {

    private static final Logger LOG = Logger.getLogger(BlockingKeys.class.getName());

    /**
     * Told when a key gets its first waiter and loses its last, and which keys a served waiter
     * filled (a BLMOVE's destination): how {@link RemoteWakeups} keeps the other instances of a
     * shared store informed. Called under the registry's lock or on a serving thread: must return
     * at once.
     */
    interface Observer {
        void waited(WaitKey key, boolean waited);

        void filled(List<WaitKey> keys);
    }

    /** A key of one database, as blocked clients wait on it; the key bytes are owned. */
    public static final class WaitKey {
        final int db;
        final byte[] key;
        private final int hash;

        public WaitKey(int db, byte[] key) {
            this.db = db;
            this.key = key;
            this.hash = 31 * db + Arrays.hashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WaitKey w && w.db == db && Arrays.equals(w.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** What a command asked for with {@link ExecutionContext#block}. */
    record Request(byte[][] keys, long timeoutMillis, BlockedCommand command) {
    }

    private enum State { WAITING, SERVING, DONE }

    private enum Cancel { NONE, TIMEOUT, DISCONNECT }

    /** One blocked client. State fields are guarded by {@link #lock}. */
    private static final class Waiter {
        final ClientConnection client;
        final WaitKey[] keys;
        final BlockedCommand command;
        State state = State.WAITING;
        Cancel cancel = Cancel.NONE;
        /** Set with {@link #cancel}; read without the lock just before a serve commits. */
        volatile boolean cancelRequested;
        volatile ScheduledFuture<?> timeout;

        Waiter(ClientConnection client, WaitKey[] keys, BlockedCommand command) {
            this.client = client;
            this.keys = keys;
            this.command = command;
        }
    }

    /** What one attempt to serve a waiter gave. */
    private record Attempt(BlockedCommand.Outcome outcome, ByteBuf reply, List<WaitKey> readyKeys, boolean awaitSync) {

        static Attempt served(ByteBuf reply, List<WaitKey> readyKeys, boolean awaitSync) {
            return new Attempt(BlockedCommand.Outcome.SERVED, reply, readyKeys, awaitSync);
        }

        /** A reply that commits nothing (an error). */
        static Attempt failed(ByteBuf reply) {
            return served(reply, null, false);
        }
    }

    private static final Attempt EMPTY = new Attempt(BlockedCommand.Outcome.EMPTY, null, null, false);
    private static final Attempt WRONG_TYPE = new Attempt(BlockedCommand.Outcome.WRONG_TYPE, null, null, false);
    /** The waiter was cancelled (timeout, disconnect) while it was being served: nothing done. */
    private static final Attempt CANCELLED = new Attempt(null, null, null, false);

    private final ServerState server;
    private final Object lock = new Object();
    /** Waiters by key, in the order they blocked. Guarded by {@link #lock}. */
    private final Map<WaitKey, ArrayDeque<Waiter>> queues = new HashMap<>();
    /** Keys a thread is serving now. Guarded by {@link #lock}. */
    private final Set<WaitKey> serving = new HashSet<>();
    /** Keys signalled while being served: the serving thread looks again. Guarded by {@link #lock}. */
    private final Set<WaitKey> again = new HashSet<>();
    private final Map<Long, Waiter> byClient = new ConcurrentHashMap<>();
    /** The number of blocked clients; written under {@link #lock}. */
    private volatile int waiting;
    /** Null unless the store is shared with other instances. */
    private volatile Observer observer;

    public BlockingKeys(ServerState server) {
        this.server = server;
    }

    /** Sets who hears of keys gaining their first and losing their last waiter (see {@link Observer}). */
    void observer(Observer observer) {
        this.observer = observer;
    }

    /** Whether any client is blocked: the dispatcher's test before it signals keys. */
    public boolean hasWaiters() {
        return waiting != 0;
    }

    /** The number of clients blocked on keys (INFO {@code blocked_clients}). */
    public int blockedClients() {
        return waiting;
    }

    /**
     * Blocks {@code client} as {@code request} says (on the connection's thread, after the
     * blocking command's transaction committed): registers it under each distinct key of its
     * database, schedules the timeout, then serves the keys once in case data arrived meanwhile.
     */
    void block(ClientConnection client, Request request) {
        int db = client.db();
        Set<WaitKey> distinct = new LinkedHashSet<>();
        for (byte[] key : request.keys()) {
            distinct.add(new WaitKey(db, key));
        }
        Waiter w = new Waiter(client, distinct.toArray(new WaitKey[0]), request.command());
        client.block();
        synchronized (lock) {
            for (WaitKey k : w.keys) {
                ArrayDeque<Waiter> q = queues.get(k);
                if (q == null) {
                    q = new ArrayDeque<>();
                    queues.put(k, q);
                    Observer o = observer;
                    if (o != null) {
                        o.waited(k, true);
                    }
                }
                q.addLast(w);
            }
            byClient.put(client.id(), w);
            waiting++;
        }
        if (request.timeoutMillis() > 0) {
            w.timeout = client.channel().eventLoop().schedule(() -> timedOut(w), request.timeoutMillis(),
                    TimeUnit.MILLISECONDS);
        }
        // A push that committed after the command looked and before the registration found no
        // waiter to wake: look again now that the waiter is visible.
        serve(Arrays.asList(w.keys));
    }

    /**
     * Serves the clients blocked on {@code ready} keys (and on the keys serving them fills, such
     * as a BLMOVE's destination), on the calling thread. Called after a write committed.
     */
    public void serve(Collection<WaitKey> ready) {
        ArrayDeque<WaitKey> work = new ArrayDeque<>(ready);
        WaitKey k;
        while ((k = work.poll()) != null) {
            serveKey(k, work);
        }
    }

    private void serveKey(WaitKey k, ArrayDeque<WaitKey> work) {
        synchronized (lock) {
            if (!queues.containsKey(k)) {
                return;
            }
            if (!serving.add(k)) {
                again.add(k); // the thread serving it will look again
                return;
            }
        }
        boolean released = false;
        try {
            while (true) {
                servePass(k, work);
                synchronized (lock) {
                    if (!again.remove(k)) {
                        serving.remove(k);
                        released = true;
                        return;
                    }
                }
            }
        } finally {
            if (!released) {
                synchronized (lock) {
                    serving.remove(k);
                    again.remove(k);
                }
            }
        }
    }

    /** One pass over the waiters of {@code k} in FIFO order, until the key has nothing left. */
    private void servePass(WaitKey k, ArrayDeque<WaitKey> work) {
        Waiter[] waiters;
        synchronized (lock) {
            ArrayDeque<Waiter> q = queues.get(k);
            if (q == null) {
                return;
            }
            waiters = q.toArray(new Waiter[0]);
        }
        Set<RedisType> unservable = null;
        for (Waiter w : waiters) {
            if (unservable != null && unservable.contains(w.command.consumes())) {
                continue;
            }
            synchronized (lock) {
                if (w.state != State.WAITING) {
                    continue;
                }
                w.state = State.SERVING;
            }
            Attempt a = attempt(w, k.key);
            if (a.outcome() == BlockedCommand.Outcome.SERVED) {
                finish(w, a.reply(), a.awaitSync());
                if (a.readyKeys() != null) {
                    work.addAll(a.readyKeys());
                    Observer o = observer;
                    if (o != null) {
                        o.filled(a.readyKeys());
                    }
                }
                continue;
            }
            release(w);
            if (a.outcome() == BlockedCommand.Outcome.EMPTY) {
                return;
            }
            if (a.outcome() == BlockedCommand.Outcome.WRONG_TYPE) {
                if (unservable == null) {
                    unservable = EnumSet.noneOf(RedisType.class);
                }
                unservable.add(w.command.consumes());
            }
        }
    }

    /**
     * The one place that decides whether {@code key} can serve {@code command}: missing is
     * {@link BlockedCommand.Outcome#EMPTY}, another type {@link BlockedCommand.Outcome#WRONG_TYPE};
     * otherwise the command takes its data.
     */
    private static BlockedCommand.Outcome serveIfReady(BlockedCommand command, ExecutionContext ctx, byte[] key) {
        io.respkv.server.keyspace.KeyMeta meta = ctx.keyspace().meta(key);
        if (meta == null) {
            return BlockedCommand.Outcome.EMPTY;
        }
        if (meta.type() != command.consumes()) {
            return BlockedCommand.Outcome.WRONG_TYPE;
        }
        return command.serve(ctx, key, meta);
    }

    /** Runs the waiter's command on {@code key} in its own transaction, retried on conflicts. */
    private Attempt attempt(Waiter w, byte[] key) {
        ClientConnection client = w.client;
        RespReplyWriter writer = new RespReplyWriter();
        ByteBuf out = client.channel().alloc().ioBuffer(64);
        writer.target(out);
        writer.protocol(client.protocol());
        ExecutionContext ctx = new ExecutionContext(server, client, writer, true);
        for (int attempt = 0; ; attempt++) {
            out.clear();
            ctx.reset(null, System.currentTimeMillis(), ThreadLocalRandom.current().nextLong());
            try {
                BlockedCommand.Outcome outcome = serveIfReady(w.command, ctx, key);
                if (outcome != BlockedCommand.Outcome.SERVED) {
                    ctx.rollback();
                    out.release();
                    return outcome == BlockedCommand.Outcome.EMPTY ? EMPTY : WRONG_TYPE;
                }
                if (w.cancelRequested) {
                    // disconnected or timed out meanwhile: do not take data nobody will receive
                    ctx.rollback();
                    out.release();
                    return CANCELLED;
                }
                ctx.commit();
                // under group commit the reply waits for the sync, on the waiter's event loop
                return Attempt.served(out, ctx.readyKeys(), ctx.takeSyncPending());
            } catch (TransactionConflictException conflict) {
                ctx.rollback();
                if (attempt + 1 >= KeyspaceEngine.MAX_TRANSACTION_ATTEMPTS) {
                    out.clear();
                    writer.error("ERR transaction conflict: too many concurrent updates, try again");
                    return Attempt.failed(out);
                }
                TransactionConflictException.backoff(attempt);
            } catch (WrongTypeException wrongType) {
                ctx.rollback();
                out.clear();
                writer.error(Errors.WRONG_TYPE);
                return Attempt.failed(out);
            } catch (EngineUnavailableException unavailable) {
                ctx.rollback();
                out.clear();
                writer.error(Errors.ENGINE_UNAVAILABLE + ": " + unavailable.getMessage());
                return Attempt.failed(out);
            } catch (RuntimeException e) {
                ctx.rollback();
                LOG.log(Level.WARNING, "serving a blocked client failed", e);
                out.clear();
                writer.error(Errors.INTERNAL + ": " + e);
                return Attempt.failed(out);
            }
        }
    }

    /** The waiter was served: unregister it and hand its reply to its connection. */
    private void finish(Waiter w, ByteBuf reply, boolean awaitSync) {
        Cancel cancel;
        synchronized (lock) {
            w.state = State.DONE;
            removeLocked(w);
            cancel = w.cancel;
        }
        cancelTimeout(w);
        if (cancel == Cancel.DISCONNECT) {
            reply.release();
        } else {
            w.client.unblock(reply, awaitSync);
        }
    }

    /** Serving found nothing: the waiter waits again, unless it timed out or left meanwhile. */
    private void release(Waiter w) {
        Cancel cancel;
        synchronized (lock) {
            if (w.cancel == Cancel.NONE) {
                w.state = State.WAITING;
                return;
            }
            w.state = State.DONE;
            removeLocked(w);
            cancel = w.cancel;
        }
        if (cancel == Cancel.TIMEOUT) {
            w.client.unblock(timeoutReply(w.client), false);
        }
    }

    /** The timeout task, on the waiter's event loop. */
    private void timedOut(Waiter w) {
        synchronized (lock) {
            if (w.state == State.SERVING) {
                w.cancel = Cancel.TIMEOUT;
                w.cancelRequested = true;
                return;
            }
            if (w.state != State.WAITING) {
                return;
            }
            w.state = State.DONE;
            removeLocked(w);
        }
        w.client.unblock(timeoutReply(w.client), false);
    }

    /** The connection of {@code client} closed: forget its waiter, if any. */
    public void disconnected(ClientConnection client) {
        Waiter w = byClient.get(client.id());
        if (w == null) {
            return;
        }
        synchronized (lock) {
            if (w.state == State.SERVING) {
                w.cancel = Cancel.DISCONNECT;
                w.cancelRequested = true;
            } else if (w.state == State.WAITING) {
                w.state = State.DONE;
                removeLocked(w);
            }
        }
        cancelTimeout(w);
    }

    private void removeLocked(Waiter w) {
        for (WaitKey k : w.keys) {
            ArrayDeque<Waiter> q = queues.get(k);
            if (q != null && q.remove(w) && q.isEmpty()) {
                queues.remove(k);
                Observer o = observer;
                if (o != null) {
                    o.waited(k, false);
                }
            }
        }
        if (byClient.remove(w.client.id(), w)) {
            waiting--;
        }
    }

    private static void cancelTimeout(Waiter w) {
        ScheduledFuture<?> t = w.timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Redis's reply to a blocked client that timed out: a null array, whatever the command. */
    private static ByteBuf timeoutReply(ClientConnection client) {
        RespReplyWriter writer = new RespReplyWriter();
        ByteBuf out = client.channel().alloc().ioBuffer(8);
        writer.target(out);
        writer.protocol(client.protocol());
        writer.nullArray();
        return out;
    }

    /** Every key some client is blocked on, in any database. */
    List<WaitKey> waitedKeys() {
        synchronized (lock) {
            return new ArrayList<>(queues.keySet());
        }
    }

    /** The keys clients are blocked on in {@code db}, for tests and introspection. */
    public List<byte[]> blockedKeys(int db) {
        List<byte[]> out = new ArrayList<>();
        synchronized (lock) {
            for (WaitKey k : queues.keySet()) {
                if (k.db == db) {
                    out.add(k.key.clone());
                }
            }
        }
        return out;
    }
}
