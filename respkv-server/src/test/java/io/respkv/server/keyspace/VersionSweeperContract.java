package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.elements;
import static io.respkv.server.keyspace.Layout.marked;
import static io.respkv.server.keyspace.Layout.putCollection;
import static io.respkv.server.keyspace.Layout.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link VersionSweeper} guarantees on any engine: retired versions are reclaimed in bounded
 * transactions, nothing else is touched, and the background thread stops promptly. An engine
 * module runs it by extending this class.
 */
public abstract class VersionSweeperContract {

    private static final long NOW = 1_700_000_000_000L;

    /** A new, empty engine; closed by the test. */
    protected abstract KeyspaceEngine newEngine();

    private final List<VersionSweeper> sweepers = new ArrayList<>();
    private KeyspaceEngine engine;

    @BeforeEach
    void open() {
        engine = newEngine();
    }

    @AfterEach
    void close() {
        for (VersionSweeper s : sweepers) {
            assertTrue(s.stop());
        }
        engine.close();
    }

    private VersionSweeper sweeper(KeyspaceEngine on, int elementsPerTransaction) {
        VersionSweeper s = new VersionSweeper(on, elementsPerTransaction, 4, 10);
        sweepers.add(s);
        return s;
    }

    private boolean nativeRangeDelete() {
        return engine.has(EngineFeature.NATIVE_RANGE_DELETE);
    }

    @Test
    void reclaimsInBoundedTransactions() {
        putCollection(engine, 0, NOW, b("big"), RedisType.SET, 1, KeyMeta.NO_EXPIRY, 2_500, 1_000);
        run(engine, 0, NOW, ks -> ks.delete(b("big")));
        RecordingEngine recording = new RecordingEngine(engine);
        VersionSweeper sweeper = sweeper(recording, 1_000);
        assertEquals(1, sweeper.drain());
        assertEquals(0, elements(engine, 0, b("big"), 1));
        assertFalse(marked(engine, 0, b("big"), 1));
        List<RecordingEngine.Log> committed = recording.logs().stream().filter(l -> l.committed && l.writes() > 0).toList();
        if (nativeRangeDelete()) {
            assertEquals(1, committed.size());
            assertEquals(1, committed.get(0).rangeDeletes.size());
        } else {
            assertEquals(3, committed.size(), "1000 + 1000 + 500 elements");
            for (RecordingEngine.Log log : committed) {
                assertTrue(log.writes() <= 1_001, "at most 1000 elements (and the marker) per transaction");
                assertEquals(List.of(), log.rangeDeletes);
            }
            assertEquals(2_500, sweeper.sweptElements());
        }
        assertEquals(1, sweeper.sweptVersions());
    }

