package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.respkv.api.KeyspaceEngine;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit for one event loop. With an engine that declares
 * {@link io.respkv.api.EngineFeature#GROUP_COMMIT}, commands commit without waiting for the
 * disk; the replies of every connection served in one loop iteration are held here, and a task
 * that runs once the iteration's I/O is done calls {@link KeyspaceEngine#syncCommitted()} once,
 * then sends them. Fifty clients writing at once cost one fsync, not fifty — and nothing is
 * acknowledged before it is durable. While replies are held, every connection of the loop holds
 * its replies too, so no reply (not even a read's) reveals a write before it is durable, as
 * Redis sends no reply before its AOF fsync in {@code beforeSleep}.
 *
 * <p>Used only on its event loop's thread.
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
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean scheduled;

    ReplyBarrier(KeyspaceEngine engine, EventExecutor loop) {
        this.engine = engine;
        this.loop = loop;
    }

    /** Whether replies are being held for a sync that has not run yet. */
    boolean holding() {
        return scheduled;
    }

    /** Holds {@code replies} until the next sync of this loop. */
    void hold(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose) {
        held.add(new Held(ctx, replies, thenClose, null));
        schedule();
    }

    /**
     * Runs {@code task} on this loop once the next sync has made every commit so far durable,
     * after the replies held before it are sent (told whether the sync succeeded). For messages that
     * reveal a write (keyspace notifications), and pub/sub messages published while replies are
     * held, so that they keep their order.
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
            loop.execute(this::release);
        }
    }

    private void release() {
        scheduled = false;
        RuntimeException failure = null;
        try {
            engine.syncCommitted();
        } catch (RuntimeException e) {
            failure = e;
            LOG.log(Level.SEVERE, "engine sync failed: closing the connections whose writes it could not make durable", e);
        }
        for (Held h; (h = held.poll()) != null; ) {
            if (h.task() != null) {
                try {
                    h.task().run(failure == null);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a task after the engine sync failed", e);
                }
                continue;
            }
            if (failure != null) {
                h.replies().release();
                h.ctx().close();
                continue;
            }
            if (h.thenClose()) {
                h.ctx().writeAndFlush(h.replies()).addListener(ChannelFutureListener.CLOSE);
            } else {
                h.ctx().writeAndFlush(h.replies());
                if (!h.ctx().channel().isWritable()) {
                    h.ctx().channel().config().setAutoRead(false);
                }
            }
        }
    }
}
