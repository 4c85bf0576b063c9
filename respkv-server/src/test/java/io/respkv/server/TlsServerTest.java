package io.respkv.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.respkv.server.TlsConfig.AuthClients;
import io.respkv.server.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The TLS port: handshakes, client certificates, and the same RESP behind it as on the plain port. */
class TlsServerTest {

    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir.resolve("certs"));
    }

    private static TlsConfig tls(AuthClients auth) {
        return TlsConfig.builder().certificate(certs.serverCert(), certs.serverKey()).caCertFile(certs.caCert())
                .authClients(auth).build();
    }

    private static RespServer start(AuthClients auth) {
        return RespServer.builder().port(0).tlsPort(0, tls(auth)).start().join();
    }

    /** Opens a TLS connection and completes the handshake (throws if the server refuses it). */
    static SSLSocket connect(SSLContext ctx, int port) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    /** Writes {@code request} and reads until {@code expectedLength} bytes or EOF. */
    static String exchange(Socket s, String request, int expectedLength) throws IOException {
        s.getOutputStream().write(request.getBytes(US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (out.size() < expectedLength) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        return out.toString(US_ASCII);
    }

    /** Whether the server accepts this client: TLS 1.3 reports a refused certificate only on the first read. */
    private static void assertRefused(SSLContext ctx, int port) {
        assertThrows(IOException.class, () -> {
            try (SSLSocket s = connect(ctx, port)) {
                String reply = exchange(s, "PING\r\n", 7);
                if (reply.isEmpty()) {
                    throw new SSLException("closed without a reply");
                }
            }
        });
    }

    @Test
    void rawPingAndHelloOverTls() throws Exception {
        try (RespServer server = start(AuthClients.NO);
             SSLSocket s = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
            assertEquals("+PONG\r\n", exchange(s, "*1\r\n$4\r\nPING\r\n", 7));
            assertEquals("+PONG\r\n", exchange(s, "PING\r\n", 7)); // inline too
            String hello = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n";
            String reply = exchange(s, "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n", hello.length());
            assertEquals(hello, reply.substring(0, hello.length()));
            // the rest of HELLO's map (id, mode, role, modules), then RESP3 replies
            String tail = "$7\r\nmodules\r\n*0\r\n";
            while (!reply.endsWith(tail)) {
                reply += exchange(s, "", 1);
            }
            assertEquals("_\r\n", exchange(s, "GET missing\r\n", 3));
        }
    }

    @Test
    void plainAndTlsPortsServeTheSameData() throws Exception {
        try (RespServer server = start(AuthClients.NO)) {
            assertTrue(server.activePort() > 0 && server.activeTlsPort() > 0);
            assertTrue(server.activePort() != server.activeTlsPort());
            try (Socket plain = new Socket("127.0.0.1", server.activePort());
                 SSLSocket secure = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
                plain.setSoTimeout(5000);
                assertEquals("+OK\r\n", exchange(plain, "SET shared v1\r\n", 5));
                assertEquals("$2\r\nv1\r\n", exchange(secure, "GET shared\r\n", 8));
                assertEquals("+OK\r\n", exchange(secure, "SET shared v2\r\n", 5));
                assertEquals("$2\r\nv2\r\n", exchange(plain, "GET shared\r\n", 8));
            }
            // a plain request on the TLS port is not a TLS record: the connection closes
            try (Socket plainOnTls = new Socket("127.0.0.1", server.activeTlsPort())) {
                plainOnTls.setSoTimeout(5000);
                assertEquals("", exchange(plainOnTls, "PING\r\n", 7)); // closed: not a TLS record
            }
        }
    }

    @Test
    void tlsOnlyServer() throws Exception {
        try (RespServer server = RespServer.builder().port(RespServer.DISABLED).tlsPort(0, tls(AuthClients.NO))
                .start().join();
             SSLSocket s = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
            assertEquals(-1, server.activePort());
            assertEquals(bulkPair("port", "0"), exchange(s, "CONFIG GET port\r\n", bulkPair("port", "0").length()));
            String tlsPort = Integer.toString(server.activeTlsPort());
            String expected = "*2\r\n$8\r\ntls-port\r\n$" + tlsPort.length() + "\r\n" + tlsPort + "\r\n";
            assertEquals(expected, exchange(s, "CONFIG GET tls-port\r\n", expected.length()));
        }
    }

    @Test
    void mutualTlsRequiresACertificateFromTheCa() throws Exception {
        try (RespServer server = start(AuthClients.YES)) {
            int port = server.activeTlsPort();
            try (SSLSocket s = connect(certs.clientContext(), port)) {
                assertEquals("+PONG\r\n", exchange(s, "PING\r\n", 7));
            }
            assertRefused(certs.clientContextWithoutCertificate(), port);
            assertRefused(certs.foreignClientContext(), port);
        }
    }

    @Test
    void optionalClientCertificates() throws Exception {
        try (RespServer server = start(AuthClients.OPTIONAL)) {
            int port = server.activeTlsPort();
            try (SSLSocket with = connect(certs.clientContext(), port);
                 SSLSocket without = connect(certs.clientContextWithoutCertificate(), port)) {
                assertEquals("+PONG\r\n", exchange(with, "PING\r\n", 7));
                assertEquals("+PONG\r\n", exchange(without, "PING\r\n", 7));
            }
            // a certificate given is verified: one from another CA is refused
            assertRefused(certs.foreignClientContext(), port);
        }
    }

    @Test
    void requirePassAppliesOverTls() throws Exception {
        try (RespServer server = RespServer.builder().port(0).tlsPort(0, tls(AuthClients.NO)).requirePass("pw")
                .start().join();
             SSLSocket s = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
            String noauth = "-NOAUTH Authentication required.\r\n";
            assertEquals(noauth, exchange(s, "GET k\r\n", noauth.length()));
            assertEquals("+OK\r\n+PONG\r\n", exchange(s, "AUTH pw\r\nPING\r\n", 12));
        }
    }

    @Test
    void jedisOverMutualTls() {
        try (RespServer server = start(AuthClients.YES);
             Jedis jedis = new Jedis(new HostAndPort("localhost", server.activeTlsPort()),
                     DefaultJedisClientConfig.builder().ssl(true)
                             .sslSocketFactory(certs.clientContext().getSocketFactory()).build())) {
            assertEquals("OK", jedis.set("jk", "jv"));
            assertEquals("jv", jedis.get("jk"));
            assertEquals("PONG", jedis.ping());
        }
    }

    @Test
    void lettuceOverMutualTls() {
        try (RespServer server = start(AuthClients.YES)) {
            SslOptions ssl = SslOptions.builder().jdkSslProvider()
                    .trustManager(certs.caCert().toFile())
                    .keyManager(certs.clientCert().toFile(), certs.clientKey().toFile(), null)
                    .build();
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("localhost")
                    .withPort(server.activeTlsPort()).withSsl(true).withVerifyPeer(true)
                    .withTimeout(Duration.ofSeconds(10)).build());
            client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                // Lettuce opens with HELLO 3: RESP3 over TLS
                assertEquals("OK", c.sync().set("lk", "lv"));
                assertEquals("lv", c.sync().get("lk"));
                assertEquals(1L, c.sync().exists("lk"));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void configGetShowsTheTlsSettings() throws Exception {
        try (RespServer server = start(AuthClients.OPTIONAL);
             SSLSocket s = connect(certs.clientContext(), server.activeTlsPort())) {
            assertEquals(bulkPair("tls-auth-clients", "optional"), exchange(s, "CONFIG GET tls-auth-clients\r\n",
                    bulkPair("tls-auth-clients", "optional").length()));
            String cert = certs.serverCert().toString();
            assertEquals(bulkPair("tls-cert-file", cert), exchange(s, "CONFIG GET tls-cert-file\r\n",
                    bulkPair("tls-cert-file", cert).length()));
            String refused = "-ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - "
                    + "argument(s) must be one of the following: no, yes, optional\r\n";
            assertEquals(refused, exchange(s, "CONFIG SET tls-auth-clients maybe\r\n", refused.length()));
            String immutable = "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - can't set immutable config\r\n";
            assertEquals(immutable, exchange(s, "CONFIG SET tls-port 1\r\n", immutable.length()));
            // applied to new connections: now a client certificate is required
            assertEquals("+OK\r\n", exchange(s, "CONFIG SET tls-auth-clients yes\r\n", 5));
            assertRefused(certs.clientContextWithoutCertificate(), server.activeTlsPort());
            assertEquals("+PONG\r\n", exchange(s, "PING\r\n", 7)); // open connections keep going
        }
    }

    @Test
    void configSetOfTheCertificateFilesReloadsTheContext() throws Exception {
        TestCertificates other = TestCertificates.create(dir.resolve("other"));
        try (RespServer server = start(AuthClients.NO);
             SSLSocket s = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
            String set = "*6\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n"
                    + bulk("tls-cert-file") + bulk(other.serverCert().toString())
                    + bulk("tls-key-file") + bulk(other.serverKey().toString());
            assertEquals("+OK\r\n", exchange(s, set, 5));
            // new connections get the new certificate: trusted by the other CA, no longer by the first
            try (SSLSocket again = connect(other.clientContextWithoutCertificate(), server.activeTlsPort())) {
                assertEquals("+PONG\r\n", exchange(again, "PING\r\n", 7));
            }
            assertThrows(SSLException.class, () -> connect(certs.clientContextWithoutCertificate(),
                    server.activeTlsPort()).close());
            // a file that does not exist keeps the working context
            assertEquals("+OK\r\n", exchange(s, "CONFIG SET tls-cert-file /nonexistent.crt\r\n", 5));
            try (SSLSocket still = connect(other.clientContextWithoutCertificate(), server.activeTlsPort())) {
                assertEquals("+PONG\r\n", exchange(still, "PING\r\n", 7));
            }
        }
    }

    @Test
    void anEncryptedKeyWithItsPassword() throws Exception {
        Path key = certs.encryptedServerKey("k3y-pass");
        assertTrue(java.nio.file.Files.readString(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        for (TlsConfig.Provider provider : TlsConfig.Provider.values()) {
            if (provider == TlsConfig.Provider.OPENSSL && !io.netty.handler.ssl.OpenSsl.isAvailable()) {
                continue;
            }
            TlsConfig tls = TlsConfig.builder().certificate(certs.serverCert(), key).keyPassword("k3y-pass")
                    .authClients(AuthClients.NO).provider(provider).build();
            try (RespServer server = RespServer.builder().port(RespServer.DISABLED).tlsPort(0, tls).start().join();
                 SSLSocket s = connect(certs.clientContextWithoutCertificate(), server.activeTlsPort())) {
                assertEquals("+PONG\r\n", exchange(s, "PING\r\n", 7));
                String pass = bulkPair("tls-key-file-pass", "k3y-pass");
                assertEquals(pass, exchange(s, "CONFIG GET tls-key-file-pass\r\n", pass.length()));
            }
            TlsConfig wrong = tls.toBuilder().keyPassword("wrong").build();
            assertThrows(IllegalArgumentException.class,
                    () -> RespServer.builder().port(0).tlsPort(0, wrong).build().close());
        }
    }

    @Test
    void aTakenTlsPortFailsTheStart() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            RespServer server = RespServer.builder().port(0).tlsPort(taken.getLocalPort(), tls(AuthClients.NO)).build();
            java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> server.start().join());
            assertTrue(String.valueOf(e.getCause().getMessage()).contains("in use"), e.toString());
            server.close();
        }
    }

    @Test
    void badFilesFailTheBuild() {
        TlsConfig missing = TlsConfig.builder().certificate(dir.resolve("nope.crt"), certs.serverKey())
                .authClients(AuthClients.NO).build();
        assertThrows(IllegalArgumentException.class, () -> RespServer.builder().port(0).tlsPort(0, missing).build());
        TlsConfig noCa = TlsConfig.builder().certificate(certs.serverCert(), certs.serverKey()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RespServer.builder().port(0).tlsPort(0, noCa).build());
        assertTrue(e.getMessage().contains("tls-ca-cert-file"), e.getMessage());
    }

    @Test
    void providerIsReported() {
        try (RespServer server = start(AuthClients.NO)) {
            String expected = io.netty.handler.ssl.OpenSsl.isAvailable() ? "OPENSSL" : "JDK";
            assertEquals(expected, server.tlsProvider());
            try (RespServer jdk = RespServer.builder().port(0).tlsPort(0, tls(AuthClients.NO).toBuilder()
                    .provider(TlsConfig.Provider.JDK).build()).build()) {
                assertEquals("JDK", jdk.tlsProvider());
            }
        }
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String bulkPair(String name, String value) {
        return "*2\r\n" + bulk(name) + bulk(value);
    }
}
