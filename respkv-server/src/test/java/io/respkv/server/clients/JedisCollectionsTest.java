package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.util.KeyValue;
import redis.clients.jedis.resps.Tuple;

/** Jedis over every collection type, in RESP3, including a blocking pop woken by another client. */
@Timeout(60)
class JedisCollectionsTest {

    private static RespServer server;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Jedis connect() {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build());
    }

    @Test
    void hashes() {
        try (Jedis j = connect()) {
            assertEquals(2L, j.hset("jh", Map.of("a", "1", "b", "2")));
            assertEquals("1", j.hget("jh", "a"));
            assertEquals(Map.of("a", "1", "b", "2"), j.hgetAll("jh"));
            assertEquals(12L, j.hincrBy("jh", "b", 10));
            assertEquals(1L, j.hdel("jh", "a"));
            assertEquals(1L, j.hlen("jh"));
            assertEquals("hash", j.type("jh"));
        }
    }

    @Test
    void sets() {
        try (Jedis j = connect()) {
            assertEquals(3L, j.sadd("js", "a", "b", "c"));
            assertEquals(Set.of("a", "b", "c"), j.smembers("js"));
            assertTrue(j.sismember("js", "b"));
            j.sadd("js2", "b", "c", "d");
            assertEquals(Set.of("b", "c"), j.sinter("js", "js2"));
            assertTrue(Set.of("a", "b", "c").contains(j.spop("js")));
            assertEquals(2L, j.scard("js"));
        }
    }

    @Test
    void sortedSets() {
        try (Jedis j = connect()) {
            assertEquals(3L, j.zadd("jz", Map.of("a", 1.0, "b", 2.5, "c", Double.POSITIVE_INFINITY)));
            assertEquals(2.5, j.zscore("jz", "b"));
            assertEquals(List.of("a", "b"), j.zrangeByScore("jz", 0, 3));
            List<Tuple> top = j.zrevrangeWithScores("jz", 0, 0);
            assertEquals("c", top.get(0).getElement());
            assertEquals(Double.POSITIVE_INFINITY, top.get(0).getScore());
            assertEquals(1L, j.zrank("jz", "b"));
        }
    }

    @Test
    void listsAndABlockingPopWokenByAnotherClient() throws Exception {
        try (Jedis waiter = connect(); Jedis pusher = connect()) {
            assertEquals(3L, pusher.rpush("jl", "a", "b", "c"));
            assertEquals(List.of("a", "b", "c"), pusher.lrange("jl", 0, -1));
            assertEquals("b", pusher.lindex("jl", 1));
            assertEquals("a", pusher.lpop("jl"));
            assertEquals(List.of("b", "c"), pusher.lrange("jl", 0, -1));

            CompletableFuture<KeyValue<String, String>> popped =
                    CompletableFuture.supplyAsync(() -> waiter.blpop(10.0, "jq"));
            TimeUnit.MILLISECONDS.sleep(200);
            assertTrue(!popped.isDone(), "BLPOP must wait for a push");
            assertEquals(1L, pusher.lpush("jq", "job-1"));
            KeyValue<String, String> kv = popped.get(10, TimeUnit.SECONDS);
            assertEquals("jq", kv.getKey());
            assertEquals("job-1", kv.getValue());
            assertNull(waiter.blpop(0.1, "jq-empty"));
        }
    }

    @Test
    void typesAreReportedAndEnforced() {
        try (Jedis j = connect()) {
            j.set("jt-string", "v");
            j.rpush("jt-list", "x");
            assertEquals(Set.of("string", "list"), Set.of(j.type("jt-string"), j.type("jt-list")));
            redis.clients.jedis.exceptions.JedisDataException e = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> j.hget("jt-list", "f"));
            assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", e.getMessage());
        }
    }
}
