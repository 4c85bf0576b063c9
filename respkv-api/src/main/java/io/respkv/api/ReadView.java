package io.respkv.api;

/** Reads from an ordered binary key space: a {@link Transaction} or a {@link Snapshot}. */
public interface ReadView {

    /**
     * Returns the value stored at {@code key}, or {@code null} if absent. Inside a
     * {@link Transaction} this sees the transaction's own writes, and the key joins the
     * transaction's read set: if another transaction commits a write to it before this one
     * commits, this one fails with {@link TransactionConflictException}.
     */
    byte[] get(byte[] key);

    /**
     * The values stored at {@code keys}, in their order ({@code null} where absent), exactly as
     * {@link #get} of each would return them, read-set membership included. Engines whose reads
     * are network round trips (TiKV) answer with one batched read; the default calls
     * {@link #get} for each key.
     */
    default byte[][] getAll(byte[][] keys) {
        byte[][] values = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            values[i] = get(keys[i]);
        }
        return values;
    }

    /**
     * Opens a cursor over the entries with {@code low <= key < high}, ascending, or descending
     * when {@code reverse} is true (then the first entry is the greatest key below {@code high}).
     * A {@code null} bound is unbounded on that side. Inside a {@link Transaction} the cursor sees
     * the transaction's own writes made before it was opened. Scanned keys do not join the
     * read set. The cursor must be closed.
     */
    KvCursor scan(byte[] low, byte[] high, boolean reverse);

    /** Ascending scan of {@code [low, high)}. */
    default KvCursor scan(byte[] low, byte[] high) {
        return scan(low, high, false);
    }
}
