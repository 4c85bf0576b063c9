package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.respkv.api.KeyspaceEngine;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit for one event loop. With an engine that declares
 * {@link io.respkv.api.EngineFeature#GROUP_COMMIT}, commands commit without waiting for the
 * disk; the replies of the connections served are held here, and one
 * {@link KeyspaceEngine#syncCommitted()} call then makes all their commits durable before they are
 * sent. Fifty clients writing at once cost one sync, not fifty — and nothing is acknowledged
 * before it is durable. While replies are held, every connection of the loop holds its replies
 * too, so no reply (not even a read's) reveals a write before it is durable, as Redis sends no
 * reply before its AOF write in {@code beforeSleep}.
 *
 * <p>Holds are numbered in order. A sync covers every hold made before it started (a hold is
 * made after the commits of its replies, and {@code syncCommitted()} covers every commit made
 * before it is called); once it completes, the loop sends the replies it covers, oldest first.
 *
 * <p>When a sync starts and where it runs follows from what it is expected to cost: the keys the
 * waiting replies' commits changed times what a changed key cost the recent syncs on average (a
 * RocksDB memtable insert with ASYNC durability; a share of an fsync with SYNC).
 * <ul>
 *   <li>Expected to take {@value #THREAD_SYNC_NANOS} ns or more, and at least
 *   {@value #THREAD_SYNC_NANOS_PER_CONNECTION} ns per connection waiting, and no sync running: it starts at
 *   once, on the server's sync thread, while the loop goes on serving the iteration's other
 *   connections. So under pipelining clients the sync thread writes the commits of the first
 *   connections served while the loop runs the commands of the next ones, and their replies
 *   leave sooner. Syncing only after the loop had served every connection left the two threads
 *   taking turns (each idle about half the time under redis-benchmark SET {@code -P 16},
 *   docs/benchmarks.md).
 *   <li>Otherwise after the iteration's reads, so one sync covers them all; inline on the loop
 *   (a few commits with ASYNC durability, as with clients that wait for each reply, or only
 *   reads, which wait for the sync too as they may have seen a commit not yet durable), where a
 *   thread hand-off would cost more than the sync; or, if a sync is running, once it completes.
 * </ul>
 * Either way the loop never sleeps in fsync, and with clients that wait for each reply
 * (no pipelining) throughput is bound by CPU, not by the disk's fsync latency. One sync of a
 * barrier runs at a time.
 *
 * <p>{@link #hold}, {@link #afterSync} and {@link #holding} run on the event loop, which alone
 * touches {@link #held}; the sync thread, shared by the loops' barriers, only syncs and hands
 * the result back to the loop.
 */
final class ReplyBarrier {

    private static final Logger LOG = Logger.getLogger(ReplyBarrier.class.getName());

    /**
     * Syncs expected to take this long or longer, and {@link #THREAD_SYNC_NANOS_PER_CONNECTION} a
     * connection waiting, go to the sync thread and start at once; others run inline after the reads.
     */
    static final long THREAD_SYNC_NANOS = 100_000;
    /**
     * The least expected sync time per connection waiting for a sync to go to the sync thread:
     * about what the loop spends serving one request of an unpipelined client. A sync that is a
     * small share of each connection's work (a few microseconds of memtable insert a connection
     * sending one SET at a time) would let the loop overlap little with it, and the hand-off's
     * wake-ups cost more than that: with 50 such clients, whose syncs of 40-50 keys went to the
     * thread, SET {@code -P 1} spent 5% more CPU per request (redis-benchmark, RocksDB, A/B both
     * orders, docs/benchmarks.md). Pipelining clients (16 writes a connection) and fsyncs stay
     * well above it.
     */
    static final long THREAD_SYNC_NANOS_PER_CONNECTION = 10_000;

    /** Replies of one connection, or (ctx null) a task to run after the sync; number {@code index} in hold order. */
    private record Held(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose, AfterSync task, long index) {
    }

    /** Work that waits for the sync (see {@link #afterSync}). */
    @FunctionalInterface
    interface AfterSync {
        /** Runs on the loop after the sync; {@code durable} is false if the sync failed. */
        void run(boolean durable);
    }

    private final KeyspaceEngine engine;
    private final EventExecutor loop;
    private final Executor syncThread;
    private final LongSupplier clock;
    /** Replies and tasks not yet sent or run, oldest first. Event loop only. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Holds made so far (the index of the latest). Event loop only. */
    private long holdsMade;
    /** Keys the commits of the holds made since the last sync started changed. Event loop only. */
    private long keysWaiting;
    /** Connections whose replies were held since the last sync started. Event loop only. */
    private long connectionsWaiting;
    /** A sync after this iteration's reads is queued on the loop. Event loop only. */
    private boolean afterReadsQueued;
    /** {@link #holdsMade}, published for the sync thread after each hold. */
    private volatile long holdsToSync;
    /** The holds up to this index were made durable by a completed sync. */
    private final AtomicLong syncedThrough = new AtomicLong();
    /** The holds up to this index were covered by a completed sync, successful or not. */
    private final AtomicLong coveredThrough = new AtomicLong();
    /** The latest failure of a sync, for the log. */
    private volatile RuntimeException syncFailure;
    /** A sync of this barrier is queued on or running on the sync thread. */
    private final AtomicBoolean threadSyncing = new AtomicBoolean();
    /** A release task is queued on the loop. */
    private final AtomicBoolean releaseQueued = new AtomicBoolean();
    /**
     * What a changed key costs a sync, to predict the next one's: the moving average of the syncs'
     * times over the moving average of their keys. Until the first sync that wrote any, taken as
     * slow (to the sync thread), as the first could be an fsync.
     */
    private volatile long syncNanosPerKey = THREAD_SYNC_NANOS;
    /**
     * The moving averages of a sync's time and keys ({@link #SYNC_AVERAGE_WEIGHT} to the latest),
     * 0 before the first sync that wrote any. Averaged apart, not time over keys per sync, because
     * a sync's fixed costs (a system call, a JNI crossing) would make a sync of one key look as
     * costly per key as it is in all, and send the next iteration's dozen keys to the sync thread,
     * whose hand-off costs more than their sync. Written by the syncs, one at a time.
     */
    private double averageSyncNanos;
    private double averageSyncKeys;
    /** The latest sync's weight in {@link #averageSyncNanos} and {@link #averageSyncKeys}. */
    static final double SYNC_AVERAGE_WEIGHT = 1.0 / 8;

    ReplyBarrier(KeyspaceEngine engine, EventExecutor loop, Executor syncThread) {
        this(engine, loop, syncThread, System::nanoTime);
    }

    /** @param clock times the syncs ({@link System#nanoTime}; tests pass their own) */
    ReplyBarrier(KeyspaceEngine engine, EventExecutor loop, Executor syncThread, LongSupplier clock) {
        this.engine = engine;
        this.loop = loop;
        this.syncThread = syncThread;
        this.clock = clock;
    }

    /** Whether replies are being held for a sync that has not completed yet. Event loop only. */
    boolean holding() {
        return !held.isEmpty();
    }

    /**
     * Holds {@code replies}, whose commits changed {@code keysChanged} keys, until a sync that
     * starts after this call completes.
     */
    void hold(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose, int keysChanged) {
        add(ctx, replies, thenClose, null, keysChanged);
    }

    /**
     * Runs {@code task} on this loop once a sync that starts after this call has made every commit
     * so far durable, after the replies held before it are sent (told whether the sync
     * succeeded). For messages that reveal a write (keyspace notifications), and pub/sub messages
     * published while replies are held, so that they keep their order.
     */
    void afterSync(AfterSync task) {
        add(null, null, false, task, 0);
    }

    /** Whether this barrier serves the calling thread's event loop. */
    boolean inLoop() {
        return loop.inEventLoop();
    }

    private void add(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose, AfterSync task, int keysChanged) {
        held.add(new Held(ctx, replies, thenClose, task, ++holdsMade));
        holdsToSync = holdsMade; // after the commits of the replies: a sync that reads it covers them
        keysWaiting += keysChanged;
        if (ctx != null) {
            connectionsWaiting++;
        }
        requestSync();
    }

    /** Whether the sync of what waits is expected to take long enough for the sync thread. */
    private boolean slowSyncWaiting() {
        long expected = keysWaiting * syncNanosPerKey;
        return expected >= THREAD_SYNC_NANOS && expected >= connectionsWaiting * THREAD_SYNC_NANOS_PER_CONNECTION;
    }

    /** Makes sure a sync will cover the holds made so far: now on the sync thread if it is expected to be slow, else after the reads. */
    private void requestSync() {
        if (threadSyncing.get()) {
            return; // when it completes, release() asks again for the holds it did not cover
        }
        if (slowSyncWaiting()) {
            startThreadSync();
        } else if (!afterReadsQueued) {
            afterReadsQueued = true;
            // after the iteration's other reads ran, so one sync covers them all
            loop.execute(this::syncAfterReads);
        }
    }

    /** On the loop, after an iteration's reads: syncs for the holds not yet covered, inline if syncs are quick. */
    private void syncAfterReads() {
        afterReadsQueued = false;
        if (threadSyncing.get() || holdsMade <= coveredThrough.get()) {
            return; // a sync is running (release() asks again when it completes), or nothing waits
        }
        if (slowSyncWaiting()) {
            startThreadSync();
            return;
        }
        completed(holdsMade, sync(takeKeysWaiting()));
        release();
    }

    /** On the loop, as a sync starts: the keys the holds so far changed; what waits counts from zero again. */
    private long takeKeysWaiting() {
        long keys = keysWaiting;
        keysWaiting = 0;
        connectionsWaiting = 0;
        return keys;
    }

    /** On the loop: queues a sync on the sync thread for every hold so far. */
    private void startThreadSync() {
        long keys = takeKeysWaiting();
        threadSyncing.set(true);
        try {
            syncThread.execute(() -> syncOnThread(keys));
        } catch (RejectedExecutionException stopping) {
            threadSyncing.set(false);
            completed(holdsMade, stopping); // the server is stopping: nothing more becomes durable
            release();
        }
    }

    /** On the sync thread: syncs for every hold published so far (about {@code keys} changed keys) and has the loop send what it covers. */
    private void syncOnThread(long keys) {
        long target = holdsToSync;
        completed(target, sync(keys));
        threadSyncing.set(false); // before the release, which asks for the next sync if holds wait
        queueRelease();
    }

    /** Records a completed sync that covered the holds up to {@code target}; {@code failure} null if it succeeded. */
    private void completed(long target, RuntimeException failure) {
        if (failure == null) {
            syncedThrough.accumulateAndGet(target, Math::max);
        } else {
            syncFailure = failure;
        }
        coveredThrough.accumulateAndGet(target, Math::max);
    }

    /** Syncs the engine for commits that changed about {@code keys} keys, timing it; returns the failure or null. */
    private RuntimeException sync(long keys) {
        long start = clock.getAsLong();
        try {
            engine.syncCommitted();
            return null;
        } catch (RuntimeException e) {
            return e;
        } finally {
            if (keys > 0) {
                measured(clock.getAsLong() - start, keys);
            }
        }
    }

    /** Adds a sync of {@code keys} changed keys that took {@code nanos} to the averages that predict the next one's. */
    private void measured(long nanos, long keys) {
        if (averageSyncKeys == 0) {
            averageSyncNanos = nanos;
            averageSyncKeys = keys;
        } else {
            averageSyncNanos += (nanos - averageSyncNanos) * SYNC_AVERAGE_WEIGHT;
            averageSyncKeys += (keys - averageSyncKeys) * SYNC_AVERAGE_WEIGHT;
        }
        syncNanosPerKey = (long) (averageSyncNanos / averageSyncKeys);
    }

    /** Has the loop send what completed syncs cover; if the loop has stopped, frees what it held once it is gone. */
    private void queueRelease() {
        if (releaseQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::release);
            } catch (RejectedExecutionException loopStopped) {
                // The server stopped during the sync: the connections went with their loop, whose
                // held replies nobody will send; free them once the loop can no longer touch them.
                loop.terminationFuture().addListener(f -> discardHeld());
            }
        }
    }

    /** After the loop terminated: frees the replies it held. */
    private void discardHeld() {
        for (Held h; (h = held.poll()) != null; ) {
            if (h.replies() != null) {
                h.replies().release();
            }
        }
    }

    /**
     * On the loop: sends (or, where the covering sync failed, drops and closes) the held replies
     * completed syncs cover, oldest first, and runs the tasks among them.
     */
    private void release() {
        releaseQueued.set(false);
        long covered = coveredThrough.get();
        long synced = syncedThrough.get();
        boolean failureLogged = false;
        for (Held h; (h = held.peek()) != null && h.index() <= covered; ) {
            held.poll();
            boolean durable = h.index() <= synced;
            if (!durable && !failureLogged) {
                failureLogged = true;
                LOG.log(Level.SEVERE, "engine sync failed: closing the connections whose writes it could not make durable",
                        syncFailure);
            }
            send(h, durable);
        }
        if (holdsMade > coveredThrough.get()) {
            requestSync();
        }
    }

    /** On the loop: sends one connection's held replies (or drops them and closes it), or runs a held task. */
    private static void send(Held h, boolean durable) {
        if (h.task() != null) {
            try {
                h.task().run(durable);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a task after the engine sync failed", e);
            }
            return;
        }
        int bytes = h.replies().readableBytes();
        if (!durable) {
            h.replies().release();
            h.ctx().close();
        } else if (h.thenClose()) {
            h.ctx().writeAndFlush(h.replies()).addListener(ChannelFutureListener.CLOSE);
        } else {
            h.ctx().writeAndFlush(h.replies());
            if (!h.ctx().channel().isWritable()) {
                h.ctx().channel().config().setAutoRead(false);
            }
        }
        if (h.ctx().handler() instanceof RespChannelHandler handler) {
            handler.heldRepliesWritten(h.ctx(), bytes); // (counted in its output buffer until now)
        }
    }
}
