package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * PostgreSQL stops and starts again under two respkv instances: the message bus's listener and
 * sender reconnect by themselves and PUBLISH on one instance reaches the other's subscribers again,
 * each message once. A PostgreSQL of its own (see {@link PostgresRestartTest}).
 */
@Timeout(120)
class PostgresMessageBusRestartTest {

    @TempDir
    Path dataDir;

    private EmbeddedPostgres pg;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private EmbeddedPostgres startPostgres(int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void messagesFlowAgainAfterPostgresRestarts() throws Exception {
        int port = freePort();
        pg = startPostgres(port);
        String url = pg.getJdbcUrl("postgres", "postgres");
        PostgresEngine engineA = PostgresEngine.builder().url(url).user("postgres").poolSize(2).build();
        PostgresEngine engineB = PostgresEngine.builder().url(url).user("postgres").poolSize(2).build();
        RespServer a = closing(RespServer.builder().port(0).ownedEngine(engineA).start().join());
        RespServer b = closing(RespServer.builder().port(0).ownedEngine(engineB).start().join());
        PostgresMessageBus busA = (PostgresMessageBus) engineA.messageBus();
        PostgresMessageBus busB = (PostgresMessageBus) engineB.messageBus();
        BusSubscriber onB = closing(BusSubscriber.channels(b.activePort(), "news".getBytes(UTF_8)));
        Jedis publisher = closing(new Jedis("127.0.0.1", a.activePort(), 10_000));
        assertTrue(await(busA::othersListening, 10));
        publisher.publish("news", "before");
        List<byte[]> got = onB.next(20);
        assertNotNull(got);
        assertEquals("before", new String(got.get(2), UTF_8));

        long connects = busB.listenerConnects();
        pg.close();
        Thread.sleep(2_000);
        // PUBLISH does not touch the database: it answers while it is down (the message waits in A's sender)
        assertEquals(0L, publisher.publish("news", "while-down"));
        pg = startPostgres(port);
        assertTrue(await(() -> busB.listenerConnects() > connects, 30), "B's listener reconnected by itself");
        // B counts as reconnected only once A knows somebody listens: else A drops the next PUBLISH
        // unsent (A's listener may have reconnected first and found nobody; see PostgresMessageBusJoinTest)
        assertTrue(busA.othersListening(), "A knows B listens again");

        publisher.publish("news", "after");
        // "while-down" arrives too if A's sender sent it after B listened again; nothing arrives twice
        List<String> seen = new ArrayList<>();
        while (!seen.contains("after")) {
            List<byte[]> m = onB.next(20);
            assertNotNull(m, "messages flow again after the restart; got " + seen);
            seen.add(new String(m.get(2), UTF_8));
        }
        assertTrue(seen.equals(List.of("after")) || seen.equals(List.of("while-down", "after")), seen.toString());
        Thread.sleep(300);
        assertEquals(null, onB.received.poll());
        assertEquals(0, busB.duplicates());
    }
}
