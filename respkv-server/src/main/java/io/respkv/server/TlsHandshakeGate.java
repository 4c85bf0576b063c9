package io.respkv.server;

import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Sits between the TLS handler and the connection handler. Holds the connection's
 * {@code channelActive} back until the handshake succeeded, so the connection is accepted
 * (counted, checked against maxclients and protected mode, shown in CLIENT LIST) as Redis
 * accepts a TLS client: after its handshake, and a refusal such as protected mode's DENIED
 * error reaches the client encrypted. Ends a connection whose TLS failed (a refused client
 * certificate, plain RESP sent to the TLS port) quietly, as Redis logs those at verbose level.
 * Used by respkv's TLS port and the proxy's; one per connection.
 */
public final class TlsHandshakeGate extends io.netty.channel.ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(TlsHandshakeGate.class.getName());

    private boolean accepted;

    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
        // not passed on: see userEventTriggered
    }

    @Override
    public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
            if (done.isSuccess() && !accepted) {
                accepted = true;
                ctx.fireChannelActive();
            } else if (!done.isSuccess()) {
                LOG.log(Level.FINE, "TLS handshake failed: {0}", done.cause().toString());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
        if (accepted) {
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (c instanceof SSLException || c instanceof io.netty.handler.ssl.NotSslRecordException) {
            LOG.log(Level.FINE, "TLS connection failed: {0}", c.toString());
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
