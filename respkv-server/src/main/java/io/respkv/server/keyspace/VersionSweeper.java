package io.respkv.server.keyspace;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Reclaims the elements of retired collection versions in the background, so that DEL,
 * UNLINK and overwrite stay O(1) in a collection's size (see {@link Keyspace} and
 * docs/encoding.md).
 *
 * <p>A retiring command writes a garbage marker {@code G|db|keylen|key|version}; this sweeper,
 * one daemon thread per server, repeatedly takes a batch of markers and, for each, deletes the
 * element range {@code E|db|keylen|key|version...} in bounded transactions: one native range
 * delete on engines with {@link EngineFeature#NATIVE_RANGE_DELETE}, else at most
 * {@code elementsPerTransaction} scanned-and-deleted entries per transaction, resuming after
 * the last one. The transaction that finds the range empty also deletes the marker. Idle, it
 * polls for new markers every {@code idleMillis}.
 *
 * <p>It never blocks commands: it holds no lock of its own, runs ordinary engine transactions
 * (retried on conflict by {@link KeyspaceEngine#transact}), and touches only unreachable
 * entries. Every transaction point-reads the marker first, so if the marker vanishes meanwhile
 * (FLUSHDB) the transaction conflicts and, retried, sees there is nothing left to do: it can
 * never delete elements of a version allocated after the marker went away.
 *
 * <p>The background thread sweeps only while the engine grants this instance the {@value #LEASE}
 * lease ({@link KeyspaceEngine#holdsBackgroundLease}): on a store shared by several respkv
 * instances one of them sweeps.
 *
 * <p>Under Raft (later), element deletion stays local to each replica (the entries are
 * unreachable and identical everywhere), but removing a marker changes what
 * {@link Keyspace#newVersion} may pick, so marker removal must become a replicated write.
 */
public final class VersionSweeper {

    /** The background task name this asks the engine a lease for. */
    public static final String LEASE = "version-sweeper";
    public static final int DEFAULT_ELEMENTS_PER_TRANSACTION = 1024;
    public static final int DEFAULT_MARKERS_PER_PASS = 64;
    public static final long DEFAULT_IDLE_MILLIS = 100;

    private static final byte[] MARKERS_LOW = {KeyCodec.GARBAGE};
    private static final byte[] MARKERS_HIGH = {KeyCodec.GARBAGE + 1};

    private final KeyspaceEngine engine;
    private final int elementsPerTransaction;
    private final int markersPerPass;
    private final long idleNanos;
    private final boolean nativeRangeDelete;
    private final BackgroundLoop loop;
    private final LongAdder sweptVersions = new LongAdder();
    private final LongAdder sweptElements = new LongAdder();
    /** The last marker a pass handled; the next pass starts after it (round robin). */
    private byte[] resumeAfter;

    /** A sweeper with the default batch sizes and idle poll. */
    public VersionSweeper(KeyspaceEngine engine) {
        this(engine, DEFAULT_ELEMENTS_PER_TRANSACTION, DEFAULT_MARKERS_PER_PASS, DEFAULT_IDLE_MILLIS);
    }

    /**
     * @param elementsPerTransaction most elements one transaction deletes (engines without native range delete)
     * @param markersPerPass         most markers one pass takes
     * @param idleMillis             pause when no marker is found
     */
    public VersionSweeper(KeyspaceEngine engine, int elementsPerTransaction, int markersPerPass, long idleMillis) {
        if (elementsPerTransaction < 1 || markersPerPass < 1 || idleMillis < 1) {
            throw new IllegalArgumentException("sweeper limits must be positive");
        }
        this.engine = engine;
        this.elementsPerTransaction = elementsPerTransaction;
        this.markersPerPass = markersPerPass;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.nativeRangeDelete = engine.has(EngineFeature.NATIVE_RANGE_DELETE);
        this.loop = new BackgroundLoop("respkv-version-sweeper", keepGoing -> {
            if (!engine.holdsBackgroundLease(LEASE)) {
                return idleNanos; // another instance over the same store sweeps
            }
            int swept = sweepPass(keepGoing);
            return swept == 0 ? idleNanos : 0;
        });
    }

    /** Starts the background thread (idempotent). */
    public void start() {
        loop.start();
    }

    /**
     * Stops the background thread, waiting for its current transaction to finish (at most 10 s).
     * Returns whether the thread has ended. Idempotent. Markers left over are swept after the
     * next start: they are persisted with the data.
     */
    public boolean stop() {
        return loop.stop(10_000);
    }

    /**
     * Sweeps up to one batch of markers, each to completion unless {@code keepGoing} turns
     * false. Returns the number of versions fully reclaimed in this pass.
     */
    public synchronized int sweepPass(BooleanSupplier keepGoing) {
        List<byte[]> markers = nextMarkers();
        int done = 0;
        for (byte[] marker : markers) {
            if (!keepGoing.getAsBoolean()) {
                break;
            }
            resumeAfter = marker;
            if (sweep(marker, keepGoing)) {
                done++;
            }
        }
        return done;
    }

    /**
     * Sweeps, in the calling thread, until no garbage marker is left; returns the number of
     * versions reclaimed. For tests and tools: with commands retiring versions concurrently it
     * may run as long as they do.
     */
    public long drain() {
        long total = 0;
        while (true) {
            int n = sweepPass(() -> true);
            if (n == 0 && !hasMarkers()) {
                return total;
            }
            total += n;
        }
    }

    /** Versions whose elements and marker this sweeper removed. */
    public long sweptVersions() {
        return sweptVersions.sum();
    }

    /** Elements deleted one by one (not counted: those removed by a native range delete). */
    public long sweptElements() {
        return sweptElements.sum();
    }

    private boolean hasMarkers() {
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(MARKERS_LOW, MARKERS_HIGH, false)) {
            return c.next();
        }
    }

    /** The next markers after {@link #resumeAfter}, wrapping around to the first. */
    private List<byte[]> nextMarkers() {
        List<byte[]> out = new ArrayList<>();
        if (resumeAfter != null) {
            collectMarkers(Arrays.copyOf(resumeAfter, resumeAfter.length + 1), out);
            if (!out.isEmpty()) {
                return out;
            }
            resumeAfter = null;
        }
        collectMarkers(MARKERS_LOW, out);
        return out;
    }

    private void collectMarkers(byte[] low, List<byte[]> out) {
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(low, MARKERS_HIGH, false)) {
            while (out.size() < markersPerPass && c.next()) {
                out.add(c.key().clone());
            }
        }
    }

    /** Deletes the elements of one marker's version, then the marker; false if stopped before. */
    private boolean sweep(byte[] marker, BooleanSupplier keepGoing) {
        byte[] prefix = KeyCodec.elementPrefixOfGarbage(marker);
        byte[] end = KeyCodec.prefixEnd(prefix);
        byte[] from = prefix;
        while (keepGoing.getAsBoolean()) {
            byte[] low = from;
            Batch batch = engine.transact(txn -> deleteBatch(txn, marker, low, end));
            sweptElements.add(batch.deleted);
            if (batch.next == null) {
                if (batch.markerRemoved) {
                    sweptVersions.increment();
                }
                return true;
            }
            from = batch.next;
        }
        return false;
    }

    /** What one sweeping transaction did: elements deleted, where to resume (null: done). */
    private record Batch(int deleted, byte[] next, boolean markerRemoved) {
    }

    private Batch deleteBatch(Transaction txn, byte[] marker, byte[] low, byte[] end) {
        // The point read puts the marker in the read set: a concurrent FLUSHDB (which removes
        // it) makes this transaction conflict instead of deleting a newer version's elements.
        if (txn.get(marker) == null) {
            return new Batch(0, null, false);
        }
        if (nativeRangeDelete) {
            txn.deleteRange(low, end);
            txn.delete(marker);
            return new Batch(0, null, true);
        }
        List<byte[]> keys = new ArrayList<>(Math.min(elementsPerTransaction, 1024));
        byte[] next = null;
        // Collect, then delete: some engines' cursors do not tolerate writes while iterating.
        try (KvCursor c = txn.scan(low, end, false)) {
            while (c.next()) {
                if (keys.size() == elementsPerTransaction) {
                    next = c.key().clone();
                    break;
                }
                keys.add(c.key().clone());
            }
        }
        for (byte[] k : keys) {
            txn.delete(k);
        }
        if (next == null) {
            txn.delete(marker);
        }
        return new Batch(keys.size(), next, next == null);
    }
}
