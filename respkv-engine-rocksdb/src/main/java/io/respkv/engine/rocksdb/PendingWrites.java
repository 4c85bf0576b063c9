package io.respkv.engine.rocksdb;

import io.respkv.api.KeyOrder;
import io.respkv.engine.support.LockingTransaction;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Commits that are applied (visible to every later read of the engine) but not yet written to
 * RocksDB: the latest value of each key they wrote, in key order. {@link RocksDbEngine} writes them
 * all as one RocksDB write batch when the server syncs a group of commits, before any RocksDB
 * iterator or snapshot is opened, and when they grow past a limit (see its class comment,
 * "Write coalescing").
 *
 * <p>Two maps: the one commits add to, and the one a writer took and is writing, which reads still
 * consult until it is in RocksDB. Commits are numbered in the order they were added; a taken batch
 * knows the number of its last commit. Thread-safe (one monitor; every call is short).
 */
final class PendingWrites {

    /** A taken batch: the latest write of each key, its serialized size, its last commit's number. */
    record Batch(NavigableMap<byte[], byte[]> writes, int bytes, long lastCommit) {

        /** The batch in RocksDB's write-batch form, in key order ({@link LockingTransaction#TOMBSTONE} = delete). */
        byte[] serialize() {
            WriteBatchRep rep = new WriteBatchRep(bytes);
            rep.writeAll(writes);
            return rep.toBytes();
        }
    }

    private TreeMap<byte[], byte[]> active = new TreeMap<>(KeyOrder.UNSIGNED);
    /** Serialized size of {@link #active} (header included). */
    private int activeBytes = WriteBatchRep.HEADER;
    /** The batch being written, or null. */
    private NavigableMap<byte[], byte[]> writing;
    /** Number of the last commit added (or reserved). */
    private long lastCommit;
    private boolean closed;

    /**
     * Adds one commit's writes ({@link LockingTransaction#TOMBSTONE} = delete); returns its number.
     *
     * @throws IllegalStateException if closed (the engine is closing)
     */
    synchronized long add(NavigableMap<byte[], byte[]> writes) {
        ensureOpen();
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            byte[] key = w.getKey();
            byte[] value = w.getValue();
            byte[] old = active.put(key, value);
            activeBytes += WriteBatchRep.recordBytes(key.length, value.length);
            if (old != null) {
                activeBytes -= WriteBatchRep.recordBytes(key.length, old.length);
            }
        }
        return ++lastCommit;
    }

    /** Numbers a commit written to RocksDB directly (nothing may be pending: the caller drained first). */
    synchronized long reserve() {
        ensureOpen();
        if (!active.isEmpty()) {
            throw new IllegalStateException("commits are pending");
        }
        return ++lastCommit;
    }

    /**
     * The pending write of {@code key}: its value, {@link LockingTransaction#TOMBSTONE} if a
     * pending commit deleted it, or null if no pending commit wrote it.
     */
    synchronized byte[] get(byte[] key) {
        byte[] v = active.get(key);
        if (v == null && writing != null) {
            v = writing.get(key);
        }
        return v;
    }

    /** Serialized bytes pending (not counting a batch being written). */
    synchronized int bytes() {
        return activeBytes;
    }

    /** Number of the last commit added. */
    synchronized long lastCommit() {
        return lastCommit;
    }

    /**
     * Takes everything pending as a batch to write, or null if nothing is; reads keep seeing it
     * until {@link #written()}. One batch at a time: the caller serializes takers.
     */
    synchronized Batch take() {
        if (active.isEmpty()) {
            return null;
        }
        if (writing != null) {
            throw new IllegalStateException("a batch is being written");
        }
        Batch batch = new Batch(active, activeBytes, lastCommit);
        writing = active;
        active = new TreeMap<>(KeyOrder.UNSIGNED);
        activeBytes = WriteBatchRep.HEADER;
        return batch;
    }

    /** The taken batch is in RocksDB (or failed to get there): reads stop consulting it. */
    synchronized void written() {
        writing = null;
    }

    /** Refuses further commits; returns what is pending for a last write, or null. */
    synchronized Batch close() {
        Batch last = take();
        closed = true;
        return last;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("rocksdb engine is closed");
        }
    }
}
