package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.respkv.api.KeyspaceEngine;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit for one event loop. With an engine that declares
 * {@link io.respkv.api.EngineFeature#GROUP_COMMIT}, commands commit without waiting for the
 * disk; the replies of every connection served in one loop iteration are held here, and one
 * {@link KeyspaceEngine#syncCommitted()} call then makes all their commits durable before they are
 * sent. Fifty clients writing at once cost one fsync, not fifty — and nothing is acknowledged
 * before it is durable. While replies are held, every connection of the loop holds its replies
 * too, so no reply (not even a read's) reveals a write before it is durable, as Redis sends no
 * reply before its AOF fsync in {@code beforeSleep}.
 *
 * <p>A slow sync (an fsync) runs on the server's sync thread, not on the event loop: while one
 * batch's fsync is in flight the loop keeps reading and running commands, whose replies form the
 * next batch, synced when the first completes. A quick one (the last took under 100 µs: ASYNC
 * durability writes the log without fsync) runs inline, cheaper than a thread hand-off. So the loop never sleeps in fsync, and with clients that wait for each
 * reply (no pipelining) throughput is bound by CPU, not by the disk's fsync latency. A batch's
 * sync starts after all its commits were made (they ran before their replies were held), and
 * {@code syncCommitted()} covers every commit made before it is called.
 *
 * <p>{@link #hold} and {@link #afterSync} run on the event loop; the batch bookkeeping is
 * event-loop only.
 */
final class ReplyBarrier {

    private static final Logger LOG = Logger.getLogger(ReplyBarrier.class.getName());

    /** Replies of one connection, or (ctx null) a task to run after the sync. */
    private record Held(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose, AfterSync task) {
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
    /** Replies waiting for the next sync. */
    private ArrayDeque<Held> held = new ArrayDeque<>();
    /** A sync task is scheduled on the loop or running on the sync thread. */
    private boolean scheduled;
    /** How long the last sync took: quicker ones run inline on the loop. */
    private volatile long lastSyncNanos = Long.MAX_VALUE;
    /** Syncs quicker than this (a write without fsync) are not worth a thread hand-off. */
    private static final long INLINE_SYNC_NANOS = 100_000;

    ReplyBarrier(KeyspaceEngine engine, EventExecutor loop, Executor syncThread) {
        this.engine = engine;
        this.loop = loop;
        this.syncThread = syncThread;
    }

    /** Whether replies are being held for a sync that has not completed yet. */
    boolean holding() {
        return scheduled;
    }

    /** Holds {@code replies} until a sync that starts after this call completes. */
    void hold(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose) {
        held.add(new Held(ctx, replies, thenClose, null));
        schedule();
    }

    /**
     * Runs {@code task} on this loop once a sync that starts after this call has made every commit
     * so far durable, after the replies held before it are sent (told whether the sync
     * succeeded). For messages that reveal a write (keyspace notifications), and pub/sub messages
     * published while replies are held, so that they keep their order.
     */
    void afterSync(AfterSync task) {
        held.add(new Held(null, null, false, task));
        schedule();
    }

    /** Whether this barrier serves the calling thread's event loop. */
    boolean inLoop() {
        return loop.inEventLoop();
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            // after the iteration's other reads ran, so one sync covers them all
            loop.execute(this::startSync);
        }
    }

    /**
     * On the loop: takes the held replies as one batch and syncs for them — inline when syncs are
     * quick (no fsync: ASYNC durability, where a hand-off would cost more than the sync), else on
     * the sync thread.
     */
    private void startSync() {
        ArrayDeque<Held> batch = held;
        held = new ArrayDeque<>();
        if (lastSyncNanos < INLINE_SYNC_NANOS) {
            release(batch, sync());
            return;
        }
        try {
            syncThread.execute(() -> {
                RuntimeException failure = sync();
                try {
                    loop.execute(() -> release(batch, failure));
                } catch (java.util.concurrent.RejectedExecutionException loopStopped) {
                    // The server stopped during the sync: the connections went with their loop.
                    batch.forEach(h -> {
                        if (h.replies() != null) {
                            h.replies().release();
                        }
                    });
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            release(batch, stopping);
        }
    }

    /** Syncs the engine, timing it; returns the failure or null. */
    private RuntimeException sync() {
        long start = System.nanoTime();
        try {
            engine.syncCommitted();
            return null;
        } catch (RuntimeException e) {
            return e;
        } finally {
            lastSyncNanos = System.nanoTime() - start;
        }
    }

    /** On the loop: sends (or, if the sync failed, drops and closes) a synced batch; starts the next. */
    private void release(ArrayDeque<Held> batch, RuntimeException failure) {
        if (failure != null) {
            LOG.log(Level.SEVERE, "engine sync failed: closing the connections whose writes it could not make durable", failure);
        }
        for (Held h; (h = batch.poll()) != null; ) {
            if (h.task() != null) {
                try {
                    h.task().run(failure == null);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a task after the engine sync failed", e);
                }
                continue;
            }
            int bytes = h.replies().readableBytes();
            if (failure != null) {
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
        if (held.isEmpty()) {
            scheduled = false;
        } else {
            startSync();
        }
    }
}
