package io.respkv.engine.leveldb;

import static java.util.Objects.requireNonNull;

import io.respkv.api.Durability;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.NativeResource;
import io.respkv.engine.support.OpenResources;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import org.fusesource.leveldbjni.internal.NativeCache;
import org.fusesource.leveldbjni.internal.NativeCompressionType;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeSnapshot;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;
import org.fusesource.leveldbjni.internal.NativeWriteOptions;

/**
 * The LevelDB engine: a persistent, ordered key space in one LevelDB database (leveldbjni 1.8,
 * keys and values stored verbatim; LevelDB's bytewise comparator is the unsigned order the SPI
 * requires).
 *
 * <pre>{@code
 * try (LevelDbEngine engine = LevelDbEngine.builder()
 *         .path(Path.of("/var/lib/respkv"))
 *         .durability(Durability.SYNC)          // the default
 *         .blockCacheSize(128L << 20)
 *         .build()) {
 *     RespServer.builder().engine(engine).start().join();
 * }
 * }</pre>
 *
 * <h2>Transactions</h2>
 * As in the RocksDB engine: respkv's own transactions on a plain KV store. {@code get} and every
 * write lock the key in a {@link KeyLockTable} until the transaction ends (same-key
 * read-modify-writes are serialized, different keys share nothing); reads of locked keys come from
 * a {@link ReadCache} or one LevelDB {@code Get}; writes are buffered in Java and a commit is one
 * atomic LevelDB {@code WriteBatch}.
 *
 * <h2>Durability</h2>
 * Every commit is written with {@code sync = false}: the log record goes into LevelDB's log
 * (a memory-mapped file in this LevelDB version, so it is in the operating system's page cache
 * when {@code write} returns and a killed process loses nothing). Making it durable is respkv's
 * job, because LevelDB has no "flush the log" call and its {@code sync} only covers the current
 * log file: when a memtable fills up, LevelDB switches to a new log and closes the old one without
 * syncing it, so a later {@code sync} write would not cover unsynced records of the old log until
 * the old memtable is flushed to a table. A sync here ({@link #syncCommitted()}, or every commit
 * with {@link Durability#SYNC}) is therefore: one empty {@code sync = true} write (LevelDB syncs the
 * current log), then an {@code fdatasync} of every older log file still in the directory (found
 * by listing it; a log that is gone had its memtable flushed to a synced table first), and an
 * {@code fsync} of the directory when a new log appeared. One sync covers every commit written
 * before it, so concurrent SYNC commits, and deferred ones ({@link EngineFeature#GROUP_COMMIT},
 * declared with SYNC), share it.
 *
 * <p>{@link Durability#ASYNC}: commits return once LevelDB has the record (no sync); a background
 * thread syncs as above every {@linkplain Builder#walSyncInterval interval} (default 1 s). A process
 * kill loses nothing; a power loss loses at most the commits since the last periodic sync.
 *
 * <h2>Range deletes</h2>
 * LevelDB has no range tombstone. {@link Transaction#deleteRange} is recorded and hidden from the
 * transaction's own reads and scans at once (constant cost); at commit, holding the commit gate
 * exclusively (no other commit can write meanwhile), the engine iterates each range in the latest
 * committed state and adds a delete per key to the commit's batch. So it costs one iteration step
 * and one tombstone per key: the engine does not declare {@link EngineFeature#NATIVE_RANGE_DELETE},
 * and the server then reclaims big collections in bounded batches instead of one range delete.
 * Range deletes take no key locks; the shared {@link RangeDeleteLog} makes transactions that read a
 * key in a range deleted meanwhile fail with a conflict, as in the RocksDB engine.
 *
 * <h2>Checkpoints</h2>
 * {@link #checkpoint} copies a snapshot into a new LevelDB database at the target: consistent,
 * concurrent with commits, but proportional to the data (LevelDB has no hard-link checkpoint).
 *
 * <h2>Resources</h2>
 * Snapshots and cursors own native handles and must be closed; the engine tracks them and
 * {@link #close()} frees any still open (later calls on them throw {@link IllegalStateException})
 * before closing the database.
 */
