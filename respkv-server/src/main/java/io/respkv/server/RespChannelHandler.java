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
 */
final class RespChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(RespChannelHandler.class.getName());
    /** Replies beyond this many bytes are handed to the socket before the batch ends. */
    private static final int EARLY_WRITE_BYTES = 1 << 20;

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

    RespChannelHandler(ServerState server) {
        this.server = server;
        this.decoder = new RespRequestDecoder(server.config().limits());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = server.register(ctx.channel(), System.currentTimeMillis());
        decoder.authenticated(client.authenticated());
        dispatcher = new CommandDispatcher(server, client, reply);
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
        try {
            while (!closing && decoder.decode(cumulation, request)) {
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
                if (barrier != null && (dispatcher.takeSyncPending() || barrier.holding())) {
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
        if (ctx.channel().isWritable()) {
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
