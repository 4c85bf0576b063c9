package io.respkv.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.engine.rocksdb.RocksDbEngine;
import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Snapshots, a fourth member catching up through one, removal, and restarts that neither lose nor repeat entries. */
@Timeout(180)
class RaftMembershipTest {

    @TempDir
    Path dir;

    private static Jedis client(RaftTestCluster c, int node) {
        return new Jedis("127.0.0.1", c.port(node), 15_000);
    }

    private static String digest(RaftTestCluster c, int node) {
        try (Jedis j = client(c, node)) {
            return new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes(UTF_8)), UTF_8);
        }
    }

    private static void awaitSameDigest(RaftTestCluster c, int... nodes) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String first = null;
        while (System.nanoTime() < deadline) {
            first = digest(c, nodes[0]);
            boolean same = true;
            for (int n : nodes) {
                same &= first.equals(digest(c, n));
            }
            if (same) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("digests differ after 30 s");
    }

    @Test
    void aNewMemberCatchesUpFromASnapshotAndARemovedOneLeaves() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, 4, dir, p -> new MemoryEngine())) {
            c.options = b -> b.snapshotEvery(0).purgeGap(1);
            c.start();
            try (Jedis j = client(c, 0)) {
                for (int i = 0; i < 300; i++) {
                    j.set("k" + i, "v" + i);
                }
                j.hset("h", "f", "v");
            }
            for (int n = 0; n < 3; n++) {
                try (Jedis j = client(c, n)) {
                    long index = (Long) j.sendCommand(() -> "RAFT.SNAPSHOT".getBytes(UTF_8));
                    assertTrue(index > 300, "snapshot index " + index);
                }
            }
            try (Jedis j = client(c, 0)) {
                j.set("after-snapshot", "yes"); // in the log only
            }
            // the group keeps taking writes while the new member joins and catches up
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<String> acknowledged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread writer = new Thread(() -> {
                try (Jedis j = client(c, 0)) {
                    for (int i = 0; writing.get() && i < 5_000; i++) {
                        if ("OK".equals(j.set("load:" + i, "x" + i))) {
                            acknowledged.add("load:" + i);
                        }
                    }
                }
            });
            writer.start();
            c.join(3);
            try (Jedis j = client(c, 1)) {
                assertEquals("OK", new String((byte[]) j.sendCommand(() -> "RAFT.ADD".getBytes(UTF_8),
                        "n3".getBytes(UTF_8), c.addresses[3].getBytes(UTF_8)), UTF_8));
                @SuppressWarnings("unchecked")
                List<Object> members = (List<Object>) j.sendCommand(() -> "RAFT.MEMBERS".getBytes(UTF_8));
                assertEquals(4, members.size());
            }
            Thread.sleep(500);
            writing.set(false);
            writer.join();
            assertTrue(acknowledged.size() > 10, "too few writes during the join: " + acknowledged.size());
            awaitSameDigest(c, 0, 1, 2, 3);
            try (Jedis j = client(c, 3)) {
                List<String> values = j.mget(acknowledged.toArray(new String[0]));
                for (int i = 0; i < acknowledged.size(); i++) {
                    String key = acknowledged.get(i);
                    assertEquals("x" + key.substring(5), values.get(i), key + " on the new member");
                }
            }
            assertTrue(c.nodes[3].snapshotIndex() > 300, "n3 caught up by installing a snapshot: " + c.nodes[3].snapshotIndex());
            try (Jedis j = client(c, 3)) {
                assertEquals("v299", j.get("k299"));
                assertEquals("yes", j.get("after-snapshot"));
            }

            int leader = c.leader();
            int removed = (leader + 1) % 4;
            try (Jedis j = client(c, leader)) {
                j.sendCommand(() -> "RAFT.REMOVE".getBytes(UTF_8), ("n" + removed).getBytes(UTF_8));
            }
            c.stop(removed);
            int other = (removed + 1) % 4;
            try (Jedis j = client(c, other)) {
                assertEquals("OK", j.set("after-removal", "1"));
                assertEquals("1", j.get("after-removal"));
            }
        }
    }

    @Test
    void restartedMembersNeitherLoseNorRepeatEntries() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, 3, dir,
                p -> RocksDbEngine.builder().path(p).durability(io.respkv.api.Durability.ASYNC).build())) {
            c.options = b -> b.snapshotEvery(0).purgeGap(1);
            c.start();
            try (Jedis j = client(c, 0)) {
                for (int i = 0; i < 100; i++) {
                    j.incr("counter");
                }
            }
            try (Jedis j = client(c, 2)) {
                j.sendCommand(() -> "RAFT.SNAPSHOT".getBytes(UTF_8));
            }
            c.stop(2);
            try (Jedis j = client(c, 0)) {
                for (int i = 0; i < 100; i++) {
                    j.incr("counter");
                }
            }
            c.restart(2);
            awaitSameDigest(c, 0, 1, 2);
            for (int n = 0; n < 3; n++) {
                try (Jedis j = client(c, n)) {
                    assertEquals("200", j.get("counter"), "node " + n);
                }
            }
        }
    }
}
