package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.Transaction;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SCAN's guarantee under concurrent writes: while another client keeps creating, renaming and
 * deleting keys interleaved with them, a full iteration returns every key that existed for the
 * whole iteration, exactly once.
 */
class KeyCommandsScanConcurrencyTest {

    private static final int SHORT_KEYS = 600;
    private static final int LONG_KEYS = 300;
    private static final String LONG_PREFIX = "stable:with:a:long:shared:prefix:";
    private static final Duration CHURN_LIMIT = Duration.ofSeconds(60);

    private RespServer server;

    @BeforeEach
    void start() {
        server = RespServer.builder().port(0).start().join();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void scanReturnsEveryStableKeyOnceWhileOthersChange() throws Exception {
        List<String> stable = new ArrayList<>();
        for (int i = 0; i < SHORT_KEYS; i++) {
            stable.add(String.format("s:%05d", i));
        }
        for (int i = 0; i < LONG_KEYS; i++) {
            stable.add(String.format(LONG_PREFIX + "%05d", i));
        }
        // Seed through the engine: fast, and independent of the string commands.
        try (Transaction txn = server.engine().begin()) {
            Keyspace ks = new Keyspace(txn, 0, System.currentTimeMillis());
            for (String k : stable) {
                ks.putString(bytes(k), bytes("v"), KeyMeta.NO_EXPIRY);
            }
            ks.putString(bytes("template"), bytes("t"), KeyMeta.NO_EXPIRY);
            txn.commit();
        }
        RespTarget target = RespTarget.loopback("respkv", server.activePort());
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong churnOps = new AtomicLong();
        AtomicReference<Throwable> churnFailure = new AtomicReference<>();
        Thread churn = new Thread(() -> churn(target, done, churnOps, churnFailure), "scan-churn");
        churn.setDaemon(true);
        churn.start();
        try {
            waitFor(() -> churnOps.get() > 50, "churn started");
            for (long count : new long[] {1, 5, 37}) {
                long opsBefore = churnOps.get();
                // after the first call, wait for the churn to change keys, so every iteration
                // really runs under concurrent writes however the machine schedules the threads
                List<String> got = scanAll(target, count, () -> waitFor(() -> churnOps.get() > opsBefore + 5, "churn during the scan"));
                Map<String, Integer> seen = new HashMap<>();
                for (String k : got) {
                    seen.merge(k, 1, Integer::sum);
                }
                for (String k : stable) {
                    assertEquals(1, seen.getOrDefault(k, 0), "COUNT " + count + ": stable key " + k);
                }
                for (Map.Entry<String, Integer> e : seen.entrySet()) {
                    assertTrue(e.getKey().equals("template") || e.getKey().contains(":c") || stable.contains(e.getKey()),
                            "unexpected key " + e.getKey());
                }
                assertTrue(churnOps.get() > opsBefore, "keys changed during the iteration");
            }
        } finally {
            done.set(true);
            churn.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertFalse(churn.isAlive(), "churn thread stopped");
        if (churnFailure.get() != null) {
            throw new AssertionError("churn client failed", churnFailure.get());
        }
    }

    /**
     * Creates keys right after stable ones in key order ({@code s:00042:c7}), renames and deletes
     * them, until told to stop or {@link #CHURN_LIMIT} passes.
     */
    private static void churn(RespTarget target, AtomicBoolean done, AtomicLong ops, AtomicReference<Throwable> failure) {
        SplittableRandom random = new SplittableRandom(42);
        long end = System.nanoTime() + CHURN_LIMIT.toNanos();
        try (RawRespClient c = RawRespClient.connect(target)) {
            while (!done.get() && System.nanoTime() < end) {
                String near = random.nextBoolean()
                        ? String.format("s:%05d", random.nextInt(SHORT_KEYS))
                        : String.format(LONG_PREFIX + "%05d", random.nextInt(LONG_KEYS));
                String a = near + ":c" + random.nextInt(4);
                String b = near + ":c" + (4 + random.nextInt(4));
                expectInteger(c.call("COPY", "template", a, "REPLACE"), 1);
                RespFrame renamed = c.call("RENAME", a, b);
                assertEquals("OK", renamed.text(), renamed.toString());
                RespFrame deleted = c.call("DEL", random.nextBoolean() ? b : a);
                assertFalse(deleted.isError(), deleted.toString());
                ops.incrementAndGet();
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static void expectInteger(RespFrame reply, long expected) {
        assertEquals(expected, reply.integer(), reply.toString());
    }

    /** A step between SCAN calls that may throw. */
    private interface Step {
        void run() throws Exception;
    }

    private static List<String> scanAll(RespTarget target, long count, Step afterFirstCall) throws Exception {
        try (RawRespClient c = RawRespClient.connect(target)) {
            List<String> out = new ArrayList<>();
            String cursor = "0";
            for (int calls = 0; calls < 100_000; calls++) {
                RespFrame reply = c.call("SCAN", cursor, "COUNT", Long.toString(count));
                assertEquals(2, reply.elements().size(), reply.toString());
                cursor = reply.elements().get(0).text();
                for (RespFrame key : reply.elements().get(1).elements()) {
                    out.add(key.text());
                }
                if (cursor.equals("0")) {
                    return out;
                }
                if (calls == 0) {
                    afterFirstCall.run();
                }
            }
            fail("SCAN did not finish");
            return out;
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
