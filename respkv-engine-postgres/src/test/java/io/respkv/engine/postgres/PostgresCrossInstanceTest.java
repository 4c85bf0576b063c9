package io.respkv.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.clients.TwoInstances;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Two respkv servers, each with its own {@link PostgresEngine} (own pool, own hot-key memory) over
 * one schema of one database: what several stateless respkv instances behind a load balancer do.
 * Read-modify-writes from both must serialize through PostgreSQL alone.
 */
@Timeout(180)
class PostgresCrossInstanceTest {

    private static final int CLIENTS_PER_INSTANCE = 2;

    private final List<PostgresEngine> engines = new ArrayList<>();
    private TwoInstances instances;

    @BeforeEach
    void startTwoInstances() {
        String schema = EmbeddedPostgresServer.newSchema("shared");
        instances = new TwoInstances(CLIENTS_PER_INSTANCE, 30_000, i -> {
            PostgresEngine engine = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres")
                    .schema(schema).poolSize(4).build();
            engines.add(engine);
            return engine;
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        instances.close();
    }

    @Test
    void incrOfOneKeyFromBothInstancesLosesNothing() throws Exception {
        int perInstance = 10_000;
        int perClient = perInstance / CLIENTS_PER_INSTANCE;
        long start = System.nanoTime();
        instances.onAllClients((client, jedis) -> {
            for (int i = 0; i < perClient; i++) {
                jedis.incr("counter");
            }
        });
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try (Jedis a = instances.connect(0); Jedis b = instances.connect(1)) {
            assertEquals("20000", a.get("counter"));
            assertEquals("20000", b.get("counter"));
        }
        System.out.printf("cross-instance INCR: 20,000 on one key from %d clients in %d ms (%.0f/s), %d conflicts retried%n",
                instances.clients(), millis, 20_000 * 1000.0 / Math.max(1, millis),
                engines.get(0).conflicts() + engines.get(1).conflicts());
    }

    @Test
    void concurrentCollectionWritesFromBothInstancesLoseNothing() throws Exception {
        instances.collectionWritesLoseNothing(250, true);
    }

    @Test
    void aWriteOnOneInstanceIsReadOnTheOtherAtOnce() {
        instances.writesAreReadOnTheOtherInstanceAtOnce(50);
    }
}
