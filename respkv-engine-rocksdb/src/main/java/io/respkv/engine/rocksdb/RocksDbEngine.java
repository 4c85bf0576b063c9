package io.respkv.engine.rocksdb;

import static java.util.Objects.requireNonNull;

import io.respkv.api.Durability;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.TransactionDB;
import org.rocksdb.TransactionDBOptions;
import org.rocksdb.TransactionOptions;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB engine: a persistent, ordered key space in one RocksDB database (the default column
 * family, keys and values stored verbatim, RocksDB's bytewise comparator = unsigned order).
 *
 * <pre>{@code
 * try (RocksDbEngine engine = RocksDbEngine.builder()
 *         .path(Path.of("/var/lib/respkv"))
 *         .durability(Durability.SYNC)          // the default
 *         .blockCacheSize(256L << 20)
 *         .build()) {
 *     RespServer.builder().engine(engine).start().join();
 * }
 * }</pre>
 *
 * <h2>Durability</h2>
 * Every commit is one atomic RocksDB write-ahead-log record. {@link Durability#SYNC} (the default)
 * fsyncs the WAL before {@link Transaction#commit()} returns, so an acknowledged write survives
 * {@code kill -9} and power loss. Concurrent SYNC commits share fsyncs: RocksDB's write thread
 * makes the first waiting writer the leader of a group that is written and synced once.
 * {@link Durability#ASYNC} writes the WAL record to the operating system before returning but does
 * not fsync it: a process kill ({@code kill -9}) loses nothing, a machine crash or power loss loses
 * the commits of at most the last {@linkplain Builder#walSyncInterval WAL sync interval} (default
 * 1 s; a background thread fsyncs the WAL that often).
 *
 * <p>Measured through {@link #transact} (read-increment-write of an 8-byte counter), 2-core VM
 * shared with other work, so ranges over runs ({@code EngineCommitTiming} in the tests):
 * <pre>
 *                                  SYNC                                 ASYNC
 * 1 thread × 2,000, distinct keys  0.8k-4.1k commits/s (1 fsync each)   131k-148k commits/s
 * 8 threads × 2,000, distinct      11.6k-12.6k (4.1-4.3 commits/fsync)  91k-113k
 * 8 threads × 2,000, one hot key   4.3k-4.7k (1 fsync each)             156k-165k
 * </pre>
 * The single-thread SYNC figure is this VM's fsync latency (0.25-1.3 ms); 8 threads get 3-15x
 * more from the same disk because they share fsyncs.
 *
 * <h2>Concurrency</h2>
 * Transactions are RocksDB <em>pessimistic</em> transactions ({@code TransactionDB}, write-committed).
 * {@code get} is {@code GetForUpdate}: it locks the key until the transaction ends, and so does a
 * write. A second transaction touching a locked key waits for it (up to
 * {@linkplain Builder#lockTimeout the lock timeout}, default 1 s); a lock cycle is detected at
 * once. Both end in a {@link TransactionConflictException}, which {@link #transact} retries. So
 * same-key read-modify-writes are serialized by key locks (RocksDB's lock manager, striped by key
 * hash), and commands on different keys share no lock but the shared side of the commit gate
 * below. Reads take no RocksDB snapshot (RocksDB takes its DB mutex for one): a locked key cannot
 * change until the transaction ends.
 *
 * <p>Both RocksDB transaction types were measured, raw RocksDB, 8-byte counter
 * read-increment-write per commit, retried on Busy/TimedOut ({@code TransactionModeTiming} in the
 * tests; 2-core VM, noisy, ranges over 4-7 runs each):
 * <pre>
 *                                      optimistic                   pessimistic
 * 4 threads, distinct keys, no fsync   69k-206k commits/s           85k-153k commits/s
 * 4 threads, one hot key, no fsync     114k-172k (≤0.23 retries/c)  129k-198k (no retries)
 * 8 threads, distinct keys, SYNC       10.6k-16.5k                  8.9k-18.5k
 * 8 threads, one hot key, SYNC         1.3k-3.7k (≈1.1 retries/c)   2.8k-5.1k (no retries)
 * </pre>
 * Where keys differ the two are within noise. On a hot key under SYNC, optimistic validation
 * keeps failing the transaction that read while another was fsyncing, and one writer can lose
 * every round: the engine contract suite's two-writer test exhausted {@link #transact}'s 64
 * attempts with it. Pessimistic locks queue the writers instead: 1.5-3x the commits and no wasted
 * work. The price is that a thread waits while another transaction holds its key, for at most the
 * holder's remaining transaction (normally well under a millisecond plus one fsync).
 *
 * <h2>Range deletes</h2>
 * RocksDB transactions have no {@code DeleteRange}, so {@link Transaction#deleteRange} appends a
 * native range tombstone to the transaction's own write batch, in order with its other writes
 * (a later put in the range survives, an earlier one is deleted), and the transaction's reads and
 * scans hide the range themselves. It costs the same for ten keys or ten million: the engine
 * declares {@link EngineFeature#NATIVE_RANGE_DELETE}. An unbounded range ({@code high == null})
 * becomes {@code [low, successor of the greatest key present)} plus a check at commit that no
 * greater key appeared meanwhile (else a conflict).
 *
 * <p>A range tombstone takes no key locks, so a transaction that read a key could otherwise commit
 * a write based on it after another transaction range-deleted it. Hence the commit gate: commits
 * carrying range deletes hold it exclusively and record their ranges in a short log; every other
 * commit holds it shared and first checks that no range committed since it began covers a key it
 * read (else a conflict).
 *
 * <h2>Resources</h2>
 * Transactions, snapshots and cursors own native handles and must be closed; the engine tracks
 * them and {@link #close()} frees any still open (later calls on them throw
 * {@link IllegalStateException}) before closing the database.
 */
public final class RocksDbEngine implements KeyspaceEngine {

    static {
        RocksDB.loadLibrary();
    }

    /** Block compression of the SST files. */
    public enum Compression {
        NONE(CompressionType.NO_COMPRESSION),
        LZ4(CompressionType.LZ4_COMPRESSION),
        ZSTD(CompressionType.ZSTD_COMPRESSION),
        SNAPPY(CompressionType.SNAPPY_COMPRESSION);

        final CompressionType rocksType;

        Compression(CompressionType rocksType) {
            this.rocksType = rocksType;
        }
    }

    /** 64 MiB: room for the index, filter and hot data blocks of a few GB of data. */
    public static final long DEFAULT_BLOCK_CACHE_SIZE = 64L << 20;
    /** 16 MiB per memtable (RocksDB keeps up to two, plus history for conflict checks). */
    public static final long DEFAULT_WRITE_BUFFER_SIZE = 16L << 20;
    /** How often ASYNC fsyncs the WAL: bounds what a power loss can take. */
    public static final Duration DEFAULT_WAL_SYNC_INTERVAL = Duration.ofSeconds(1);

    /** A lock wait longer than this fails the transaction, which is then retried. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

    private static final Set<EngineFeature> FEATURES =
            Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT, EngineFeature.NATIVE_RANGE_DELETE);
    /** With SYNC, commits can also share one fsync (ASYNC never fsyncs per commit). */
    private static final Set<EngineFeature> FEATURES_SYNC = Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT,
            EngineFeature.NATIVE_RANGE_DELETE, EngineFeature.GROUP_COMMIT);

    private final Path path;
    private final Durability durability;
    private final long blockCacheSize;
    private final long writeBufferSize;
    private final Compression compression;
    private final Duration walSyncInterval;
    private final Duration lockTimeout;

    // Native handles, freed in close() in reverse order of creation.
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final Options options;
    private final TransactionDBOptions txnDbOptions;
    private final TransactionDB db;
    /** Per-transaction options: lock timeout, deadlock detection; shared (read-only to RocksDB). */
    final TransactionOptions txnOptions;
    final WriteOptions writeOptions;
    /** For {@link #beginDeferringSync()}: the WAL is written but not fsynced at commit. */
    final WriteOptions unsyncedWriteOptions;
    /** Deferred-sync commits made, and how many of them a WAL sync has covered. */
    private final AtomicLong unsyncedCommits = new AtomicLong();
    private final AtomicLong syncedCommits = new AtomicLong();
    /** Reads of the latest committed state, no bounds; shared (read-only to RocksDB). */
    final ReadOptions latest;

    /** Cursors, released first on close: they read through the views below. */
    private final Set<NativeResource> openCursors = ConcurrentHashMap.newKeySet();
    /** Transactions, snapshots and in-flight database calls. */
    private final Set<NativeResource> openViews = ConcurrentHashMap.newKeySet();
    /** Range-deleting commits hold it exclusively, all others shared (see the class comment). */
    final StampedLock commitGate = new StampedLock();
    /**
     * Recent committed range deletes, oldest first, for {@link #rangeDeletedSince}; written holding
     * {@link #commitGate} exclusively, read holding it shared.
     */
    private final ArrayDeque<RangeDelete> rangeDeleteLog = new ArrayDeque<>();
    private static final int RANGE_DELETE_LOG_SIZE = 1024;
    private volatile long rangeDeleteEpoch;
    /** The newest epoch with a range evicted from the log; guarded like the log. */
    private long droppedThroughEpoch;
    private final ScheduledExecutorService walSyncer;
    private volatile boolean closed;

    private RocksDbEngine(Builder b) {
        this.path = b.path;
        this.durability = b.durability;
        this.blockCacheSize = b.blockCacheSize;
        this.writeBufferSize = b.writeBufferSize;
        this.compression = b.compression;
        this.walSyncInterval = b.walSyncInterval;
        this.lockTimeout = b.lockTimeout;
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the rocksdb directory " + path, e);
        }
        LRUCache cache = null;
        BloomFilter bloom = null;
        Options opts = null;
        TransactionDBOptions tdbOpts = null;
        TransactionDB opened = null;
        try {
            cache = blockCacheSize > 0 ? new LRUCache(blockCacheSize) : null;
            bloom = new BloomFilter(10);
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setFilterPolicy(bloom)
                    // index and filter blocks live in the block cache, so its size bounds them
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true);
            if (cache != null) {
                table.setBlockCache(cache);
            } else {
                table.setNoBlockCache(true).setCacheIndexAndFilterBlocks(false);
            }
            opts = new Options()
                    .setCreateIfMissing(true)
                    .setWriteBufferSize(writeBufferSize)
                    .setCompressionType(compression.rocksType)
                    .setTableFormatConfig(table)
                    .setMaxBackgroundJobs(2)
                    .setBytesPerSync(1L << 20)
                    .setKeepLogFileNum(5)
                    .setMaxLogFileSize(8L << 20)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
            tdbOpts = new TransactionDBOptions().setTransactionLockTimeout(lockTimeout.toMillis());
            opened = TransactionDB.open(opts, tdbOpts, path.toString());
        } catch (RocksDBException e) {
            closeQuietly(opened, tdbOpts, opts, bloom, cache);
            throw new RocksDbEngineException("cannot open rocksdb at " + path + ": " + e.getMessage(), e);
        }
        this.blockCache = cache;
        this.bloomFilter = bloom;
        this.options = opts;
        this.txnDbOptions = tdbOpts;
        this.db = opened;
        this.txnOptions = new TransactionOptions().setDeadlockDetect(true).setLockTimeout(lockTimeout.toMillis());
        this.writeOptions = new WriteOptions().setSync(durability == Durability.SYNC);
        this.unsyncedWriteOptions = new WriteOptions().setSync(false);
        this.latest = new ReadOptions();
        if (durability == Durability.ASYNC && !walSyncInterval.isZero()) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "respkv-rocksdb-wal-sync");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, walSyncInterval.toMillis());
            walSyncer.scheduleWithFixedDelay(this::syncWalQuietly, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            walSyncer = null;
        }
    }

    /** A builder; {@link Builder#path} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "rocksdb";
    }

    @Override
    public Set<EngineFeature> features() {
        return durability == Durability.SYNC ? FEATURES_SYNC : FEATURES;
    }

    @Override
    public Transaction begin() {
        return begin(false);
    }

    /**
     * With {@link Durability#SYNC}, a transaction whose commit writes the WAL without fsync;
     * {@link #syncCommitted()} fsyncs once for every such commit before it. With ASYNC this is
     * an ordinary transaction (ASYNC never fsyncs per commit).
     */
    @Override
    public Transaction beginDeferringSync() {
        return begin(durability == Durability.SYNC);
    }

    private Transaction begin(boolean deferSync) {
        RocksDbTransaction txn = new RocksDbTransaction(this, deferSync);
        register(openViews, txn);
        txn.start();
        return txn;
    }

    void noteUnsyncedCommit() {
        unsyncedCommits.incrementAndGet();
    }

    /**
     * Fsyncs the WAL if a deferred-sync commit happened since the last sync: one fsync covers
     * every commit before it (group commit).
     */
    @Override
    public void syncCommitted() {
        long target = unsyncedCommits.get();
        if (syncedCommits.get() >= target) {
            return;
        }
        callDb("WAL sync", () -> {
            db.syncWal();
            return null;
        });
        syncedCommits.accumulateAndGet(target, Math::max);
    }

    @Override
    public Snapshot snapshot() {
        RocksDbSnapshot snapshot = new RocksDbSnapshot(this);
        register(openViews, snapshot);
        snapshot.start();
        return snapshot;
    }

    /**
     * Writes a RocksDB checkpoint of the committed state to {@code target}: a complete database
     * directory (SST files hard-linked when on the same file system, else copied) that
     * {@code RocksDbEngine.builder().path(target).build()} opens as an independent engine. The
     * memtable is flushed first, so the checkpoint needs no WAL replay.
     *
     * @throws IllegalArgumentException if {@code target} exists
     */
    @Override
    public void checkpoint(Path target) {
        requireNonNull(target, "target");
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint target exists: " + target);
        }
        Path parent = target.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + parent, e);
        }
        callDb("checkpoint", () -> {
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                checkpoint.createCheckpoint(target.toString());
            }
            return null;
        });
    }

    /**
     * Returns a RocksDB property of the database, e.g. {@code rocksdb.stats},
     * {@code rocksdb.dbstats}, {@code rocksdb.estimate-num-keys},
     * {@code rocksdb.cur-size-all-mem-tables}.
     */
    public String property(String name) {
        requireNonNull(name, "name");
        return callDb("property " + name, () -> db.getProperty(name));
    }

    /** How long a transaction waits for another's key lock. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** The database directory. */
    public Path path() {
        return path;
    }

    /** The configured durability. */
    public Durability durability() {
        return durability;
    }

    /** The block cache size in bytes (0: no block cache). */
    public long blockCacheSize() {
        return blockCacheSize;
    }

    /** The memtable size in bytes. */
    public long writeBufferSize() {
        return writeBufferSize;
    }

    /** The SST block compression. */
    public Compression compression() {
        return compression;
    }

    /** How often ASYNC fsyncs the WAL ({@link Duration#ZERO}: never, the OS decides). */
    public Duration walSyncInterval() {
        return walSyncInterval;
    }

    /**
     * Closes the database. Transactions, snapshots and cursors still open are freed first (a call
     * in flight on another thread finishes; later calls throw {@link IllegalStateException});
     * uncommitted transactions are discarded. With ASYNC, the WAL is fsynced before closing.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (walSyncer != null) {
            walSyncer.shutdownNow();
            try {
                walSyncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // No resource can register any more (closed is set), so these loops see them all.
        openCursors.forEach(NativeResource::release);
        openViews.forEach(NativeResource::release);
        openCursors.clear();
        openViews.clear();
        try {
            if (durability == Durability.ASYNC) {
                db.syncWal();
            }
        } catch (RocksDBException e) {
            // the close below still proceeds; a failed final sync is as if the machine crashed now
        } finally {
            closeQuietly(latest, writeOptions, unsyncedWriteOptions, txnOptions, db, txnDbOptions, options, bloomFilter, blockCache);
        }
    }

    boolean isClosed() {
        return closed;
    }

    TransactionDB db() {
        return db;
    }

    /** Number of open transactions, snapshots and cursors; for leak tests. */
    int openResources() {
        return openCursors.size() + openViews.size();
    }

    void registerCursor(RocksDbCursor cursor) {
        register(openCursors, cursor);
    }

    void unregister(NativeResource resource) {
        if (!openCursors.remove(resource)) {
            openViews.remove(resource);
        }
    }

    /**
     * Adds {@code resource} to {@code set} unless the engine is closed. Whoever registers first
     * wins against {@link #close()}: either close() sees the resource and releases it, or the
     * resource sees {@link #closed} and is not registered.
     */
    private void register(Set<NativeResource> set, NativeResource resource) {
        set.add(resource);
        if (closed) {
            set.remove(resource);
            resource.release();
            throw closedException();
        }
    }

    IllegalStateException closedException() {
        return new IllegalStateException("rocksdb engine is closed: " + path);
    }

    /** A call on the database itself, made safe against a concurrent {@link #close()}. */
    private <T> T callDb(String what, RocksCall<T> call) {
        NativeResource guard = new NativeResource() {
            @Override
            void freeNative() {
            }
        };
        register(openViews, guard);
        try {
            synchronized (guard) {
                if (guard.released()) {
                    throw closedException();
                }
                return call.run();
            }
        } catch (RocksDBException e) {
            throw failure(what, e);
        } finally {
            openViews.remove(guard);
        }
    }

    private void syncWalQuietly() {
        try {
            callDb("WAL sync", () -> {
                db.syncWal();
                return null;
            });
        } catch (RuntimeException e) {
            // closed, or an I/O error that the next commit or sync will report again
        }
    }

    /** Maps a RocksDB failure: conflicts to {@link TransactionConflictException}, the rest to ours. */
    RuntimeException failure(String what, RocksDBException e) {
        Status status = e.getStatus();
        Status.Code code = status == null ? null : status.getCode();
        // Busy: deadlock detected; TimedOut: lock wait exceeded; TryAgain: retry-able by definition
        if (code == Status.Code.Busy || code == Status.Code.TimedOut || code == Status.Code.TryAgain) {
            return new TransactionConflictException("rocksdb: " + what + " conflicts with a concurrent commit ("
                    + e.getMessage() + ")", e);
        }
        return new RocksDbEngineException("rocksdb: " + what + " failed: " + e.getMessage(), e);
    }

    /** The greatest key in the database now, or null if it is empty. */
    byte[] lastKey() {
        try (RocksIterator it = db.newIterator(latest)) {
            it.seekToLast();
            if (it.isValid()) {
                return it.key();
            }
            it.status();
            return null;
        } catch (RocksDBException e) {
            throw failure("seek to the last key", e);
        }
    }

    /** The range-delete epoch now: transactions remember it at begin. */
    long rangeDeleteEpoch() {
        return rangeDeleteEpoch;
    }

    /**
     * Whether a range delete committed after {@code sinceEpoch} covers one of {@code keys}; true
     * also when the log no longer reaches back that far. Call holding {@link #commitGate}.
     */
    boolean rangeDeletedSince(long sinceEpoch, List<byte[]> keys) {
        if (rangeDeleteEpoch == sinceEpoch) {
            return false;
        }
        if (droppedThroughEpoch > sinceEpoch) {
            return true; // ranges we would need to check were dropped from the log: assume the worst
        }
        for (RangeDelete r : rangeDeleteLog) {
            if (r.epoch > sinceEpoch) {
                for (byte[] key : keys) {
                    if (Arrays.compareUnsigned(key, r.low) >= 0 && (r.high == null || Arrays.compareUnsigned(key, r.high) < 0)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Records ranges deleted by a commit that succeeded; call holding {@link #commitGate} exclusively. */
    void logRangeDeletes(List<byte[][]> ranges) {
        long epoch = rangeDeleteEpoch + 1;
        for (byte[][] r : ranges) {
            if (rangeDeleteLog.size() == RANGE_DELETE_LOG_SIZE) {
                droppedThroughEpoch = rangeDeleteLog.pollFirst().epoch;
            }
            rangeDeleteLog.addLast(new RangeDelete(epoch, r[0], r[1]));
        }
        rangeDeleteEpoch = epoch;
    }

    /** Whether a key {@code >= from} exists now. */
    boolean anyKeyAtOrAfter(byte[] from) {
        try (RocksIterator it = db.newIterator(latest)) {
            it.seek(from);
            if (it.isValid()) {
                return true;
            }
            it.status();
            return false;
        } catch (RocksDBException e) {
            throw failure("seek", e);
        }
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    // keep closing the rest
                }
            }
        }
    }

    /** A range {@code [low, high)} ({@code high == null}: unbounded) deleted by the commit of {@code epoch}. */
    private record RangeDelete(long epoch, byte[] low, byte[] high) {
    }

    @FunctionalInterface
    private interface RocksCall<T> {
        T run() throws RocksDBException;
    }

    /** Configures and opens a {@link RocksDbEngine}. */
    public static final class Builder {
        Path path;
        private Durability durability = Durability.SYNC;
        private long blockCacheSize = DEFAULT_BLOCK_CACHE_SIZE;
        private long writeBufferSize = DEFAULT_WRITE_BUFFER_SIZE;
        private Compression compression = Compression.LZ4;
        private Duration walSyncInterval = DEFAULT_WAL_SYNC_INTERVAL;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;

        private Builder() {
        }

        /** The database directory (required); created if missing. */
        public Builder path(Path path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        /** SYNC (default): fsync before a commit returns; ASYNC: fsync every {@link #walSyncInterval}. */
        public Builder durability(Durability durability) {
            this.durability = requireNonNull(durability, "durability");
            return this;
        }

        /** Bytes of the LRU block cache (default 64 MiB); 0 disables it. */
        public Builder blockCacheSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("blockCacheSize must be >= 0, got " + bytes);
            }
            this.blockCacheSize = bytes;
            return this;
        }

        /** Bytes of one memtable (default 16 MiB, at least 64 KiB). */
        public Builder writeBufferSize(long bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("writeBufferSize must be >= 65536, got " + bytes);
            }
            this.writeBufferSize = bytes;
            return this;
        }

        /** SST block compression (default LZ4: cheap on CPU, about half the size of text-like data). */
        public Builder compression(Compression compression) {
            this.compression = requireNonNull(compression, "compression");
            return this;
        }

        /**
         * With ASYNC, how often a background thread fsyncs the WAL (default 1 s), which bounds the
         * commits a power loss can take; {@link Duration#ZERO} leaves it to the operating system.
         * Ignored with SYNC.
         */
        public Builder walSyncInterval(Duration interval) {
            requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("walSyncInterval must be >= 0, got " + interval);
            }
            this.walSyncInterval = interval;
            return this;
        }

        /**
         * How long a transaction waits for a key another transaction has locked (read with
         * {@code get} or written) before failing with a {@link TransactionConflictException},
         * which {@link KeyspaceEngine#transact} retries (default 1 s, at least 1 ms).
         */
        public Builder lockTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("lockTimeout must be >= 1 ms, got " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Opens (creating if needed) the database.
         *
         * @throws RocksDbEngineException if RocksDB cannot open it (e.g. another process holds it)
         */
        public RocksDbEngine build() {
            if (path == null) {
                throw new IllegalStateException("path is required");
            }
            return new RocksDbEngine(this);
        }
    }
}
