package io.respkv.engine.tikv;

import io.respkv.api.KvCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * A cursor over a range of TiKV data keys read at one timestamp, merged with a transaction's own
 * writes (a copy taken when the cursor opened; empty for a snapshot).
 *
 * <p>Ascending: a {@link TikvScanner}, read lazily, so the cursor reads little further than its
 * caller. Descending: the engine sends no reverse scans yet (the client has none to reuse), so
 * the range is read ascending and replayed backwards: it costs the whole range (fine for respkv's
 * reverse scans, which stay inside one Redis key's entries, e.g. ZREVRANGE or RPOP; documented in
 * docs/engines/tikv.md).
 */
final class TikvCursor implements KvCursor {

    private static final byte[] DELETED = TikvTransaction.DELETED;

    private final TikvEngine engine;
    /** The transaction's writes in range (stored key -> encoded value or {@link #DELETED}). */
    private final Iterator<Map.Entry<byte[], byte[]>> own;
    private Map.Entry<byte[], byte[]> nextOwn;
    private final boolean reverse;
    /** The stored entries (stored key, encoded value), in the cursor's order. */
    private final Iterator<byte[][]> stored;
    private byte[][] nextStored;
    private byte[] key;
    private byte[] value;

    TikvCursor(TikvEngine engine, long ts, byte[] low, byte[] high, boolean reverse,
            NavigableMap<byte[], byte[]> ownWrites) {
        this.engine = engine;
        this.reverse = reverse;
        if (Arrays.compareUnsigned(low, high) >= 0) {
            this.own = Collections.emptyIterator();
            this.stored = Collections.emptyIterator();
            return;
        }
        NavigableMap<byte[], byte[]> ownRange = ownWrites.subMap(low, true, high, false);
        this.own = (reverse ? ownRange.descendingMap() : ownRange).entrySet().iterator();
        this.nextOwn = own.hasNext() ? own.next() : null;
        Iterator<byte[][]> ascending = engine.scan(low, high, ts);
        if (reverse) {
            List<byte[][]> all = new ArrayList<>();
            ascending.forEachRemaining(all::add);
            Collections.reverse(all);
            this.stored = all.iterator();
        } else {
            this.stored = ascending;
        }
    }

    private byte[][] peekStored() {
        if (nextStored == null && stored.hasNext()) {
            nextStored = stored.next();
        }
        return nextStored;
    }

    @Override
    public boolean next() {
        while (true) {
            byte[][] s = peekStored();
            if (s == null && nextOwn == null) {
                key = null;
                value = null;
                return false;
            }
            int c;
            if (s == null) {
                c = 1;
            } else if (nextOwn == null) {
                c = -1;
            } else {
                c = Arrays.compareUnsigned(s[0], nextOwn.getKey());
                if (reverse) {
                    c = -c;
                }
            }
            byte[] k;
            byte[] v;
            if (c < 0) {
                k = s[0];
                v = s[1];
                nextStored = null;
            } else {
                k = nextOwn.getKey();
                v = nextOwn.getValue();
                if (c == 0) {
                    nextStored = null; // the transaction's own write shadows the stored value
                }
                nextOwn = own.hasNext() ? own.next() : null;
            }
            if (v == DELETED) {
                continue;
            }
            key = engine.keys.userKey(k);
            value = TikvKeys.decodeValue(v);
            return true;
        }
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
