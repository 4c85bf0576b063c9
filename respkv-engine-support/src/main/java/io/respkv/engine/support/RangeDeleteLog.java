package io.respkv.engine.support;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * The commit gate and the log of recent range deletes of an engine whose transactions lock keys
 * in a {@link KeyLockTable} but whose range deletes take no key locks (RocksDB, LevelDB).
 *
 * <p>Why: a transaction that read a key (and so holds its lock) could otherwise commit a write
 * based on it after another transaction range-deleted it. So commits carrying range deletes hold
 * the {@linkplain #lockExclusive gate exclusively} and {@linkplain #record record} their ranges
 * under a new epoch; every other commit holds it {@linkplain #lockShared shared} and first asks
 * {@link #deletedSince} whether a range committed after the epoch it began at covers a key it read
 * (then it must fail with a conflict). The log keeps the last {@link #DEFAULT_CAPACITY} ranges; a
 * transaction older than the log cannot prove itself safe and is told it was hit (a retry, never a
 * lost update). The same epochs keep a {@link ReadCache} exact: see
 * {@link ReadCache#readLocked}.
 *
 * <p>Thread-safe as long as the gate rules above are kept.
 */
public final class RangeDeleteLog {

    /** Ranges remembered by default. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** A range {@code [low, high)} ({@code high == null}: unbounded) deleted by the commit of {@code epoch}. */
    private record Range(long epoch, byte[] low, byte[] high) {
    }

    private final StampedLock gate = new StampedLock();
    /** Written holding {@link #gate} exclusively, read holding it shared. Oldest first. */
    private final ArrayDeque<Range> log = new ArrayDeque<>();
    private final int capacity;
    private volatile long epoch;
    /** The newest epoch with a range evicted from the log; guarded like the log. */
    private long droppedThroughEpoch;

    /** A log of {@link #DEFAULT_CAPACITY} ranges. */
    public RangeDeleteLog() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity how many ranges the log keeps (at least 1) */
    public RangeDeleteLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The epoch now: transactions remember it when they begin; it grows with every range-deleting commit. */
    public long epoch() {
        return epoch;
    }

    /** Takes the gate shared (commits without range deletes); returns the stamp for {@link #unlock}. */
    public long lockShared() {
        return gate.readLock();
    }

    /** Takes the gate exclusively (commits with range deletes); returns the stamp for {@link #unlock}. */
    public long lockExclusive() {
        return gate.writeLock();
    }

    /** Releases the gate taken with {@code stamp}. */
    public void unlock(long stamp) {
        gate.unlock(stamp);
    }

    /**
     * Whether a range delete committed after {@code sinceEpoch} covers one of {@code keys}; true
     * also when the log no longer reaches back that far. Call holding the gate (either way).
     */
    public boolean deletedSince(long sinceEpoch, List<byte[]> keys) {
        if (epoch == sinceEpoch) {
            return false;
        }
        if (droppedThroughEpoch > sinceEpoch) {
            return true; // ranges we would need to check were dropped from the log: assume the worst
        }
        for (Range r : log) {
            if (r.epoch > sinceEpoch) {
                for (byte[] key : keys) {
                    if (covers(r.low, r.high, key)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** {@link #deletedSince} for one key, taking the gate shared itself. */
    public boolean deletedSinceLocking(long sinceEpoch, byte[] key) {
        long stamp = gate.readLock();
        try {
            return deletedSince(sinceEpoch, List.of(key));
        } finally {
            gate.unlock(stamp);
        }
    }

    /**
     * Records the ranges ({low, high-or-null} pairs) deleted by a commit that succeeded, under a
     * new epoch. Call holding the gate exclusively, after the commit's write.
     */
    public void record(List<byte[][]> ranges) {
        long next = epoch + 1;
        for (byte[][] r : ranges) {
            if (log.size() == capacity) {
                droppedThroughEpoch = log.pollFirst().epoch;
            }
            log.addLast(new Range(next, r[0], r[1]));
        }
        epoch = next;
    }

    /** Whether {@code low <= key < high} ({@code high == null}: unbounded), unsigned order. */
    public static boolean covers(byte[] low, byte[] high, byte[] key) {
        return Arrays.compareUnsigned(key, low) >= 0 && (high == null || Arrays.compareUnsigned(key, high) < 0);
    }

    /** The first of {@code ranges} ({low, high-or-null} pairs) that covers {@code key}, or null. */
    public static byte[][] rangeOf(byte[] key, List<byte[][]> ranges) {
        for (int i = 0, n = ranges.size(); i < n; i++) {
            byte[][] r = ranges.get(i);
            if (covers(r[0], r[1], key)) {
                return r;
            }
        }
        return null;
    }
}
