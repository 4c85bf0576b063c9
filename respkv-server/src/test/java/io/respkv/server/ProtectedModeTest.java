package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Protected mode on the connection handler, with connections that seem to come from a
 * non-loopback address (an in-process channel: the tests stay off the network).
 */
class ProtectedModeTest {

    private static EmbeddedChannel connectFrom(RespServer server, SocketAddress remote) {
        return new EmbeddedChannel(new RespChannelHandler(server.state())) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    private static final InetSocketAddress REMOTE;
    private static final InetSocketAddress LOOPBACK;

    static {
        try {
            REMOTE = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}), 50000);
            LOOPBACK = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 50000);
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void aRemoteClientIsRefusedWhileTheDefaultUserHasNoPassword() {
        try (RespServer server = RespServer.builder().port(0).build()) {
            EmbeddedChannel remote = connectFrom(server, REMOTE);
            assertEquals(ConnectionLimits.PROTECTED_MODE_ERROR, written(remote));
            assertFalse(remote.isOpen());
            assertEquals(1, server.state().rejectedConnections());

            EmbeddedChannel local = connectFrom(server, LOOPBACK);
            local.writeInbound(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII));
            assertEquals("+PONG\r\n", written(local));
            assertTrue(local.isOpen());
            local.close();

            // a password for the default user lets remote clients in (to AUTH)
            server.state().settings().set("requirepass", "pw");
            EmbeddedChannel withPassword = connectFrom(server, REMOTE);
            withPassword.writeInbound(Unpooled.copiedBuffer("PING\r\nAUTH pw\r\nPING\r\n", StandardCharsets.US_ASCII));
            assertEquals("-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n", written(withPassword));
            withPassword.close();

            // and so does protected-mode no
            server.state().settings().set("requirepass", "");
            server.state().settings().set("protected-mode", "no");
            EmbeddedChannel unprotected = connectFrom(server, REMOTE);
            unprotected.writeInbound(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII));
            assertEquals("+PONG\r\n", written(unprotected));
            unprotected.close();
            assertNull(unprotected.readOutbound());
        }
    }

    @Test
    void theBuilderTurnsItOff() {
        try (RespServer server = RespServer.builder().port(0).protectedMode(false).build()) {
            EmbeddedChannel remote = connectFrom(server, REMOTE);
            remote.writeInbound(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII));
            assertEquals("+PONG\r\n", written(remote));
            remote.close();
        }
    }
}
