package io.respkv.engine.tikv;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One respkv transaction = one TiKV (Percolator) transaction: reads at its start timestamp,
 * writes buffered here and applied by {@link TikvEngine#commit} in two phases.
 *
 * <p>Point reads join the read set. At commit, every key read and not written is written back
 * with the value it was read with (or deleted again if it was read absent), so it takes part in
 * Percolator's write-write conflict check: if another transaction committed to it after this
 * one's start timestamp, the prewrite fails with WriteConflict and the command is retried. That
 * is what makes a read-modify-write lose no update across instances (snapshot isolation alone
 * would allow write skew on keys read but not written). Write-back rather than TiKV's
 * {@code Op.Lock} mutation: the client's TwoPhaseCommitter only sends Put and Del. The cost is a
 * new MVCC version of each such key per committing transaction; a transaction that writes
 * nothing commits nothing (its reads are one consistent snapshot at its start timestamp).
 */
final class TikvTransaction implements Transaction {

    /** Marks a deleted key in {@link #writes} (compared by identity). */
    static final byte[] DELETED = new byte[0];
    /** Marks a key read as absent in {@link #reads}. */
    private static final byte[] ABSENT = new byte[0];

    private final TikvEngine engine;
    final long startTs;
    /** Stored key -> encoded value, or {@link #DELETED}. */
    final TreeMap<byte[], byte[]> writes = new TreeMap<>(KeyOrder.UNSIGNED);
    /** Stored key -> encoded value as read at startTs, or {@link #ABSENT}. */
    private final Map<Key, byte[]> reads = new HashMap<>();
    private boolean done;

    /** A byte[] map key with value equality. */
    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    TikvTransaction(TikvEngine engine, long startTs) {
        this.engine = engine;
        this.startTs = startTs;
    }

    private void open() {
        if (done) {
            throw new IllegalStateException("transaction already committed or closed");
        }
    }

    @Override
    public byte[] get(byte[] key) {
        open();
        byte[] stored = engine.keys.data(key);
        byte[] own = writes.get(stored);
        if (own != null) {
            return own == DELETED ? null : TikvKeys.decodeValue(own);
        }
        Key k = new Key(stored);
        byte[] read = reads.get(k);
        if (read == null) {
            read = engine.read(stored, startTs);
            if (read == null) {
                read = ABSENT;
            }
            reads.put(k, read);
        }
        return read == ABSENT ? null : TikvKeys.decodeValue(read);
    }

    /** As {@link #get} of each key, with the keys not yet read fetched in one batched read. */
    @Override
    public byte[][] getAll(byte[][] keys) {
        open();
        byte[][] stored = new byte[keys.length][];
        List<Integer> unread = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            stored[i] = engine.keys.data(keys[i]);
            if (!writes.containsKey(stored[i]) && !reads.containsKey(new Key(stored[i]))) {
                unread.add(i);
            }
        }
        if (!unread.isEmpty()) {
            byte[][] fetch = new byte[unread.size()][];
            for (int j = 0; j < fetch.length; j++) {
                fetch[j] = stored[unread.get(j)];
            }
            byte[][] fetched = engine.readAll(fetch, startTs);
            for (int j = 0; j < fetch.length; j++) {
                reads.putIfAbsent(new Key(fetch[j]), fetched[j] == null ? ABSENT : fetched[j]);
            }
        }
        byte[][] values = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            values[i] = get(keys[i]); // now from this transaction's writes or reads
        }
        return values;
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        open();
        return new TikvCursor(engine, startTs, engine.keys.low(low), engine.keys.high(high), reverse,
                new TreeMap<>(writes));
    }

    @Override
    public void put(byte[] key, byte[] value) {
        open();
        writes.put(engine.keys.data(key), TikvKeys.encodeValue(value));
    }

    @Override
    public void delete(byte[] key) {
        open();
        writes.put(engine.keys.data(key), DELETED);
    }

    /**
     * Deletes the keys of the range this transaction sees (the committed ones at its start
     * timestamp and its own writes): a scan plus a delete of each, all in this transaction, so
     * the range delete is atomic with the rest of the command. A key another transaction inserts
     * into the range concurrently is not deleted (this transaction serializes before it); TiKV's
     * native DeleteRange is not used because it bypasses MVCC and transactions.
     */
    @Override
    public void deleteRange(byte[] low, byte[] high) {
        open();
        try (KvCursor c = scan(low, high, false)) {
            while (c.next()) {
                writes.put(engine.keys.data(c.key()), DELETED);
            }
        }
    }

    @Override
    public void commit() {
        open();
        done = true;
        if (writes.isEmpty()) {
            return;
        }
        TreeMap<byte[], byte[]> mutations = new TreeMap<>(writes);
        for (Map.Entry<Key, byte[]> read : reads.entrySet()) {
            // write back what was read, so a concurrent commit to it is a write conflict
            mutations.putIfAbsent(read.getKey().bytes(), read.getValue() == ABSENT ? DELETED : read.getValue());
        }
        engine.commit(startTs, mutations);
    }

    @Override
    public void close() {
        done = true;
    }
}
