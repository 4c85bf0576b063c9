package io.respkv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/** Three nodes over memory engines: writes anywhere, reads everywhere, identical replicas. */
@Timeout(120)
class RaftReplicationTest {

    @TempDir
    Path dir;
    RaftTestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new RaftTestCluster(3, dir, path -> new MemoryEngine()).start();
        cluster.leader();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.port(node), 10_000);
    }

    @Test
    void aWriteOnAnyNodeIsReadOnEveryNode() throws Exception {
        int follower = (cluster.leader() + 1) % 3;
        try (Jedis j = client(follower)) {
            assertEquals("OK", j.set("greeting", "hello"));
            assertEquals(1, j.rpush("list", "a"));
            assertEquals(2, j.rpush("list", "b"));
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertEquals("hello", j.get("greeting"), "node " + i);
                assertEquals(List.of("a", "b"), j.lrange("list", 0, -1), "node " + i);
            }
        }
    }

    @Test
    void concurrentIncrementsOnEveryNodeLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int node = t % 3;
                done.add(pool.submit(() -> {
                    try (Jedis j = client(node)) {
                        for (int k = 0; k < 100; k++) {
                            j.incr("counter");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertEquals("600", j.get("counter"), "node " + i);
            }
        }
    }

    @Test
    void randomAndTimeDependentCommandsLeaveIdenticalReplicas() throws Exception {
        try (Jedis j = client(1)) {
            redis.clients.jedis.Pipeline fill = j.pipelined(); // (pipelined writes share log entries)
            for (int k = 0; k < 200; k++) {
                fill.sadd("set", "m" + k);
                fill.hset("hash", "f" + k, "v" + k);
            }
            fill.sync();
            j.spop("set", 50);
            for (int k = 0; k < 30; k++) {
                j.spop("set"); // one entry each: what a server remembers between pops must not steer the draws
            }
            j.srandmember("set", 5);
            j.incrByFloat("float", 1.1);
            j.set("short-lived", "x", redis.clients.jedis.params.SetParams.setParams().px(300));
            j.set("long-lived", "y", redis.clients.jedis.params.SetParams.setParams().ex(1000));
            j.hrandfield("hash", 3);
            j.expire("hash", 1000);
            j.pexpire("float", 600_000);
            j.sadd("doomed", "a", "b");
            j.pexpire("doomed", 200); // expired by the leader's expiry entries before the comparison
        }
        Thread.sleep(1500); // the leader's active expiry removes short-lived
        cluster.awaitConverged();
        List<TreeMap<String, String>> states = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertNull(j.get("short-lived"), "node " + i);
                TreeMap<String, String> state = new TreeMap<>();
                state.put("set", new java.util.TreeSet<>(j.smembers("set")).toString());
                state.put("hash", new TreeMap<>(j.hgetAll("hash")).toString());
                state.put("float", j.get("float"));
                state.put("ttl", Long.toString(j.pexpireTime("long-lived")));
                state.put("dbsize", Long.toString(j.dbSize()));
                state.put("digest", new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes())));
                states.add(state);
            }
        }
        assertEquals(120, states.get(0).get("set").split(",").length);
        assertEquals("4", states.get(0).get("dbsize")); // set, hash, float, long-lived
        assertEquals(states.get(0), states.get(1));
        assertEquals(states.get(0), states.get(2));
    }

    @Test
    void multiExecIsOneEntryAppliedEverywhere() throws Exception {
        try (Jedis j = client(2)) {
            Transaction tx = j.multi();
            tx.set("a", "1");
            tx.incr("a");
            tx.lpush("l", "x", "y");
            List<Object> results = tx.exec();
            assertEquals(List.of("OK", 2L, 2L), results);
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertEquals("2", j.get("a"));
                assertEquals(List.of("y", "x"), j.lrange("l", 0, -1));
            }
        }
    }

    @Test
    void aBlockedPopOnOneNodeIsServedByAPushOnAnother() throws Exception {
        java.util.concurrent.CompletableFuture<List<String>> popped = new java.util.concurrent.CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try (Jedis j = client(1)) {
                popped.complete(j.blpop(10, "queue"));
            } catch (RuntimeException e) {
                popped.completeExceptionally(e);
            }
        });
        waiter.start();
        Thread.sleep(500); // blocked by now
        assertTrue(!popped.isDone(), "BLPOP on an empty list returned at once: " + (popped.isDone() ? popped.get() : null));
        try (Jedis j = client(2)) {
            assertEquals(1, j.rpush("queue", "job-1"));
        }
        assertEquals(List.of("queue", "job-1"), popped.get(10, java.util.concurrent.TimeUnit.SECONDS));
        cluster.awaitConverged();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertEquals(0, j.llen("queue"), "node " + i);
            }
        }
        try (Jedis j = client(0)) {
            long start = System.nanoTime();
            assertNull(j.blpop(0.3, "empty"));
            assertTrue(System.nanoTime() - start >= 250_000_000L, "BLPOP timed out too early");
            j.rpush("src", "a");
            assertEquals("a", j.blmove("src", "dst", redis.clients.jedis.args.ListDirection.LEFT,
                    redis.clients.jedis.args.ListDirection.RIGHT, 1));
            assertEquals(List.of("a"), j.lrange("dst", 0, -1));
        }
    }

    @Test
    void watchSeesWritesFromClientsOfOtherNodes() throws Exception {
        try (Jedis a = client(0); Jedis b = client(1)) {
            a.set("balance", "10");
            a.watch("balance");
            assertEquals("10", a.get("balance"));
            b.set("balance", "20"); // another node's client changes the watched key
            Transaction tx = a.multi();
            tx.set("balance", "11");
            assertNull(tx.exec(), "EXEC must fail: the watched key changed through another node");
            assertEquals("20", b.get("balance"));

            a.watch("balance");
            b.set("unrelated", "x");
            tx = a.multi();
            tx.incr("balance");
            assertEquals(List.of(21L), tx.exec());
        }
        cluster.awaitConverged();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                assertEquals("21", j.get("balance"), "node " + i);
            }
        }
    }

    @Test
    void staleReadsMayLagWhileLinearizableReadsDoNot() throws Exception {
        int follower = (cluster.leader() + 1) % 3;
        boolean sawStale = false;
        for (int round = 0; round < 3 && !sawStale; round++) {
            cluster.stop(follower);
            try (Jedis j = client((follower + 1) % 3)) {
                j.set("marker", "round-" + round); // the stopped node misses it
            }
            cluster.restart(follower); // an empty memory engine: it re-applies the log once the leader tells it what is committed
            try (Jedis stale = client(follower); Jedis linearizable = client(follower)) {
                assertEquals("OK", new String((byte[]) stale.sendCommand(() -> "RESPKV.CONSISTENCY".getBytes(), "STALE".getBytes())));
                String seen = stale.get("marker");
                sawStale = !("round-" + round).equals(seen);
                assertEquals("round-" + round, linearizable.get("marker"), "a LINEARIZABLE read on the restarted node");
            }
        }
        assertTrue(sawStale, "a STALE read right after a restart never lagged in 3 tries");
    }

    @Test
    void pipelinedWritesShareLogEntriesAndReplyOneByOne() throws Exception {
        cluster.awaitConverged();
        long before = cluster.nodes[1].appliedIndex();
        try (Jedis j = client(1)) {
            redis.clients.jedis.Pipeline p = j.pipelined();
            List<redis.clients.jedis.Response<?>> replies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                replies.add(p.set("p" + i, "v" + i));
                replies.add(p.incr("pcount"));
                if (i % 25 == 0) {
                    replies.add(p.get("p" + i)); // a read in between ends a batch
                }
            }
            replies.add(p.lpush("p0", "x")); // WRONGTYPE inside a batch: its own error reply
            replies.add(p.incr("pcount"));
            p.sync();
            int k = 0;
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", replies.get(k++).get());
                assertEquals((long) i + 1, replies.get(k++).get());
                if (i % 25 == 0) {
                    assertEquals("v" + i, replies.get(k++).get());
                }
            }
            redis.clients.jedis.Response<?> wrong = replies.get(k++);
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, wrong::get);
            assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
            assertEquals(101L, replies.get(k).get());
        }
        long entries = cluster.nodes[1].appliedIndex() - before;
        assertTrue(entries < 100, "202 pipelined writes took " + entries + " log entries");
        cluster.awaitConverged();
        for (int n = 0; n < 3; n++) {
            try (Jedis j = client(n)) {
                assertEquals("101", j.get("pcount"), "node " + n);
                assertEquals("v99", j.get("p99"), "node " + n);
            }
        }
    }

    @Test
    void infoReportsTheRaftRole() throws Exception {
        try (Jedis j = client(0)) {
            j.set("x", "1"); // the followers have heard from the leader once this is applied everywhere
        }
        cluster.awaitConverged();
        int leader = cluster.leader();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                String info = j.info("replication");
                assertTrue(info.contains(i == leader ? "role:master" : "role:slave"), info);
                assertTrue(info.contains("respkv_raft_leader:n" + leader), info);
                assertTrue(info.contains("respkv_raft_term:") && info.contains("respkv_raft_commit_index:"), info);
            }
        }
    }
}
