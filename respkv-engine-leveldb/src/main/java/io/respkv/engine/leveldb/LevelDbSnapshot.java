package io.respkv.engine.leveldb;

import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import io.respkv.engine.support.NativeResource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.fusesource.leveldbjni.internal.NativeCompressionType;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;
import org.fusesource.leveldbjni.internal.NativeWriteOptions;

/** A LevelDB snapshot: reads as of the sequence number current when it was taken. */
final class LevelDbSnapshot extends NativeResource implements Snapshot {

    /** Entries per write batch when copying into a checkpoint. */
    private static final int COPY_BATCH = 1024;

    private final LevelDbEngine engine;
    private final Set<LevelDbCursor> cursors = ConcurrentHashMap.newKeySet();
    private org.fusesource.leveldbjni.internal.NativeSnapshot snapshot;
    private NativeReadOptions readOptions;

    LevelDbSnapshot(LevelDbEngine engine) {
        this.engine = engine;
    }

    /** Takes the native snapshot; the engine registered this object first. */
    synchronized void start() {
        if (released()) {
            throw engine.closedException();
        }
        snapshot = engine.db().getSnapshot();
        readOptions = new NativeReadOptions().snapshot(snapshot);
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        ensureOpen();
        return engine.get(readOptions, key);
    }

    @Override
    public synchronized KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureOpen();
        LevelDbCursor cursor = new LevelDbCursor(engine, snapshot, low, high, reverse, null, List.of(), cursors::remove);
        engine.registerCursor(cursor);
        cursors.add(cursor);
        cursor.start();
        return cursor;
    }

    /**
     * Copies this snapshot into a new LevelDB database at {@code target} in batches, syncs it and
     * closes it (the engine's checkpoint). Holds this snapshot's monitor, so the engine's close
     * waits for it.
     */
    synchronized void copyTo(Path target, boolean compression) {
        ensureOpen();
        NativeOptions options = new NativeOptions().createIfMissing(true).errorIfExists(true)
                .compression(compression ? NativeCompressionType.kSnappyCompression : NativeCompressionType.kNoCompression);
        NativeDB copy;
        try {
            copy = NativeDB.open(options, target.toFile());
        } catch (IOException e) {
            throw new LevelDbEngineException("cannot create the checkpoint at " + target + ": " + e.getMessage(), e);
        }
        NativeWriteOptions noSync = new NativeWriteOptions().sync(false);
        NativeIterator it = engine.db().iterator(readOptions);
        NativeWriteBatch batch = new NativeWriteBatch();
        try {
            int n = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.put(it.key(), it.value());
                if (++n == COPY_BATCH) {
                    copy.write(noSync, batch);
                    batch.clear();
                    n = 0;
                }
            }
            copy.write(new NativeWriteOptions().sync(true), batch); // also syncs everything before it
        } catch (IOException e) {
            throw new LevelDbEngineException("leveldb: checkpoint to " + target + " failed: " + e.getMessage(), e);
        } finally {
            batch.delete();
            it.delete();
            copy.delete();
        }
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
