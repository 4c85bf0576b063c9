package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respkv.codec.RespProtocolException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import io.respkv.server.command.CommandDispatcher;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's pipeline stage: accumulates bytes, cuts them into requests (argument slices,
 * no object per argument), dispatches each, and writes all replies of one read batch with a
 * single flush. Malformed input gets Redis's protocol error and closes only this connection.
 * A client that does not read its replies stops being read from until its socket drains.
 *
 * <p>Blocking commands (BLPOP...): while {@link ClientConnection#blocked()} the handler keeps
 * reading (so a disconnect is seen and releases the waiter) but runs no request; the replies
 * written before the blocking command are flushed as usual. {@link ClientConnection#unblock}
 * brings the blocked command's reply back on this event loop ({@link #resume}): it is written
 * first, then the requests that arrived meanwhile run in order. Input buffered while blocked is
 * bounded: past {@link #BLOCKED_INPUT_LIMIT} bytes the handler stops reading until the client is
 * unblocked.
 *
 * <p>Pub/Sub: messages for this client arrive from any thread through its
 * {@link io.respkv.server.pubsub.Subscriber} queue and are written here, on this loop, after
 * the replies sent or held before them ({@link #writePushes}).
 */
final class RespChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(RespChannelHandler.class.getName());
    /** Replies beyond this many bytes are handed to the socket before the batch ends. */
    private static final int EARLY_WRITE_BYTES = 1 << 20;
    /** Input a blocked client may queue before reading pauses until it is unblocked. */
    static final int BLOCKED_INPUT_LIMIT = 64 << 20;

    private final ServerState server;
    private final RespRequestDecoder decoder;
    private final RespRequest request = new RespRequest();
    private final RespReplyWriter reply = new RespReplyWriter();
    private ClientConnection client;
    private ReplyBarrier barrier;
    private CommandDispatcher dispatcher;
    private ByteBuf cumulation;
    private ByteBuf out;
    private boolean closing;
    /** The reply of a served blocked command acknowledges a commit awaiting the group sync. */
    private boolean servedAwaitsSync;

    RespChannelHandler(ServerState server) {
        this.server = server;
        this.decoder = new RespRequestDecoder(server.config().limits());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = server.register(ctx.channel(), System.currentTimeMillis());
        decoder.authenticated(client.authenticated());
        dispatcher = new CommandDispatcher(server, client, reply);
        client.unblockHandler((served, awaitSync) -> resume(ctx, served, awaitSync));
        client.subscriber().sink(pushes -> writePushes(ctx, pushes));
        if (server.groupCommit()) {
            barrier = server.barrier(ctx.executor());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        server.netInputBytes.add(in.readableBytes());
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        if (client.blocked()) {
            if (cumulation.readableBytes() > BLOCKED_INPUT_LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        processInput(ctx);
    }

    /** Runs the complete requests buffered in {@link #cumulation}, until it runs out or the client blocks. */
    private void processInput(ChannelHandlerContext ctx) {
        if (cumulation == null) {
            return;
        }
        try {
            while (!closing && !client.blocked() && decoder.decode(cumulation, request)) {
                if (out == null) {
                    out = ctx.alloc().ioBuffer(256);
                    reply.target(out);
                }
                reply.protocol(client.protocol());
                client.lastInteractionMillis = System.currentTimeMillis();
                dispatcher.dispatch(request);
                decoder.authenticated(client.authenticated());
                if (client.closeRequested()) {
                    closing = true;
                } else if (out.readableBytes() >= EARLY_WRITE_BYTES) {
                    writeReplies(ctx, false);
                }
            }
        } catch (RespProtocolException e) {
            if (out == null) {
                out = ctx.alloc().ioBuffer(128);
                reply.target(out);
            }
            reply.error(e.errorLine());
            closing = true;
        } finally {
            releaseConsumedInput();
        }
        if (closing) {
            writeReplies(ctx, true);
        }
    }

    /**
     * On this event loop, after {@link ClientConnection#unblock}: writes the blocked command's
     * reply, then runs the requests that arrived while the client was blocked.
     */
    private void resume(ChannelHandlerContext ctx, ByteBuf served, boolean awaitSync) {
        if (!ctx.channel().isActive()) {
            served.release();
            return;
        }
        servedAwaitsSync |= awaitSync;
        if (out == null) {
            out = served;
            reply.target(out);
        } else {
            out.writeBytes(served);
            served.release();
        }
        processInput(ctx);
        writeReplies(ctx, closing);
        if (!closing && !client.blocked() && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * On this event loop: writes pub/sub messages for this client after everything it was sent
     * before, including replies the group-commit barrier still holds.
     */
    private void writePushes(ChannelHandlerContext ctx, ByteBuf pushes) {
        if (!ctx.channel().isActive()) {
            pushes.release();
            return;
        }
        if (out != null) {
            out.writeBytes(pushes); // counted with the batch's replies
            pushes.release();
            return;
        }
        server.netOutputBytes.add(pushes.readableBytes());
        if (barrier != null && barrier.holding()) {
            barrier.hold(ctx, pushes, false);
        } else {
            ctx.writeAndFlush(pushes);
        }
    }

    private void releaseConsumedInput() {
        if (cumulation == null) {
            return;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
            decoder.reset();
        } else {
            cumulation.discardSomeReadBytes();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeReplies(ctx, closing);
        ctx.fireChannelReadComplete();
    }

    private void writeReplies(ChannelHandlerContext ctx, boolean thenClose) {
        ByteBuf pending = out;
        if (pending != null) {
            out = null;
            if (pending.isReadable()) {
                server.netOutputBytes.add(pending.readableBytes());
                boolean served = servedAwaitsSync;
                servedAwaitsSync = false;
                if (barrier != null && (dispatcher.takeSyncPending() | served || barrier.holding())) {
                    barrier.hold(ctx, pending, thenClose);
                    return;
                }
                if (thenClose) {
                    ctx.writeAndFlush(pending).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.writeAndFlush(pending);
                if (!ctx.channel().isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
                return;
            }
            pending.release();
        }
        if (thenClose) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !(client.blocked() && cumulation != null
                && cumulation.readableBytes() > BLOCKED_INPUT_LIMIT)) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
        if (client != null) {
            if (client.blocked()) {
                server.blocking().disconnected(client);
            }
            server.pubsub().disconnected(client.subscriber());
            server.unregister(client);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.log(Level.WARNING, "closing connection after unexpected error", cause);
        }
        ctx.close();
    }
}
