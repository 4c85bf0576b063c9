package io.respkv.engine.rocksdb;

import io.respkv.api.KvCursor;
import io.respkv.engine.support.NativeResource;
import io.respkv.api.Snapshot;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;

/** A RocksDB snapshot: reads as of the sequence number current when it was taken. */
final class RocksDbSnapshot extends NativeResource implements Snapshot {

    private final RocksDbEngine engine;
    private final Set<RocksDbCursor> cursors = ConcurrentHashMap.newKeySet();
    private org.rocksdb.Snapshot snapshot;
    private ReadOptions readOptions;

    RocksDbSnapshot(RocksDbEngine engine) {
        this.engine = engine;
    }

    /** Takes the native snapshot; the engine registered this object first. */
    synchronized void start() {
        if (released()) {
            throw engine.closedException();
        }
        snapshot = engine.db().getSnapshot();
        readOptions = new ReadOptions().setSnapshot(snapshot);
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        ensureOpen();
        try {
            return engine.db().get(readOptions, key);
        } catch (RocksDBException e) {
            throw engine.failure("get", e);
        }
    }

    @Override
    public synchronized KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureOpen();
        RocksDbCursor cursor = new RocksDbCursor(engine, snapshot, low, high, reverse, null, List.of(), cursors::remove);
        engine.registerCursor(cursor);
        cursors.add(cursor);
        cursor.start();
        return cursor;
    }

    @Override
    public void close() {
        release();
        engine.unregister(this);
    }

    @Override
    protected void freeNative() {
        // cursors first: their iterators read as of this snapshot
        cursors.forEach(NativeResource::release);
        cursors.forEach(engine::unregister);
        if (readOptions != null) {
            readOptions.close();
        }
        if (snapshot != null) {
            engine.db().releaseSnapshot(snapshot);
            snapshot = null;
        }
    }

    private void ensureOpen() {
        if (released()) {
            throw engine.isClosed() ? engine.closedException() : new IllegalStateException("snapshot is closed");
        }
    }
}
