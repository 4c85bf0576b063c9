package io.respkv.engine.leveldb;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.NativeResource;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;

/**
 * A {@link LevelDbEngine} transaction: key locks from the engine's {@link KeyLockTable} (taken by
 * {@code get} and by writes, held to the end), the transaction's own writes buffered in Java, and
 * one atomic LevelDB write batch at commit.
 *
 * <p>Until it commits a transaction touches no native object but for reads: reads of locked keys
 * come from the engine's {@link ReadCache} or one {@code Get} of the latest committed state (a
 * locked key cannot change until the transaction ends, so no snapshot is needed), writes go to a
 * sorted map that reads and scans consult first, and range deletes to a list that hides their
 * ranges. At commit the batch gets, in order, a delete for every committed key in each deleted
 * range (found by iterating, holding the commit gate exclusively) and then the surviving own writes
 * (an own write made before a range delete of its key was dropped from the map by it, one made
 * after survives it).
 *
 * <p>Used by one thread at a time, like every {@link Transaction}.
 */
final class LevelDbTransaction implements Transaction {

    /** Marks a buffered deletion in {@link #writes} (compared by identity). */
    static final byte[] TOMBSTONE = new byte[0];

    private final LevelDbEngine engine;
    /** Whether commit leaves the sync to {@link LevelDbEngine#syncCommitted()}. */
    private final boolean deferSync;
    private final KeyLockTable.Owner locks = new KeyLockTable.Owner();
    /** Own writes by key; {@link #TOMBSTONE} = deleted. Null until the first write. */
    private TreeMap<byte[], byte[]> writes;
    /** A cursor iterates {@link #writes}: copy it before the next change. */
    private boolean writesShared;
    /** Ranges deleted, {low, high-or-null}, in order; copied on change for the same reason. */
    private List<byte[][]> deletedRanges = List.of();
    /** Keys read from the database (locked), checked at commit against later range deletes. */
    private List<byte[]> reads = List.of();
    /** The engine's range-delete epoch when this transaction began. */
    private final long startEpoch;
    private Set<LevelDbCursor> cursors;
    private boolean finished;

    LevelDbTransaction(LevelDbEngine engine, boolean deferSync) {
        this.engine = engine;
        this.deferSync = deferSync;
        this.startEpoch = engine.rangeDeletes.epoch();
    }

    @Override
    public byte[] get(byte[] key) {
        ensureActive();
        if (writes != null) {
            byte[] own = writes.get(key);
            if (own != null) {
                return own == TOMBSTONE ? null : own;
            }
        }
        if (RangeDeleteLog.rangeOf(key, deletedRanges) != null) {
            return null;
        }
        KeyLockTable.Key k = new KeyLockTable.Key(key);
        engine.locks().lock(locks, k);
        if (reads.isEmpty()) {
            reads = new ArrayList<>(4);
        }
        reads.add(key);
        return engine.readLocked(k);
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureActive();
        TreeMap<byte[], byte[]> own = writes;
        if (own != null) {
            writesShared = true;
        }
        LevelDbCursor cursor = new LevelDbCursor(engine, null, low, high, reverse, own, deletedRanges, this::forget);
        engine.registerCursor(cursor);
        if (cursors == null) {
            cursors = ConcurrentHashMap.newKeySet();
        }
        cursors.add(cursor);
        cursor.start();
        return cursor;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ensureActive();
        engine.locks().lock(locks, new KeyLockTable.Key(key));
        ownWrites().put(key, value);
    }

    @Override
    public void delete(byte[] key) {
        ensureActive();
        engine.locks().lock(locks, new KeyLockTable.Key(key));
        ownWrites().put(key, TOMBSTONE);
    }

    @Override
    public void deleteRange(byte[] low, byte[] high) {
        ensureActive();
        if (low == null) {
            low = new byte[0];
        }
        if (high != null && Arrays.compareUnsigned(low, high) >= 0) {
            return; // empty range
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
    public void commit() {
        ensureActive();
        finished = true;
        try {
            if ((writes == null || writes.isEmpty()) && deletedRanges.isEmpty()) {
                // Read-only: its locks kept every key it read unchanged until now, so it is already
                // consistent; committing would cost a log write and, with SYNC, a sync.
                return;
            }
            RangeDeleteLog gate = engine.rangeDeletes;
            boolean exclusive = !deletedRanges.isEmpty();
            long stamp = exclusive ? gate.lockExclusive() : gate.lockShared();
            try {
                if (!reads.isEmpty() && gate.deletedSince(startEpoch, reads)) {
                    throw new TransactionConflictException("leveldb: a key read by this transaction was range-deleted concurrently");
                }
                NativeWriteBatch batch = new NativeWriteBatch();
                try {
                    for (byte[][] r : deletedRanges) {
                        engine.deleteCommittedRange(r[0], r[1], batch);
                    }
                    if (writes != null) {
                        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                            if (w.getValue() == TOMBSTONE) {
                                batch.delete(w.getKey());
                            } else {
                                batch.put(w.getKey(), w.getValue());
                            }
                        }
                    }
                    engine.write(batch, deferSync);
                } finally {
                    batch.delete();
                }
                if (exclusive) {
                    gate.record(deletedRanges);
                }
                engine.cacheCommitted(writes);
            } finally {
                gate.unlock(stamp);
            }
        } finally {
            end();
        }
    }

    /** Discards the transaction if it has not committed; releases its locks and cursors. Idempotent. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            end();
        }
    }

    private void end() {
        engine.locks().releaseAll(locks);
        Set<LevelDbCursor> open = cursors;
        if (open != null) {
            open.forEach(NativeResource::release);
            open.forEach(engine::unregister);
            cursors = null;
        }
    }

    private void forget(LevelDbCursor cursor) {
        Set<LevelDbCursor> set = cursors;
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
        if (engine.isClosed()) {
            throw engine.closedException();
        }
        if (finished) {
            throw new IllegalStateException("transaction is finished");
        }
    }
}
