package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.FreePorts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A 3-node Raft group of standalone servers (RocksDB each), as separate processes: clients write
 * through every node, the leader is killed with SIGKILL mid-load, a new leader takes over, and
 * every acknowledged write is on every survivor; the killed node, restarted, catches up, and
 * all three digests are equal.
 */
@Timeout(240)
class RaftFailoverIT {

    private static final int WRITERS = 6;

    @TempDir
    Path dir;
    private final Process[] processes = new Process[3];
    private final int[] ports = new int[3];
    /** Each node's console output (the last start's), shown when a wait fails. */
    private final StringBuffer[] outputs = new StringBuffer[3];
    private String peers;

    @AfterEach
    void stopAll() {
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void acknowledgedWritesSurviveTheLeadersKill() throws Exception {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports[i] = FreePorts.probe();
            p.add("n" + i + "=127.0.0.1:" + FreePorts.probe());
        }
        peers = String.join(",", p);
        // started side by side (each waits for its peers' first election); a node that fails to start fails the test
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int node = i;
            starting.add(CompletableFuture.runAsync(() -> start(node), runnable -> new Thread(runnable).start()));
        }
        for (CompletableFuture<Void> f : starting) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause().getMessage(), e.getCause());
            }
        }
        int leader = awaitLeader(-1);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer, writing, acknowledged));
            t.start();
            writers.add(t);
        }
        awaitCount(acknowledged, 200);
        processes[leader].destroyForcibly().waitFor(); // SIGKILL
        int before = acknowledged.size();
        int newLeader = awaitLeader(leader);
        assertNotEquals(leader, newLeader);
        awaitCount(acknowledged, before + 200); // writes go on through the survivors
        writing.set(false);
        for (Thread t : writers) {
            t.join();
        }

        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                assertAllPresent(i, acknowledged);
            }
        }
        start(leader); // restarted over its Raft log and RocksDB directory
        awaitEqualDigests();
        assertAllPresent(leader, acknowledged);
    }

    /** Writer {@code w} sets keys w:0, w:1, ... through nodes in turn, recording each OK. */
    private void write(int w, AtomicBoolean writing, Set<String> acknowledged) {
        int n = 0;
        int node = w % 3;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (writing.get() && System.nanoTime() < deadline) {
            try (Jedis j = new Jedis("127.0.0.1", ports[node], 5_000)) {
                while (writing.get() && System.nanoTime() < deadline) {
                    String key = w + ":" + n;
                    if ("OK".equals(j.set(key, "v" + n))) {
                        acknowledged.add(key);
                    }
                    n++;
                }
            } catch (RuntimeException e) {
                node = (node + 1) % 3; // node down or NOREPLICAS during the election: next node
                n++;
            }
        }
    }

    private void assertAllPresent(int node, Set<String> acknowledged) {
        List<String> keys = new ArrayList<>(acknowledged);
        int missing = 0;
        try (Jedis j = new Jedis("127.0.0.1", ports[node], 30_000)) {
            for (int from = 0; from < keys.size(); from += 500) { // one read index per MGET
                List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
                List<String> values = j.mget(batch.toArray(new String[0]));
                for (int k = 0; k < batch.size(); k++) {
                    String key = batch.get(k);
                    if (!("v" + key.substring(key.indexOf(':') + 1)).equals(values.get(k))) {
                        missing++;
                    }
                }
            }
        }
        assertEquals(0, missing, "acknowledged writes missing on node " + node + " of " + keys.size());
    }

    private void awaitEqualDigests() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> digests = List.of();
        while (System.nanoTime() < deadline) {
            digests = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    try (Jedis j = new Jedis("127.0.0.1", ports[i], 10_000)) {
                        digests.add(new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes(UTF_8)), UTF_8));
                    }
                }
                if (digests.stream().distinct().count() == 1) {
                    return;
                }
            } catch (RuntimeException e) {
                // the restarted node is still catching up
            }
            Thread.sleep(200);
        }
        throw new AssertionError("digests differ: " + digests + consoles());
    }

    private int awaitLeader(int not) throws InterruptedException {
        // usually under 2 s; 60 s leaves room for a loaded 2-CPU CI machine (three JVMs and six writers)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                if (i == not || processes[i] == null || !processes[i].isAlive()) {
                    continue;
                }
                try (Jedis j = new Jedis("127.0.0.1", ports[i], 2_000)) {
                    if (j.info("replication").contains("role:master")) {
                        return i;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader in 60 s" + consoles());
    }

    private static void awaitCount(Set<String> acknowledged, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < count) {
            assertTrue(System.nanoTime() < deadline, "only " + acknowledged.size() + " writes acknowledged");
            Thread.sleep(20);
        }
    }

    private void start(int i) {
        try {
            String jar = System.getProperty("respkv.jar", "target/respkv.jar");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                    "--port", Integer.toString(ports[i]), "--engine", "rocksdb", "--dir", dir.resolve("data-" + i).toString(),
                    "--durability", "async", "--raft-id", "n" + i, "--raft-peers", peers,
                    "--raft-dir", dir.resolve("raft-" + i).toString()).redirectErrorStream(true).start();
            processes[i] = p;
            CountDownLatch ready = new CountDownLatch(1);
            StringBuffer output = new StringBuffer();
            outputs[i] = output;
            Thread reader = new Thread(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (output.length() > 200_000) { // keep the latest lines
                            output.delete(0, output.length() - 100_000);
                        }
                        if (line.contains("ready on")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ready.await(100, TimeUnit.MILLISECONDS)) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "node " + i + " did not start: " + output);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Each node's last 40 log messages but the noise (JUL's date lines, stack frames, requests
     * refused during an election, configuration echoes), for a failure's message.
     */
    private String consoles() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            List<String> kept = new ArrayList<>();
            for (String line : (outputs[i] == null ? "" : outputs[i].toString()).split("\n")) {
                boolean julDateLine = line.matches("^[A-Z][a-z]{2} \\d{1,2}, \\d{4} .*");
                if (!julDateLine && !line.startsWith("\tat ") && !line.contains("Failed RaftClientRequest")
                        && !line.startsWith("INFO: raft.")) {
                    kept.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                }
            }
            s.append("\n--- node ").append(i).append(" (alive: ").append(processes[i] != null && processes[i].isAlive()).append(") ---\n");
            kept.subList(Math.max(0, kept.size() - 40), kept.size()).forEach(line -> s.append(line).append('\n'));
        }
        return s.toString();
    }

}
