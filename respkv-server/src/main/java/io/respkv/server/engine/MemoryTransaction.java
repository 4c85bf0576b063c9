package io.respkv.server.engine;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link MemoryEngine} transaction: writes are buffered ({@link BufferedWrites}), point reads
 * are recorded with the version they saw and validated at commit.
 */
final class MemoryTransaction implements Transaction {

    /** Marks a deletion in the sorted copy of the writes a scan merges (compared by identity). */
    private static final byte[] TOMBSTONE = new byte[0];

    private final MemoryEngine engine;
    private final MemoryEngine.ReadSet reads = new MemoryEngine.ReadSet();
    /** Null until the first write: most transactions only read. */
    private BufferedWrites writes;
    /** What a transaction that wrote nothing commits; never written to. */
    private static final BufferedWrites NO_WRITES = new BufferedWrites();
    private List<byte[][]> rangeDeletes = List.of();
    private boolean finished;
    /** The snapshot sequence number scans read at; -1 until the first scan. */
    private long scanSeq = -1;

    MemoryTransaction(MemoryEngine engine) {
        this.engine = engine;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureActive();
        int own = writes == null ? -1 : writes.find(key);
        if (own >= 0) {
            return writes.value(own);
        }
        if (inDeletedRange(key)) {
            return null;
        }
        MemoryEngine.Slot slot = engine.slot(key);
        if (slot == null) {
            reads.add(key, null, 0);
            return null;
        }
        return slot.readNewest(reads, key);
    }

    /**
     * Scans read committed data as of one snapshot, pinned at the transaction's first scan and
     * held until it ends, so a scan never sees half of a concurrent commit; the transaction's own
     * writes overlay it.
     */
    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureActive();
        if (scanSeq < 0) {
            scanSeq = engine.registerSnapshot();
        }
        Iterator<Map.Entry<byte[], MemoryEngine.Slot>> committed =
                MemorySnapshot.range(engine.map, low, high, reverse);
        if (writes == null && rangeDeletes.isEmpty()) {
            return new MemorySnapshot.VersionCursor(committed, scanSeq);
        }
        TreeMap<byte[], byte[]> own = new TreeMap<>(KeyOrder.UNSIGNED);
        for (int i = 0; writes != null && i < writes.size(); i++) {
            byte[] value = writes.value(i);
            own.put(writes.key(i), value == null ? TOMBSTONE : value);
        }
        return new MergingCursor(committed, MemorySnapshot.range(own, low, high, reverse), reverse,
                List.copyOf(rangeDeletes), scanSeq);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ensureActive();
        buffer().put(key, value);
    }

    @Override
    public void delete(byte[] key) {
        ensureActive();
        buffer().put(key, null);
    }

    @Override
    public void deleteRange(byte[] low, byte[] high) {
        ensureActive();
        if (writes != null) {
            writes.removeRange(low, high);
        }
        if (rangeDeletes.isEmpty()) {
            rangeDeletes = new ArrayList<>();
        }
        rangeDeletes.add(new byte[][] {low, high});
    }

    @Override
    public void commit() {
        ensureActive();
        finished = true;
        boolean ok;
        try {
            ok = engine.commit(reads, rangeDeletes, writes == null ? NO_WRITES : writes, scanSeq >= 0);
        } finally {
            releaseScanSnapshot();
        }
        if (!ok) {
            throw new TransactionConflictException("memory engine: a key read by this transaction was modified concurrently");
        }
    }

    @Override
    public void close() {
        finished = true;
        releaseScanSnapshot();
    }

    private void releaseScanSnapshot() {
        if (scanSeq >= 0) {
            engine.releaseSnapshot(scanSeq);
            scanSeq = -1;
        }
    }

    private BufferedWrites buffer() {
        if (writes == null) {
            writes = new BufferedWrites();
        }
        return writes;
    }

    private boolean inDeletedRange(byte[] key) {
        for (byte[][] r : rangeDeletes) {
            if (inRange(key, r[0], r[1])) {
                return true;
            }
        }
        return false;
    }

    static boolean inRange(byte[] key, byte[] low, byte[] high) {
        return Arrays.compareUnsigned(key, low) >= 0 && (high == null || Arrays.compareUnsigned(key, high) < 0);
    }

    private void ensureActive() {
        if (finished) {
            throw new IllegalStateException("transaction is finished");
        }
    }

    /** Committed entries overlaid with the transaction's own writes and range deletions. */
    private static final class MergingCursor implements KvCursor {
        private final Iterator<Map.Entry<byte[], MemoryEngine.Slot>> committed;
        private final Iterator<Map.Entry<byte[], byte[]>> own;
        private final int direction;
        private final List<byte[][]> deletedRanges;
        private final long seq;
        private Map.Entry<byte[], MemoryEngine.Slot> nextCommitted;
        /** The value of {@link #nextCommitted}, read once: its slot's head may move on. */
        private byte[] nextCommittedValue;
        private Map.Entry<byte[], byte[]> nextOwn;
        private byte[] key;
        private byte[] value;

        MergingCursor(Iterator<Map.Entry<byte[], MemoryEngine.Slot>> committed,
                      Iterator<Map.Entry<byte[], byte[]>> own, boolean reverse, List<byte[][]> deletedRanges,
                      long seq) {
            this.seq = seq;
            this.committed = committed;
            this.own = own;
            this.direction = reverse ? -1 : 1;
            this.deletedRanges = deletedRanges;
            advanceCommitted();
            nextOwn = own.hasNext() ? own.next() : null;
        }

        private void advanceCommitted() {
            nextCommitted = null;
            while (committed.hasNext()) {
                Map.Entry<byte[], MemoryEngine.Slot> e = committed.next();
                byte[] v = e.getValue().valueAt(seq);
                if (v != null && !deleted(e.getKey())) {
                    nextCommitted = e;
                    nextCommittedValue = v;
                    return;
                }
            }
        }

        private boolean deleted(byte[] k) {
            for (byte[][] r : deletedRanges) {
                if (inRange(k, r[0], r[1])) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean next() {
            while (nextCommitted != null || nextOwn != null) {
                int cmp;
                if (nextCommitted == null) {
                    cmp = 1;
                } else if (nextOwn == null) {
                    cmp = -1;
                } else {
                    cmp = Arrays.compareUnsigned(nextCommitted.getKey(), nextOwn.getKey()) * direction;
                }
                if (cmp < 0) {
                    key = nextCommitted.getKey();
                    value = nextCommittedValue;
                    advanceCommitted();
                    return true;
                }
                Map.Entry<byte[], byte[]> o = nextOwn;
                nextOwn = own.hasNext() ? own.next() : null;
                if (cmp == 0) {
                    advanceCommitted();
                }
                if (o.getValue() != TOMBSTONE) {
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
        }
    }
}
