package io.respkv.engine.rocksdb;

import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.NativeResource;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RocksDbEngine} transaction: key locks from the engine's {@link KeyLockTable} (taken by
 * {@code get} and by writes, held to the end), the transaction's own writes buffered in Java, and
 * one atomic RocksDB write batch at commit.
 *
 * <p>Until it commits a transaction touches no native object: reads of locked keys come from the
 * engine's {@link ReadCache} or one {@code get} of the latest committed state (a locked key cannot
 * change until the transaction ends, so no snapshot is needed), writes go to a sorted map that
 * reads and scans consult first, and range deletes to a list that hides their ranges. Scans merge
 * a database iterator with that map in {@link RocksDbCursor}. The commit serializes everything into
 * one {@link WriteBatchRep} (range deletes first, then the surviving own writes, which is the order
 * they took effect in: an own write inside a range deleted later was dropped from the map when the
 * range was deleted) and writes it with one JNI call.
 *
 * <p>Used by one thread at a time, like every {@link Transaction}.
 */
final class RocksDbTransaction implements Transaction {

    /** Marks a buffered deletion in {@link #writes} (compared by identity). */
    static final byte[] TOMBSTONE = new byte[0];

    private final RocksDbEngine engine;
    /** Whether commit leaves the WAL flush (and fsync) to {@link RocksDbEngine#syncCommitted()}. */
    private final boolean deferSync;
    private final KeyLockTable.Owner locks = new KeyLockTable.Owner();
    /** Own writes by key; {@link #TOMBSTONE} = deleted. Null until the first write. */
    private TreeMap<byte[], byte[]> writes;
    /** A cursor iterates {@link #writes}: copy it before the next change. */
    private boolean writesShared;
    /** Bytes the own writes take in a batch (an estimate to size it). */
    private int writeBytes;
    /** Ranges deleted, {low, high-or-null}, in order; copied on change for the same reason. */
    private List<byte[][]> deletedRanges = List.of();
    /** The native end of each deleted range (high, or past the greatest key for an unbounded one). */
    private List<byte[]> rangeEnds = List.of();
    /** For unbounded range deletes: at commit, no database key may be >= any of these. */
    private List<byte[]> commitChecks = List.of();
    /** Keys read from the database (locked), checked at commit against later range deletes. */
    private List<byte[]> reads = List.of();
    /** The engine's range-delete epoch when this transaction began. */
    private final long startEpoch;
    private Set<RocksDbCursor> cursors;
    private boolean finished;

    RocksDbTransaction(RocksDbEngine engine, boolean deferSync) {
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
    public void put(byte[] key, byte[] value) {
        ensureActive();
        engine.locks().lock(locks, new KeyLockTable.Key(key));
        ownWrites().put(key, value);
        writeBytes += WriteBatchRep.recordBytes(key.length, value.length);
    }

    @Override
    public void delete(byte[] key) {
        ensureActive();
        engine.locks().lock(locks, new KeyLockTable.Key(key));
        ownWrites().put(key, TOMBSTONE);
        writeBytes += WriteBatchRep.recordBytes(key.length, 0);
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
        List<byte[]> ends = new ArrayList<>(rangeEnds);
        ends.add(end); // null: nothing to delete natively (no key >= low existed)
        rangeEnds = ends;
    }

    @Override
    public void commit() {
        ensureActive();
        finished = true;
        try {
            if ((writes == null || writes.isEmpty()) && deletedRanges.isEmpty()) {
                // Read-only: its locks kept every key it read unchanged until now, so it is already
                // consistent; committing would cost a WAL write and, with SYNC, an fsync.
                return;
            }
            RangeDeleteLog gate = engine.rangeDeletes;
            boolean exclusive = !deletedRanges.isEmpty();
            long stamp = exclusive ? gate.lockExclusive() : gate.lockShared();
            try {
                if (!reads.isEmpty() && gate.deletedSince(startEpoch, reads)) {
                    throw new TransactionConflictException("rocksdb: a key read by this transaction was range-deleted concurrently");
                }
                for (byte[] check : commitChecks) {
                    if (engine.anyKeyAtOrAfter(check)) {
                        throw new TransactionConflictException("rocksdb: a key was added beyond an unbounded range delete concurrently");
                    }
                }
                engine.write(batch(), deferSync);
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

    /** The commit's write batch: range deletes first, then the own writes that survived them. */
    private byte[] batch() {
        int bytes = WriteBatchRep.HEADER + writeBytes;
        for (byte[][] r : deletedRanges) {
            bytes += WriteBatchRep.recordBytes(r[0].length, r[1] == null ? 0 : r[1].length);
        }
        WriteBatchRep rep = new WriteBatchRep(bytes);
        for (int i = 0; i < deletedRanges.size(); i++) {
            byte[] end = rangeEnds.get(i);
            if (end != null) {
                rep.deleteRange(deletedRanges.get(i)[0], end);
            }
        }
        if (writes != null) {
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                if (w.getValue() == TOMBSTONE) {
                    rep.delete(w.getKey());
                } else {
                    rep.put(w.getKey(), w.getValue());
                }
            }
        }
        return rep.toBytes();
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
        Set<RocksDbCursor> open = cursors;
        if (open != null) {
            open.forEach(NativeResource::release);
            open.forEach(engine::unregister);
            cursors = null;
        }
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
        if (engine.isClosed()) {
            throw engine.closedException();
        }
        if (finished) {
            throw new IllegalStateException("transaction is finished");
        }
    }
}
