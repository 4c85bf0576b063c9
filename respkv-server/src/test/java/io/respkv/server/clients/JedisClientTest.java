package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Jedis 8, the most used Java client, against an embedded respkv on a free port, in RESP2 and RESP3. */
@Timeout(60)
class JedisClientTest {

    private static RespServer server;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(protocol).clientName("jedis-test").build());
    }

    @Test
    void stringsAndKeysOverResp2() {
        try (Jedis j = connect(RedisProtocol.RESP2)) {
            exercise(j, "r2:");
        }
    }

    @Test
    void stringsAndKeysOverResp3() {
        try (Jedis j = connect(RedisProtocol.RESP3)) {
            exercise(j, "r3:");
            assertTrue(j.clientList().contains("resp=3"));
        }
    }

    private static void exercise(Jedis j, String p) {
        assertEquals("PONG", j.ping());
        assertEquals("jedis-test", j.clientGetname());
        assertEquals("OK", j.set(p + "k", "v"));
        assertEquals("v", j.get(p + "k"));
        assertNull(j.get(p + "missing"));
        assertEquals(11L, j.incrBy(p + "n", 11));
        assertEquals(List.of("v", "11"), j.mget(p + "k", p + "n"));
        assertEquals("OK", j.set(p + "t", "x", SetParams.setParams().px(100_000)));
        assertTrue(j.pttl(p + "t") > 90_000);
        assertEquals("string", j.type(p + "k"));
        assertEquals(1L, j.del(p + "k"));
        assertEquals(false, j.exists(p + "k"));
        JedisDataException e = assertThrows(JedisDataException.class, () -> j.incr(p + "t"));
        assertEquals("ERR value is not an integer or out of range", e.getMessage());
        assertTrue(j.dbSize() >= 2);
    }

    @Test
    void pipelineGetsEveryReplyInOrder() {
        try (Jedis j = connect(RedisProtocol.RESP2)) {
            Pipeline pipe = j.pipelined();
            for (int i = 0; i < 500; i++) {
                pipe.set("pipe:" + i, Integer.toString(i));
                pipe.get("pipe:" + i);
            }
            List<Object> replies = pipe.syncAndReturnAll();
            assertEquals(1000, replies.size());
            for (int i = 0; i < 500; i++) {
                assertEquals("OK", replies.get(2 * i));
                assertEquals(Integer.toString(i), replies.get(2 * i + 1));
            }
        }
    }
}
