package io.respkv.engine.postgres;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * PostgreSQL stops and starts again (same data directory, same port) while clients write through
 * respkv: while it is down every command fails at once with {@code -ERR engine unavailable: ...},
 * the instance recovers by itself when it returns, and no acknowledged write is lost.
 *
 * <p>A PostgreSQL of its own (not the shared one of the other tests), with fsync off: a process
 * stop loses nothing that was committed either way (the WAL is in the operating system's cache);
 * fsync guards against a machine crash, which this does not simulate.
 */
@Timeout(120)
class PostgresRestartTest {

    private static final int CLIENTS = 4;
    /** Errors may still come this long after PostgreSQL is back: the engine's probe interval and a new pool. */
    private static final long RECOVERY_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dataDir;

    private EmbeddedPostgres pg;
    private RespServer server;
    private ExecutorService clients;

    @AfterEach
    void stop() throws Exception {
        if (clients != null) {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        }
        if (server != null) {
            server.close();
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

    /** What one client saw: its acknowledged SETs (key to value), its last acknowledged INCR, its errors' times. */
    private record Seen(Map<String, String> acknowledged, long lastIncr, long attemptedIncrs, List<Long> errorNanos,
                        List<Long> errorLatencyNanos) {
    }

    @Test
    void commandsFailFastWhileTheDatabaseIsDownAndNothingAcknowledgedIsLost() throws Exception {
        int port = freePort();
        pg = startPostgres(port);
        String url = pg.getJdbcUrl("postgres", "postgres");
        PostgresEngine engine = PostgresEngine.builder().url(url).user("postgres").poolSize(4).build();
        server = RespServer.builder().port(0).ownedEngine(engine).start().join();
        clients = Executors.newFixedThreadPool(CLIENTS);
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<Seen>> futures = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            futures.add(clients.submit(() -> runClient(client, running, unexpected)));
        }
        Thread.sleep(1_500);
        long downFrom = System.nanoTime();
        pg.close();
        long stoppedAt = System.nanoTime();
        Thread.sleep(2_000);
        pg = startPostgres(port);
        long upAt = System.nanoTime();
        Thread.sleep(3_000);
        running.set(false);

        List<Seen> seen = new ArrayList<>();
        for (Future<Seen> f : futures) {
            seen.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), unexpected, "every reply is a success or the engine-unavailable error");
        long errors = 0;
        long lastError = downFrom;
        for (Seen s : seen) {
            for (long at : s.errorNanos()) {
                errors++;
                lastError = Math.max(lastError, at);
                assertTrue(at >= downFrom, "an error before PostgreSQL stopped");
                assertTrue(at <= upAt + RECOVERY_GRACE_NANOS, "an error "
                        + TimeUnit.NANOSECONDS.toMillis(at - upAt) + " ms after PostgreSQL was back");
            }
        }
        long acknowledged = seen.stream().mapToLong(s -> s.acknowledged().size() + s.lastIncr()).sum();
        System.out.printf("PostgreSQL down %d ms: %d errors, the last %d ms after it was back; %d writes acknowledged%n",
                TimeUnit.NANOSECONDS.toMillis(upAt - downFrom), errors, TimeUnit.NANOSECONDS.toMillis(lastError - upAt),
                acknowledged);
        assertTrue(errors > 0, "the clients saw the outage");
        // Fail fast: no error took longer than the pool's connection timeout (plus slack for a
        // loaded machine), and most came at once (the engine knew the database was down).
        List<Long> latencies = seen.stream().flatMap(s -> s.errorLatencyNanos().stream()).sorted().toList();
        long slowest = latencies.get(latencies.size() - 1);
        long median = latencies.get(latencies.size() / 2);
        System.out.printf("error replies: median %.1f ms, slowest %.1f ms%n", median / 1e6, slowest / 1e6);
        assertTrue(slowest < PostgresEngine.DEFAULT_CONNECTION_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1),
                "an error took " + slowest / 1_000_000 + " ms");
        assertTrue(median < TimeUnit.MILLISECONDS.toNanos(100), "median error latency " + median / 1_000_000 + " ms");

        // Every acknowledged write is there after the restart (a write that failed may or may not have landed).
        try (Jedis j = jedis()) {
            for (int c = 0; c < CLIENTS; c++) {
                Seen s = seen.get(c);
                for (Map.Entry<String, String> e : s.acknowledged().entrySet()) {
                    assertEquals(e.getValue(), j.get(e.getKey()), "acknowledged SET " + e.getKey());
                }
                long counter = Long.parseLong(j.get("counter:" + c));
                assertTrue(counter >= s.lastIncr() && counter <= s.attemptedIncrs(),
                        "counter " + c + " = " + counter + ", acknowledged up to " + s.lastIncr() + " of "
                                + s.attemptedIncrs() + " INCRs sent");
            }
        }
        assertTrue(seen.stream().allMatch(s -> s.acknowledged().size() > 10), "the clients wrote before and after");
        assertTrue(stoppedAt > downFrom);
    }

    private Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).socketTimeoutMillis(10_000).build());
    }

    /** SETs of fresh keys and INCRs of its own counter until stopped; records what was acknowledged. */
    private Seen runClient(int client, AtomicBoolean running, List<String> unexpected) {
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        List<Long> errors = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        long lastIncr = 0;
        long attemptedIncrs = 0;
        try (Jedis j = jedis()) {
            for (int i = 0; running.get() && i < 1_000_000; i++) {
                boolean incr = i % 2 == 1;
                long sent = System.nanoTime();
                try {
                    if (incr) {
                        attemptedIncrs++;
                        lastIncr = j.incr("counter:" + client);
                    } else {
                        String key = "k:" + client + ":" + i;
                        String value = "v" + i;
                        assertEquals("OK", j.set(key, value));
                        acknowledged.put(key, value);
                    }
                } catch (JedisDataException e) {
                    long now = System.nanoTime();
                    errors.add(now);
                    latencies.add(now - sent);
                    String message = e.getMessage();
                    assertNotNull(message);
                    if (!message.startsWith("ERR engine unavailable: ")) {
                        unexpected.add(message);
                    }
                    Thread.sleep(5);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Seen(acknowledged, lastIncr, attemptedIncrs, errors, latencies);
    }
}
