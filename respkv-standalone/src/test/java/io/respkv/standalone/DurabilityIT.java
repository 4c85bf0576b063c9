package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.FreePorts;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills the standalone server with SIGKILL in the middle of a write load with durability SYNC,
 * restarts it on the same directory, and checks that every acknowledged write is there and no
 * command landed halfway, on each local persistent engine (RocksDB, LevelDB). The process is the
 * real jar, as a user runs it.
 */
@Timeout(180)
class DurabilityIT {

    private static final int CLIENTS = 4;

    @TempDir
    Path dataDir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "leveldb"})
    void acknowledgedSyncWritesSurviveKill9(String engine) throws Exception {
        int port = FreePorts.probe();
        Process server = start(port, engine);
        // Per client: the highest i whose SET and MSET were acknowledged, and acknowledged INCRs.
        long[] lastAcked = new long[CLIENTS];
        AtomicLong[] incrAcked = new AtomicLong[CLIENTS];
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch someWrites = new CountDownLatch(CLIENTS);
        List<Thread> writers = new ArrayList<>();
        ConcurrentHashMap<Integer, Throwable> unexpected = new ConcurrentHashMap<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            lastAcked[c] = -1;
            incrAcked[c] = new AtomicLong();
            Thread t = new Thread(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(10_000);
                    OutputStream out = new BufferedOutputStream(s.getOutputStream());
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                        send(out, "SET", "k:" + client + ":" + i, "v" + i);
                        send(out, "MSET", "a:" + client + ":" + i, "x" + i, "b:" + client + ":" + i, "x" + i);
                        send(out, "INCR", "counter:" + client);
                        out.flush();
                        expect(in, "+OK\r\n");
                        expect(in, "+OK\r\n");
                        readLine(in); // :n
                        incrAcked[client].incrementAndGet();
                        lastAcked[client] = i;
                        if (i == 50) {
                            someWrites.countDown();
                        }
                    }
                } catch (IOException e) {
                    // expected: the server was killed under us
                } catch (Throwable e) {
                    unexpected.put(client, e);
                }
            });
            writers.add(t);
            t.start();
        }
        assertTrue(someWrites.await(60, TimeUnit.SECONDS), "writers made no progress");
        Thread.sleep(500);
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        stop.set(true);
        for (Thread t : writers) {
            t.join(30_000);
        }
        assertTrue(unexpected.isEmpty(), "writer failed: " + unexpected);

        Process restarted = start(port, engine);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            InputStream in = new BufferedInputStream(s.getInputStream());
            long checked = 0;
            for (int c = 0; c < CLIENTS; c++) {
                assertTrue(lastAcked[c] >= 50, "client " + c + " acknowledged too little to test: " + lastAcked[c]);
                for (long i = 0; i <= lastAcked[c]; i++) {
                    send(out, "GET", "k:" + c + ":" + i);
                    send(out, "MGET", "a:" + c + ":" + i, "b:" + c + ":" + i);
                }
                out.flush();
                for (long i = 0; i <= lastAcked[c]; i++) {
                    assertEquals("$" + ("v" + i).length() + "\r\nv" + i + "\r\n", readBulkReply(in),
                            "acknowledged SET k:" + c + ":" + i + " is missing after kill -9");
                    String x = "x" + i;
                    assertEquals("*2\r\n$" + x.length() + "\r\n" + x + "\r\n$" + x.length() + "\r\n" + x + "\r\n",
                            readArrayOfTwo(in), "acknowledged MSET " + c + ":" + i + " is missing or partial");
                    checked++;
                }
                // The first unacknowledged MSET may or may not have committed, but never half of it.
                send(out, "EXISTS", "a:" + c + ":" + (lastAcked[c] + 1));
                send(out, "EXISTS", "b:" + c + ":" + (lastAcked[c] + 1));
                send(out, "GET", "counter:" + c);
                out.flush();
                assertEquals(readLine(in), readLine(in), "an MSET landed halfway");
                long counter = Long.parseLong(readBulkReply(in).split("\r\n")[1]);
                assertTrue(counter >= incrAcked[c].get() && counter <= incrAcked[c].get() + 1,
                        "counter " + counter + " vs acknowledged INCRs " + incrAcked[c].get());
            }
            System.out.println("DurabilityIT: verified " + checked + " acknowledged SET+MSET pairs after kill -9");
        }
        restarted.destroy();
        assertTrue(restarted.waitFor(30, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "leveldb"})
    void restartKeepsKeysValuesAndTtls(String engine) throws Exception {
        int port = FreePorts.probe();
        Process server = start(port, engine);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            send(out, "SET", "plain", "value");
            send(out, "SET", "ttl", "value", "EX", "1000");
            send(out, "SELECT", "3");
            send(out, "SET", "other-db", "\u0000\u00ff");
            out.flush();
            for (int i = 0; i < 4; i++) {
                expect(in, "+OK\r\n");
            }
        }
        server.toHandle().destroy(); // graceful
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        start(port, engine);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            send(out, "GET", "plain");
            send(out, "TTL", "ttl");
            send(out, "TTL", "plain");
            send(out, "SELECT", "3");
            send(out, "STRLEN", "other-db");
            out.flush();
            assertEquals("$5\r\nvalue\r\n", readBulkReply(in));
            long ttl = Long.parseLong(readLine(in).substring(1).trim());
            assertTrue(ttl > 990 && ttl <= 1000, "TTL after restart: " + ttl);
            assertEquals(":-1\r\n", readLine(in));
            expect(in, "+OK\r\n");
            assertEquals(":3\r\n", readLine(in)); // NUL + 2-byte UTF-8 for U+00FF
        }
    }

    private Process start(int port, String engine) throws Exception {
        String jar = System.getProperty("respkv.jar", "target/respkv.jar");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "--port", Integer.toString(port), "--engine", engine, "--dir", dataDir.toString(),
                "--durability", "sync").redirectErrorStream(true).start();
        processes.add(p);
        CountDownLatch ready = new CountDownLatch(1);
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.append(line).append('\n');
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
        assertTrue(ready.await(60, TimeUnit.SECONDS), "server did not start: " + output);
        return p;
    }


    private static void send(OutputStream out, String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(UTF_8);
            sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(UTF_8));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            sb.append((char) c);
            if (c == '\n') {
                return sb.toString();
            }
        }
        throw new IOException("connection closed");
    }

    private static void expect(InputStream in, String line) throws IOException {
        String got = readLine(in);
        if (!got.equals(line)) {
            throw new AssertionError("expected " + line.trim() + " got " + got.trim());
        }
    }

    private static String readBulkReply(InputStream in) throws IOException {
        String head = readLine(in);
        if (head.startsWith("$-1")) {
            return head;
        }
        return head + readLine(in);
    }

    private static String readArrayOfTwo(InputStream in) throws IOException {
        return readLine(in) + readBulkReply(in) + readBulkReply(in);
    }
}
