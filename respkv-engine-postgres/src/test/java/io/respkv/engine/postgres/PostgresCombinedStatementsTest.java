package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent transactions' plain unread writes and first point reads are combined into shared
 * statements ({@link StatementCombiner}): fewer statements than transactions, and each
 * transaction's outcome is still its own (a failed expectation fails that transaction alone).
 */
@Timeout(120)
class PostgresCombinedStatementsTest {

    private static final byte[] PREFIX = {1, 0};
    private static final int THREADS = 16;
    private static final int PER_THREAD = 100;

    private PostgresEngine engine;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        engine = EmbeddedPostgresServer.engine().poolSize(16).build();
        pool = Executors.newFixedThreadPool(THREADS + 1);
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        engine.close();
    }

    private static byte[] key(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] value(String s) {
        byte[] v = s.getBytes(UTF_8);
        byte[] out = new byte[PREFIX.length + v.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(v, 0, out, PREFIX.length, v.length);
        return out;
    }

    @Test
    void concurrentUnreadWritesShareStatementsAndKeepTheirOwnOutcomes() throws Exception {
        engine.transact(t -> {
            t.put(key("other"), new byte[] {9, 9}); // not the expected prefix: every unread write of it fails
            return null;
        });
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        AtomicLong otherConflicts = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        long tripsBefore = engine.roundTrips();
        for (int i = 0; i < THREADS; i++) {
            int thread = i;
            futures.add(pool.submit(() -> {
                start.await();
                for (int j = 0; j < PER_THREAD; j++) {
                    // keys shared by two threads, so some batches meet one key twice
                    String k = "k" + (thread / 2) + ":" + (j % 10);
                    try (Transaction t = engine.begin()) {
                        assertTrue(t.putExpecting(key(k), value(thread + "/" + j), PREFIX));
                        t.commit();
                    }
                }
                return null;
            }));
        }
        futures.add(pool.submit(() -> {
            start.await();
            for (int j = 0; j < PER_THREAD / 4; j++) {
                try (Transaction t = engine.begin()) {
                    assertTrue(t.putExpecting(key("other"), value("x"), PREFIX));
                    assertThrows(TransactionConflictException.class, t::commit);
                    otherConflicts.incrementAndGet();
                }
                // the retry on this thread reads the key (no unread write): the hint of the failure
                try (Transaction t = engine.begin()) {
                    assertArrayEquals(new byte[] {9, 9}, t.get(key("other")));
                }
            }
            return null;
        }));
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        long commits = (long) THREADS * PER_THREAD + otherConflicts.get();
        long statements = engine.roundTrips() - tripsBefore;
        System.out.println("combined unread writes: " + commits + " commits in " + statements + " statements (with "
                + PER_THREAD / 4 + " reads)");
        assertTrue(statements < commits, statements + " statements for " + commits + " commits");
        try (var snapshot = engine.snapshot()) {
            assertArrayEquals(new byte[] {9, 9}, snapshot.get(key("other")), "never overwritten");
            for (int pair = 0; pair < THREADS / 2; pair++) {
                for (int x = 0; x < 10; x++) {
                    byte[] v = snapshot.get(key("k" + pair + ":" + x));
                    String s = new String(v, PREFIX.length, v.length - PREFIX.length, UTF_8);
                    // the last write of the key by either of its two threads: j = 90 + x
                    assertTrue(s.equals((2 * pair) + "/" + (90 + x)) || s.equals((2 * pair + 1) + "/" + (90 + x)), s);
                }
            }
        }
    }

    @Test
    void concurrentFirstReadsShareStatementsAndEachSeesItsKey() throws Exception {
        engine.transact(t -> {
            for (int i = 0; i < 50; i++) {
                t.put(key("r" + i), value("v" + i));
            }
            return null;
        });
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        long tripsBefore = engine.roundTrips();
        for (int i = 0; i < THREADS; i++) {
            int thread = i;
            futures.add(pool.submit(() -> {
                start.await();
                for (int j = 0; j < PER_THREAD; j++) {
                    int n = (thread * 7 + j) % 60; // r50..r59 are absent
                    try (Transaction t = engine.begin()) {
                        byte[] got = t.get(key("r" + n));
                        if (n < 50) {
                            assertArrayEquals(value("v" + n), got, "r" + n);
                        } else {
                            assertNull(got);
                        }
                        t.commit();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        long statements = engine.roundTrips() - tripsBefore;
        System.out.println("combined reads: " + THREADS * PER_THREAD + " reads in " + statements + " statements");
        assertTrue(statements < (long) THREADS * PER_THREAD);
        // a read still records its row version: a write after it makes the reader's commit conflict
        try (Transaction reader = engine.begin()) {
            assertArrayEquals(value("v1"), reader.get(key("r1")));
            engine.transact(t -> {
                t.put(key("r1"), value("changed"));
                return null;
            });
            reader.put(key("r1"), value("from-reader"));
            assertThrows(TransactionConflictException.class, reader::commit);
        }
        assertEquals("changed", new String(engine.transact(t -> t.get(key("r1"))), PREFIX.length, 7, UTF_8));
    }
}
