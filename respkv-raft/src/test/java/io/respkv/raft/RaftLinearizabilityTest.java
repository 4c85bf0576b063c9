package io.respkv.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.raft.LinearizabilityChecker.Kind;
import io.respkv.raft.LinearizabilityChecker.Op;
import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Concurrent clients GET, SET and INCR three keys through all three nodes while the leader is
 * stopped and later restarted; the recorded history of each key must be linearizable
 * ({@link LinearizabilityChecker}). Reads are LINEARIZABLE (the default).
 */
@Timeout(180)
class RaftLinearizabilityTest {

    private static final int CLIENTS = 6;
    private static final int OPS_PER_CLIENT = 120;
    /**
     * The pause between a client's operations: 120 of them then span at least 2.4 s, past both the
     * leader's stop (at 0.8 s) and its restart (at 2 s), however fast the machine answers (six
     * clients once did all their operations within 0.8 s, before the failover).
     */
    private static final long PACE_MILLIS = 20;
    private static final String[] KEYS = {"r0", "r1", "r2"};

    @TempDir
    Path dir;

    @Test
    void historiesThroughLeaderFailoverAreLinearizable() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, dir, p -> new MemoryEngine()).start()) {
            int leader = c.leader();
            List<List<Op>> histories = new ArrayList<>();
            for (String ignored : KEYS) {
                histories.add(java.util.Collections.synchronizedList(new ArrayList<>()));
            }
            List<Thread> clients = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < CLIENTS; t++) {
                int first = t % 3;
                Thread thread = new Thread(() -> run(c, first, histories, start));
                thread.start();
                clients.add(thread);
            }
            Thread.sleep(800);
            assertTrue(clients.stream().allMatch(Thread::isAlive), "the clients finished before the failover");
            c.stop(leader);
            Thread.sleep(1200);
            c.restart(leader);
            for (Thread t : clients) {
                t.join();
            }
            for (int k = 0; k < KEYS.length; k++) {
                List<Op> history = histories.get(k);
                assertTrue(history.size() > 50, "too few operations on " + KEYS[k] + ": " + history.size());
                assertTrue(LinearizabilityChecker.check(history), "history of " + KEYS[k] + " is not linearizable: "
                        + history.subList(0, Math.min(40, history.size())) + "...");
            }
        }
    }

    private static void run(RaftTestCluster c, int firstNode, List<List<Op>> histories, long start) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int node = firstNode;
        Jedis j = null;
        for (int i = 0; i < OPS_PER_CLIENT; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(PACE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            int k = random.nextInt(KEYS.length);
            int choice = random.nextInt(3);
            long value = random.nextLong(1_000);
            long call = System.nanoTime() - start;
            try {
                if (j == null) {
                    j = new Jedis("127.0.0.1", c.port(node), 3_000);
                }
                Op op;
                switch (choice) {
                    case 0 -> {
                        String v = j.get(KEYS[k]);
                        op = new Op(Kind.GET, null, v == null ? null : Long.valueOf(v), true, call, System.nanoTime() - start);
                    }
                    case 1 -> {
                        j.set(KEYS[k], Long.toString(value));
                        op = new Op(Kind.SET, value, null, true, call, System.nanoTime() - start);
                    }
                    default -> {
                        long v = j.incr(KEYS[k]);
                        op = new Op(Kind.INCR, null, v, true, call, System.nanoTime() - start);
                    }
                }
                histories.get(k).add(op);
            } catch (RuntimeException e) {
                // the outcome is unknown: a write may have happened (a read changes nothing)
                if (choice == 1) {
                    histories.get(k).add(new Op(Kind.SET, value, null, false, call, Long.MAX_VALUE));
                } else if (choice == 2) {
                    histories.get(k).add(new Op(Kind.INCR, null, null, false, call, Long.MAX_VALUE));
                }
                if (j != null) {
                    j.close();
                    j = null;
                }
                node = (node + 1) % 3; // that node may be the stopped one
            }
        }
        if (j != null) {
            j.close();
        }
    }
}