    @Test
    void touchesOnlyRetiredVersions() {
        putCollection(engine, 0, NOW, b("a"), RedisType.HASH, 1, KeyMeta.NO_EXPIRY, 30, 30);
        run(engine, 0, NOW, ks -> ks.delete(b("a")));
        putCollection(engine, 0, NOW, b("a"), RedisType.HASH, 2, KeyMeta.NO_EXPIRY, 5, 5);
        // Neighbours whose element ranges start like a's: a key that extends "a", and "a" in
        // another database, both under version 1.
        putCollection(engine, 0, NOW, b("ab"), RedisType.HASH, 1, KeyMeta.NO_EXPIRY, 7, 7);
        putCollection(engine, 1, NOW, b("a"), RedisType.HASH, 1, KeyMeta.NO_EXPIRY, 9, 9);
        run(engine, 0, NOW, ks -> ks.putString(b("a\u0000"), b("string"), KeyMeta.NO_EXPIRY));

        assertEquals(1, sweeper(engine, 8).drain());
        assertEquals(0, elements(engine, 0, b("a"), 1));
        assertEquals(5, elements(engine, 0, b("a"), 2));
        assertEquals(7, elements(engine, 0, b("ab"), 1));
        assertEquals(9, elements(engine, 1, b("a"), 1));
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.GARBAGE, 0));
        run(engine, 0, NOW, ks -> {
            assertEquals(5, ks.meta(b("a")).size());
            assertEquals(RedisType.STRING, ks.type(b("a\u0000")));
        });
    }

    @Test
    void aVanishedMarkerStopsTheSweep() {
        putCollection(engine, 0, NOW, b("k"), RedisType.LIST, 77, KeyMeta.NO_EXPIRY, 10, 10);
        run(engine, 0, NOW, ks -> ks.delete(b("k")));
        // FLUSHDB takes the marker with it; then the same version is allocated again.
        run(engine, 0, NOW, Keyspace::flush);
        putCollection(engine, 0, NOW, b("k"), RedisType.LIST, 77, KeyMeta.NO_EXPIRY, 3, 3);
        assertEquals(0, sweeper(engine, 2).drain());
        assertEquals(3, elements(engine, 0, b("k"), 77), "the new collection is intact");
    }

    @Test
    void aMarkerRemovedDuringASweepTransactionMakesItConflict() {
        putCollection(engine, 0, NOW, b("k"), RedisType.LIST, 77, KeyMeta.NO_EXPIRY, 10, 10);
        run(engine, 0, NOW, ks -> ks.delete(b("k")));
        RecordingEngine recording = new RecordingEngine(engine);
        // Between the sweeper's first reads and its commit: FLUSHDB, then a new collection at
        // the same key under the same version, with element names the sweeper already scanned.
        // The new collection is written by another thread: on an engine with key locks (and no
        // native range delete) it waits for the elements the sweeper deleted until the sweeper's
        // transaction ends; on the others it is committed before the sweeper commits.
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>> newCollection =
                new java.util.concurrent.atomic.AtomicReference<>();
        recording.beforeNextCommit(() -> {
            run(engine, 0, NOW, Keyspace::flush);
            newCollection.set(other.submit(() ->
                    putCollection(engine, 0, NOW, b("k"), RedisType.LIST, 77, KeyMeta.NO_EXPIRY, 3, 3)));
            try {
                newCollection.get().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException lockedBySweeper) {
                // finishes once the sweeper's transaction has failed and released its locks
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try {
            sweeper(recording, 2).drain();
            newCollection.get().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            other.shutdownNow();
        }
        assertEquals(3, elements(engine, 0, b("k"), 77), "the new collection is intact");
        if (!nativeRangeDelete()) {
            assertTrue(recording.logs().get(1).deletes.size() == 2 && !recording.logs().get(1).committed,
                    "the first sweep transaction deleted two elements and did not commit");
        }
    }

    @Test
    void backgroundThreadReclaimsAndStopsPromptly() throws Exception {
        int n = 100_000;
        putCollection(engine, 0, NOW, b("big"), RedisType.ZSET, 5, KeyMeta.NO_EXPIRY, n, 20_000);
        putCollection(engine, 0, NOW, b("small"), RedisType.ZSET, 6, KeyMeta.NO_EXPIRY, 10, 10);
        run(engine, 0, NOW, ks -> {
            ks.delete(b("big"));
            ks.delete(b("small"));
        });
        VersionSweeper first = sweeper(engine, 50);
        first.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (first.sweptElements() == 0 && first.sweptVersions() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        long t0 = System.nanoTime();
        assertTrue(first.stop(), "stopped");
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stopMillis < 2_000, "stop took " + stopMillis + " ms");
        long left = elements(engine, 0, b("big"), 5);
        if (!nativeRangeDelete()) {
            assertTrue(left > 0 && marked(engine, 0, b("big"), 5), "stopped mid-version: " + left + " left");
        }

        // The markers persist: a new sweeper finishes the work.
        VersionSweeper second = sweeper(engine, 1_024);
        second.start();
        deadline = System.nanoTime() + 30_000_000_000L;
        while (!Layout.keys(engine, KeyCodec.GARBAGE, 0).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.GARBAGE, 0));
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.ELEMENT, 0));
    }
}
