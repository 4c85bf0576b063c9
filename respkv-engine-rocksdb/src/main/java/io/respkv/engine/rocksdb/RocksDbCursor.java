package io.respkv.engine.rocksdb;

import io.respkv.api.KvCursor;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A range scan: a RocksDB iterator over committed data (as of a snapshot, or as of the moment it
 * opened), bounded natively so it never walks past its range, merged with a transaction's own
 * writes and minus its deleted ranges.
 */
final class RocksDbCursor extends NativeResource implements KvCursor {

    private final RocksDbEngine engine;
    private final Snapshot snapshot;
    private final byte[] low;
    private final byte[] high;
    private final boolean reverse;
    private final List<byte[][]> deletedRanges;
    private final Iterator<Map.Entry<byte[], byte[]>> own;
    private final Consumer<RocksDbCursor> onClose;

    private ReadOptions readOptions;
    private Slice lowerBound;
    private Slice upperBound;
    private RocksIterator it;
    private boolean empty;

    /** The committed entry the iterator is on (null: exhausted), its value read on demand. */
    private byte[] baseKey;
    private Map.Entry<byte[], byte[]> nextOwn;
    private byte[] key;
    private byte[] value;

    /**
     * @param snapshot      the snapshot to read, or null for the latest committed state
     * @param ownWrites     a transaction's own writes (never modified afterwards), or null
     * @param deletedRanges a transaction's deleted ranges, hidden from the committed data
     */
    RocksDbCursor(RocksDbEngine engine, Snapshot snapshot, byte[] low, byte[] high, boolean reverse,
                  TreeMap<byte[], byte[]> ownWrites, List<byte[][]> deletedRanges, Consumer<RocksDbCursor> onClose) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.low = low;
        this.high = high;
        this.reverse = reverse;
        this.deletedRanges = deletedRanges;
        this.onClose = onClose;
        this.empty = low != null && high != null && Arrays.compareUnsigned(low, high) >= 0;
        this.own = ownWrites == null || empty ? Collections.emptyIterator() : range(ownWrites, low, high, reverse);
    }

    /** Opens the native iterator and positions it; the engine registered this object first. */
    synchronized void start() {
        if (released()) {
            throw engine.closedException();
        }
        if (!empty) {
            readOptions = new ReadOptions();
            if (snapshot != null) {
                readOptions.setSnapshot(snapshot);
            }
            // Native bounds keep RocksDB from stepping over dead entries outside the range.
            if (low != null) {
                lowerBound = new Slice(low);
                readOptions.setIterateLowerBound(lowerBound);
            }
            if (high != null) {
                upperBound = new Slice(high);
                readOptions.setIterateUpperBound(upperBound);
            }
            it = engine.db().newIterator(readOptions);
            if (reverse) {
                it.seekToLast();
            } else {
                it.seekToFirst();
            }
            loadBase();
        }
        nextOwn = own.hasNext() ? own.next() : null;
    }

    @Override
    public synchronized boolean next() {
        if (released()) {
            throw engine.isClosed() ? engine.closedException() : new IllegalStateException("cursor is closed");
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
                value = it.value();
                advanceBase();
                return true;
            }
            Map.Entry<byte[], byte[]> o = nextOwn;
            nextOwn = own.hasNext() ? own.next() : null;
            if (cmp == 0) {
                advanceBase(); // the own write shadows the committed entry
            }
            if (o.getValue() != RocksDbTransaction.TOMBSTONE) {
                key = o.getKey();
                value = o.getValue();
                return true;
            }
        }
        key = null;
        value = null;
        return false;
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public byte[] value() {
        return value;
    }

    @Override
    public void close() {
        release();
        engine.unregister(this);
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    @Override
    void freeNative() {
        if (it != null) {
            it.close();
            it = null;
        }
        // the bounds must outlive the iterator that points at them
        if (readOptions != null) {
            readOptions.close();
        }
        if (lowerBound != null) {
            lowerBound.close();
        }
        if (upperBound != null) {
            upperBound.close();
        }
        baseKey = null;
        nextOwn = null;
    }

    private void advanceBase() {
        if (reverse) {
            it.prev();
        } else {
            it.next();
        }
        loadBase();
    }

    /** Sets {@link #baseKey} from the iterator, skipping deleted ranges and checking bounds. */
    private void loadBase() {
        while (it.isValid()) {
            byte[] k = it.key();
            if (reverse ? low != null && Arrays.compareUnsigned(k, low) < 0
                        : high != null && Arrays.compareUnsigned(k, high) >= 0) {
                break; // past the range (the native bounds make this a safety net)
            }
            byte[][] range = rangeOf(k, deletedRanges);
            if (range == null) {
                baseKey = k;
                return;
            }
            // jump over the whole deleted range instead of stepping through it
            if (reverse) {
                it.seekForPrev(range[0]);
                if (it.isValid() && Arrays.equals(it.key(), range[0])) {
                    it.prev();
                }
            } else if (range[1] == null) {
                break;
            } else {
                it.seek(range[1]);
            }
        }
        baseKey = null;
        try {
            it.status();
        } catch (RocksDBException e) {
            throw engine.failure("scan", e);
        }
    }

    static boolean inRanges(byte[] key, List<byte[][]> ranges) {
        return rangeOf(key, ranges) != null;
    }

    private static byte[][] rangeOf(byte[] key, List<byte[][]> ranges) {
        for (byte[][] r : ranges) {
            if (Arrays.compareUnsigned(key, r[0]) >= 0 && (r[1] == null || Arrays.compareUnsigned(key, r[1]) < 0)) {
                return r;
            }
        }
        return null;
    }

    /** The entries of {@code map} in {@code [low, high)}, descending when {@code reverse}. */
    private static Iterator<Map.Entry<byte[], byte[]>> range(TreeMap<byte[], byte[]> map, byte[] low, byte[] high,
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
