package io.respkv.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyHash;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine contract suite: what every {@link KeyspaceEngine} must do, whatever stores its
 * bytes. An engine module extends this class with a factory:
 *
 * <pre>{@code
 * class RocksDbEngineContractTest extends KeyspaceEngineContractTest {
 *     @Override protected KeyspaceEngine open(Path dir) { return RocksDbEngine.builder().path(dir).build(); }
 * }
 * }</pre>
 *
 * {@link #open(Path)} is called with the same directory again by the reopen test, for engines
 * that declare {@link EngineFeature#PERSISTENT}.
 */
@Timeout(120)
public abstract class KeyspaceEngineContractTest {

    @TempDir
    protected Path dir;

    /** Where checkpoints go: its own temporary directory, so JUnit removes it too. */
    @TempDir
    protected Path checkpoints;

    protected KeyspaceEngine engine;

    /** Opens (or reopens) the engine under test with its data in {@code dir}. */
    protected abstract KeyspaceEngine open(Path dir) throws Exception;

    @BeforeEach
    void openEngine() throws Exception {
        engine = open(dir);
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    protected static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    protected static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    protected void putAll(byte[]... keys) {
        engine.transact(txn -> {
            for (byte[] k : keys) {
                txn.put(k, k);
            }
            return null;
        });
    }

    protected static List<String> keysOf(ReadView view, byte[] low, byte[] high, boolean reverse, int limit) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = view.scan(low, high, reverse)) {
            while (out.size() < limit && c.next()) {
                out.add(hex(c.key()));
            }
        }
        return out;
    }

    protected static String hex(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (byte x : key) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    // ---- ordering and reads ----

    @Test
    void pointReadsSeeCommittedWritesAndAbsentKeysAreNull() {
        putAll(b("a"));
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("a"), s.get(b("a")));
            assertNull(s.get(b("b")));
        }
    }

    @Test
    void keysAreOrderedAsUnsignedBytesIncludingEmptyAndFfKeys() {
        putAll(b(0xff), b(0x7f), b(0x80), b(), b(0x00), b(0xff, 0xff), b(0x00, 0x00), b(0x01));
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("", "00", "0000", "01", "7f", "80", "ff", "ffff"),
                    keysOf(s, null, null, false, 100));
            assertEquals(List.of("ffff", "ff", "80", "7f", "01", "0000", "00", ""),
                    keysOf(s, null, null, true, 100));
            assertArrayEquals(b(), s.get(b()));
        }
    }

    @Test
    void rangeScansHonourBoundsInBothDirectionsWithLimits() {
        for (int i = 0; i < 20; i++) {
            putAll(b(String.format("k%02d", i)));
        }
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of(hex(b("k05")), hex(b("k06")), hex(b("k07"))), keysOf(s, b("k05"), b("k10"), false, 3));
            assertEquals(List.of(hex(b("k09")), hex(b("k08"))), keysOf(s, b("k05"), b("k10"), true, 2));
            assertEquals(5, keysOf(s, b("k05"), b("k10"), true, 100).size());
            assertEquals(List.of(hex(b("k19"))), keysOf(s, b("k"), null, true, 1));
            assertEquals(List.of(hex(b("k00"))), keysOf(s, null, b("k01"), false, 100));
            assertEquals(List.of(), keysOf(s, b("k10"), b("k05"), false, 100));
            assertEquals(List.of(), keysOf(s, b("k10"), b("k10"), true, 100));
            assertEquals(List.of(), keysOf(s, b("z"), null, false, 100));
        }
    }

    @Test
    void rangeDeleteRemovesExactlyTheHalfOpenRange() {
        for (int i = 0; i < 10; i++) {
            putAll(b("r" + i));
        }
        engine.transact(txn -> {
            txn.deleteRange(b("r3"), b("r7"));
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("r0", "r1", "r2", "r7", "r8", "r9"), strings(keysOf(s, null, null, false, 100)));
        }
        engine.transact(txn -> {
            txn.deleteRange(b("r8"), null);
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("r0", "r1", "r2", "r7"), strings(keysOf(s, null, null, false, 100)));
        }
    }

    @Test
    void transactionSeesItsOwnWritesInReadsAndScans() {
        putAll(b("a"), b("c"), b("e"));
        try (Transaction txn = engine.begin()) {
            txn.put(b("b"), b("B"));
            txn.delete(b("c"));
            txn.put(b("e"), b("E"));
            assertArrayEquals(b("B"), txn.get(b("b")));
            assertNull(txn.get(b("c")));
            assertEquals(List.of("a", "b", "e"), strings(keysOf(txn, null, null, false, 100)));
            assertEquals(List.of("e", "b", "a"), strings(keysOf(txn, null, null, true, 100)));
            txn.deleteRange(b("a"), b("b"));
            txn.put(b("a0"), b("x"));
            assertEquals(List.of("a0", "b", "e"), strings(keysOf(txn, null, null, false, 100)));
            assertNull(txn.get(b("a")));
            txn.commit();
        }
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("a0", "b", "e"), strings(keysOf(s, null, null, false, 100)));
            assertArrayEquals(b("E"), s.get(b("e")));
        }
    }

    // ---- atomicity ----

    @Test
    void uncommittedTransactionLeavesNoTrace() {
        putAll(b("keep"));
        try (Transaction txn = engine.begin()) {
            txn.put(b("x"), b("1"));
            txn.delete(b("keep"));
            txn.deleteRange(b(), null);
        }
        try (Snapshot s = engine.snapshot()) {
            assertNull(s.get(b("x")));
            assertArrayEquals(b("keep"), s.get(b("keep")));
        }
    }

    @Test
    void exceptionInTransactBodyAbortsAllWrites() {
        assertThrows(IllegalStateException.class, () -> engine.transact(txn -> {
            txn.put(b("x"), b("1"));
            txn.put(b("y"), b("2"));
            throw new IllegalStateException("boom");
        }));
        try (Snapshot s = engine.snapshot()) {
            assertNull(s.get(b("x")));
            assertNull(s.get(b("y")));
        }
    }

    @Test
    void multiKeyTransactionsAreAllOrNothingToConcurrentReaders() throws Exception {
        // Writers move value between two keys; readers must always see the invariant a + b == 100.
        engine.transact(txn -> {
            txn.put(b("a"), longBytes(100));
            txn.put(b("b"), longBytes(0));
            return null;
        });
        AtomicInteger violations = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000 && System.nanoTime() < deadline; i++) {
                        int delta = (i % 2 == 0) ? 1 : -1;
                        engine.transact(txn -> {
                            long a = toLong(txn.get(b("a")));
                            long bb = toLong(txn.get(b("b")));
                            txn.put(b("a"), longBytes(a - delta));
                            txn.put(b("b"), longBytes(bb + delta));
                            return null;
                        });
                    }
                }));
            }
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 5_000 && System.nanoTime() < deadline; i++) {
                    try (Snapshot s = engine.snapshot()) {
                        if (toLong(s.get(b("a"))) + toLong(s.get(b("b"))) != 100) {
                            violations.incrementAndGet();
                        }
                    }
                }
            }));
            futures.add(pool.submit(() -> {
                // A scan inside a transaction must not see half of a commit either.
                for (int i = 0; i < 5_000 && System.nanoTime() < deadline; i++) {
                    long sum = engine.transact(txn -> {
                        long total = 0;
                        try (KvCursor c = txn.scan(b("a"), b("c"))) {
                            while (c.next()) {
                                total += toLong(c.value());
                            }
                        }
                        return total;
                    });
                    if (sum != 100) {
                        violations.incrementAndGet();
                    }
                }
            }));
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, violations.get(), "snapshots observed a partial transaction");
    }

    @Test
    void concurrentReadModifyWritesLoseNoUpdate() throws Exception {
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] key = (i % 2 == 0) ? b("shared") : b("counter-" + (id % 2));
                        engine.transact(txn -> {
                            txn.put(key, longBytes(toLong(txn.get(key)) + 1));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Snapshot s = engine.snapshot()) {
            assertEquals(threads * perThread / 2, toLong(s.get(b("shared"))));
            assertEquals(threads * perThread / 2,
                    toLong(s.get(b("counter-0"))) + toLong(s.get(b("counter-1"))));
        }
    }

    @Test
    void aSoleReadSeesTheLatestCommittedValue() {
        engine.transact(txn -> {
            txn.put(b("k"), b("v1"));
            return null;
        });
        assertArrayEquals(b("v1"), engine.transact(txn -> txn.get(b("k")))); // cached, where engines cache
        assertArrayEquals(b("v1"), engine.transact(txn -> txn.getSole(b("k"))));
        assertNull(engine.transact(txn -> txn.getSole(b("missing"))));
        engine.transact(txn -> {
            txn.put(b("k"), b("v2"));
            return null;
        });
        assertArrayEquals(b("v2"), engine.transact(txn -> txn.getSole(b("k"))));
        engine.transact(txn -> {
            txn.deleteRange(b("j"), b("l"));
            return null;
        });
        assertNull(engine.transact(txn -> txn.getSole(b("k"))), "a sole read served a range-deleted key");
        // after another operation it is an ordinary read: it sees the own write, and more may follow
        assertArrayEquals(b("own"), engine.transact(txn -> {
            txn.put(b("k"), b("own"));
            byte[] v = txn.getSole(b("k"));
            txn.put(b("k2"), b("after"));
            return v;
        }));
        assertArrayEquals(b("after"), engine.transact(txn -> txn.getSole(b("k2"))));
    }

    @Test
    void soleReadsNeverSeeACounterGoBackOrAPartialWrite() throws Exception {
        // Writers increment a counter with read-modify-writes; a reader polls it with sole reads.
        int writers = 4;
        int perWriter = 300;
        engine.transact(txn -> {
            txn.put(b("counter"), longBytes(0));
            return null;
        });
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch start = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        engine.transact(txn -> {
                            txn.put(b("counter"), longBytes(toLong(txn.get(b("counter"))) + 1));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            Future<Long> reader = pool.submit(() -> {
                start.await();
                long last = 0;
                long reads = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
                // At least one read: on a busy machine the writers may be done before this starts.
                do {
                    long seen = toLong(engine.transact(txn -> txn.getSole(b("counter"))));
                    assertTrue(seen >= last, "the counter went back from " + last + " to " + seen);
                    last = seen;
                    reads++;
                } while (!done.get() && System.nanoTime() < deadline);
                return reads;
            });
            start.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
            done.set(true);
            assertTrue(reader.get(100, TimeUnit.SECONDS) > 0);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertEquals(writers * perWriter, toLong(engine.transact(txn -> txn.getSole(b("counter")))));
    }

    // ---- snapshots ----

    @Test
    void snapshotIsUnaffectedByLaterWrites() {
        putAll(b("a"), b("b"), b("c"));
        try (Snapshot s = engine.snapshot()) {
            engine.transact(txn -> {
                txn.put(b("a"), b("changed"));
                txn.delete(b("b"));
                txn.put(b("d"), b("new"));
                txn.deleteRange(b("c"), b("c\0"));
                return null;
            });
            assertArrayEquals(b("a"), s.get(b("a")));
            assertArrayEquals(b("b"), s.get(b("b")));
            assertNull(s.get(b("d")));
            assertEquals(List.of("a", "b", "c"), strings(keysOf(s, null, null, false, 100)));
            assertEquals(List.of("c", "b", "a"), strings(keysOf(s, null, null, true, 100)));
        }
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("a", "d"), strings(keysOf(s, null, null, false, 100)));
            assertArrayEquals(b("changed"), s.get(b("a")));
        }
    }

    @Test
    void deletedKeysDisappearOnceNoSnapshotNeedsThem() {
        putAll(b("gone"));
        Snapshot old = engine.snapshot();
        engine.transact(txn -> {
            txn.delete(b("gone"));
            return null;
        });
        assertArrayEquals(b("gone"), old.get(b("gone")));
        old.close();
        try (Snapshot s = engine.snapshot()) {
            assertNull(s.get(b("gone")));
            assertEquals(List.of(), keysOf(s, null, null, false, 100));
        }
    }

    // ---- deferred sync (group commit) ----

    @Test
    void deferredSyncCommitsAreVisibleAtOnceAndDurableAfterSync() throws Exception {
        try (Transaction txn = engine.beginDeferringSync()) {
            txn.put(b("deferred"), b("1"));
            txn.commit();
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("1"), s.get(b("deferred")), "a deferred-sync commit is visible before the sync");
        }
        engine.syncCommitted();
        engine.syncCommitted(); // nothing pending: cheap and harmless
        if (engine.has(EngineFeature.PERSISTENT)) {
            engine.close();
            engine = open(dir);
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(b("1"), s.get(b("deferred")));
            }
        }
    }

    // ---- persistence and features ----

    @Test
    void lockingReadsHoldOffWritersUntilTheReaderEnds() throws Exception {
        if (!engine.has(EngineFeature.LOCKING_READS)) {
            return; // an engine that validates reads at commit may let the writer go first
        }
        putAll(b("locked"));
        AtomicBoolean readerEnded = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Transaction reader = engine.begin()) {
            assertArrayEquals(b("locked"), reader.get(b("locked")));
            Future<Boolean> writer = pool.submit(() -> {
                try (Transaction w = engine.begin()) {
                    w.put(b("locked"), b("written"));
                    boolean afterReader = readerEnded.get();
                    w.commit();
                    return afterReader;
                }
            });
            Thread.sleep(200);
            assertFalse(writer.isDone(), "a write of a key another open transaction read went ahead");
            readerEnded.set(true);
            reader.commit();
            assertTrue(writer.get(10, TimeUnit.SECONDS), "the write went ahead before the reader ended");
        } finally {
            pool.shutdownNow();
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("written"), s.get(b("locked")));
        }
    }

    @Test
    void prefetchIsAHintThatChangesNothing() throws Exception {
        putAll(b("hinted"), b(0xff, 0x00));
        int[] hashes = {KeyHash.of(b("hinted")), KeyHash.of(b(0xff, 0x00)), KeyHash.of(b("absent")), 0, -1,
                Integer.MIN_VALUE, Integer.MAX_VALUE};
        // any hashes, any count up to the array's, from a thread holding no transaction
        for (int count = 0; count <= hashes.length; count++) {
            engine.prefetch(hashes, count);
        }
        try (Transaction t = engine.begin()) {
            engine.prefetch(hashes, hashes.length); // and while a transaction is open
            assertArrayEquals(b("hinted"), t.get(b("hinted")));
            assertNull(t.get(b("absent")));
            t.put(b("absent"), b("now"));
            t.commit();
        }
        engine.prefetch(hashes, hashes.length);
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("hinted"), s.get(b("hinted")));
            assertArrayEquals(b(0xff, 0x00), s.get(b(0xff, 0x00)));
            assertArrayEquals(b("now"), s.get(b("absent")));
        }
    }

    @Test
    void reopenKeepsCommittedDataWhenPersistent() throws Exception {
        if (!engine.has(EngineFeature.PERSISTENT)) {
            return; // nothing to keep: the feature set says so, and the next test checks the claim
        }
        putAll(b("durable"), b(0xff, 0x00));
        engine.close();
        engine = open(dir);
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("durable"), s.get(b("durable")));
            assertArrayEquals(b(0xff, 0x00), s.get(b(0xff, 0x00)));
        }
    }

    @Test
    void declaredFeaturesMatchBehaviour() throws Exception {
        Path target = checkpoints.resolve("checkpoint");
        if (engine.has(EngineFeature.CHECKPOINT)) {
            putAll(b("cp"));
            engine.checkpoint(target);
            assertTrue(Files.isDirectory(target), "checkpoint wrote nothing");
            engine.close();
            engine = open(target);
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(b("cp"), s.get(b("cp")));
            }
        } else {
            assertThrows(UnsupportedOperationException.class, () -> engine.checkpoint(target));
            assertFalse(Files.exists(target));
        }
        // UNREAD_WRITES: the server tries putExpecting only where it is declared, so an engine
        // that takes such writes without declaring it, or declares it and takes none, is wrong.
        try (Transaction t = engine.begin()) {
            boolean taken = t.putExpecting(b("unread"), b("v1"), b("v"));
            assertEquals(engine.has(EngineFeature.UNREAD_WRITES), taken, "putExpecting of an absent key");
            if (!taken) {
                t.put(b("unread"), b("v1"));
            }
            assertArrayEquals(b("v1"), t.get(b("unread")), "own unread write");
            t.commit();
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("v1"), s.get(b("unread")));
        }
        if (!engine.has(EngineFeature.PERSISTENT)) {
            putAll(b("volatile"));
            engine.close();
            engine = open(dir);
            try (Snapshot s = engine.snapshot()) {
                assertNull(s.get(b("volatile")), "engine keeps data across reopen but does not declare PERSISTENT");
            }
        }
    }

    private static List<String> strings(List<String> hexKeys) {
        List<String> out = new ArrayList<>();
        for (String h : hexKeys) {
            byte[] raw = new byte[h.length() / 2];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
            }
            out.add(new String(raw, UTF_8));
        }
        return out;
    }

    protected static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    protected static long toLong(byte[] v) {
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }
}
