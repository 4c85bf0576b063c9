package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Passwords on both sides: a cluster whose nodes require one (the proxy's {@code password}, sent
 * with AUTH on RESP2 connections and HELLO 3 AUTH on RESP3 ones) and a proxy that requires its
 * own from clients ({@code requirePass}, AUTH or HELLO AUTH).
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {

    private RedisClusterFixture cluster;
    private RespProxy proxy;

    @BeforeAll
    void start() {
        cluster = RedisClusterFixture.start(3, 0, "backend-secret");
        proxy = RespProxy.builder().startupNodes(cluster.startupNodes()).port(0)
                .password("backend-secret").requirePass("front-secret").start().join();
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String raw(RawRespClient c, String... args) throws IOException {
        return new String(c.call(args).raw(), StandardCharsets.UTF_8);
    }

    @Test
    void clientsMustAuthenticate() throws IOException {
        try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("proxy", proxy.activePort()))) {
            assertEquals("-NOAUTH Authentication required.\r\n", raw(c, "GET", "k"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", raw(c, "AUTH", "nope"));
            assertEquals("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                    + "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time\r\n", raw(c, "HELLO", "3"));
            assertEquals("+OK\r\n", raw(c, "AUTH", "front-secret"));
            assertEquals("+OK\r\n", raw(c, "FLUSHALL"));
            for (int i = 0; i < 50; i++) {
                assertEquals("+OK\r\n", raw(c, "SET", "auth:" + i, "v"));
            }
            assertEquals("*2\r\n$1\r\nv\r\n$1\r\nv\r\n", raw(c, "MGET", "auth:1", "auth:2"));
            assertEquals(":50\r\n", raw(c, "DBSIZE"));
        }
    }

    @Test
    void lettuceAuthenticatesWithHello() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.activePort())
                .withPassword("front-secret".toCharArray()).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            // RESP3: the proxy's RESP3 backend connections authenticate with HELLO 3 AUTH
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", conn.sync().set("lettuce-auth:" + i, "v" + i));
                assertEquals("v" + i, conn.sync().get("lettuce-auth:" + i));
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }
}
