package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Kills a master process (SIGKILL) under a proxy that clients keep writing through: while the
 * cluster has not failed over, requests for the dead master's slots fail fast with a clear
 * error; once a replica is promoted the proxy follows the new topology without a restart, and
 * every write acknowledged before and after is there. Uses a cluster of its own (it breaks it).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MasterFailoverTest {

    private RedisClusterFixture cluster;

    @BeforeAll
    void startCluster() {
        cluster = RedisClusterFixture.start(3, 1);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void proxyFollowsTheFailover() throws Exception {
        try (RespProxy proxy = RespProxy.builder().startupNodes(cluster.startupNodes()).port(0)
                .slotsReloadInterval(Duration.ofMillis(300)).connectTimeout(Duration.ofSeconds(1)).start().join();
                Jedis j = new Jedis("127.0.0.1", proxy.activePort(), 10_000)) {
            RedisClusterFixture.Node victim = cluster.masters().get(0);
            // a key on the victim's slots, to probe for recovery
            String probe = keyOn(proxy, victim.port());
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", j.set("before:" + i, "b" + i));
                acknowledged.put("before:" + i, "b" + i);
            }
            // replication is asynchronous: only kill once the victim's replica has every write
            awaitReplicaCaughtUp(victim.port());

            cluster.kill(victim);
            List<String> errors = new ArrayList<>();
            long slowestErrorNanos = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int i = 0;
            boolean recovered = false;
            while (System.nanoTime() < deadline) {
                String key = "during:" + i++;
                long t0 = System.nanoTime();
                try {
                    assertEquals("OK", j.set(key, "d" + i));
                    acknowledged.put(key, "d" + i);
                    if (proxy.masterOf(HashSlots.slot(probe.getBytes(StandardCharsets.UTF_8))).port() != victim.port()
                            && "OK".equals(j.set(probe, "alive"))) {
                        recovered = true;
                        break;
                    }
                } catch (JedisDataException e) {
                    slowestErrorNanos = Math.max(slowestErrorNanos, System.nanoTime() - t0);
                    if (errors.size() < 5) {
                        errors.add(e.getMessage());
                    }
                    Thread.sleep(20);
                }
            }
            assertTrue(recovered, "the proxy never reached the promoted replica; errors: " + errors);
            assertNotEquals(victim.port(), proxy.masterOf(HashSlots.slot(probe.getBytes(StandardCharsets.UTF_8))).port());
            // errors until the failover (the dead master's slots; cluster-node-timeout is 1 s) were fast and clear
            assertTrue(!errors.isEmpty(), "the window before the failover was never seen");
            assertTrue(slowestErrorNanos < TimeUnit.MILLISECONDS.toNanos(1500), "slowest error took "
                    + slowestErrorNanos / 1_000_000 + " ms");
            for (String e : errors) {
                assertTrue(e.contains("respkv-proxy") || e.startsWith("CLUSTERDOWN"), e);
            }
            // after the failover: every key, every master, no error
            for (int k = 0; k < 300; k++) {
                assertEquals("OK", j.set("after:" + k, "a" + k));
                acknowledged.put("after:" + k, "a" + k);
            }
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertEquals(e.getValue(), j.get(e.getKey()), e.getKey());
            }
            assertEquals(acknowledged.size() + 1L, j.dbSize());
        }
    }

    private static String keyOn(RespProxy proxy, int port) {
        for (int i = 0; ; i++) {
            String k = "probe" + i;
            if (proxy.masterOf(HashSlots.slot(k.getBytes(StandardCharsets.UTF_8))).port() == port) {
                return k;
            }
        }
    }

    private static void awaitReplicaCaughtUp(int masterPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RedisClusterFixture.await(deadline, "the replica of " + masterPort + " to catch up", () -> {
            try {
                String info = RedisClusterFixture.call(masterPort, "INFO", "replication").text();
                long master = field(info, "master_repl_offset:");
                int at = info.indexOf("slave0:");
                if (at < 0) {
                    return false;
                }
                int off = info.indexOf("offset=", at) + "offset=".length();
                long replica = Long.parseLong(info.substring(off, info.indexOf(',', off)));
                return replica >= master;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static long field(String info, String name) {
        int at = info.indexOf(name) + name.length();
        int end = info.indexOf('\r', at);
        return Long.parseLong(info.substring(at, end).trim());
    }
}
