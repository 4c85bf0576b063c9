package io.respkv.raft;

import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

class TimingProbeTest {
    @TempDir Path dir;

    @Test
    void probe() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, dir, p -> new MemoryEngine()).start()) {
            int leader = c.leader();
            for (int node : new int[] {leader, (leader + 1) % 3}) {
                try (Jedis j = new Jedis("127.0.0.1", c.port(node), 10_000)) {
                    j.set("warm", "x");
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 200; i++) j.set("k" + i, "v");
                    long t1 = System.nanoTime();
                    for (int i = 0; i < 200; i++) j.get("k" + i);
                    long t2 = System.nanoTime();
                    System.out.printf("node %s leader=%s: SET %.2f ms, GET %.2f ms%n", node, node == leader, (t1 - t0) / 200e6, (t2 - t1) / 200e6);
                }
            }
        }
    }
}