public final class LevelDbEngine implements KeyspaceEngine {

    static {
        NativeDB.LIBRARY.load();
    }

    /** 64 MiB of LevelDB's LRU block cache (uncompressed data blocks). */
    public static final long DEFAULT_BLOCK_CACHE_SIZE = 64L << 20;
    /** 16 MiB per memtable (LevelDB keeps up to two: the one written and the one being flushed). */
    public static final long DEFAULT_WRITE_BUFFER_SIZE = 16L << 20;
    /** How often ASYNC syncs the log: bounds what a power loss can take. */
    public static final Duration DEFAULT_WAL_SYNC_INTERVAL = Duration.ofSeconds(1);
    /** A lock wait longer than this fails the transaction, which is then retried. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

    private final Path path;
    private final Durability durability;
    private final long blockCacheSize;
    private final long writeBufferSize;
    private final boolean compression;
    private final Duration walSyncInterval;
    private final Duration lockTimeout;
    private final long readCacheSize;
    private final Set<EngineFeature> features;

    // Native handles, freed in close() after the database.
    private final NativeCache blockCache;
    private final NativeDB db;
    /** The empty batch of {@link #syncNow()}; used holding {@link #syncLock} only. */
    private final NativeWriteBatch emptyBatch;

    private final NativeWriteOptions noSync = new NativeWriteOptions().sync(false);
    private final NativeWriteOptions sync = new NativeWriteOptions().sync(true);
    /** Reads of the latest committed state. */
    final NativeReadOptions latest = new NativeReadOptions();
    private final LogFiles logFiles;
    private final KeyLockTable locks;
    private final ReadCache cache;
    /** The commit gate and the log of recent range deletes (see the class comment). */
    final RangeDeleteLog rangeDeletes = new RangeDeleteLog();

    /** Commits written so far, numbered; and how many of them a sync has covered. */
    private final AtomicLong writtenCommits = new AtomicLong();
    private volatile long syncedCommits;
    /** Held by the one thread syncing; others wait for it and usually find their commit covered. */
    private final Object syncLock = new Object();
    /** Syncs made (each: a sync write and the closed logs' fdatasyncs); guarded by {@link #syncLock}. */
    private long syncs;

    /** Cursors and snapshots still open, released on close. */
    private final OpenResources resources = new OpenResources(() -> this.closed, this::closedException);
    /**
     * Database calls hold it shared; {@link #close()} takes it exclusively, so it waits for the
     * calls in flight and no call starts on a closed database (which would crash the JVM).
     */
    private final StampedLock closeGate = new StampedLock();
    private final ScheduledExecutorService walSyncer;
    private volatile boolean closed;

