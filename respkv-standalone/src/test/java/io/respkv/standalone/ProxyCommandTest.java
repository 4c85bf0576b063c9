package io.respkv.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.proxy.RespProxy;
import io.respkv.server.FreePorts;
import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code respkv proxy}: its flags, and a proxy started from them in front of a one-node Redis Cluster. */
@Timeout(60)
class ProxyCommandTest {

    @Test
    void servesAOneNodeCluster() throws Exception {
        try (EmbeddedRedis node = EmbeddedRedis.startOneNodeCluster()) {
            RespProxy.Builder builder = ProxyCommand.builder(new String[] {
                "--addr", "127.0.0.1:0",
                "--startup-nodes", "127.0.0.1:" + node.port(),
                "--slots-reload-interval", "500ms",
                "--backend-idle-connections", "1",
                "--connect-timeout", "2s",
                "--read-prefer", "replica",
                "--requirepass", "pw"});
            try (RespProxy proxy = builder.start().join();
                    RawRespClient c = RawRespClient.connect(RespTarget.loopback("proxy", proxy.activePort()))) {
                assertEquals("NOAUTH Authentication required.", c.call("GET", "k").text());
                assertEquals("OK", c.call("AUTH", "pw").text());
                assertEquals("OK", c.call("MSET", "a", "1", "b", "2", "c", "3").text());
                assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
                        new String(c.call("MGET", "a", "b", "c").raw(), StandardCharsets.UTF_8));
                assertEquals(3, c.call("DBSIZE").integer());
            }
        }
    }

    @Test
    void aclFileGivesTheProxyItsUsers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path users = dir.resolve("users.acl");
        java.nio.file.Files.writeString(users, "user default off\nuser app on >apppw ~app:* +get +set\n");
        try (EmbeddedRedis node = EmbeddedRedis.startOneNodeCluster();
                RespProxy proxy = ProxyCommand.builder(new String[] {
                    "--addr", "127.0.0.1:0", "--startup-nodes", "127.0.0.1:" + node.port(), "--aclfile", users.toString()})
                        .start().join();
                RawRespClient c = RawRespClient.connect(RespTarget.loopback("proxy", proxy.activePort()))) {
            assertEquals("NOAUTH Authentication required.", c.call("GET", "app:1").text());
            assertEquals("OK", c.call("AUTH", "app", "apppw").text());
            assertEquals("OK", c.call("SET", "app:1", "v").text());
            assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                    c.call("SET", "other", "v").text());
            assertEquals("NOPERM this user has no permissions to run the 'del' command", c.call("DEL", "app:1").text());
        }
    }

    @Test
    void tlsFlagsBothSides(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        io.respkv.server.tls.TestCertificates certs = io.respkv.server.tls.TestCertificates.create(dir);
        int tlsPort = FreePorts.probe();
        try (EmbeddedRedis node = EmbeddedRedis.startOneNodeCluster(java.util.List.of("tls-port " + tlsPort,
                "tls-cluster yes", "tls-auth-clients yes", "tls-cert-file " + certs.serverCert(),
                "tls-key-file " + certs.serverKey(), "tls-ca-cert-file " + certs.caCert()))) {
            RespProxy.Builder builder = ProxyCommand.builder(new String[] {
                "--addr", "127.0.0.1:0",
                "--startup-nodes", "127.0.0.1:" + tlsPort,
                "--tls-cert-file", certs.serverCert().toString(),
                "--tls-key-file", certs.serverKey().toString(),
                "--tls-ca-cert-file", certs.caCert().toString(),
                "--tls-auth-clients", "yes",
                "--backend-tls", "yes",
                "--backend-tls-ca-cert-file", certs.caCert().toString(),
                "--backend-tls-cert-file", certs.clientCert().toString(),
                "--backend-tls-key-file", certs.clientKey().toString()});
            try (RespProxy proxy = builder.start().join();
                 redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(
                         new redis.clients.jedis.HostAndPort("localhost", proxy.activePort()),
                         redis.clients.jedis.DefaultJedisClientConfig.builder().ssl(true)
                                 .sslSocketFactory(certs.clientContext().getSocketFactory()).build())) {
                assertEquals(tlsPort, proxy.masters().get(0).port());
                assertEquals("OK", jedis.set("k", "v"));
                assertEquals("v", jedis.get("k"));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ProxyCommand.builder(new String[] {
            "--startup-nodes", "h:1", "--backend-tls", "maybe"}));
        assertThrows(IllegalArgumentException.class, () -> ProxyCommand.builder(new String[] {
            "--startup-nodes", "h:1", "--tls-cert-file", "/x.crt"}));
    }

    @Test
    void rejectsBadFlags() {
        assertEquals("--startup-nodes is required",
                assertThrows(IllegalArgumentException.class, () -> ProxyCommand.builder(new String[] {"--addr", "127.0.0.1:1"}))
                        .getMessage());
        assertEquals("--read-prefer needs master or replica, got 'both'", assertThrows(IllegalArgumentException.class,
                () -> ProxyCommand.builder(new String[] {"--startup-nodes", "h:1", "--read-prefer", "both"})).getMessage());
        assertEquals("--slots-reload-interval needs a positive duration like 3s or 500ms, got 'soon'",
                assertThrows(IllegalArgumentException.class, () -> ProxyCommand.builder(
                        new String[] {"--startup-nodes", "h:1", "--slots-reload-interval", "soon"})).getMessage());
        assertEquals("--transport needs auto, io_uring, epoll or nio, got 'uring'", assertThrows(IllegalArgumentException.class,
                () -> ProxyCommand.builder(new String[] {"--startup-nodes", "h:1", "--transport", "uring"})).getMessage());
        assertEquals("unknown option --nope", assertThrows(IllegalArgumentException.class,
                () -> ProxyCommand.builder(new String[] {"--nope", "x"})).getMessage());
        assertEquals("missing value for --password", assertThrows(IllegalArgumentException.class,
                () -> ProxyCommand.builder(new String[] {"--password"})).getMessage());
        assertEquals(Duration.ofMillis(250), ProxyCommand.duration("--x", "250ms"));
        assertEquals(Duration.ofSeconds(3), ProxyCommand.duration("--x", "3"));
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        ProxyCommand.usage(new PrintStream(help, true, StandardCharsets.UTF_8));
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("--startup-nodes"));
    }
}
