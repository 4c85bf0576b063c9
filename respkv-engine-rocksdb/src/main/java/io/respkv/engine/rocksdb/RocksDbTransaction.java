package io.respkv.engine.rocksdb;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A {@link RocksDbEngine} transaction: a RocksDB pessimistic transaction (key locks taken by
 * {@code get} and by writes, held to the end) plus a Java view of its own writes.
 *
 * <p>Why the Java view: the transaction's reads and scans must see its own writes and hide its
 * range deletes. RocksDB's indexed write batch knows no range deletes, and its iterators are not
 * reliable once the batch is written to while they are open. So own writes are also kept in a
 * sorted map (shared with open cursors, copied before the next write), reads consult it and the
 * deleted ranges first, and only the rest goes to {@code GetForUpdate}, which locks the key and
 * records it for the commit-time range-delete check. Scans merge a database iterator with the map in
 * {@link RocksDbCursor}.
 */
final class RocksDbTransaction extends NativeResource implements Transaction {

    /** Marks a buffered deletion in {@link #writes} (compared by identity). */
    static final byte[] TOMBSTONE = new byte[0];

    private final RocksDbEngine engine;
    private org.rocksdb.Transaction txn;
    /** The transaction's raw batch (not owned), for range tombstones; lazily fetched. */
    private WriteBatch rawBatch;
    /** Own writes by key; {@link #TOMBSTONE} = deleted. Null until the first write. */
    private TreeMap<byte[], byte[]> writes;
    /** A cursor iterates {@link #writes}: copy it before the next change. */
    private boolean writesShared;
    /** Ranges deleted, {low, high-or-null}; copied on change for the same reason. */
    private List<byte[][]> deletedRanges = List.of();
    /** For unbounded range deletes: at commit, no database key may be >= any of these. */
    private List<byte[]> commitChecks = List.of();
    /** Keys read from the database (locked), checked at commit against later range deletes. */
    private List<byte[]> reads = List.of();
    /** {@link RocksDbEngine#rangeDeleteEpoch()} when this transaction began. */
    private long startEpoch;
    private Set<RocksDbCursor> cursors;
    private boolean finished;

    /** Whether commit leaves the fsync to {@link RocksDbEngine#syncCommitted()}. */
    private final boolean deferSync;

    RocksDbTransaction(RocksDbEngine engine, boolean deferSync) {
        this.engine = engine;
        this.deferSync = deferSync;
    }

    /** Begins the native transaction; the engine registered this object first. */
    synchronized void start() {
        if (released()) {
            throw engine.closedException();
        }
        startEpoch = engine.rangeDeleteEpoch();
        txn = engine.db().beginTransaction(deferSync ? engine.unsyncedWriteOptions : engine.writeOptions,
                engine.txnOptions);
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        ensureActive();
        if (writes != null) {
            byte[] own = writes.get(key);
            if (own != null) {
                return own == TOMBSTONE ? null : own;
            }
        }
        if (RocksDbCursor.inRanges(key, deletedRanges)) {
            return null;
        }
        byte[] value;
        try {
            value = txn.getForUpdate(engine.latest, key, true);
        } catch (RocksDBException e) {
            throw engine.failure("get", e);
        }
        if (reads.isEmpty()) {
            reads = new ArrayList<>();
        }
        reads.add(key);
        return value;
    }

