package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RespFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Moves a hash slot from one master to another (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE in
 * small batches, SETSLOT NODE) while clients keep writing and reading that slot through the
 * proxy: no client sees an error (the proxy follows ASK, TRYAGAIN and MOVED itself) and no
 * acknowledged write is lost.
 */
@Timeout(90)
class ReshardingTest {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    @Test
    void slotMigrationUnderLoadLosesNothing() throws Exception {
        String tag = "{moving}";
        int slot = HashSlots.slot(tag.substring(1, tag.length() - 1).getBytes(StandardCharsets.UTF_8));
        try (RespProxy proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0)
                .slotsReloadInterval(java.time.Duration.ofMillis(500)).start().join()) {
            ClusterNode source = proxy.masterOf(slot);
            ClusterNode target = proxy.masters().stream().filter(m -> !m.equals(source)).findFirst().orElseThrow();
            String sourceId = RedisClusterFixture.call(source.port(), "CLUSTER", "MYID").text();
            String targetId = RedisClusterFixture.call(target.port(), "CLUSTER", "MYID").text();

            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            long[] increments = new long[3];
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", proxy.activePort(), 10_000)) {
                        for (int i = 0; !stop.get() && i < 1_000_000; i++) {
                            String key = tag + "w" + writer + ":" + i;
                            String value = "v" + i;
                            if (i % 10 == 0) {
                                // pipelined: several requests for the moving slot in flight at once
                                Pipeline p = j.pipelined();
                                p.set(key, value);
                                p.incr(tag + "counter" + writer);
                                p.get(key);
                                List<Object> replies = p.syncAndReturnAll();
                                assertEquals("OK", replies.get(0));
                                assertEquals(value, replies.get(2));
                            } else {
                                assertEquals("OK", j.set(key, value));
                                j.incr(tag + "counter" + writer);
                                assertEquals(value, j.get(key));
                            }
                            acknowledged.put(key, value);
                            increments[writer]++;
                            assertEquals(value, j.mget(key, "elsewhere" + i).get(0));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "writer-" + w);
                t.start();
                writers.add(t);
            }
            // let the writers get going: the slot must hold keys to migrate
            long warmup = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            RedisClusterFixture.await(warmup, "the writers' first keys", () -> acknowledged.size() >= 150 || !errors.isEmpty());

            // the migration, in batches of 10 keys, while the writers keep going
            assertEquals("OK", RedisClusterFixture.call(target.port(), "CLUSTER", "SETSLOT", Integer.toString(slot),
                    "IMPORTING", sourceId).text());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "CLUSTER", "SETSLOT", Integer.toString(slot),
                    "MIGRATING", targetId).text());
            int moved = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                RespFrame keys = RedisClusterFixture.call(source.port(), "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "10");
                if (keys.elements().isEmpty()) {
                    break;
                }
                List<String> migrate = new ArrayList<>(List.of("MIGRATE", target.host(), Integer.toString(target.port()),
                        "", "0", "5000", "KEYS"));
                for (RespFrame k : keys.elements()) {
                    migrate.add(k.text());
                }
                RespFrame reply = RedisClusterFixture.call(source.port(), migrate.toArray(String[]::new));
                assertEquals("OK", reply.text(), reply.toString());
                moved += keys.elements().size();
                Thread.sleep(5);
            }
            assertEquals("OK", RedisClusterFixture.call(target.port(), "CLUSTER", "SETSLOT", Integer.toString(slot),
                    "NODE", targetId).text());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "CLUSTER", "SETSLOT", Integer.toString(slot),
                    "NODE", targetId).text());
            Thread.sleep(500);
            stop.set(true);
            for (Thread t : writers) {
                t.join(20_000);
            }
            assertTrue(errors.isEmpty(), () -> "client errors: " + errors);
            assertTrue(moved > 0, "keys were migrated");
            assertNotEquals(0, acknowledged.size());

            try (Jedis j = new Jedis("127.0.0.1", proxy.activePort(), 10_000)) {
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    assertEquals(e.getValue(), j.get(e.getKey()), e.getKey());
                }
                for (int w = 0; w < 3; w++) {
                    assertEquals(Long.toString(increments[w]), j.get(tag + "counter" + w));
                }
            }
            // the proxy, not the clients, followed the cluster's redirections
            assertTrue(proxy.stats().asked() + proxy.stats().moved() > 0, proxy.stats().toString());
            // the slot now lives on the target
            assertEquals(target, proxy.masterOf(slot));
            assertEquals(acknowledged.size() + 3L, RedisClusterFixture.call(target.port(), "CLUSTER", "COUNTKEYSINSLOT",
                    Integer.toString(slot)).integer());
        }
    }

    /**
     * A multi-key command caught half-migrated gets TRYAGAIN from the node; the proxy retries it
     * with a short backoff and the client gets the answer once the migration finishes.
     */
    @Test
    void tryAgainIsRetriedUntilTheMigrationEnds() throws Exception {
        String a = "{retry}a";
        String b = "{retry}b";
        int slot = HashSlots.slot("retry".getBytes(StandardCharsets.UTF_8));
        try (RespProxy proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0).start().join();
                Jedis j = new Jedis("127.0.0.1", proxy.activePort(), 10_000)) {
            assertEquals("OK", j.mset(a, "1", b, "2"));
            ClusterNode source = proxy.masterOf(slot);
            ClusterNode target = proxy.masters().stream().filter(m -> !m.equals(source)).findFirst().orElseThrow();
            String sourceId = RedisClusterFixture.call(source.port(), "CLUSTER", "MYID").text();
            String targetId = RedisClusterFixture.call(target.port(), "CLUSTER", "MYID").text();
            String s = Integer.toString(slot);
            assertEquals("OK", RedisClusterFixture.call(target.port(), "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId).text());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "CLUSTER", "SETSLOT", s, "MIGRATING", targetId).text());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "MIGRATE", target.host(), Integer.toString(target.port()),
                    b, "0", "5000").text());
            // a on the source, b on the target: the node answers TRYAGAIN until both are on one side
            java.util.concurrent.CompletableFuture<List<String>> mget = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (Jedis reader = new Jedis("127.0.0.1", proxy.activePort(), 10_000)) {
                    return reader.mget(a, b);
                }
            });
            RedisClusterFixture.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "a TRYAGAIN",
                    () -> proxy.stats().tryAgain() > 0 || mget.isDone());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "MIGRATE", target.host(), Integer.toString(target.port()),
                    a, "0", "5000").text());
            assertEquals("OK", RedisClusterFixture.call(target.port(), "CLUSTER", "SETSLOT", s, "NODE", targetId).text());
            assertEquals("OK", RedisClusterFixture.call(source.port(), "CLUSTER", "SETSLOT", s, "NODE", targetId).text());
            assertEquals(List.of("1", "2"), mget.get(10, TimeUnit.SECONDS));
            assertTrue(proxy.stats().tryAgain() > 0, proxy.stats().toString());
        }
    }
}
