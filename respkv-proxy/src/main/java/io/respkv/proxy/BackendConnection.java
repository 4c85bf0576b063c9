package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespFrameScanner;
import io.respkv.codec.RespProtocolException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection to a cluster node, on the event loop of the clients it serves. Requests are
 * gathered as they come and written together once per batch, or sooner once {@link #EARLY_FLUSH_BYTES}
 * have gathered ({@link FrameWriter}), and replies matched to them in order: each reply
 * frame is cut with {@link RespFrameScanner} and handed on as a retained slice of the receive
 * buffer, never decoded. Requests sent while connecting wait and go out after the handshake
 * ({@code HELLO 3} for RESP3 pools, {@code AUTH}, {@code READONLY} for replica pools), whose
 * replies are checked and swallowed here.
 *
 * <p>When the connection fails, every request still waiting for its reply gets an error (the
 * proxy cannot know whether a write was applied), and the slot map is re-read.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter implements Flushable {

    private static final Logger LOG = Logger.getLogger(BackendConnection.class.getName());

    /** Receives the reply to one request. */
    interface Callback {
        /** The reply frame (a retained slice the callee now owns). */
        void onReply(ByteBuf frame);

        /** No reply will come: the connection failed. {@code reason} is an error line without the {@code -}. */
        void onFailure(String reason);
    }

    /** Receives frames that answer no request (pushes, and everything in pass-through mode). */
    interface Listener {
        void onFrame(ByteBuf frame);

        void onClosed(String reason);
    }

    /**
     * Requests gathered past this many bytes are sent at once rather than at the batch's flush, so
     * the node starts on the first pipelines while the loop still reads the others' (fifty
     * clients pipelining sixteen GETs each gather 28 KB; unpipelined clients' batches stay under
     * it and still cost one write). Measured: GET {@code -P 16} through the proxy 0.65-0.67x
     * direct before, 0.76x with it and the early client flush ({@link ClientSession#complete}).
     */
    static final int EARLY_FLUSH_BYTES = 8192;
    private final LoopContext loop;
    final ClusterNode node;
    final ProtocolVersion protocol;
    private final BackendPool pool;
    private final ArrayDeque<Callback> pending = new ArrayDeque<>();
    private ArrayList<ByteBuf> waiting = new ArrayList<>();
    private Channel channel;
    private boolean active;
    private boolean closed;
    private boolean flushQueued;
    /** Requests written since the last flush, sent together at the flush. */
    private final FrameWriter output = new FrameWriter();
    private ByteBuf cumulation;
    private Listener listener;
    private boolean passThrough;

    private BackendConnection(LoopContext loop, ClusterNode node, ProtocolVersion protocol, BackendPool pool) {
        this.loop = loop;
        this.node = node;
        this.protocol = protocol;
        this.pool = pool;
    }

    /**
     * Opens a connection; it accepts requests at once. {@code pool} (may be null for a dedicated
     * connection) is told when connecting fails.
     */
    static BackendConnection open(LoopContext loop, ClusterNode node, ProtocolVersion protocol, boolean replica,
                                  BackendPool pool) {
        BackendConnection c = new BackendConnection(loop, node, protocol, pool);
        c.handshake(replica);
        ChannelFuture f = loop.bootstrap().handler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
                loop.config.tls().initBackend(ch, node);
                ch.pipeline().addLast(c);
            }
        }).connect(new InetSocketAddress(node.host(), node.port()));
        c.channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                c.connected();
            } else {
                String reason = "respkv-proxy: cannot connect to " + node + " (" + describe(done.cause()) + ")";
                if (c.pool != null) {
                    c.pool.markDown(reason);
                }
                c.fail(reason);
            }
        });
        return c;
    }

    /** Queues the handshake requests ahead of everything else. */
    private void handshake(boolean replica) {
        ProxyConfig config = loop.config;
        if (protocol == ProtocolVersion.RESP3) {
            String[] hello = config.password() == null ? new String[] {"HELLO", "3"}
                    : new String[] {"HELLO", "3", "AUTH", config.user() == null ? "default" : config.user(), config.password()};
            internal(hello);
        } else if (config.password() != null) {
            internal(config.user() == null ? new String[] {"AUTH", config.password()}
                    : new String[] {"AUTH", config.user(), config.password()});
        }
        if (replica) {
            internal("READONLY");
        }
    }

    private void internal(String... args) {
        String what = args[0];
        send(io.netty.buffer.Unpooled.wrappedBuffer(Commands.encode(args)), new Callback() {
            @Override
            public void onReply(ByteBuf frame) {
                try {
                    if (frame.getByte(frame.readerIndex()) == '-') {
                        String error = frame.toString(frame.readerIndex() + 1, frame.readableBytes() - 3,
                                java.nio.charset.StandardCharsets.UTF_8);
                        fail("respkv-proxy: " + node + " refused " + what + ": " + error);
                    }
                } finally {
                    frame.release();
                }
            }

            @Override
            public void onFailure(String reason) {
            }
        });
    }

    private void connected() {
        if (closed) {
            channel.close();
            return;
        }
        active = true;
        ArrayList<ByteBuf> queued = waiting;
        waiting = null;
        for (ByteBuf b : queued) {
            output.write(channel, b);
        }
        output.flush(channel);
    }

    /** Whether this connection is closed or failed (it accepts no more requests). */
    boolean closed() {
        return closed;
    }

    /** Sends {@code request} (ownership passes here); {@code callback} gets its reply or a failure. */
    void send(ByteBuf request, Callback callback) {
        if (closed) {
            request.release();
            callback.onFailure("respkv-proxy: connection to " + node + " lost");
            return;
        }
        pending.add(callback);
        write(request);
    }

    /** Sends {@code request} whose reply (if any) goes to the listener: pass-through mode only. */
    void sendRaw(ByteBuf request) {
        if (closed) {
            request.release();
            return;
        }
        write(request);
    }

    private void write(ByteBuf request) {
        if (!active) {
            waiting.add(request);
            return;
        }
        output.write(channel, request);
        if (output.gatheredBytes() >= EARLY_FLUSH_BYTES) {
            output.flush(channel);
        }
        if (!flushQueued) {
            flushQueued = true;
            loop.flushLater(this);
        }
    }

    /**
     * From now on every frame goes to {@code listener} once the requests already sent have
     * their replies (pub/sub: a subscribed connection's replies do not match requests one to one).
     */
    void passThrough(Listener listener) {
        this.listener = listener;
        this.passThrough = true;
    }

    /** Frames that answer no pending request (RESP3 pushes) go to {@code listener}. */
    void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void flushNow() {
        flushQueued = false;
        if (active) {
            output.flush(channel);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closed) {
            in.release();
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            while (cumulation.isReadable()) {
                int start = cumulation.readerIndex();
                int len = RespFrameScanner.frameLength(cumulation, start);
                if (len < 0) {
                    break;
                }
                ByteBuf frame = cumulation.retainedSlice(start, len);
                cumulation.skipBytes(len);
                dispatch(frame);
                if (closed) {
                    return;
                }
            }
        } catch (RespProtocolException e) {
            fail("respkv-proxy: unreadable reply from " + node + " (" + e.getMessage() + ")");
            return;
        }
        if (cumulation != null && !cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
        }
    }

    private void dispatch(ByteBuf frame) {
        if (pending.isEmpty() || (frame.getByte(frame.readerIndex()) == '>' && listener != null && !passThrough)) {
            if (listener != null) {
                listener.onFrame(frame);
            } else {
                frame.release(); // a push nobody asked for (e.g. RESP3 invalidation)
            }
            return;
        }
        if (frame.getByte(frame.readerIndex()) == '>' && listener == null) {
            frame.release();
            return;
        }
        pending.poll().onReply(frame);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail("respkv-proxy: connection to " + node + " lost");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "backend " + node, cause);
        fail("respkv-proxy: connection to " + node + " lost (" + describe(cause) + ")");
    }

    /** Closes this connection after a failure; pending requests fail with {@code reason}; the slot map is re-read. */
    void fail(String reason) {
        if (closed) {
            return;
        }
        shutdown(reason);
        loop.topology.stats.backendFailures.increment();
        loop.topology.requestRefresh();
    }

    /** Closes this connection because its client went away; nothing is reported. */
    void close() {
        if (closed) {
            return;
        }
        listener = null;
        shutdown("respkv-proxy: connection to " + node + " closed");
    }

    private void shutdown(String reason) {
        closed = true;
        active = false;
        if (channel != null) {
            channel.close();
        }
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (waiting != null) {
            for (ByteBuf b : waiting) {
                b.release();
            }
            waiting = null;
        }
        output.discard();
        Callback c;
        while ((c = pending.poll()) != null) {
            c.onFailure(reason);
        }
        if (listener != null) {
            listener.onClosed(reason);
        }
    }

    private static String describe(Throwable t) {
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
