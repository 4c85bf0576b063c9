package io.respkv.engine.postgres;

import io.respkv.api.KvCursor;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A range scan: committed rows from PostgreSQL in key order ({@link DbRows}), merged with a
 * transaction's own writes and minus its deleted ranges.
 */
final class PostgresCursor implements KvCursor {

    /** One committed row: key, value and row version ({@code xmin}). */
    record Row(byte[] key, byte[] value, long version) {
    }

    /** The committed rows of a range, in scan order. */
    interface DbRows {
        /** The next row, or null when the range is exhausted. */
        Row next();

        void close();
    }

    private final DbRows rows;
    private final byte[] low;
    private final byte[] high;
    private final boolean reverse;
    private final List<byte[][]> deletedRanges;
    private final Iterator<Map.Entry<byte[], byte[]>> own;
    private final Consumer<PostgresCursor> onClose;
    private final boolean empty;

    private boolean started;
    private boolean closed;
    private Row base;
    private Map.Entry<byte[], byte[]> nextOwn;
    private byte[] key;
    private byte[] value;

    /**
     * @param ownWrites     a transaction's own writes (never modified afterwards), or null
     * @param deletedRanges a transaction's deleted ranges, hidden from the committed rows
     */
    PostgresCursor(DbRows rows, byte[] low, byte[] high, boolean reverse, TreeMap<byte[], byte[]> ownWrites,
                   List<byte[][]> deletedRanges, Consumer<PostgresCursor> onClose) {
        this.rows = rows;
        this.low = low;
        this.high = high;
        this.reverse = reverse;
        this.deletedRanges = deletedRanges;
        this.onClose = onClose;
        this.empty = low != null && high != null && Arrays.compareUnsigned(low, high) >= 0;
        this.own = ownWrites == null || empty ? Collections.emptyIterator() : range(ownWrites, low, high, reverse);
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed");
        }
        if (!started) {
            started = true;
            if (!empty) {
                loadBase();
            }
            nextOwn = own.hasNext() ? own.next() : null;
        }
        while (base != null || nextOwn != null) {
            int cmp;
            if (base == null) {
                cmp = 1;
            } else if (nextOwn == null) {
                cmp = -1;
            } else {
                cmp = Arrays.compareUnsigned(base.key(), nextOwn.getKey());
                if (reverse) {
                    cmp = -cmp;
                }
            }
            if (cmp < 0) {
                key = base.key();
                value = base.value();
                loadBase();
                return true;
            }
            Map.Entry<byte[], byte[]> o = nextOwn;
            nextOwn = own.hasNext() ? own.next() : null;
            if (cmp == 0) {
                loadBase(); // the own write shadows the committed row
            }
            if (o.getValue() != PostgresTransaction.TOMBSTONE) {
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
        if (closed) {
            return;
        }
        closed = true;
        base = null;
        nextOwn = null;
        rows.close();
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    /** Sets {@link #base} to the next committed row outside the deleted ranges (null: none). */
    private void loadBase() {
        Row row;
        do {
            row = rows.next();
        } while (row != null && inRanges(row.key(), deletedRanges));
        base = row;
    }

    static boolean inRanges(byte[] key, List<byte[][]> ranges) {
        for (byte[][] r : ranges) {
            if (Arrays.compareUnsigned(key, r[0]) >= 0 && (r[1] == null || Arrays.compareUnsigned(key, r[1]) < 0)) {
                return true;
            }
        }
        return false;
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
