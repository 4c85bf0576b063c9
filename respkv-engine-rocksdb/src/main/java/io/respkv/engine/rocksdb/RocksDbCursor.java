package io.respkv.engine.rocksdb;

import io.respkv.api.KvCursor;
import io.respkv.engine.support.MergedScan;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.NativeResource;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A range scan: a RocksDB iterator over committed data (as of a snapshot, or as of the moment it
 * opened), bounded natively so it never walks past its range, merged with a transaction's own
 * writes and minus its deleted ranges (the merge is the shared {@link MergedScan}).
 */
final class RocksDbCursor extends NativeResource implements KvCursor {

    private final RocksDbEngine engine;
    private final Snapshot snapshot;
    private final byte[] low;
    private final byte[] high;
    private final boolean reverse;
    private final MergedScan scan;
    private final Consumer<RocksDbCursor> onClose;

    private ReadOptions readOptions;
    private Slice lowerBound;
    private Slice upperBound;
    private RocksIterator it;

    /**
     * @param snapshot      the snapshot to read, or null for the latest committed state
     * @param ownWrites     a transaction's own writes (never modified afterwards), or null
     * @param deletedRanges a transaction's deleted ranges, hidden from the committed data
     */
    RocksDbCursor(RocksDbEngine engine, Snapshot snapshot, byte[] low, byte[] high, boolean reverse,
                  TreeMap<byte[], byte[]> ownWrites, List<byte[][]> deletedRanges, Consumer<RocksDbCursor> onClose) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.low = low;
        this.high = high;
        this.reverse = reverse;
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
        readOptions = new ReadOptions();
        if (snapshot != null) {
            readOptions.setSnapshot(snapshot);
        }
        // Native bounds keep RocksDB from stepping over dead entries outside the range. A forward
        // scan seeks to its low end and never steps back, so it needs only the upper one (a
        // native slice fewer to make and free per scan).
        if (low != null && reverse) {
            lowerBound = new Slice(low);
            readOptions.setIterateLowerBound(lowerBound);
        }
        if (high != null) {
            upperBound = new Slice(high);
            readOptions.setIterateUpperBound(upperBound);
        }
        it = engine.db().newIterator(readOptions);
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
            it.close();
            it = null;
        }
        // the bounds must outlive the iterator that points at them
        if (readOptions != null) {
            readOptions.close();
        }
        if (lowerBound != null) {
            lowerBound.close();
        }
        if (upperBound != null) {
            upperBound.close();
        }
        scan.clear();
    }

    /** The RocksDB iterator as {@link MergedScan} moves it; the native bounds limit first and last. */
    private final class Base implements MergedScan.Base {
        private final RocksIterator it;

        Base(RocksIterator it) {
            this.it = it;
        }

        @Override
        public boolean valid() {
            return it.isValid();
        }

        @Override
        public byte[] key() {
            return it.key();
        }

        @Override
        public byte[] value() {
            return it.value();
        }

        @Override
        public void next() {
            it.next();
        }

        @Override
        public void prev() {
            it.prev();
        }

        @Override
        public void seek(byte[] key) {
            it.seek(key);
        }

        @Override
        public void seekBefore(byte[] key) {
            it.seekForPrev(key);
            if (it.isValid() && Arrays.equals(it.key(), key)) {
                it.prev();
            }
        }

        @Override
        public void seekToFirst() {
            if (low != null) {
                it.seek(low);
            } else {
                it.seekToFirst();
            }
        }

        @Override
        public void seekToLast() {
            it.seekToLast();
        }

        @Override
        public void checkStatus() {
            try {
                it.status();
            } catch (RocksDBException e) {
                throw engine.failure("scan", e);
            }
        }
    }
}
