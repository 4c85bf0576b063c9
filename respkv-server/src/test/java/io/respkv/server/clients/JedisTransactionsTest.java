package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.respkv.server.RespServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** MULTI/EXEC/DISCARD/WATCH through Jedis 8, RESP2 and RESP3. */
@Timeout(60)
class JedisTransactionsTest {

    private static RespServer server;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void flush() {
        try (Jedis j = connect(RedisProtocol.RESP2)) {
            j.flushAll();
        }
    }

    private static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void multiExecGivesEachReply(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            Transaction t = j.multi();
            Response<String> set = t.set("a", "1");
            Response<Long> incr = t.incrBy("a", 41);
            Response<String> get = t.get("a");
            Response<Long> push = t.lpush("l", "x", "y");
            Response<List<String>> range = t.lrange("l", 0, -1);
            List<Object> results = t.exec();
            assertEquals(5, results.size());
            assertEquals("OK", set.get());
            assertEquals(42L, incr.get());
            assertEquals("42", get.get());
            assertEquals(2L, push.get());
            assertEquals(List.of("y", "x"), range.get());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void runtimeErrorIsOneResultAndTheOthersApply(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            j.set("s", "text");
            Transaction t = j.multi();
            t.incr("s");
            t.set("after", "yes");
            List<Object> results = t.exec();
            JedisDataException e = assertInstanceOf(JedisDataException.class, results.get(0));
            assertEquals("ERR value is not an integer or out of range", e.getMessage());
            assertEquals("OK", results.get(1));
            assertEquals("yes", j.get("after"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void watchedKeyChangedByAnotherClientFailsExec(RedisProtocol protocol) {
        try (Jedis j = connect(protocol); Jedis other = connect(protocol)) {
            j.set("balance", "100");
            j.watch("balance");
            other.set("balance", "50");
            Transaction t = j.multi();
            t.decrBy("balance", 10);
            assertNull(t.exec()); // Jedis: null when the WATCH failed
            assertEquals("50", j.get("balance"));

            j.watch("balance");
            Transaction again = j.multi();
            again.decrBy("balance", 10);
            assertEquals(List.of(40L), again.exec());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void discardAndUnwatch(RedisProtocol protocol) {
        try (Jedis j = connect(protocol); Jedis other = connect(protocol)) {
            Transaction t = j.multi();
            t.set("k", "v");
            assertEquals("OK", t.discard());
            assertNull(j.get("k"));

            j.watch("k");
            other.set("k", "changed");
            assertEquals("OK", j.unwatch());
            Transaction t2 = j.multi();
            t2.get("k");
            assertEquals(List.of("changed"), t2.exec());

            JedisDataException e = assertThrows(JedisDataException.class, () -> j.sendCommand(
                    redis.clients.jedis.Protocol.Command.EXEC));
            assertEquals("ERR EXEC without MULTI", e.getMessage());
        }
    }
}