    @Override
    public synchronized KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureActive();
        TreeMap<byte[], byte[]> own = writes;
        if (own != null) {
            writesShared = true;
        }
        RocksDbCursor cursor = new RocksDbCursor(engine, null, low, high, reverse, own, deletedRanges, this::forget);
        engine.registerCursor(cursor);
        if (cursors == null) {
            cursors = ConcurrentHashMap.newKeySet();
        }
        cursors.add(cursor);
        cursor.start();
        return cursor;
    }

    @Override
    public synchronized void put(byte[] key, byte[] value) {
        ensureActive();
        try {
            txn.put(key, value);
        } catch (RocksDBException e) {
            throw engine.failure("put", e);
        }
        ownWrites().put(key, value);
    }

    @Override
    public synchronized void delete(byte[] key) {
        ensureActive();
        try {
            txn.delete(key);
        } catch (RocksDBException e) {
            throw engine.failure("delete", e);
        }
        ownWrites().put(key, TOMBSTONE);
    }

    @Override
    public synchronized void deleteRange(byte[] low, byte[] high) {
        ensureActive();
        if (low == null) {
            low = new byte[0];
        }
        if (high != null && Arrays.compareUnsigned(low, high) >= 0) {
            return; // empty range
        }
        byte[] end = high;
        if (end == null) {
            // RocksDB range tombstones need an end key: cover every key present now (committed or
            // our own), and check at commit that nothing was added beyond it.
            byte[] greatest = engine.lastKey();
            if (writes != null && !writes.isEmpty()
                    && (greatest == null || Arrays.compareUnsigned(writes.lastKey(), greatest) > 0)) {
                greatest = writes.lastKey();
            }
            if (greatest != null && Arrays.compareUnsigned(greatest, low) >= 0) {
                end = Arrays.copyOf(greatest, greatest.length + 1); // the next key after it
            }
            List<byte[]> checks = new ArrayList<>(commitChecks);
            checks.add(end != null ? end : low);
            commitChecks = checks;
        }
        if (end != null) {
            try {
                if (rawBatch == null) {
                    rawBatch = txn.getWriteBatch().getWriteBatch();
                }
                rawBatch.deleteRange(low, end);
            } catch (RocksDBException e) {
                throw engine.failure("deleteRange", e);
            }
        }
        if (writes != null) {
            var inRange = high == null ? writes.tailMap(low, true) : writes.subMap(low, true, high, false);
            if (!inRange.isEmpty()) {
                ownWrites();
                (high == null ? writes.tailMap(low, true) : writes.subMap(low, true, high, false)).clear();
            }
        }
        List<byte[][]> ranges = new ArrayList<>(deletedRanges);
        ranges.add(new byte[][] {low, high});
        deletedRanges = ranges;
    }

    @Override
    public synchronized void commit() {
        ensureActive();
        finished = true;
        if ((writes == null || writes.isEmpty()) && deletedRanges.isEmpty()) {
            // Read-only: its locks kept every key it read unchanged until now, so it is already
            // consistent; committing would cost a WAL write and, with SYNC, an fsync.
            close();
            return;
        }
        StampedLock gate = engine.commitGate;
        boolean exclusive = !deletedRanges.isEmpty();
        long stamp = exclusive ? gate.writeLock() : gate.readLock();
        try {
            if (!reads.isEmpty() && engine.rangeDeletedSince(startEpoch, reads)) {
                throw new TransactionConflictException("rocksdb: a key read by this transaction was range-deleted concurrently");
            }
            for (byte[] check : commitChecks) {
                if (engine.anyKeyAtOrAfter(check)) {
                    throw new TransactionConflictException("rocksdb: a key was added beyond an unbounded range delete concurrently");
                }
            }
            txn.commit();
            if (deferSync) {
                engine.noteUnsyncedCommit();
            }
            if (exclusive) {
                engine.logRangeDeletes(deletedRanges);
            }
        } catch (RocksDBException e) {
            throw engine.failure("commit", e);
        } finally {
            gate.unlock(stamp);
            close();
        }
    }

    @Override
    public void close() {
        release();
        engine.unregister(this);
    }

    @Override
    void freeNative() {
        finished = true;
        if (cursors != null) {
            cursors.forEach(NativeResource::release);
            cursors.forEach(engine::unregister);
        }
        if (txn != null) {
            txn.close(); // uncommitted writes are discarded
            txn = null;
        }
        rawBatch = null;
    }

    private void forget(RocksDbCursor cursor) {
        Set<RocksDbCursor> set = cursors;
        if (set != null) {
            set.remove(cursor);
        }
    }

    /** The own-writes map, ready to modify (created or unshared). */
    private TreeMap<byte[], byte[]> ownWrites() {
        if (writes == null) {
            writes = new TreeMap<>(Arrays::compareUnsigned);
        } else if (writesShared) {
            writes = new TreeMap<>(writes);
            writesShared = false;
        }
        return writes;
    }

    private void ensureActive() {
        if (released() || finished) {
            throw engine.isClosed() ? engine.closedException() : new IllegalStateException("transaction is finished");
        }
    }
}
