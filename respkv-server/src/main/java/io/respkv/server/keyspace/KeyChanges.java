package io.respkv.server.keyspace;

import java.util.Arrays;

/**
 * The keys one transaction changed, as Redis's {@code signalModifiedKey} and
 * {@code signalFlushedDb} name them: every metadata entry {@link Keyspace} wrote or deleted
 * (a key created, overwritten, deleted, expired, renamed, moved...), collection element writes
 * that did not rewrite the metadata ({@link Keyspace#touched}), and whole databases flushed.
 * WATCH uses it to tell which watched keys a commit modified.
 *
 * <p>Reused: the owner {@link #clear clears} it before each transaction. Keys are held by
 * reference (the layer treats key arrays as immutable). Not thread-safe.
 */
public final class KeyChanges {

    private int size;
    private int[] dbs = new int[8];
    /** The key of each change; null: the whole database was flushed. */
    private byte[][] keys = new byte[8][];

    /** Records that {@code key} of database {@code db} was written or deleted. */
    public void modified(int db, byte[] key) {
        add(db, key);
    }

    /** Records that every key of database {@code db} was removed (FLUSHDB, FLUSHALL). */
    public void flushed(int db) {
        add(db, null);
    }

    private void add(int db, byte[] key) {
        if (size == dbs.length) {
            dbs = Arrays.copyOf(dbs, size * 2);
            keys = Arrays.copyOf(keys, size * 2);
        }
        dbs[size] = db;
        keys[size] = key;
        size++;
    }

    /** How many changes were recorded. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The database of change {@code i}. */
    public int db(int i) {
        return dbs[i];
    }

    /** The key of change {@code i}, or null if change {@code i} flushed its whole database. */
    public byte[] key(int i) {
        return keys[i];
    }

    /** Forgets every change (and the references to their keys). */
    public void clear() {
        Arrays.fill(keys, 0, size, null);
        size = 0;
    }
}
