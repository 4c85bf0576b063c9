package io.respkv.engine.leveldb;

import io.respkv.api.KvCursor;
import io.respkv.engine.support.MergedScan;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.NativeResource;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeSnapshot;

/**
 * A range scan: a LevelDB iterator over committed data (as of a snapshot, or as of the moment it
 * opened), merged with a transaction's own writes and minus its deleted ranges (the merge is the
 * shared {@link MergedScan}). LevelDB iterators have no bounds, so the scan positions itself with
 * seeks and stops at the first key past its range.
 */
final class LevelDbCursor extends NativeResource implements KvCursor {

    private final LevelDbEngine engine;
    private final NativeSnapshot snapshot;
    private final byte[] low;
    private final byte[] high;
    private final MergedScan scan;
    private final Consumer<LevelDbCursor> onClose;
    private NativeIterator it;

    /**
     * @param snapshot      the snapshot to read, or null for the latest committed state
     * @param ownWrites     a transaction's own writes (never modified afterwards), or null
     * @param deletedRanges a transaction's deleted ranges, hidden from the committed data
     */
    LevelDbCursor(LevelDbEngine engine, NativeSnapshot snapshot, byte[] low, byte[] high, boolean reverse,
                  TreeMap<byte[], byte[]> ownWrites, List<byte[][]> deletedRanges, Consumer<LevelDbCursor> onClose) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.low = low;
        this.high = high;
        this.onClose = onClose;
        this.scan = new MergedScan(low, high, reverse, ownWrites, LockingTransaction.TOMBSTONE, deletedRanges);
    }

    /** Opens the native iterator and positions it; the engine registered this object first. */
    synchronized void start() {
        if (released()) {
            throw engine.closedException();
        }
        if (scan.empty()) {
            scan.start(null);
            return;
        }
        NativeReadOptions options = snapshot == null ? engine.latest : new NativeReadOptions().snapshot(snapshot);
        it = engine.db().iterator(options);
        scan.start(new Base(it));
    }

    @Override
    public synchronized boolean next() {
        if (released()) {
            throw engine.isClosed() ? engine.closedException() : new IllegalStateException("cursor is closed");
        }
        return scan.next();
    }

    @Override
    public byte[] key() {
        return scan.key();
    }

    /** Read from the native iterator on first use (see {@link MergedScan}), hence under the monitor. */
    @Override
    public synchronized byte[] value() {
        if (released()) {
            throw engine.isClosed() ? engine.closedException() : new IllegalStateException("cursor is closed");
        }
        return scan.value();
    }

    @Override
    public void close() {
        release();
        engine.unregister(this);
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    @Override
    protected void freeNative() {
        if (it != null) {
            it.delete();
            it = null;
        }
        scan.clear();
    }

    /** The LevelDB iterator as {@link MergedScan} moves it, kept inside the scan's bounds by seeks. */
    private final class Base implements MergedScan.Base {
        private final NativeIterator it;

        Base(NativeIterator it) {
            this.it = it;
        }

        @Override
        public boolean valid() {
            return it.isValid();
        }

        @Override
        public byte[] key() {
            try {
                return it.key();
            } catch (NativeDB.DBException e) {
                throw engine.failure("scan", e);
            }
        }

        @Override
        public byte[] value() {
            try {
                return it.value();
            } catch (NativeDB.DBException e) {
                throw engine.failure("scan", e);
            }
        }

        @Override
        public void next() {
            try {
                it.next();
            } catch (NativeDB.DBException e) {
                throw engine.failure("scan", e);
            }
        }

        @Override
        public void prev() {
            try {
                it.prev();
            } catch (NativeDB.DBException e) {
                throw engine.failure("scan", e);
            }
        }

        @Override
        public void seek(byte[] key) {
            try {
                it.seek(key);
            } catch (NativeDB.DBException e) {
                throw engine.failure("scan", e);
            }
        }

        @Override
        public void seekBefore(byte[] key) {
            seek(key);
            if (it.isValid()) {
                prev();
            } else {
                it.seekToLast(); // every key is below it
            }
        }

        @Override
        public void seekToFirst() {
            if (low == null) {
                it.seekToFirst();
            } else {
                seek(low);
            }
        }

        @Override
        public void seekToLast() {
            if (high == null) {
                it.seekToLast();
            } else {
                seekBefore(high);
            }
        }
    }
}
