package io.respkv.engine.support;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The logic of a transaction's range scan on an engine that buffers its own writes in Java: a
 * store iterator over committed data ({@link Base}), minus the transaction's deleted ranges, merged
 * with its own writes (a sorted map where a {@code tombstone} value, compared by identity, marks
 * a deletion). A snapshot's scan is the same with no own writes and no ranges.
 *
 * <p>The engine's cursor owns the native iterator and its release (see {@link NativeResource});
 * this class only moves it. Not thread-safe: the cursor calls it holding its monitor.
 */
public final class MergedScan {

    /** An iterator over committed entries, as the store offers it. Errors surface as unchecked exceptions. */
    public interface Base {
        /** Whether the iterator is on an entry. */
        boolean valid();

        /** The current key (a fresh array, or one that stays unchanged). */
        byte[] key();

        /** The current value. */
        byte[] value();

        void next();

        void prev();

        /** Positions at the first entry with key >= {@code key}. */
        void seek(byte[] key);

        /** Positions at the last entry with key < {@code key}. */
        void seekBefore(byte[] key);

        /** Positions at the first entry of the scan's range. */
        void seekToFirst();

        /** Positions at the last entry of the scan's range. */
        void seekToLast();

        /** Throws if the iterator stopped on an error rather than at the end. */
        default void checkStatus() {
        }
    }

    private final byte[] low;
    private final byte[] high;
    private final boolean reverse;
    private final boolean empty;
    private final byte[] tombstone;
    private final List<byte[][]> deletedRanges;
    private final Iterator<Map.Entry<byte[], byte[]>> own;

    private Base base;
    /** The committed entry the base iterator is on (null: exhausted). */
    private byte[] baseKey;
    /**
     * The current entry is the committed one the base iterator is still on: its value is read
     * from the iterator only if asked for, and the iterator moves on at the next {@link #next()},
     * not before (a scan that stops after n entries reads n, not n + 1).
     */
    private boolean onBase;
    private Map.Entry<byte[], byte[]> nextOwn;
    private byte[] key;
    /** The current value; null while {@link #onBase} and not read yet. */
    private byte[] value;

    /**
     * @param ownWrites     a transaction's own writes in unsigned key order (never modified
     *                      afterwards: copy on write), or null
     * @param tombstone     the value marking a deletion in {@code ownWrites}
     * @param deletedRanges a transaction's deleted ranges ({low, high-or-null}), hidden from the
     *                      committed data (own writes made after a range delete survive it: the
     *                      transaction dropped the earlier ones from its map)
     */
    public MergedScan(byte[] low, byte[] high, boolean reverse, NavigableMap<byte[], byte[]> ownWrites,
                      byte[] tombstone, List<byte[][]> deletedRanges) {
        this.low = low;
        this.high = high;
        this.reverse = reverse;
        this.tombstone = tombstone;
        this.deletedRanges = deletedRanges;
        this.empty = low != null && high != null && Arrays.compareUnsigned(low, high) >= 0;
        this.own = ownWrites == null || empty ? Collections.emptyIterator() : range(ownWrites, low, high, reverse);
    }

    /** Whether the range is empty ({@code low >= high}): then no base iterator is needed. */
    public boolean empty() {
        return empty;
    }

    /** Positions on the first entry; {@code base} is null when {@link #empty()}. */
    public void start(Base base) {
        this.base = base;
        if (base != null && !empty) {
            if (reverse) {
                base.seekToLast();
            } else {
                base.seekToFirst();
            }
            loadBase();
        }
        nextOwn = own.hasNext() ? own.next() : null;
    }

    /** Advances to the next entry; false when the range is exhausted. */
    public boolean next() {
        if (onBase) {
            onBase = false;
            advanceBase();
        }
        while (baseKey != null || nextOwn != null) {
            int cmp;
            if (baseKey == null) {
                cmp = 1;
            } else if (nextOwn == null) {
                cmp = -1;
            } else {
                cmp = Arrays.compareUnsigned(baseKey, nextOwn.getKey());
                if (reverse) {
                    cmp = -cmp;
                }
            }
            if (cmp < 0) {
                key = baseKey;
                value = null;
                onBase = true;
                return true;
            }
            Map.Entry<byte[], byte[]> o = nextOwn;
            nextOwn = own.hasNext() ? own.next() : null;
            if (cmp == 0) {
                advanceBase(); // the own write shadows the committed entry
            }
            if (o.getValue() != tombstone) {
                key = o.getKey();
                value = o.getValue();
                return true;
            }
        }
        key = null;
        value = null;
        return false;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        if (value == null && onBase) {
            value = base.value();
        }
        return value;
    }

    /** Drops every reference (the cursor released its native iterator). */
    public void clear() {
        base = null;
        baseKey = null;
        onBase = false;
        nextOwn = null;
    }

    private void advanceBase() {
        if (reverse) {
            base.prev();
        } else {
            base.next();
        }
        loadBase();
    }

    /** Sets {@link #baseKey} from the iterator, skipping deleted ranges and checking bounds. */
    private void loadBase() {
        while (base.valid()) {
            byte[] k = base.key();
            if (reverse ? low != null && Arrays.compareUnsigned(k, low) < 0
                        : high != null && Arrays.compareUnsigned(k, high) >= 0) {
                break; // past the range
            }
            byte[][] range = RangeDeleteLog.rangeOf(k, deletedRanges);
            if (range == null) {
                baseKey = k;
                return;
            }
            // jump over the whole deleted range instead of stepping through it
            if (reverse) {
                base.seekBefore(range[0]);
            } else if (range[1] == null) {
                break;
            } else {
                base.seek(range[1]);
            }
        }
        baseKey = null;
        base.checkStatus();
    }

    /** The entries of {@code map} in {@code [low, high)}, descending when {@code reverse}. */
    private static Iterator<Map.Entry<byte[], byte[]>> range(NavigableMap<byte[], byte[]> map, byte[] low, byte[] high,
                                                             boolean reverse) {
        NavigableMap<byte[], byte[]> slice;
        if (low == null && high == null) {
            slice = map;
        } else if (low == null) {
            slice = map.headMap(high, false);
        } else if (high == null) {
            slice = map.tailMap(low, true);
        } else {
            slice = map.subMap(low, true, high, false);
        }
        return (reverse ? slice.descendingMap() : slice).entrySet().iterator();
    }
}
