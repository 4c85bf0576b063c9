package io.respkv.engine.support;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A transaction over a plain ordered KV store, the part every such engine shares: key locks from
 * the engine's {@link KeyLockTable} (taken by {@code get} and by writes, held to the end), the
 * transaction's own writes buffered in a sorted map that reads and scans consult first, range
 * deletes kept in a list that hides their ranges, and a commit under the engine's
 * {@link RangeDeleteLog} gate that fails if a key this transaction read was range-deleted since
 * it began.
 *
 * <p>A subclass says how a locked key is read from committed state, how a scan cursor is opened,
 * started and unregistered, how the commit batch is written and cached, and may keep its own
 * bookkeeping of range deletes through {@link #rangeDeleting}.
 *
 * <p>Used by one thread at a time, like every {@link Transaction}.
 *
 * @param <C> the engine's cursor type
 */
public abstract class LockingTransaction<C extends NativeResource & KvCursor> implements Transaction {

    /** Marks a buffered deletion in the own writes (compared by identity). */
    public static final byte[] TOMBSTONE = new byte[0];

    /** Names the engine in conflict messages, e.g. {@code "rocksdb"}. */
    private final String engineName;
    private final KeyLockTable lockTable;
    private final RangeDeleteLog rangeDeletes;
    private final KeyLockTable.Owner locks = new KeyLockTable.Owner();
    /** Own writes by key; {@link #TOMBSTONE} = deleted. Null until the first write. */
    private TreeMap<byte[], byte[]> writes;
    /** A cursor iterates {@link #writes}: copy it before the next change. */
    private boolean writesShared;
    /** Ranges deleted, {low, high-or-null}, in order; copied on change for the same reason. */
    private List<byte[][]> deletedRanges = List.of();
    /** Prefixes declared empty ({@link #declareEmptyPrefix}), handed to the read cache at commit. */
    private List<byte[]> emptyPrefixes = List.of();
    /** Keys whose own write came from {@link #putScanned} or {@link #deleteScanned} (left out of the read cache); null until the first. */
    private Set<KeyLockTable.Key> scanned;
    /** Keys read from the database (locked), checked at commit against later range deletes. */
    private List<byte[]> reads = List.of();
    /** The engine's range-delete epoch when this transaction began. */
    private final long startEpoch;
    private Set<C> cursors;
    private boolean finished;
    /** {@link #getSole} answered without a lock: no other read or write may follow. */
    private boolean soleReadUnlocked;

    /**
     * @param engineName   names the engine in conflict messages
     * @param lockTable    the engine's key locks
     * @param rangeDeletes the engine's commit gate and range-delete log
     */
    protected LockingTransaction(String engineName, KeyLockTable lockTable, RangeDeleteLog rangeDeletes) {
        this.engineName = engineName;
        this.lockTable = lockTable;
        this.rangeDeletes = rangeDeletes;
        this.startEpoch = rangeDeletes.epoch();
    }

    /** The latest committed value of {@code key}, which this transaction has locked; null if none. */
    protected abstract byte[] readLocked(KeyLockTable.Key key);

    /**
     * The latest committed value of {@code key} if the engine knows it without locking the key
     * ({@link ReadCache#ABSENT} if absent), else null (the default): for {@link #getSole}.
     */
    protected byte[] readUnlocked(KeyLockTable.Key key) {
        return null;
    }

    /**
     * A new cursor over committed data merged with {@code ownWrites} and minus
     * {@code deletedRanges}, registered with the engine but not yet started.
     */
    protected abstract C openCursor(byte[] low, byte[] high, boolean reverse, TreeMap<byte[], byte[]> ownWrites,
                                    List<byte[][]> deletedRanges, Consumer<C> onClose);

    /** Positions a cursor returned by {@link #openCursor}. */
    protected abstract void startCursor(C cursor);

    /** Removes a released cursor from the engine's open resources. */
    protected abstract void unregisterCursor(C cursor);

    /**
     * Writes the commit atomically: every committed key in each deleted range removed, in order,
     * then the surviving own writes. Called holding the commit gate (exclusively if there are
     * deleted ranges); may throw {@link TransactionConflictException} before writing.
     *
     * @param writes the own writes ({@link #TOMBSTONE} = delete), or null
     */
    protected abstract void writeCommit(NavigableMap<byte[], byte[]> writes, List<byte[][]> deletedRanges);

    /**
     * Tells the engine's read cache about committed own writes (null if none), which of them are
     * read only by scans and stay out of it ({@link #putScanned}, {@link #deleteScanned}; empty if
     * none) and the prefixes this transaction declared empty; after the write.
     */
    protected abstract void cacheCommitted(NavigableMap<byte[], byte[]> writes, Set<KeyLockTable.Key> scanned,
                                           List<byte[]> emptyPrefixes);

    /** Throws if the engine is closed. */
    protected abstract void ensureEngineOpen();

    /**
     * Called when a non-empty range delete is accepted, before the own writes in it are dropped
     * ({@code high} null = unbounded).
     */
    protected void rangeDeleting(byte[] low, byte[] high) {
    }

    /** The greatest key among the own writes (deletions included), or null if none. */
    protected final byte[] lastOwnKey() {
        return writes == null || writes.isEmpty() ? null : writes.lastKey();
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
        lockTable.lock(locks, k);
        if (reads.isEmpty()) {
            reads = new ArrayList<>(4);
        }
        reads.add(key);
        return readLocked(k);
    }

    /**
     * As the transaction's first operation, a hit in the engine's read cache answers without
     * locking the key; the transaction then refuses every other read or write. Otherwise (a miss,
     * or not the first operation) it is {@link #get}.
     */
    @Override
    public byte[] getSole(byte[] key) {
        ensureActive();
        if (writes != null || !reads.isEmpty() || !deletedRanges.isEmpty() || cursors != null
                || !emptyPrefixes.isEmpty() || locks.heldCount() > 0) {
            return get(key);
        }
        byte[] known = readUnlocked(new KeyLockTable.Key(key));
        if (known == null) {
            return get(key);
        }
        soleReadUnlocked = true;
        return known == ReadCache.ABSENT ? null : known;
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureActive();
        TreeMap<byte[], byte[]> own = writes;
        if (own != null) {
            writesShared = true;
        }
        C cursor = openCursor(low, high, reverse, own, deletedRanges, this::forget);
        if (cursors == null) {
            cursors = ConcurrentHashMap.newKeySet();
        }
        cursors.add(cursor);
        startCursor(cursor);
        return cursor;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        write(key, value, false);
    }

    @Override
    public void putScanned(byte[] key, byte[] value) {
        write(key, value, true);
    }

    @Override
    public void delete(byte[] key) {
        write(key, TOMBSTONE, false);
    }

    @Override
    public void deleteScanned(byte[] key) {
        write(key, TOMBSTONE, true);
    }

    /** Locks {@code key} and records its own write ({@link #TOMBSTONE}: deleted); {@code scannedOnly}: from putScanned or deleteScanned. */
    private void write(byte[] key, byte[] value, boolean scannedOnly) {
        ensureActive();
        KeyLockTable.Key k = new KeyLockTable.Key(key);
        lockTable.lock(locks, k);
        ownWrites().put(key, value);
        if (scannedOnly) {
            if (scanned == null) {
                scanned = new HashSet<>(4);
            }
            scanned.add(k);
        } else if (scanned != null) {
            scanned.remove(k); // the later, ordinary write decides
        }
    }

    @Override
    public void declareEmptyPrefix(byte[] prefix) {
        ensureActive();
        if (emptyPrefixes.isEmpty()) {
            emptyPrefixes = new ArrayList<>(2);
        }
        emptyPrefixes.add(prefix.clone());
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
        rangeDeleting(low, high);
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
        ensureUnfinished();
        finished = true;
        try {
            if ((writes == null || writes.isEmpty()) && deletedRanges.isEmpty()) {
                // Read-only: its locks kept every key it read unchanged until now, so it is already
                // consistent; committing would cost a log write and, with SYNC, a sync.
                return;
            }
            RangeDeleteLog gate = rangeDeletes;
            boolean exclusive = !deletedRanges.isEmpty();
            long stamp = exclusive ? gate.lockExclusive() : gate.lockShared();
            try {
                if (!reads.isEmpty() && gate.deletedSince(startEpoch, reads)) {
                    throw new TransactionConflictException(engineName + ": a key read by this transaction was range-deleted concurrently");
                }
                writeCommit(writes, deletedRanges);
                if (exclusive) {
                    gate.record(deletedRanges);
                }
                cacheCommitted(writes, scanned == null ? Set.of() : scanned, emptyPrefixes);
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
        lockTable.releaseAll(locks);
        Set<C> open = cursors;
        if (open != null) {
            open.forEach(NativeResource::release);
            open.forEach(this::unregisterCursor);
            cursors = null;
        }
    }

    private void forget(C cursor) {
        Set<C> set = cursors;
        if (set != null) {
            set.remove(cursor);
        }
    }

    /** The own-writes map, ready to modify (created or unshared). */
    private TreeMap<byte[], byte[]> ownWrites() {
        if (writes == null) {
            writes = new TreeMap<>(KeyOrder.UNSIGNED);
        } else if (writesShared) {
            writes = new TreeMap<>(writes);
            writesShared = false;
        }
        return writes;
    }

    /** Before a read or write. */
    private void ensureActive() {
        ensureUnfinished();
        if (soleReadUnlocked) {
            throw new IllegalStateException("getSole was this transaction's only operation: it read without a lock");
        }
    }

    /** Before a read, a write or the commit. */
    private void ensureUnfinished() {
        ensureEngineOpen();
        if (finished) {
            throw new IllegalStateException("transaction is finished");
        }
    }
}