    private LevelDbEngine(Builder b) {
        this.path = b.path;
        this.durability = b.durability;
        this.blockCacheSize = b.blockCacheSize;
        this.writeBufferSize = b.writeBufferSize;
        this.compression = b.compression;
        this.walSyncInterval = b.walSyncInterval;
        this.lockTimeout = b.lockTimeout;
        this.readCacheSize = b.readCacheSize;
        java.util.EnumSet<EngineFeature> declared =
                java.util.EnumSet.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT, EngineFeature.LOCKING_READS);
        if (durability == Durability.SYNC) {
            declared.add(EngineFeature.GROUP_COMMIT);
        }
        if (readCacheSize > 0) {
            declared.add(EngineFeature.PREFETCH); // prefetch loads the read cache's memory
        }
        this.features = Set.copyOf(declared);
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the leveldb directory " + path, e);
        }
        NativeCache nativeCache = blockCacheSize > 0 ? new NativeCache(blockCacheSize) : null;
        NativeOptions options = new NativeOptions()
                .createIfMissing(true)
                .writeBufferSize(writeBufferSize)
                .compression(compression ? NativeCompressionType.kSnappyCompression : NativeCompressionType.kNoCompression)
                .cache(nativeCache);
        NativeDB opened;
        try {
            opened = NativeDB.open(options, path.toFile());
        } catch (IOException e) {
            if (nativeCache != null) {
                nativeCache.delete();
            }
            throw new LevelDbEngineException("cannot open leveldb at " + path + ": " + e.getMessage(), e);
        }
        this.blockCache = nativeCache;
        this.db = opened;
        this.emptyBatch = new NativeWriteBatch();
        this.logFiles = new LogFiles(path);
        this.locks = new KeyLockTable(lockTimeout.toMillis());
        this.cache = new ReadCache(readCacheSize);
        if (durability == Durability.ASYNC && !walSyncInterval.isZero()) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "respkv-leveldb-log-sync");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, walSyncInterval.toMillis());
            walSyncer.scheduleWithFixedDelay(this::periodicSync, ms, ms, TimeUnit.MILLISECONDS);
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
        return "leveldb";
    }

    /**
     * {@code PERSISTENT}, {@code CHECKPOINT} and {@code LOCKING_READS} (its key locks), plus
     * {@code GROUP_COMMIT} with SYNC (with ASYNC
     * every commit is already as durable as ASYNC promises when it returns: nothing to group).
     */
    @Override
    public Set<EngineFeature> features() {
        return features;
    }

    /** Loads the read cache's memory for the keys (see {@link ReadCache#prefetch}). */
    @Override
    public int prefetch(int[] keyHashes, int count) {
        return cache.prefetch(keyHashes, count);
    }

    @Override
    public Transaction begin() {
        return begin(false);
    }

    /**
     * A transaction whose commit is visible at once but, with SYNC, made durable only by the next
     * {@link #syncCommitted()}, which does it once for every commit before it.
     */
    @Override
    public Transaction beginDeferringSync() {
        return begin(true);
    }

    private Transaction begin(boolean deferSync) {
        if (closed) {
            throw closedException();
        }
        return new LevelDbTransaction(this, deferSync);
    }

    /** With SYNC, syncs every commit so far (see the class comment); with ASYNC, nothing to do. */
    @Override
    public void syncCommitted() {
        if (durability == Durability.SYNC) {
            syncThrough(writtenCommits.get());
        }
    }

    /**
     * Writes one commit's batch; with SYNC and unless {@code deferSync}, also syncs through it
     * before returning. Call holding the commit gate.
     */
    void write(NativeWriteBatch batch, boolean deferSync) {
        long commit;
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            db.write(noSync, batch);
            commit = writtenCommits.incrementAndGet();
        } catch (NativeDB.DBException e) {
            throw failure("commit", e);
        } finally {
            closeGate.unlockRead(stamp);
        }
        if (durability == Durability.SYNC && !deferSync) {
            syncThrough(commit);
        }
    }

    /**
     * Makes commits up to number {@code commit} durable. The first caller syncs for everyone
     * written before it; callers that queued behind it usually find their commit covered.
     */
    private void syncThrough(long commit) {
        if (syncedCommits >= commit) {
            return;
        }
        synchronized (syncLock) {
            if (syncedCommits >= commit) {
                return;
            }
            long through = writtenCommits.get();
            syncNow();
            syncedCommits = through;
        }
    }

    /** One sync of everything written so far; call holding {@link #syncLock}. */
    private void syncNow() {
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            db.write(sync, emptyBatch); // LevelDB syncs the current log, after every earlier write
            logFiles.syncAllButNewest(); // logs LevelDB switched away from without syncing them
            syncs++;
        } catch (NativeDB.DBException e) {
            throw failure("log sync", e);
        } catch (IOException e) {
            throw new LevelDbEngineException("leveldb: log sync failed: " + e.getMessage(), e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** ASYNC's periodic sync, when something was written since the last one. */
    private void periodicSync() {
        try {
            synchronized (syncLock) {
                long through = writtenCommits.get();
                if (through > syncedCommits) {
                    syncNow();
                    syncedCommits = through;
                }
            }
        } catch (RuntimeException e) {
            // closed, or an I/O error that the next sync will meet again
        }
    }

    /** The latest committed value of a key the calling transaction has locked (cached). */
    byte[] readLocked(KeyLockTable.Key key) {
        return cache.readLocked(key, rangeDeletes, this::dbGet);
    }

    /** The latest committed value of a key if the {@link ReadCache} knows it without the key's lock, else null. */
    byte[] readUnlocked(KeyLockTable.Key key) {
        return cache.readUnlocked(key, rangeDeletes);
    }

    /** Records a commit's writes in the read cache; the committer holds their locks and the gate. */
    void cacheCommitted(NavigableMap<byte[], byte[]> writes, Set<KeyLockTable.Key> scanned, List<byte[]> emptyPrefixes) {
        cache.putCommitted(writes, scanned, emptyPrefixes, LockingTransaction.TOMBSTONE, rangeDeletes.epoch());
    }

    private byte[] dbGet(byte[] key) {
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            return get(latest, key);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** A point read; null when absent (leveldbjni reports that as an exception). */
    byte[] get(NativeReadOptions options, byte[] key) {
        try {
            return db.get(options, key);
        } catch (NativeDB.DBException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw failure("get", e);
        }
    }

    /**
     * Adds a delete of every key in {@code [low, high)} ({@code high == null}: unbounded) of the
     * latest committed state to {@code batch}: range delete emulation. Call holding the commit
     * gate exclusively, so nothing commits between this iteration and the batch's write.
     */
    void deleteCommittedRange(byte[] low, byte[] high, NativeWriteBatch batch) {
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            NativeIterator it = db.iterator(latest);
            try {
                it.seek(low);
                while (it.isValid()) {
                    byte[] k = it.key();
                    if (high != null && java.util.Arrays.compareUnsigned(k, high) >= 0) {
                        break;
                    }
                    batch.delete(k);
                    it.next();
                }
            } finally {
                it.delete();
            }
        } catch (NativeDB.DBException e) {
            throw failure("range delete", e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** Commits that wrote a batch, since the engine opened. */
    long commitsWritten() {
        return writtenCommits.get();
    }

    /** Syncs made (SYNC: for commits; ASYNC: periodic), since the engine opened. */
    long syncs() {
        synchronized (syncLock) {
            return syncs;
        }
    }

    KeyLockTable locks() {
        return locks;
    }

    ReadCache cache() {
        return cache;
    }

    @Override
    public Snapshot snapshot() {
        LevelDbSnapshot snapshot = new LevelDbSnapshot(this);
        resources.registerView(snapshot);
        snapshot.start();
        return snapshot;
    }

    /**
     * Copies the committed state, as of one snapshot, into a new LevelDB database at
     * {@code target} (which must not exist; its parent is created) that
     * {@code LevelDbEngine.builder().path(target).build()} opens as an independent engine. Runs
     * concurrently with commits; costs a full copy (there is no hard-link checkpoint in LevelDB).
     * The copy is synced before this returns.
     *
     * @throws IllegalArgumentException if {@code target} exists
     */
    @Override
    public void checkpoint(Path target) {
        requireNonNull(target, "target");
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint target exists: " + target);
        }
        if (closed) {
            throw closedException();
        }
        Path parent = target.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + parent, e);
        }
        try (LevelDbSnapshot source = (LevelDbSnapshot) snapshot()) {
            source.copyTo(target, compression);
        }
    }

    /**
     * Returns a LevelDB property of the database, e.g. {@code leveldb.stats},
     * {@code leveldb.sstables}, {@code leveldb.num-files-at-level0}; null if LevelDB has no such
     * property.
     */
    public String property(String name) {
        requireNonNull(name, "name");
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            return db.getProperty(name);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** Bytes the read cache may hold (0: none). */
    public long readCacheSize() {
        return readCacheSize;
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

    /** The block cache size in bytes (0: LevelDB's own 8 MiB default cache). */
    public long blockCacheSize() {
        return blockCacheSize;
    }

    /** The memtable size in bytes. */
    public long writeBufferSize() {
        return writeBufferSize;
    }

    /** Whether table blocks are Snappy-compressed. */
    public boolean compression() {
        return compression;
    }

    /** How often ASYNC syncs the log ({@link Duration#ZERO}: never, the OS decides). */
    public Duration walSyncInterval() {
        return walSyncInterval;
    }

    /**
     * Closes the database. Snapshots and cursors still open are freed first (a call in flight on
     * another thread finishes; later calls, and calls on open transactions, throw
     * {@link IllegalStateException}); uncommitted transactions are discarded. Everything written is
     * synced before closing. Idempotent.
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
        // Wait for database calls in flight; the ones after this see closed set and throw.
        long stamp = closeGate.writeLock();
        try {
            // No resource can register any more (closed is set), so releaseAll sees them all.
            resources.releaseAll();
            synchronized (syncLock) {
                try {
                    db.write(sync, emptyBatch);
                    logFiles.syncAllButNewest();
                } catch (IOException e) {
                    // the close below still proceeds; a failed final sync is as if the machine crashed now
                }
                logFiles.close();
                emptyBatch.delete();
            }
            db.delete();
            if (blockCache != null) {
                blockCache.delete();
            }
        } finally {
            closeGate.unlockWrite(stamp);
        }
    }

    boolean isClosed() {
        return closed;
    }

    NativeDB db() {
        return db;
    }

    /** Number of open snapshots and cursors; for leak tests. */
    int openResources() {
        return resources.size();
    }

    void registerCursor(LevelDbCursor cursor) {
        resources.registerCursor(cursor);
    }

    void unregister(NativeResource resource) {
        resources.unregister(resource);
    }

    IllegalStateException closedException() {
        return new IllegalStateException("leveldb engine is closed: " + path);
    }

    /** Maps a LevelDB failure to {@link LevelDbEngineException} (LevelDB itself has no conflicts). */
    RuntimeException failure(String what, IOException e) {
        return new LevelDbEngineException("leveldb: " + what + " failed: " + e.getMessage(), e);
    }

    /** Configures and opens a {@link LevelDbEngine}. */
    public static final class Builder {
        Path path;
        private Durability durability = Durability.SYNC;
        private long blockCacheSize = DEFAULT_BLOCK_CACHE_SIZE;
        private long writeBufferSize = DEFAULT_WRITE_BUFFER_SIZE;
        private boolean compression = true;
        private Duration walSyncInterval = DEFAULT_WAL_SYNC_INTERVAL;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private long readCacheSize = ReadCache.defaultCapacity();

        private Builder() {
        }

        /** The database directory (required); created if missing. */
        public Builder path(Path path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        /** SYNC (default): durable before a commit is acknowledged; ASYNC: synced every {@link #walSyncInterval}. */
        public Builder durability(Durability durability) {
            this.durability = requireNonNull(durability, "durability");
            return this;
        }

        /** Bytes of LevelDB's LRU block cache (default 64 MiB); 0 leaves LevelDB's built-in 8 MiB cache. */
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

        /** Snappy compression of table blocks (default on; the only codec LevelDB has). */
        public Builder compression(boolean snappy) {
            this.compression = snappy;
            return this;
        }

        /**
         * With ASYNC, how often a background thread syncs the log (default 1 s), which bounds the
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
         * How long a transaction waits for a key another transaction has locked before failing with
         * a {@link io.respkv.api.TransactionConflictException}, which
         * {@link KeyspaceEngine#transact} retries (default 1 s, at least 1 ms).
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
         * Bytes of keys and values (plus about 100 bytes per entry) of recently read and written
         * keys kept on the Java heap so a transaction's reads of hot keys skip LevelDB (default
         * {@link ReadCache#defaultCapacity()}: a quarter of the maximum heap); 0 disables it.
         */
        public Builder readCacheSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("readCacheSize must be >= 0, got " + bytes);
            }
            this.readCacheSize = bytes;
            return this;
        }

        /**
         * Opens (creating if needed) the database.
         *
         * @throws LevelDbEngineException if LevelDB cannot open it (e.g. another engine holds it)
         */
        public LevelDbEngine build() {
            if (path == null) {
                throw new IllegalStateException("path is required");
            }
            return new LevelDbEngine(this);
        }
    }
}
