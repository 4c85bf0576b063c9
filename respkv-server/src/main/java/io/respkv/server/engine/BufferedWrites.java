package io.respkv.server.engine;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The writes a {@link MemoryTransaction} buffers until commit: keys in the order first written,
 * each with its last value ({@code null}: deleted). Most transactions are one command's and write
 * a key or two, so lookups are a linear scan of a few array slots and nothing is allocated per
 * write; past {@link #LINEAR_LIMIT} keys a hash index keeps lookups constant (MULTI, MSET, a
 * collection's elements). Commit installs them in this order: the order of a transaction's own
 * writes is invisible to others, which see all of them or none.
 */
final class BufferedWrites {

    /** Up to this many keys, {@link #find} scans; beyond, it asks {@link #index}. */
    static final int LINEAR_LIMIT = 8;

    private static final byte[][] NONE = new byte[0][];

    /** Allocated on the first write: a read-only transaction allocates nothing here. */
    private byte[][] keys = NONE;
    private byte[][] values = NONE;
    private int size;
    /** Position of each key in {@link #keys}; built once there are more than {@link #LINEAR_LIMIT}. */
    private HashMap<MemoryEngine.HashKey, Integer> index;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    byte[] key(int i) {
        return keys[i];
    }

    /** The value written at position {@code i}; null for a deletion. */
    byte[] value(int i) {
        return values[i];
    }

    /** The position of {@code key}, or -1 if this transaction has not written it. */
    int find(byte[] key) {
        if (index != null) {
            Integer at = index.get(new MemoryEngine.HashKey(key));
            return at == null ? -1 : at;
        }
        for (int i = 0; i < size; i++) {
            if (Arrays.equals(keys[i], key)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes {@code value} (null: a deletion) at {@code key}, replacing an earlier write of it. */
    void put(byte[] key, byte[] value) {
        int at = find(key);
        if (at >= 0) {
            values[at] = value;
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, Math.max(2, size * 2));
            values = Arrays.copyOf(values, Math.max(2, size * 2));
        }
        keys[size] = key;
        values[size] = value;
        size++;
        if (index != null) {
            index.put(new MemoryEngine.HashKey(key), size - 1);
        } else if (size > LINEAR_LIMIT) {
            reindex();
        }
    }

    /** Forgets the writes of keys in {@code [low, high)} ({@code high} null: unbounded). */
    void removeRange(byte[] low, byte[] high) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!MemoryTransaction.inRange(keys[i], low, high)) {
                keys[kept] = keys[i];
                values[kept] = values[i];
                kept++;
            }
        }
        if (kept == size) {
            return;
        }
        Arrays.fill(keys, kept, size, null);
        Arrays.fill(values, kept, size, null);
        size = kept;
        if (index != null) {
            reindex();
        }
    }

    private void reindex() {
        index = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            index.put(new MemoryEngine.HashKey(keys[i]), i);
        }
    }
}
