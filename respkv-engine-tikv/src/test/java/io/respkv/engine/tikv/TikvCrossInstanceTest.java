package io.respkv.engine.tikv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Two respkv servers, each with its own {@link TikvEngine} (own client session) over one key prefix
 * of one (stand-in) cluster: what several stateless respkv instances behind a load balancer do.
 * Read-modify-writes from both must serialize through TiKV's transactions alone.
 */
@Timeout(180)
class TikvCrossInstanceTest {

    private static final int CLIENTS_PER_INSTANCE = 2;

    private final List<RespServer> servers = new ArrayList<>();
    private final List<TikvEngine> engines = new ArrayList<>();
    private ExecutorService clients;

    @BeforeEach
    void startTwoInstances() {
        String prefix = TikvTestCluster.newPrefix("shared");
        for (int i = 0; i < 2; i++) {
            TikvEngine engine = TikvEngine.builder().pd(TikvTestCluster.pd()).prefix(prefix).build();
            engines.add(engine);
            servers.add(RespServer.builder().port(0).eventLoopThreads(CLIENTS_PER_INSTANCE).ownedEngine(engine)
                    .start().join());
        }
        clients = Executors.newFixedThreadPool(2 * CLIENTS_PER_INSTANCE);
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.shutdownNow();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        for (RespServer s : servers) {
            s.close();
        }
    }

    private Jedis connect(int instance) {
        return new Jedis(new HostAndPort("127.0.0.1", servers.get(instance).activePort()),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).socketTimeoutMillis(60_000).build());
    }

    /** Runs {@code work(client id, jedis)} on every client thread (half on each instance) at once. */
    private void onAllClients(ClientWork work) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 2 * CLIENTS_PER_INSTANCE; c++) {
            int client = c;
            done.add(clients.submit(() -> {
                try (Jedis jedis = connect(client % 2)) {
                    go.await();
                    work.run(client, jedis);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(150, TimeUnit.SECONDS);
        }
    }

    @FunctionalInterface
    private interface ClientWork {
        void run(int client, Jedis jedis) throws Exception;
    }

    @Test
    void incrOfOneKeyFromBothInstancesLosesNothing() throws Exception {
        int perClient = 150;
        int total = 2 * CLIENTS_PER_INSTANCE * perClient;
        long start = System.nanoTime();
        onAllClients((client, jedis) -> {
            for (int i = 0; i < perClient; i++) {
                jedis.incr("counter");
            }
        });
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try (Jedis a = connect(0); Jedis b = connect(1)) {
            assertEquals(Integer.toString(total), a.get("counter"));
            assertEquals(Integer.toString(total), b.get("counter"));
        }
        assertTrue(engines.get(0).conflicts() + engines.get(1).conflicts() > 0,
                "one key incremented from 4 clients on 2 instances with no conflict: the contention test tested nothing");
        System.out.printf("cross-instance INCR over TiKV (stand-in): %d on one key from %d clients in %d ms,"
                + " %d conflicts retried%n", total, 2 * CLIENTS_PER_INSTANCE, millis,
                engines.get(0).conflicts() + engines.get(1).conflicts());
    }

    @Test
    void concurrentCollectionWritesFromBothInstancesLoseNothing() throws Exception {
        int perClient = 40;
        onAllClients((client, jedis) -> {
            for (int i = 0; i < perClient; i++) {
                String id = client + ":" + i;
                jedis.hset("hash", "f" + id, id);
                jedis.lpush("list", id);
                jedis.sadd("set", "m" + id);
            }
        });
        int total = 2 * CLIENTS_PER_INSTANCE * perClient;
        Set<String> expectedIds = new HashSet<>();
        for (int c = 0; c < 2 * CLIENTS_PER_INSTANCE; c++) {
            for (int i = 0; i < perClient; i++) {
                expectedIds.add(c + ":" + i);
            }
        }
        for (int instance = 0; instance < 2; instance++) {
            try (Jedis j = connect(instance)) {
                assertEquals(total, j.hlen("hash"));
                assertEquals(total, j.llen("list"));
                assertEquals(total, j.scard("set"));
                Map<String, String> hash = j.hgetAll("hash");
                for (String id : expectedIds) {
                    assertEquals(id, hash.get("f" + id));
                }
                assertEquals(expectedIds, new HashSet<>(j.lrange("list", 0, -1)));
                Set<String> members = j.smembers("set");
                for (String id : expectedIds) {
                    assertTrue(members.contains("m" + id), id);
                }
            }
        }
    }

    @Test
    void aWriteOnOneInstanceIsReadOnTheOtherAtOnce() {
        try (Jedis a = connect(0); Jedis b = connect(1)) {
            for (int i = 0; i < 20; i++) {
                a.set("k", "v" + i);
                assertEquals("v" + i, b.get("k"));
                b.del("k");
                assertEquals(null, a.get("k"));
            }
        }
    }

    @Test
    void backgroundTasksRunOnOneInstanceAtATime() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean a = false;
        boolean b = false;
        while (System.nanoTime() < deadline && !(a ^ b)) {
            a = engines.get(0).holdsBackgroundLease("test-task");
            b = engines.get(1).holdsBackgroundLease("test-task");
            Thread.sleep(50);
        }
        assertTrue(a ^ b, "exactly one instance holds the lease: " + a + " " + b);
        TikvEngine holder = engines.get(a ? 0 : 1);
        TikvEngine other = engines.get(a ? 1 : 0);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(200);
            assertTrue(holder.holdsBackgroundLease("test-task"));
            assertTrue(!other.holdsBackgroundLease("test-task"));
        }
        holder.close(); // gives the lease up
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !other.holdsBackgroundLease("test-task")) {
            Thread.sleep(100);
        }
        assertTrue(other.holdsBackgroundLease("test-task"), "the other instance takes the lease over");
    }
}
