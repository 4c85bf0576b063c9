package io.respkv.engine.leveldb;

import io.respkv.api.Transaction;
import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.ReadCache;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;

/**
 * A {@link LevelDbEngine} transaction: key locks from the engine's {@link KeyLockTable} (taken by
 * {@code get} and by writes, held to the end), the transaction's own writes buffered in Java, and
 * one atomic LevelDB write batch at commit. The shared bookkeeping is {@link LockingTransaction}.
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
final class LevelDbTransaction extends LockingTransaction<LevelDbCursor> {

    private final LevelDbEngine engine;
    /** Whether commit leaves the sync to {@link LevelDbEngine#syncCommitted()}. */
    private final boolean deferSync;

    LevelDbTransaction(LevelDbEngine engine, boolean deferSync) {
        super("leveldb", engine.locks(), engine.rangeDeletes);
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
    protected LevelDbCursor openCursor(byte[] low, byte[] high, boolean reverse, TreeMap<byte[], byte[]> ownWrites,
                                       List<byte[][]> deletedRanges, Consumer<LevelDbCursor> onClose) {
        LevelDbCursor cursor = new LevelDbCursor(engine, null, low, high, reverse, ownWrites, deletedRanges, onClose);
        engine.registerCursor(cursor);
        return cursor;
    }

    @Override
    protected void startCursor(LevelDbCursor cursor) {
        cursor.start();
    }

    @Override
    protected void unregisterCursor(LevelDbCursor cursor) {
        engine.unregister(cursor);
    }

    @Override
    protected void writeCommit(NavigableMap<byte[], byte[]> writes, List<byte[][]> deletedRanges) {
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
}
