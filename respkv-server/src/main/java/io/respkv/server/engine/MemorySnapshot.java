package io.respkv.server.engine;

import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;

/** A point-in-time view of a {@link MemoryEngine} at one commit sequence number. */
final class MemorySnapshot implements Snapshot {

    private final MemoryEngine engine;
    private final long seq;
    private boolean closed;

    MemorySnapshot(MemoryEngine engine, long seq) {
        this.engine = engine;
        this.seq = seq;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureOpen();
        MemoryEngine.Slot slot = engine.slot(key);
        return slot == null ? null : slot.valueAt(seq);
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureOpen();
        return new VersionCursor(range(engine.map, low, high, reverse), seq);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.releaseSnapshot(seq);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("snapshot is closed");
        }
    }

    /** The entries of {@code map} in {@code [low, high)}, descending when {@code reverse}. */
    static <V> Iterator<Map.Entry<byte[], V>> range(NavigableMap<byte[], V> map, byte[] low, byte[] high,
                                                  boolean reverse) {
        NavigableMap<byte[], V> slice;
        if (low == null && high == null) {
            slice = map;
        } else if (low == null) {
            slice = map.headMap(high, false);
        } else if (high == null) {
            slice = map.tailMap(low, true);
        } else if (java.util.Arrays.compareUnsigned(low, high) >= 0) {
            return java.util.Collections.emptyIterator();
        } else {
            slice = map.subMap(low, true, high, false);
        }
        return (reverse ? slice.descendingMap() : slice).entrySet().iterator();
    }

    /** Iterates committed versions as of {@code seq}, skipping deletions. */
    static final class VersionCursor implements KvCursor {
        private final Iterator<Map.Entry<byte[], MemoryEngine.Slot>> it;
        private final long seq;
        private byte[] key;
        private byte[] value;

        VersionCursor(Iterator<Map.Entry<byte[], MemoryEngine.Slot>> it, long seq) {
            this.it = it;
            this.seq = seq;
        }

        @Override
        public boolean next() {
            while (it.hasNext()) {
                Map.Entry<byte[], MemoryEngine.Slot> e = it.next();
                byte[] v = e.getValue().valueAt(seq);
                if (v != null) {
                    key = e.getKey();
                    value = v;
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
