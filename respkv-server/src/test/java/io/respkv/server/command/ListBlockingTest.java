package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.RecordingEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking commands on respkv alone, where real Redis has nothing to compare (concurrency) or
 * respkv's internals are what is checked (no polling while blocked, introspection).
 */
class ListBlockingTest {

    private RespServer server;
    private final List<RawRespClient> clients = Collections.synchronizedList(new ArrayList<>());

    private RespServer start(RespServer.Builder builder) {
        server = builder.port(0).start().join();
        return server;
    }

    private RawRespClient connect() throws Exception {
        RawRespClient c = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()), Duration.ofSeconds(10));
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (RawRespClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void awaitBlocked(RawRespClient control, int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (control.call("INFO", "clients").text().contains("blocked_clients:" + n + "\r\n")) {
                return;
            }
            Thread.sleep(5);
        }
        fail("expected " + n + " blocked clients: " + control.call("INFO", "clients").text());
    }

    /** Several pushers and more waiters than elements at a time: every element is taken exactly once. */
    @Test
    void concurrentPushesAndBlockedPopsLoseAndDuplicateNothing() throws Exception {
        start(RespServer.builder().eventLoopThreads(2));
        int consumers = 6;
        int pushers = 3;
        int perPusher = 150;
        ExecutorService pool = Executors.newFixedThreadPool(consumers + pushers);
        try {
            List<Future<List<String>>> taken = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                RawRespClient c = connect();
                boolean right = i % 2 == 1;
                taken.add(pool.submit(() -> {
                    List<String> got = new ArrayList<>();
                    while (true) {
                        RespFrame reply = c.call(right ? "BRPOP" : "BLPOP", "q1", "q2", "1");
                        if (reply.isNull()) {
                            return got; // nothing for a second: the pushers are done
                        }
                        got.add(reply.elements().get(1).text());
                    }
                }));
            }
            List<Future<?>> pushed = new ArrayList<>();
            for (int p = 0; p < pushers; p++) {
                RawRespClient c = connect();
                int pusher = p;
                pushed.add(pool.submit(() -> {
                    for (int i = 0; i < perPusher; i++) {
                        String key = i % 2 == 0 ? "q1" : "q2";
                        c.call(i % 3 == 0 ? "LPUSH" : "RPUSH", key, pusher + ":" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : pushed) {
                f.get(60, TimeUnit.SECONDS);
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : taken) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            Set<String> distinct = new HashSet<>(all);
            assertEquals(all.size(), distinct.size(), "an element was delivered twice");
            assertEquals(pushers * perPusher, distinct.size(), "an element was lost");
            RawRespClient control = connect();
            assertEquals(0, control.call("EXISTS", "q1", "q2").integer());
            awaitBlocked(control, 0);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A blocked client costs the engine nothing until a write signals its key. */
    @Test
    void aBlockedClientDoesNotPollTheEngine() throws Exception {
        RecordingEngine engine = new RecordingEngine(new MemoryEngine());
        start(RespServer.builder().ownedEngine(engine));
        RawRespClient waiter = connect();
        RawRespClient control = connect();
        byte[] metaKey = KeyCodec.metaKey(0, "q".getBytes());
        waiter.send(io.respkv.server.difftest.RespCommand.of("BLPOP", "q", "0"));
        awaitBlocked(control, 1);
        engine.clear();
        Thread.sleep(300);
        for (RecordingEngine.Log log : engine.logs()) {
            for (byte[] read : log.gets) {
                assertTrue(!Arrays.equals(read, metaKey), "the blocked client's key was read while nobody wrote");
            }
        }
        control.call("SET", "other", "v");
        assertEquals(1, control.call("RPUSH", "q", "x").integer());
        assertEquals("x", waiter.readReply().elements().get(1).text());
    }

    @Test
    void introspectionShowsBlockedClients() throws Exception {
        start(RespServer.builder());
        RawRespClient waiter = connect();
        RawRespClient control = connect();
        waiter.call("CLIENT", "SETNAME", "waiter");
        waiter.send(io.respkv.server.difftest.RespCommand.of("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"));
        awaitBlocked(control, 1);
        String list = control.call("CLIENT", "LIST").text();
        String line = Arrays.stream(list.split("\n")).filter(l -> l.contains("name=waiter")).findFirst().orElseThrow();
        assertTrue(line.contains(" flags=b "), line);
        control.call("RPUSH", "src", "e");
        assertEquals("e", waiter.readReply().text());
        awaitBlocked(control, 0);
        String after = control.call("CLIENT", "LIST").text();
        assertTrue(Arrays.stream(after.split("\n")).filter(l -> l.contains("name=waiter")).allMatch(l -> l.contains(" flags=N ")),
                after);
    }
}
