package io.respkv.engine.leveldb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.EngineFeature;
import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the contract suite does not cover: LevelDB-specific behaviour of {@link LevelDbEngine}. */
@Timeout(60)
class LevelDbEngineTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process child;

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private LevelDbEngine open(Path path, Durability durability) {
        LevelDbEngine engine = LevelDbEngine.builder().path(path).durability(durability)
                .lockTimeout(Duration.ofMillis(200)).build();
        toClose.add(engine);
        return engine;
    }

    private LevelDbEngine open() {
        return open(dir.resolve("db"), Durability.ASYNC);
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    private static void put(LevelDbEngine engine, byte[]... keys) {
        engine.transact(txn -> {
            for (byte[] k : keys) {
                txn.put(k, k);
            }
            return null;
        });
    }

    private static List<String> keys(ReadView view, byte[] low, byte[] high, boolean reverse) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = view.scan(low, high, reverse)) {
            while (c.next()) {
                out.add(hex(c.key()));
            }
        }
        return out;
    }

    private static List<String> keys(LevelDbEngine engine) {
        try (Snapshot s = engine.snapshot()) {
            return keys(s, null, null, false);
        }
    }

    private static String hex(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (byte x : key) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    /** Syncs (a sync write plus the closed logs' fdatasyncs) made to make commits durable. */
    private static long walFlushes(LevelDbEngine engine) {
        return engine.syncs();
    }

    @Test
    void declaresGroupCommitWithSyncOnlyAndNoNativeRangeDelete() {
        assertEquals(Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT, EngineFeature.LOCKING_READS,
                EngineFeature.PREFETCH), open().features());
        try (LevelDbEngine sync = open(dir.resolve("sync"), Durability.SYNC)) {
            assertEquals(Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT, EngineFeature.GROUP_COMMIT,
                    EngineFeature.LOCKING_READS, EngineFeature.PREFETCH), sync.features());
            assertEquals("leveldb", sync.name());
        }
        // without a read cache, prefetch has nothing to load
        try (LevelDbEngine uncached = LevelDbEngine.builder().path(dir.resolve("uncached")).durability(Durability.ASYNC)
                .readCacheSize(0).build()) {
            assertEquals(Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT, EngineFeature.LOCKING_READS),
                    uncached.features());
        }
    }

    @Test
    void deferredSyncCommitsDoNotFsyncAtCommit() {
        try (LevelDbEngine sync = open(dir.resolve("group"), Durability.SYNC)) {
            long before = walFlushes(sync);
            for (int i = 0; i < 100; i++) {
                try (Transaction txn = sync.beginDeferringSync()) {
                    txn.put(("g" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {1});
                    txn.commit();
                }
            }
            assertEquals(before, walFlushes(sync), "deferred commits must not fsync at commit");
            sync.syncCommitted();
            assertEquals(before + 1, walFlushes(sync), "one fsync for the hundred commits");
            sync.syncCommitted();
            assertEquals(before + 1, walFlushes(sync), "nothing new to sync");
            // that this makes the commits durable is what DurabilityIT proves with kill -9 (the
            // server commits every command this way)
        }
    }

    // ---- durability ----

    @Test
    void syncSyncsOnEveryCommitAndAsyncNever() {
        LevelDbEngine sync = open(dir.resolve("sync"), Durability.SYNC);
        LevelDbEngine async = LevelDbEngine.builder().path(dir.resolve("async")).durability(Durability.ASYNC)
                .walSyncInterval(Duration.ZERO).build();
        toClose.add(async);
        for (int i = 0; i < 10; i++) {
            put(sync, b("k" + i));
            put(async, b("k" + i));
        }
        assertEquals(10, sync.commitsWritten());
        assertEquals(10, walFlushes(sync));
        assertEquals(10, async.commitsWritten());
        assertEquals(0, walFlushes(async), "ASYNC commits return without a sync");
        async.syncCommitted();
        assertEquals(0, walFlushes(async), "nothing to group with ASYNC");
    }

    @Test
    void asyncSyncsPeriodicallyWhenSomethingWasWritten() throws Exception {
        LevelDbEngine async = LevelDbEngine.builder().path(dir.resolve("async")).durability(Durability.ASYNC)
                .walSyncInterval(Duration.ofMillis(20)).build();
        toClose.add(async);
        put(async, b("k"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (walFlushes(async) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, walFlushes(async), "the background sync did not run");
        Thread.sleep(100);
        assertEquals(1, walFlushes(async), "an idle engine must not keep syncing");
    }

    @Test
    void deferredCommitsAcrossLogSwitchesSurviveAReopen() throws Exception {
        // a 64 KiB memtable: LevelDB switches to a new log many times under these commits, and
        // syncCommitted must find the closed logs (LogFiles) instead of syncing the current one only
        Path path = dir.resolve("switching");
        LevelDbEngine engine = LevelDbEngine.builder().path(path).durability(Durability.SYNC)
                .writeBufferSize(64 * 1024).build();
        toClose.add(engine);
        byte[] value = new byte[1000];
        for (int i = 0; i < 1_000; i++) {
            try (Transaction txn = engine.beginDeferringSync()) {
                txn.put(ByteBuffer.allocate(4).putInt(i).array(), value);
                txn.commit();
            }
            if (i % 100 == 99) {
                engine.syncCommitted();
            }
        }
        assertEquals(10, walFlushes(engine));
        engine.close();
        LevelDbEngine again = open(path, Durability.SYNC);
        assertEquals(1_000, keys(again).size());
    }

    @Test
    void readOnlyTransactionsWriteNothingToTheWal() {
        LevelDbEngine engine = open(dir.resolve("db"), Durability.SYNC);
        put(engine, b("k"));
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(b("k"), engine.transact(txn -> txn.get(b("k"))));
            engine.transact(txn -> keys(txn, null, null, false));
        }
        assertEquals(1, engine.commitsWritten());
        assertEquals(1, walFlushes(engine));
    }

    @Test
    void concurrentSyncCommitsShareFsyncs() throws Exception {
        LevelDbEngine engine = open(dir.resolve("db"), Durability.SYNC);
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        put(engine, b("t" + id + "-" + i));
                    }
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long writes = engine.commitsWritten();
            long syncs = walFlushes(engine);
            System.out.printf("leveldb SYNC group commit: %d commits from %d threads in %.2f s = %.0f commits/s, "
                    + "%d fsyncs (%.1f commits per fsync)%n", writes, threads, seconds, writes / seconds, syncs,
                    (double) writes / syncs);
            assertEquals((long) threads * perThread, writes);
            // every commit is acknowledged after an fsync, yet concurrent commits share them
            assertTrue(syncs < writes, "no group commit: " + syncs + " fsyncs for " + writes + " commits");
            assertTrue(syncs > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void acknowledgedCommitsSurviveKillMinus9(Durability durability) throws Exception {
        Path db = dir.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CommitUntilKilled.class.getName(), db.toString(), durability.name().toLowerCase(), "1000000")
                .redirectErrorStream(true)
                .start();
        long lastAcked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
                if (line.startsWith("acked ")) {
                    lastAcked = Long.parseLong(line.substring(6));
                    if (lastAcked >= 300) {
                        break;
                    }
                } else if (!line.equals("ready")) {
                    throw new AssertionError("child: " + line);
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertTrue(lastAcked >= 300, "child acknowledged only " + lastAcked);
        LevelDbEngine reopened = open(db, durability);
        long present = 0;
        try (Snapshot s = reopened.snapshot(); KvCursor c = s.scan(null, null)) {
            while (c.next()) {
                assertEquals(present, ByteBuffer.wrap(c.key()).getLong(), "commits are not a prefix");
                present++;
            }
        }
        assertTrue(present > lastAcked, "acknowledged " + (lastAcked + 1) + " commits, found " + present);
    }

    // ---- reopen and checkpoints ----

    @Test
    void reopenKeepsDataAndRangeDeletes() {
        Path path = dir.resolve("db");
        LevelDbEngine engine = open(path, Durability.SYNC);
        put(engine, b("a"), b("b"), b("c"), b("d"), b(0xff, 0xff));
        engine.transact(txn -> {
            txn.deleteRange(b("b"), b("d"));
            txn.deleteRange(b(0xff), null);
            txn.put(b("e"), b("E"));
            return null;
        });
        engine.close();
        engine.close(); // idempotent
        LevelDbEngine again = open(path, Durability.SYNC);
        assertEquals(List.of("61", "64", "65"), keys(again));
    }

    @Test
    void checkpointOpensAsASeparateEngine() {
        LevelDbEngine engine = open();
        put(engine, b("before"));
        Path target = dir.resolve("backups").resolve("cp1");
        engine.checkpoint(target);
        put(engine, b("after"));
        engine.transact(txn -> {
            txn.delete(b("before"));
            return null;
        });
        LevelDbEngine copy = open(target, Durability.SYNC);
        assertEquals(List.of(hex(b("before"))), keys(copy));
        put(copy, b("only-in-copy"));
        assertEquals(List.of(hex(b("after"))), keys(engine));
        assertEquals(List.of(hex(b("before")), hex(b("only-in-copy"))), keys(copy));
    }

    @Test
    void checkpointRefusesAnExistingTargetAndAClosedEngine() throws Exception {
        LevelDbEngine engine = open();
        Path existing = Files.createDirectories(dir.resolve("exists"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.checkpoint(existing));
        assertEquals("checkpoint target exists: " + existing, e.getMessage());
        engine.close();
        assertThrows(IllegalStateException.class, () -> engine.checkpoint(dir.resolve("late")));
        assertFalse(Files.exists(dir.resolve("late")));
    }

    // ---- closing with resources open ----

    @Test
    void closingWithOpenCursorsTransactionsAndSnapshotsFreesThem() {
        LevelDbEngine engine = open();
        for (int i = 0; i < 100; i++) {
            put(engine, b("k" + i));
        }
        Snapshot snapshot = engine.snapshot();
        KvCursor snapshotCursor = snapshot.scan(null, null);
        assertTrue(snapshotCursor.next());
        Transaction txn = engine.begin();
        txn.put(b("own"), b("x"));
        KvCursor txnCursor = txn.scan(null, null, true);
        assertTrue(txnCursor.next());
        Snapshot unusedSnapshot = engine.snapshot();
        assertEquals(4, engine.openResources()); // transactions hold no native handle until they commit

        engine.close();

        assertEquals(0, engine.openResources());
        assertThrows(IllegalStateException.class, snapshotCursor::next);
        assertThrows(IllegalStateException.class, txnCursor::next);
        assertThrows(IllegalStateException.class, () -> snapshot.get(b("k1")));
        assertThrows(IllegalStateException.class, () -> snapshot.scan(null, null));
        assertThrows(IllegalStateException.class, () -> txn.get(b("k1")));
        assertThrows(IllegalStateException.class, () -> txn.put(b("k1"), b("v")));
        assertThrows(IllegalStateException.class, txn::commit);
        assertThrows(IllegalStateException.class, engine::begin);
        assertThrows(IllegalStateException.class, engine::snapshot);
        assertThrows(IllegalStateException.class, () -> engine.property("leveldb.stats"));
        // closing them afterwards is harmless
        snapshotCursor.close();
        txnCursor.close();
        txn.close();
        snapshot.close();
        unusedSnapshot.close();
        // and nothing was committed
        LevelDbEngine again = open(dir.resolve("db"), Durability.ASYNC);
        try (Snapshot s = again.snapshot()) {
            assertNull(s.get(b("own")));
            assertArrayEquals(b("k7"), s.get(b("k7")));
        }
    }

    @Test
    void closingWhileOtherThreadsIterateAndCommitDoesNotCrash() throws Exception {
        LevelDbEngine engine = open();
        for (int i = 0; i < 2_000; i++) {
            put(engine, b(String.format("k%05d", i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch running = new CountDownLatch(3);
        AtomicBoolean unexpected = new AtomicBoolean();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    running.countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    try {
                        while (System.nanoTime() < deadline) {
                            if (id == 0) {
                                try (Snapshot s = engine.snapshot(); KvCursor c = s.scan(null, null)) {
                                    while (c.next()) {
                                        c.value();
                                    }
                                }
                            } else {
                                try (Transaction txn = engine.begin(); KvCursor c = txn.scan(b("k"), null)) {
                                    for (int i = 0; i < 50 && c.next(); i++) {
                                        txn.put(c.key(), b("v" + id));
                                    }
                                    txn.commit();
                                }
                            }
                        }
                    } catch (IllegalStateException expected) {
                        return null; // the engine closed under us: the one acceptable failure
                    } catch (TransactionConflictException expected) {
                        return null;
                    } catch (RuntimeException e) {
                        unexpected.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            running.await();
            Thread.sleep(200);
            engine.close();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertFalse(unexpected.get());
        assertEquals(0, engine.openResources());
    }

    @Test
    void closedResourcesAreUnregistered() {
        LevelDbEngine engine = open();
        put(engine, b("a"), b("b"));
        for (int i = 0; i < 50; i++) {
            try (Snapshot s = engine.snapshot(); KvCursor c = s.scan(null, null)) {
                c.next();
            }
            try (Transaction txn = engine.begin()) {
                KvCursor c = txn.scan(null, null); // left open: closing the transaction closes it
                c.next();
                txn.get(b("a"));
            }
            engine.transact(txn -> txn.get(b("b")));
        }
        assertEquals(0, engine.openResources());
    }

    // ---- transactions ----

    @Test
    void aKeyReadByATransactionIsLockedUntilItEnds() throws Exception {
        LevelDbEngine engine = open();
        put(engine, b("k"));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Transaction reader = engine.begin()) {
            assertArrayEquals(b("k"), reader.get(b("k")));
            // a concurrent writer of that key waits for the lock, then gives up with a conflict
            Future<?> writer = other.submit(() -> {
                try (Transaction w = engine.begin()) {
                    w.put(b("k"), b("other"));
                    w.commit();
                }
            });
            Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> writer.get(10, TimeUnit.SECONDS)).getCause();
            assertTrue(cause instanceof TransactionConflictException, String.valueOf(cause));
            reader.put(b("k"), b("mine"));
            reader.commit();
        } finally {
            other.shutdownNow();
        }
        // once the reader committed, writers proceed and see its value
        assertArrayEquals(b("mine"), engine.transact(txn -> txn.get(b("k"))));
        assertEquals(0, engine.openResources());
    }

    @Test
    void oppositeLockOrderIsADeadlockAndFailsOneSideFast() throws Exception {
        LevelDbEngine engine = LevelDbEngine.builder().path(dir.resolve("db")).durability(Durability.ASYNC)
                .lockTimeout(Duration.ofSeconds(20)).build();
        toClose.add(engine);
        put(engine, b("a"), b("b"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch bothLocked = new CountDownLatch(2);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (String[] order : new String[][] {{"a", "b"}, {"b", "a"}}) {
                futures.add(pool.submit(() -> {
                    try (Transaction txn = engine.begin()) {
                        txn.get(b(order[0]));
                        bothLocked.countDown();
                        bothLocked.await();
                        txn.get(b(order[1]));
                        txn.put(b(order[1]), b("won"));
                        txn.commit();
                        return "committed";
                    } catch (TransactionConflictException e) {
                        return "conflict";
                    }
                }));
            }
            long start = System.nanoTime();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : futures) {
                outcomes.add(f.get(15, TimeUnit.SECONDS));
            }
            outcomes.sort(null);
            assertEquals(List.of("committed", "conflict"), outcomes);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "deadlock waited for the lock timeout");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReadKeyRangeDeletedByAnotherCommitFailsTheReader() {
        LevelDbEngine engine = open();
        put(engine, b("r1"), b("r2"), b("x"));
        Transaction reader = engine.begin();
        toClose.add(reader);
        assertArrayEquals(b("r1"), reader.get(b("r1")));
        // range deletes take no key locks; the reader's commit must still notice
        engine.transact(txn -> {
            txn.deleteRange(b("r"), b("s"));
            return null;
        });
        reader.put(b("r1"), b("resurrected"));
        assertThrows(TransactionConflictException.class, reader::commit);
        assertEquals(List.of(hex(b("x"))), keys(engine));
        // a reader of keys outside the deleted range is not affected
        put(engine, b("r1"));
        Transaction outside = engine.begin();
        toClose.add(outside);
        outside.get(b("x"));
        engine.transact(txn -> {
            txn.deleteRange(b("r"), b("s"));
            return null;
        });
        outside.put(b("y"), b("1"));
        outside.commit();
        assertEquals(List.of(hex(b("x")), hex(b("y"))), keys(engine));
    }

    @Test
    void aReaderOlderThanTheRangeDeleteLogFailsSafe() {
        LevelDbEngine engine = open();
        put(engine, b("x"));
        Transaction old = engine.begin();
        toClose.add(old);
        old.get(b("x"));
        // more range-deleting commits than the log keeps, none touching "x"
        for (int i = 0; i < 1_100; i++) {
            int n = i;
            engine.transact(txn -> {
                txn.deleteRange(b(String.format("r%05d", n)), b(String.format("r%05d", n + 1)));
                return null;
            });
        }
        old.put(b("x"), b("late"));
        // the log no longer reaches back to its start: it cannot prove it safe, so it must retry
        assertThrows(TransactionConflictException.class, old::commit);
        Transaction fresh = engine.begin();
        toClose.add(fresh);
        fresh.get(b("x"));
        fresh.put(b("x"), b("fresh"));
        fresh.commit();
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("fresh"), s.get(b("x")));
        }
    }

    @Test
    void aRangeDeleteAlsoDeletesKeysCommittedAfterItWasIssued() {
        // the emulation iterates the range at commit, holding the commit gate exclusively: it
        // deletes what is committed then, as a native range tombstone would
        LevelDbEngine engine = open();
        put(engine, b("m1"), b("m2"), b("a"));
        Transaction txn = engine.begin();
        toClose.add(txn);
        txn.deleteRange(b("m"), null);
        txn.deleteRange(b("b1"), b("b3"));
        put(engine, b("zz"), b("m0"), b("b2")); // committed before txn: txn deletes them too
        assertEquals(List.of(hex(b("a"))), keys(txn, null, null, false));
        txn.commit();
        assertEquals(List.of(hex(b("a"))), keys(engine));
    }

    @Test
    void aRangeDeleteOfManyKeysIsOneAtomicBatch() throws Exception {
        LevelDbEngine engine = open();
        engine.transact(txn -> {
            for (int i = 0; i < 20_000; i++) {
                txn.put(b(String.format("e%05d", i)), b("v"));
            }
            txn.put(b("f"), b("after"));
            return null;
        });
        Snapshot before = engine.snapshot();
        toClose.add(before);
        engine.transact(txn -> {
            txn.deleteRange(b("e"), b("f"));
            txn.put(b("e00007"), b("rewritten")); // after the range delete: survives it
            return null;
        });
        assertEquals(List.of(hex(b("e00007")), hex(b("f"))), keys(engine));
        assertEquals(20_001, keys(before, null, null, false).size(), "a snapshot taken before sees every key");
    }

    @Test
    void rangeDeleteOrderWithOwnWritesIsKept() {
        LevelDbEngine engine = open();
        put(engine, b("a1"), b("a5"), b("b1"));
        engine.transact(txn -> {
            txn.put(b("a3"), b("early"));      // before the range delete: deleted by it
            txn.put(b("zz9"), b("early-tail")); // beyond every committed key: deleted by the unbounded delete
            txn.deleteRange(b("a"), null);
            txn.put(b("a4"), b("late"));        // after it: survives
            assertNull(txn.get(b("a3")));
            assertNull(txn.get(b("a1")));
            assertArrayEquals(b("late"), txn.get(b("a4")));
            assertEquals(List.of(hex(b("a4"))), keys(txn, null, null, false));
            assertEquals(List.of(hex(b("a4"))), keys(txn, null, null, true));
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of(hex(b("a4"))), keys(s, null, null, false));
            assertArrayEquals(b("late"), s.get(b("a4")));
        }
    }

    @Test
    void aTransactionCursorSeesWritesMadeBeforeItOpenedOnly() {
        LevelDbEngine engine = open();
        put(engine, b("a"), b("c"), b("e"));
        try (Transaction txn = engine.begin()) {
            txn.put(b("b"), b("B"));
            try (KvCursor c = txn.scan(null, null)) {
                assertTrue(c.next());
                assertArrayEquals(b("a"), c.key());
                txn.put(b("d"), b("D"));    // after the cursor opened
                txn.delete(b("e"));
                txn.deleteRange(b("c"), b("c\0"));
                List<String> rest = new ArrayList<>();
                while (c.next()) {
                    rest.add(new String(c.key(), UTF_8) + "=" + new String(c.value(), UTF_8));
                }
                assertEquals(List.of("b=B", "c=c", "e=e"), rest);
            }
            assertEquals(List.of(hex(b("a")), hex(b("b")), hex(b("d"))), keys(txn, null, null, false));
        }
    }

    @Test
    void deleteRangeSkipsWholeDeletedRangesInScans() {
        LevelDbEngine engine = open();
        engine.transact(txn -> {
            for (int i = 0; i < 5_000; i++) {
                txn.put(b(String.format("k%05d", i)), b("v"));
            }
            return null;
        });
        try (Transaction txn = engine.begin()) {
            txn.deleteRange(b("k00010"), b("k04990"));
            List<String> forward = keys(txn, b("k00005"), b("k04995"), false);
            List<String> reverse = keys(txn, b("k00005"), b("k04995"), true);
            assertEquals(10, forward.size());
            assertEquals(hex(b("k00009")), forward.get(4));
            assertEquals(hex(b("k04990")), forward.get(5));
            List<String> reversed = new ArrayList<>(forward);
            java.util.Collections.reverse(reversed);
            assertEquals(reversed, reverse);
            assertNull(txn.get(b("k02000")));
        }
    }

    // ---- binary keys ----

    @Test
    void binaryKeysAndValuesRoundTrip() {
        LevelDbEngine engine = open();
        byte[] longKey = new byte[10_000];
        Arrays.fill(longKey, (byte) 0xff);
        byte[] bigValue = new byte[1 << 20];
        for (int i = 0; i < bigValue.length; i++) {
            bigValue[i] = (byte) (i * 31);
        }
        byte[][] keys = {b(), b(0x00), b(0x00, 0x00), b(0x00, 0xff), b(0x7f), b(0x80), b(0xff), b(0xff, 0x00), longKey};
        engine.transact(txn -> {
            for (byte[] k : keys) {
                txn.put(k, k.length == 0 ? bigValue : new byte[0]);
            }
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(bigValue, s.get(b()));
            assertArrayEquals(new byte[0], s.get(longKey));
            assertArrayEquals(new byte[0], s.get(b(0x00)));
            assertNull(s.get(b(0x01)));
            List<String> expected = new ArrayList<>();
            for (byte[] k : keys) {
                expected.add(hex(k));
            }
            assertEquals(expected, keys(s, null, null, false));
            assertEquals(List.of(hex(b(0xff)), hex(b(0xff, 0x00))), keys(s, b(0xff), longKey, false));
            assertEquals(List.of(hex(b(0x00, 0xff)), hex(b(0x00, 0x00)), hex(b(0x00))), keys(s, b(0x00), b(0x7f), true));
        }
        // an unbounded delete from 0xff removes the 10,000-byte 0xff key too
        engine.transact(txn -> {
            txn.deleteRange(b(0xff), null);
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            assertNull(s.get(longKey));
            assertEquals(List.of("", "00", "0000", "00ff", "7f", "80"), keys(s, null, null, false));
        }
        engine.transact(txn -> {
            txn.deleteRange(null, null);
            return null;
        });
        assertEquals(List.of(), keys(engine));
    }
}
