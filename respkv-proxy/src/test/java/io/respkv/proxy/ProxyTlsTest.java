package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.respkv.server.FreePorts;
import io.respkv.server.TlsConfig;
import io.respkv.server.TlsConfig.AuthClients;
import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.tls.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * TLS on both sides of the proxy: clients connecting to it over TLS (in front of the shared
 * 3-master Redis Cluster), and the proxy connecting over TLS to a Redis Cluster node that serves
 * only TLS clients with a certificate ({@code tls-port}, {@code tls-cluster yes},
 * {@code tls-auth-clients yes}).
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyTlsTest {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    private TestCertificates certs;

    @BeforeAll
    void certificates(@TempDir Path dir) {
        certs = TestCertificates.create(dir.resolve("certs"));
    }

    private TlsConfig listener(AuthClients auth) {
        return TlsConfig.builder().certificate(certs.serverCert(), certs.serverKey()).caCertFile(certs.caCert())
                .authClients(auth).build();
    }

    private static SSLSocket connect(SSLContext ctx, int port) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    private static String exchange(Socket s, String request, int expectedLength) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] buf = new byte[4096];
        StringBuilder out = new StringBuilder();
        while (out.length() < expectedLength) {
            int n = s.getInputStream().read(buf);
            if (n < 0) {
                break;
            }
            out.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        return out.toString();
    }

    @Test
    void jedisAndLettuceOverTlsToTheProxy() {
        try (RespProxy proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0)
                .tls(listener(AuthClients.YES)).start().join()) {
            try (Jedis jedis = new Jedis(new HostAndPort("localhost", proxy.activePort()),
                    DefaultJedisClientConfig.builder().ssl(true)
                            .sslSocketFactory(certs.clientContext().getSocketFactory()).build())) {
                // keys in different slots, on different masters: split by the proxy
                assertEquals("OK", jedis.mset("tls:a", "1", "tls:b", "2", "tls:c", "3"));
                assertEquals(List.of("1", "2", "3"), jedis.mget("tls:a", "tls:b", "tls:c"));
            }
            SslOptions ssl = SslOptions.builder().jdkSslProvider().trustManager(certs.caCert().toFile())
                    .keyManager(certs.clientCert().toFile(), certs.clientKey().toFile(), null).build();
            RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("localhost")
                    .withPort(proxy.activePort()).withSsl(true).withTimeout(Duration.ofSeconds(10)).build());
            lettuce.setOptions(ClientOptions.builder().sslOptions(ssl).build());
            try (StatefulRedisConnection<String, String> c = lettuce.connect()) { // HELLO 3 over TLS
                assertEquals("2", c.sync().get("tls:b"));
                assertEquals(3L, c.sync().del("tls:a", "tls:b", "tls:c"));
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void mutualTlsAtTheProxyRefusesClientsWithoutACertificateFromTheCa() throws Exception {
        try (RespProxy proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0)
                .tls(listener(AuthClients.YES)).start().join()) {
            try (SSLSocket s = connect(certs.clientContext(), proxy.activePort())) {
                assertEquals("+PONG\r\n", exchange(s, "PING\r\n", 7));
            }
            for (SSLContext refused : new SSLContext[] {certs.clientContextWithoutCertificate(),
                    certs.foreignClientContext()}) {
                assertThrows(IOException.class, () -> {
                    try (SSLSocket s = connect(refused, proxy.activePort())) {
                        // TLS 1.3: the refusal arrives after the client's side of the handshake
                        if (exchange(s, "PING\r\n", 7).isEmpty()) {
                            throw new IOException("closed");
                        }
                    }
                });
            }
            // plain RESP to the TLS port gets nothing but a closed connection
            try (Socket plain = new Socket("127.0.0.1", proxy.activePort())) {
                plain.setSoTimeout(5000);
                assertEquals("", exchange(plain, "PING\r\n", 7));
            }
        }
    }

    @Test
    void theProxyConnectsToTlsBackends() throws Exception {
        int tlsPort = FreePorts.probe();
        List<String> tlsNode = List.of("tls-port " + tlsPort, "tls-cluster yes", "tls-auth-clients yes",
                "tls-cert-file " + certs.serverCert(), "tls-key-file " + certs.serverKey(),
                "tls-ca-cert-file " + certs.caCert());
        try (EmbeddedRedis node = EmbeddedRedis.startOneNodeCluster(tlsNode)) {
            TlsConfig backend = TlsConfig.builder().caCertFile(certs.caCert())
                    .certificate(certs.clientCert(), certs.clientKey()).build();
            try (RespProxy proxy = RespProxy.builder().startupNodes("127.0.0.1:" + tlsPort).port(0)
                    .backendTls(backend).start().join();
                 Socket client = new Socket("127.0.0.1", proxy.activePort())) {
                // CLUSTER SLOTS over TLS names the node's TLS port: every backend connection is TLS
                assertEquals(List.of(new ClusterNode("127.0.0.1", tlsPort)), proxy.masters());
                client.setSoTimeout(5000);
                assertEquals("+OK\r\n", exchange(client, "SET over-tls v\r\n", 5));
                assertEquals("$1\r\nv\r\n", exchange(client, "GET over-tls\r\n", 7));
                assertEquals("+PONG\r\n", exchange(client, "PING\r\n", 7));
            }
            // the node asks for a client certificate: without one the proxy cannot read the slot map
            TlsConfig noCertificate = TlsConfig.builder().caCertFile(certs.caCert()).build();
            CompletionException e = assertThrows(CompletionException.class, () -> RespProxy.builder()
                    .startupNodes("127.0.0.1:" + tlsPort).port(0).backendTls(noCertificate).start().join().close());
            assertTrue(e.getCause() != null, e.toString());
            // and the plain port's reply to a plain CLUSTER SLOTS names the plain port (tls-cluster's pport)
            try (RespProxy plain = RespProxy.builder().startupNodes("127.0.0.1:" + node.port()).port(0).start().join()) {
                assertEquals(List.of(new ClusterNode("127.0.0.1", node.port())), plain.masters());
            }
        }
    }
}
