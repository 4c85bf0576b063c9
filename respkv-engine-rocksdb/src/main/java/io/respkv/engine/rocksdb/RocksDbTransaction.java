package io.respkv.engine.rocksdb;

import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.ReadCache;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link RocksDbEngine} transaction: key locks from the engine's {@link KeyLockTable} (taken by
 * {@code get} and by writes, held to the end), the transaction's own writes buffered in Java, and
 * one atomic RocksDB write batch at commit. The shared bookkeeping is {@link LockingTransaction}.
 *
 * <p>Until it commits a transaction touches no native object: reads of locked keys come from the
 * engine's {@link ReadCache} or one {@code get} of the latest committed state (a locked key cannot
 * change until the transaction ends, so no snapshot is needed), writes go to a sorted map that
 * reads and scans consult first, and range deletes to a list that hides their ranges. Scans merge
 * a database iterator with that map in {@link RocksDbCursor}. The commit serializes everything into
 * one {@link WriteBatchRep} (range deletes first, then the surviving own writes, which is the order
 * they took effect in: an own write inside a range deleted later was dropped from the map when the
 * range was deleted) and writes it with one JNI call. A commit without range deletes hands its
 * writes to the engine's {@link PendingWrites} instead, written together with the other commits of
 * its group (see {@link RocksDbEngine}, "Write coalescing").
 *
 * <p>Used by one thread at a time, like every {@link Transaction}.
 */
final class RocksDbTransaction extends LockingTransaction<RocksDbCursor> {

    private final RocksDbEngine engine;
    /** Whether commit leaves the WAL flush (and fsync) to {@link RocksDbEngine#syncCommitted()}. */
    private final boolean deferSync;
    /** The native end of each deleted range (high, or past the greatest key for an unbounded one). */
    private List<byte[]> rangeEnds = List.of();
    /** For unbounded range deletes: at commit, no database key may be >= any of these. */
    private List<byte[]> commitChecks = List.of();

    RocksDbTransaction(RocksDbEngine engine, boolean deferSync) {
        super("rocksdb", engine.locks(), engine.rangeDeletes);
        this.engine = engine;
        this.deferSync = deferSync;
    }

    @Override
    protected byte[] readLocked(KeyLockTable.Key key) {
        return engine.readLocked(key);
    }

    @Override
    protected byte[] readUnlocked(KeyLockTable.Key key) {
        return engine.readUnlocked(key);
    }

    @Override
    protected RocksDbCursor openCursor(byte[] low, byte[] high, boolean reverse, TreeMap<byte[], byte[]> ownWrites,
                                       List<byte[][]> deletedRanges, Consumer<RocksDbCursor> onClose) {
        RocksDbCursor cursor = new RocksDbCursor(engine, null, low, high, reverse, ownWrites, deletedRanges, onClose);
        engine.registerCursor(cursor);
        return cursor;
    }

    @Override
    protected void startCursor(RocksDbCursor cursor) {
        engine.writePending(); // the iterator must see every commit made so far
        cursor.start();
    }

    @Override
    protected void unregisterCursor(RocksDbCursor cursor) {
        engine.unregister(cursor);
    }

    @Override
    protected void rangeDeleting(byte[] low, byte[] high) {
        byte[] end = high;
        if (end == null) {
            // RocksDB range tombstones need an end key: cover every key present now (committed or
            // our own), and check at commit that nothing was added beyond it.
            byte[] greatest = engine.lastKey();
            byte[] ownLast = lastOwnKey();
            if (ownLast != null && (greatest == null || Arrays.compareUnsigned(ownLast, greatest) > 0)) {
                greatest = ownLast;
            }
            if (greatest != null && Arrays.compareUnsigned(greatest, low) >= 0) {
                end = Arrays.copyOf(greatest, greatest.length + 1); // the next key after it
            }
            List<byte[]> checks = new ArrayList<>(commitChecks);
            checks.add(end != null ? end : low);
            commitChecks = checks;
        }
        List<byte[]> ends = new ArrayList<>(rangeEnds);
        ends.add(end); // null: nothing to delete natively (no key >= low existed)
        rangeEnds = ends;
    }

    @Override
    protected void writeCommit(NavigableMap<byte[], byte[]> writes, List<byte[][]> deletedRanges) {
        for (byte[] check : commitChecks) {
            if (engine.anyKeyAtOrAfter(check)) {
                throw new TransactionConflictException("rocksdb: a key was added beyond an unbounded range delete concurrently");
            }
        }
        if (deletedRanges.isEmpty()) {
            engine.commit(writes, deferSync);
        } else {
            engine.writeNow(batch(writes, deletedRanges), deferSync);
            engine.rangeDeletesWritten(deletedRanges.size());
        }
    }

    @Override
    protected void cacheCommitted(NavigableMap<byte[], byte[]> writes, Set<KeyLockTable.Key> scanned,
                                  List<byte[]> emptyPrefixes) {
        engine.cacheCommitted(writes, scanned, emptyPrefixes);
    }

    @Override
    protected void ensureEngineOpen() {
        if (engine.isClosed()) {
            throw engine.closedException();
        }
    }

    /** The commit's write batch: range deletes first, then the own writes that survived them. */
    private byte[] batch(NavigableMap<byte[], byte[]> writes, List<byte[][]> deletedRanges) {
        int bytes = WriteBatchRep.HEADER;
        if (writes != null) {
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                bytes += WriteBatchRep.recordBytes(w.getKey().length, w.getValue().length);
            }
        }
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
            rep.writeAll(writes);
        }
        return rep.toBytes();
    }
}
