package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.RedisFuture;
import io.respkv.server.RespServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lettuce 7 against an embedded respkv. Lettuce opens every connection with {@code HELLO 3}
 * (and with a password, {@code HELLO 3 AUTH default ...}) and depends on its reply.
 */
@Timeout(60)
class LettuceClientTest {

    private static RespServer server;
    private static RespServer protectedServer;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
        protectedServer = RespServer.builder().port(0).requirePass("s3cret").start().join();
        client = RedisClient.create();
        client.setOptions(ClientOptions.builder().build());
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        server.close();
        protectedServer.close();
    }

    private static RedisURI.Builder uriBuilder(RespServer s) {
        return RedisURI.builder().withHost("127.0.0.1").withPort(s.activePort()).withTimeout(Duration.ofSeconds(10));
    }

    private static RedisURI uri(RespServer s) {
        return uriBuilder(s).build();
    }

    @Test
    void defaultHandshakeIsResp3AndCommandsWork() {
        try (StatefulRedisConnection<String, String> conn = client.connect(uri(server))) {
            RedisCommands<String, String> r = conn.sync();
            assertTrue(r.clientList().contains("resp=3"), "Lettuce should have negotiated RESP3 with HELLO 3");
            assertEquals("PONG", r.ping());
            assertEquals("OK", r.set("lettuce:k", "v", SetArgs.Builder.ex(100)));
            assertEquals("v", r.get("lettuce:k"));
            assertTrue(r.ttl("lettuce:k") > 90);
            assertNull(r.get("lettuce:missing"));
            assertEquals(5L, r.incrby("lettuce:n", 5));
            List<KeyValue<String, String>> values = r.mget("lettuce:k", "lettuce:missing");
            assertEquals("v", values.get(0).getValue());
            assertTrue(values.get(1).isEmpty());
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> r.incr("lettuce:k"));
            assertEquals("ERR value is not an integer or out of range", e.getMessage());
        }
    }

    @Test
    void passwordGoesThroughHelloAuth() {
        RedisURI u = uriBuilder(protectedServer).withAuthentication("default", "s3cret").build();
        try (StatefulRedisConnection<String, String> conn = client.connect(u)) {
            assertEquals("PONG", conn.sync().ping());
        }
        RedisURI wrong = uriBuilder(protectedServer).withAuthentication("default", "nope").build();
        assertThrows(Exception.class, () -> client.connect(wrong).close());
    }

    @Test
    void asyncPipelineKeepsOrder() throws Exception {
        try (StatefulRedisConnection<String, String> conn = client.connect(uri(server))) {
            conn.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> a = conn.async();
            List<RedisFuture<String>> gets = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                a.set("lp:" + i, "v" + i);
                gets.add(a.get("lp:" + i));
            }
            conn.flushCommands();
            for (int i = 0; i < 300; i++) {
                assertEquals("v" + i, gets.get(i).get(10, TimeUnit.SECONDS));
            }
        }
    }
}
