package io.respkv.server.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.respkv.server.ClientConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The pub/sub side of one client connection: what it is subscribed to, and the queue of messages
 * on their way to it.
 *
 * <p><b>Subscriptions</b> are changed only by the thread that runs the connection's commands
 * (its event loop, or a command thread for engines with blocking I/O, one task at a time) and
 * on disconnect, through {@link PubSubRegistry}; the drain reads them on the event loop only
 * while no command task runs ({@link Sink#accepting()}), and the hand-offs between the two order
 * the accesses. Their counts are readable from any thread (CLIENT LIST).
 *
 * <p><b>Delivery.</b> A publisher, on any thread, {@link #offer offers} an encoded frame; the
 * frame is queued and one drain task per burst runs on the connection's event loop, where the
 * frames are handed, in queue order, to the connection's sink (the channel handler, which
 * writes them after the replies it has sent or is holding for the group sync). Frames from one
 * publishing thread keep their order. A frame whose subscription the client dropped before the
 * drain is discarded, so a client that left subscribed mode never sees a late message.
 *
 * <p><b>Bounded.</b> What waits for the socket (this queue plus Netty's outbound buffer) is
 * checked at every offer against the pubsub class of {@code client-output-buffer-limit}: at the
 * hard limit, or over the soft limit for longer than its seconds, the connection is closed and
 * its pending messages dropped, as Redis closes such a client. Nothing grows without bound.
 */
public final class Subscriber {

    private static final Logger LOG = Logger.getLogger(Subscriber.class.getName());

    /** The three kinds of subscription. */
    public enum Kind {
        /** SUBSCRIBE. */
        CHANNEL,
        /** PSUBSCRIBE. */
        PATTERN,
        /** SSUBSCRIBE. */
        SHARD
    }

    private record Push(ByteBuf frame, Kind kind, ChannelName name) {
    }

    private final ClientConnection client;
    /** By {@link Kind#ordinal()}; in subscription order. Owned by the connection's command runner (see above). */
    private final List<Set<ChannelName>> subscriptions = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(),
            new LinkedHashSet<>());
    private volatile int channelCount;
    private volatile int patternCount;
    private volatile int shardCount;
    /** Any subscription: read by the dispatcher for every command of a RESP2 client. */
    private volatile boolean active;

    private final ConcurrentLinkedQueue<Push> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** {@link System#nanoTime()} when the soft limit was first seen exceeded; {@link OutputBufferLimits#NOT_OVER_SOFT} if not over it. */
    private final AtomicLong softLimitSince = new AtomicLong(OutputBufferLimits.NOT_OVER_SOFT);
    private volatile boolean closed;
    private volatile Sink sink;
    private final Runnable drainTask = this::drain;

    public Subscriber(ClientConnection client) {
        this.client = client;
    }

    public ClientConnection client() {
        return client;
    }

    /** Where drained frames go: the connection's channel handler, on its event loop. */
    public interface Sink {
        /**
         * Whether frames may be written now. False while a command of the connection runs off the
         * event loop (it owns the reply buffer and may change subscriptions): the frames stay
         * queued until the connection calls {@link #resumeDrain()}.
         */
        boolean accepting();

        /** Writes {@code pushes} (owned: written and released by the sink). */
        void write(ByteBuf pushes);
    }

    /** Sets where drained frames go. */
    public void sink(Sink sink) {
        this.sink = sink;
    }

    /** On the event loop, once the sink accepts again: drains what waited. */
    public void resumeDrain() {
        if (!queue.isEmpty()) {
            drain();
        }
    }

    /** SUBSCRIBE channels. */
    public int channels() {
        return channelCount;
    }

    /** PSUBSCRIBE patterns. */
    public int patterns() {
        return patternCount;
    }

    /** SSUBSCRIBE shard channels. */
    public int shardChannels() {
        return shardCount;
    }

    /** Redis's {@code clientSubscriptionsCount}: channels plus patterns, what (P)SUBSCRIBE replies count. */
    public int subscriptionCount() {
        return channelCount + patternCount;
    }

    /** Whether the client is in subscribed mode (Redis's {@code CLIENT_PUBSUB}): any subscription of any kind. */
    public boolean active() {
        return active;
    }

    /** Bytes of messages queued or waiting in the socket's outbound buffer. */
    public long pendingBytes() {
        return queuedBytes.get() + outboundBytes();
    }

    // ---- subscriptions (the connection's command runner), for the registry ----

    boolean add(Kind kind, ChannelName name) {
        boolean added = subscriptions.get(kind.ordinal()).add(name);
        if (added) {
            recount(kind);
        }
        return added;
    }

    boolean remove(Kind kind, ChannelName name) {
        boolean removed = subscriptions.get(kind.ordinal()).remove(name);
        if (removed) {
            recount(kind);
        }
        return removed;
    }

    /** The names of one kind, in subscription order (a copy). */
    List<ChannelName> names(Kind kind) {
        return new ArrayList<>(subscriptions.get(kind.ordinal()));
    }

    /** The channels (or patterns) of one kind, in subscription order; for the connection's commands. */
    public List<byte[]> subscribed(Kind kind) {
        List<byte[]> out = new ArrayList<>();
        for (ChannelName n : subscriptions.get(kind.ordinal())) {
            out.add(n.bytes);
        }
        return out;
    }

    private boolean has(Kind kind, ChannelName name) {
        return subscriptions.get(kind.ordinal()).contains(name);
    }

    private void recount(Kind kind) {
        int n = subscriptions.get(kind.ordinal()).size();
        switch (kind) {
            case CHANNEL -> channelCount = n;
            case PATTERN -> patternCount = n;
            case SHARD -> shardCount = n;
        }
        active = channelCount + patternCount + shardCount > 0;
    }

    // ---- delivery ----

    /**
     * Queues {@code frame} (owned) for the client, from any thread; or closes the client if that
     * takes it over {@code limit}.
     */
    void offer(ByteBuf frame, Kind kind, ChannelName name, OutputBufferLimits.Limit limit) {
        if (closed) {
            frame.release();
            return;
        }
        int size = frame.readableBytes();
        long used = queuedBytes.addAndGet(size) + outboundBytes();
        if (overLimit(used, limit)) {
            queuedBytes.addAndGet(-size);
            frame.release();
            closeForLimit(used);
            return;
        }
        queue.add(new Push(frame, kind, name));
        if (closed) {
            releaseQueued(); // closed meanwhile: nobody will drain
            return;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                client.channel().eventLoop().execute(drainTask);
            } catch (RejectedExecutionException shuttingDown) {
                releaseQueued();
            }
        }
    }

    /** Redis's {@code checkClientOutputBufferLimits}. */
    private boolean overLimit(long used, OutputBufferLimits.Limit limit) {
        return limit.exceeded(used, softLimitSince, System.nanoTime());
    }

    private void closeForLimit(long used) {
        if (closed) {
            return;
        }
        closed = true;
        LOG.warning(() -> "Client id=" + client.id() + " addr=" + client.remoteAddress()
                + " closed for overcoming of output buffer limits (" + used + " bytes pending).");
        client.channel().close();
        releaseQueued();
    }

    /** On the event loop: hands every queued frame still wanted to the sink in one buffer. */
    private void drain() {
        drainScheduled.set(false);
        Sink s = sink;
        if (s == null || closed) {
            releaseQueued();
            return;
        }
        if (!s.accepting()) {
            return; // the connection calls resumeDrain when it accepts again
        }
        ByteBuf out = null;
        for (Push p; (p = queue.poll()) != null; ) {
            if (out == null) {
                out = client.channel().alloc().ioBuffer(Math.max(64, p.frame().readableBytes()));
            }
            take(p, out);
        }
        if (out != null) {
            if (out.isReadable()) {
                s.write(out);
            } else {
                out.release();
            }
        }
    }

    /**
     * From the connection's command: writes the queued frames into {@code out} now (its reply
     * buffer), so that they precede what the command writes next (UNSUBSCRIBE, RESET: messages
     * published before the client left are delivered before the confirmation, as in Redis).
     */
    public void drainInto(ByteBuf out) {
        for (Push p; (p = queue.poll()) != null; ) {
            take(p, out);
        }
    }

    private void take(Push p, ByteBuf out) {
        queuedBytes.addAndGet(-p.frame().readableBytes());
        if (has(p.kind(), p.name())) {
            out.writeBytes(p.frame(), p.frame().readerIndex(), p.frame().readableBytes());
        }
        p.frame().release();
    }

    /** The connection closed: drop what is queued and refuse what comes. */
    void close() {
        closed = true;
        releaseQueued();
    }

    private void releaseQueued() {
        for (Push p; (p = queue.poll()) != null; ) {
            queuedBytes.addAndGet(-p.frame().readableBytes());
            p.frame().release();
        }
    }

    private long outboundBytes() {
        Channel ch = client.channel();
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }
}
