package io.respkv.engine.tikv;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import java.util.Collections;
import java.util.TreeMap;

/**
 * A snapshot: reads at one TSO timestamp (MVCC in TiKV keeps it consistent; it holds no resource
 * on the cluster, but TiKV's GC may remove versions older than its safe point, by default 10
 * minutes, after which reads at the timestamp fail).
 */
final class TikvSnapshot implements Snapshot {

    private final TikvEngine engine;
    private final long ts;

    TikvSnapshot(TikvEngine engine, long ts) {
        this.engine = engine;
        this.ts = ts;
    }

    long timestamp() {
        return ts;
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] stored = engine.read(engine.keys.data(key), ts);
        return stored == null ? null : TikvKeys.decodeValue(stored);
    }

    @Override
    public byte[][] getAll(byte[][] keys) {
        byte[][] stored = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            stored[i] = engine.keys.data(keys[i]);
        }
        byte[][] values = engine.readAll(stored, ts);
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] == null ? null : TikvKeys.decodeValue(values[i]);
        }
        return values;
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        return new TikvCursor(engine, ts, engine.keys.low(low), engine.keys.high(high), reverse,
                Collections.unmodifiableNavigableMap(new TreeMap<>(KeyOrder.UNSIGNED)));
    }

    @Override
    public void close() {
    }
}
