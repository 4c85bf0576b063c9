package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.respkv.server.tls.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected mode behind the TLS handler: a connection from a non-loopback address (in-process
 * channels, so the test stays off the network) completes the handshake and then reads Redis's
 * DENIED error, exactly as on the plain port.
 */
class TlsProtectedModeTest {

    @TempDir
    Path dir;

    /** A server-side channel with the TLS port's pipeline, seemingly connected from {@code remote}. */
    private static EmbeddedChannel serverSide(RespServer server, SocketAddress remote) {
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                server.initPipeline(ch, true);
            }
        }) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
    }

    /** Moves bytes both ways until neither side has more to send (bounded). */
    private static void pump(EmbeddedChannel client, EmbeddedChannel server) {
        for (int round = 0; round < 100; round++) {
            boolean moved = false;
            for (Object m; (m = client.readOutbound()) != null; moved = true) {
                deliver(server, m);
            }
            for (Object m; (m = server.readOutbound()) != null; moved = true) {
                deliver(client, m);
            }
            client.runPendingTasks();
            server.runPendingTasks();
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the two sides kept talking");
    }

    private static void deliver(EmbeddedChannel to, Object m) {
        if (to.isOpen()) {
            to.writeInbound(m);
        } else {
            io.netty.util.ReferenceCountUtil.release(m); // as bytes sent to a closed socket
        }
    }

    private static String read(EmbeddedChannel client) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = client.readInbound()) != null; ) {
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    private static String request(EmbeddedChannel client, EmbeddedChannel server, String line) {
        client.writeOutbound(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
        pump(client, server);
        return read(client);
    }

    @Test
    void aRemoteTlsClientIsRefusedWhileTheDefaultUserHasNoPassword() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TlsConfig tls = TlsConfig.builder().certificate(certs.serverCert(), certs.serverKey())
                .authClients(TlsConfig.AuthClients.NO).build();
        SslContext clientTls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(certs.caCert().toFile()).build();
        SocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}), 50000);
        SocketAddress loopback = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 50000);
        try (RespServer server = RespServer.builder().port(0).tlsPort(0, tls).build()) {
            EmbeddedChannel client = new EmbeddedChannel(clientTls.newHandler(Unpooled.EMPTY_BUFFER.alloc(), "localhost", 6380));
            EmbeddedChannel refused = serverSide(server, remote);
            pump(client, refused);
            assertEquals(ConnectionLimits.PROTECTED_MODE_ERROR, read(client));
            assertFalse(refused.isOpen());

            EmbeddedChannel client2 = new EmbeddedChannel(clientTls.newHandler(Unpooled.EMPTY_BUFFER.alloc(), "localhost", 6380));
            EmbeddedChannel local = serverSide(server, loopback);
            pump(client2, local);
            assertEquals("+PONG\r\n", request(client2, local, "PING\r\n"));
            assertTrue(local.isOpen());
            local.close();

            server.state().settings().set("requirepass", "pw");
            EmbeddedChannel client3 = new EmbeddedChannel(clientTls.newHandler(Unpooled.EMPTY_BUFFER.alloc(), "localhost", 6380));
            EmbeddedChannel withPassword = serverSide(server, remote);
            pump(client3, withPassword);
            assertEquals("-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n",
                    request(client3, withPassword, "PING\r\nAUTH pw\r\nPING\r\n"));
            withPassword.close();
        }
    }
}
