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
 * <p>Ascending: pages of {@link TikvEngine#SCAN_PAGE} entries from the client's region-crossing
 * scan, each starting just after the previous page's last key, so a long range is never held in
 * memory and the cursor stops as soon as its caller does. Descending: tikv-client-java 3.3 has no
 * reverse transactional scan, so the range is read ascending in pages and replayed backwards: it
 * costs the whole range (fine for respkv's reverse scans, which stay inside one Redis key's
 * entries, e.g. ZREVRANGE or RPOP; documented in docs/engines/tikv.md).
 */
final class TikvCursor implements KvCursor {

    private static final byte[] DELETED = TikvTransaction.DELETED;

    private final TikvEngine engine;
    private final long ts;
    private final byte[] high;
    /** The transaction's writes in range (stored key -> encoded value or {@link #DELETED}). */
    private final Iterator<Map.Entry<byte[], byte[]>> own;
    private Map.Entry<byte[], byte[]> nextOwn;
    private final boolean reverse;
    private final List<byte[][]> page = new ArrayList<>();
    private int pageIndex;
    /** Where the next ascending page starts (inclusive); null when the store is exhausted. */
    private byte[] nextStart;
    private byte[][] nextStored;
    private byte[] key;
    private byte[] value;

    TikvCursor(TikvEngine engine, long ts, byte[] low, byte[] high, boolean reverse,
            NavigableMap<byte[], byte[]> ownWrites) {
        this.engine = engine;
        this.ts = ts;
        this.reverse = reverse;
        if (Arrays.compareUnsigned(low, high) >= 0) {
            high = low; // an empty range
        }
        this.high = high;
        NavigableMap<byte[], byte[]> ownRange = ownWrites.subMap(low, true, high, false);
        this.own = (reverse ? ownRange.descendingMap() : ownRange).entrySet().iterator();
        this.nextOwn = own.hasNext() ? own.next() : null;
        if (reverse) {
            List<byte[][]> all = new ArrayList<>();
            byte[] start = Arrays.compareUnsigned(low, high) < 0 ? low : null;
            while (start != null) {
                start = fetch(start, all);
            }
            Collections.reverse(all);
            page.addAll(all);
            nextStart = null;
        } else {
            nextStart = Arrays.compareUnsigned(low, high) < 0 ? low : null;
        }
    }

    /** Appends the page from {@code start}; returns where the next page starts, or null at the end. */
    private byte[] fetch(byte[] start, List<byte[][]> into) {
        List<byte[][]> pairs = engine.scanPage(start, ts, TikvEngine.SCAN_PAGE);
        byte[] last = null;
        for (byte[][] kv : pairs) {
            if (Arrays.compareUnsigned(kv[0], high) >= 0) {
                return null;
            }
            into.add(kv);
            last = kv[0];
        }
        if (pairs.size() < TikvEngine.SCAN_PAGE || last == null) {
            return null;
        }
        return TikvKeys.concat(last, new byte[] {0});
    }

    /** The next entry stored in TiKV (stored key, encoded value), or null. */
    private byte[][] peekStored() {
        if (nextStored == null) {
            while (pageIndex >= page.size() && nextStart != null) {
                page.clear();
                pageIndex = 0;
                nextStart = fetch(nextStart, page);
            }
            if (pageIndex < page.size()) {
                nextStored = page.get(pageIndex++);
            }
        }
        return nextStored;
    }

    @Override
    public boolean next() {
        while (true) {
            byte[][] stored = peekStored();
            if (stored == null && nextOwn == null) {
                key = null;
                value = null;
                return false;
            }
            int c;
            if (stored == null) {
                c = 1;
            } else if (nextOwn == null) {
                c = -1;
            } else {
                c = Arrays.compareUnsigned(stored[0], nextOwn.getKey());
                if (reverse) {
                    c = -c;
                }
            }
            byte[] k;
            byte[] v;
            if (c < 0) {
                k = stored[0];
                v = stored[1];
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
        page.clear();
    }
}
