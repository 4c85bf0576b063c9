package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.RedisFuture;
import io.respkv.server.RespServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lettuce (RESP3 after HELLO 3) over every collection type, and a blocking pop woken by another client. */
@Timeout(60)
class LettuceCollectionsTest {

    private static RespServer server;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.activePort())
                .withTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        server.close();
    }

    @Test
    void hashesSortedSetsAndSets() {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            assertEquals(2L, r.hset("lh", Map.of("a", "1", "b", "2")));
            assertEquals(Map.of("a", "1", "b", "2"), r.hgetall("lh"));
            assertEquals(3.5, r.hincrbyfloat("lh", "a", 2.5));
            assertEquals(2L, r.zadd("lz", 1.0, "x", 2.0, "y"));
            assertEquals(List.of(ScoredValue.just(2.0, "y")), r.zrevrangeWithScores("lz", 0, 0));
            assertEquals(1.0, r.zscore("lz", "x"));
            assertEquals(2L, r.sadd("ls", "m1", "m2"));
            assertEquals(java.util.Set.of("m1", "m2"), r.smembers("ls"));
            assertEquals(true, r.sismember("ls", "m2"));
        }
    }

    @Test
    void blockingPopWokenByAnotherClient() throws Exception {
        try (StatefulRedisConnection<String, String> waiterConn = client.connect();
             StatefulRedisConnection<String, String> pusher = client.connect()) {
            RedisFuture<KeyValue<String, String>> popped = waiterConn.async().brpop(10, "lq");
            TimeUnit.MILLISECONDS.sleep(200);
            assertFalse(popped.isDone(), "BRPOP must wait for a push");
            assertEquals(1L, pusher.sync().rpush("lq", "work"));
            KeyValue<String, String> kv = popped.get(10, TimeUnit.SECONDS);
            assertEquals("lq", kv.getKey());
            assertEquals("work", kv.getValue());
            assertEquals(0L, pusher.sync().llen("lq"));
        }
    }
}
