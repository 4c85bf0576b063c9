package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.respkv.server.RespServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MULTI/EXEC/DISCARD/WATCH through Lettuce 7 (RESP3, so a failed WATCH is RESP3's null). */
@Timeout(60)
class LettuceTransactionsTest {

    private static RespServer server;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
        client = RedisClient.create();
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        server.close();
    }

    private static StatefulRedisConnection<String, String> connect() {
        return client.connect(RedisURI.builder().withHost("127.0.0.1").withPort(server.activePort())
                .withTimeout(Duration.ofSeconds(10)).build());
    }

    @BeforeEach
    void flush() {
        try (StatefulRedisConnection<String, String> c = connect()) {
            c.sync().flushall();
        }
    }

    @Test
    void syncMultiExec() {
        try (StatefulRedisConnection<String, String> conn = connect()) {
            RedisCommands<String, String> r = conn.sync();
            assertEquals("OK", r.multi());
            assertNull(r.set("a", "1")); // queued: the sync API returns null until EXEC
            r.incrby("a", 9);
            r.hset("h", "f", "v");
            r.hgetall("h");
            TransactionResult result = r.exec();
            assertFalse(result.wasDiscarded());
            assertEquals(4, result.size());
            assertEquals("OK", result.get(0));
            assertEquals(10L, (Long) result.get(1));
            assertEquals(true, result.get(2));
            assertEquals(java.util.Map.of("f", "v"), result.get(3));
        }
    }

    @Test
    void asyncTransactionFuturesCompleteAtExec() throws Exception {
        try (StatefulRedisConnection<String, String> conn = connect()) {
            RedisAsyncCommands<String, String> a = conn.async();
            a.multi();
            RedisFuture<String> set = a.set("k", "v");
            RedisFuture<Long> append = a.append("k", "w");
            RedisFuture<String> get = a.get("k");
            RedisFuture<TransactionResult> exec = a.exec();
            assertFalse(exec.get(10, TimeUnit.SECONDS).wasDiscarded());
            assertEquals("OK", set.get());
            assertEquals(2L, append.get());
            assertEquals("vw", get.get());
        }
    }

    @Test
    void watchFailureDiscardsTheTransaction() {
        try (StatefulRedisConnection<String, String> conn = connect();
                StatefulRedisConnection<String, String> other = connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.set("stock", "3");
            assertEquals("OK", r.watch("stock"));
            other.sync().decr("stock");
            r.multi();
            r.decr("stock");
            TransactionResult result = r.exec();
            assertTrue(result.wasDiscarded());
            assertEquals("2", r.get("stock"));

            r.watch("stock");
            r.multi();
            r.decr("stock");
            assertEquals(List.of(1L), r.exec().stream().toList());
            assertEquals("OK", r.unwatch());
        }
    }

    @Test
    void errorsInsideAndBeforeExec() {
        try (StatefulRedisConnection<String, String> conn = connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.set("s", "text");
            r.multi();
            r.incr("s");
            r.set("t", "1");
            TransactionResult result = r.exec();
            RedisCommandExecutionException e = assertInstanceOf(RedisCommandExecutionException.class, result.get(0));
            assertEquals("ERR value is not an integer or out of range", e.getMessage());
            assertEquals("OK", result.get(1));

            r.multi();
            r.set("u", "1");
            assertEquals("OK", r.discard());
            assertEquals(0L, r.exists("u"));
            RedisCommandExecutionException noMulti = assertThrows(RedisCommandExecutionException.class, r::exec);
            assertEquals("ERR EXEC without MULTI", noMulti.getMessage());
        }
    }
}
