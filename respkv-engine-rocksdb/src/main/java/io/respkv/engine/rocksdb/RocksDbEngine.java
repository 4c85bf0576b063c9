package io.respkv.engine.rocksdb;

import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.LockingTransaction;
import io.respkv.engine.support.NativeResource;
import io.respkv.engine.support.OpenResources;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
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
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
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
 * Every commit is one atomic RocksDB write batch, one write-ahead-log record. The WAL is flushed
 * by respkv, not by each write ({@code manual_wal_flush}): {@link Durability#SYNC} (the default)
 * writes and fsyncs the WAL before {@link Transaction#commit()} returns, so an acknowledged write
 * survives {@code kill -9} and power loss; concurrent SYNC commits share one fsync (the first
 * committer to reach the WAL flushes and fsyncs for every commit before it, the others find their
 * commit covered). {@link Durability#ASYNC} hands the WAL record to the operating system before
 * returning but does not fsync it: a process kill loses nothing, a machine crash or power loss
 * loses the commits of at most the last {@linkplain Builder#walSyncInterval WAL sync interval}
 * (default 1 s; a background thread fsyncs the WAL that often).
 *
 * <p>Group commit ({@link #beginDeferringSync()}, {@link EngineFeature#GROUP_COMMIT}, declared in
 * both modes): such a commit leaves its WAL record in RocksDB's buffer; {@link #syncCommitted()}
 * then writes (ASYNC) or writes and fsyncs (SYNC) every record before it with one system call. The
 * server commits every command this way and sends the replies waiting after one
 * {@code syncCommitted()} (per event-loop iteration, or per few connections' pipelines when the
 * sync is slow enough to overlap with the loop), so fifty pipelining clients cost one WAL write
 * or a few, not eight hundred.
 *
 * <h2>Write coalescing</h2>
 * A deferred commit is not written to RocksDB when it returns: it joins the engine's
 * {@link PendingWrites}, which every later read consults first (a point read of a key the
 * {@link ReadCache} does not hold looks there before asking RocksDB), and {@link #syncCommitted()}
 * writes everything pending as one RocksDB write batch — the latest value of each key, in key
 * order — before it flushes the WAL. So the commits of one sync (up to fifty clients
 * pipelining sixteen commands each: eight hundred) cost one JNI call and one pass through
 * RocksDB's write path instead of eight hundred; a key written many times in one iteration (the
 * metadata of the one list every LPUSH of the iteration grows) is inserted into the memtable
 * once; and the memtable takes the batch's keys in order, each insert starting from where the
 * previous one ended. Profiled under redis-benchmark SET {@code -P 16}, RocksDB's write path was
 * 45% of the server's CPU, its fixed cost per write (write-thread hand-off, WAL record, sequence
 * publication, the JNI call and its native batch) a third of that.
 *
 * <p>Whatever reads RocksDB other than by key writes the pending commits first: a cursor or a
 * snapshot about to open, a range-deleting commit (which writes them and then its own batch), a
 * checkpoint, {@link #close()}; and so does a commit that makes them grow past
 * {@link #PENDING_WRITE_LIMIT} bytes, and ASYNC's periodic WAL sync. Atomicity is kept (a batch
 * holds whole commits, and one RocksDB write batch is atomic), and so is order (batches are
 * written one at a time, in commit order). A commit of {@link #begin()} (not deferring) joins the
 * pending commits and writes them all before it returns. A failed batch write leaves the engine
 * failed: every later commit and sync throws (RocksDB stops accepting writes after such an error
 * anyway), and the read cache is emptied so that no read sees a value that is not in RocksDB.
 *
 * <h2>Concurrency</h2>
 * Transactions lock the keys they read or write in a Java {@link KeyLockTable}, held until they
 * end (two-phase locking): same-key read-modify-writes are serialized, transactions on different
 * keys share no lock but the shared side of the commit gate below. A transaction waits for a
 * locked key at most {@linkplain Builder#lockTimeout the lock timeout} (default 1 s) and a lock
 * cycle fails one side at once; both end in a {@link TransactionConflictException}, which
 * {@link #transact} retries. Reads of locked keys need no RocksDB snapshot (a locked key cannot
 * change until the transaction ends) and are served from a {@link ReadCache} of recently used
 * keys ({@linkplain Builder#readCacheSize its size}), so a hot key's read crosses no JNI.
 *
 * <p>Why not RocksDB's {@code TransactionDB} (used until 2026-11-22): its pessimistic transaction
 * costs a native object per command, a JNI crossing per read, write and commit, and a memtable
 * search per {@code GetForUpdate}. Profiled under redis-benchmark SET {@code -P 16} (async-profiler,
 * 2-core VM) those were 30% ({@code GetForUpdate}) and 28% (commit, a WAL {@code write(2)} each) of
 * the server's CPU; this design replaces them with a hash lookup and one buffered batch write. The
 * optimistic variant was measured before ({@code TransactionModeTiming}): on a hot key under SYNC
 * its validation kept failing the transaction that read while another was fsyncing, which locks
 * avoid.
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
 * read (else a conflict). Gate and log are the shared {@link RangeDeleteLog}.
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
    /** 16 MiB per memtable (up to {@link #MEMTABLES_PER_FLUSH} + 2 of them exist). */
    public static final long DEFAULT_WRITE_BUFFER_SIZE = 16L << 20;
    /** How often ASYNC fsyncs the WAL: bounds what a power loss can take. */
    public static final Duration DEFAULT_WAL_SYNC_INTERVAL = Duration.ofSeconds(1);

    /**
     * Full memtables flushed together as one table file. With 2 instead of RocksDB's 1, an
     * overwrite-heavy load on 100,000 keys (redis-benchmark's HSET, ZADD) spent 5-11% less server
     * CPU per request: each key overwritten in both memtables is flushed and then compacted once
     * instead of twice (docs/benchmarks.md, "2026-11-24 03:18-03:53: memtables flushed in pairs").
     */
    static final int MEMTABLES_PER_FLUSH = 2;

    /** A lock wait longer than this fails the transaction, which is then retried. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

    /**
     * The share of the block cache reserved for index and filter blocks (its high-priority pool):
     * data blocks streaming through the cache do not evict them.
     */
    static final double INDEX_AND_FILTER_CACHE_SHARE = 0.25;
    /** The memtable's bloom filter, as a share of the write buffer size. */
    static final double MEMTABLE_BLOOM_SHARE = 0.1;
    /** The size of one index or filter partition. */
    static final long METADATA_BLOCK_SIZE = 4096;

    /** With the read cache on, also {@link EngineFeature#PREFETCH}: {@link #prefetch} loads its memory. */
    private static final Set<EngineFeature> FEATURES = Set.of(EngineFeature.PERSISTENT, EngineFeature.CHECKPOINT,
            EngineFeature.NATIVE_RANGE_DELETE, EngineFeature.GROUP_COMMIT, EngineFeature.LOCKING_READS);

    private final Set<EngineFeature> features;
    private final Path path;
    private final Durability durability;
    private final long blockCacheSize;
    private final long writeBufferSize;
    private final Compression compression;
    private final Duration walSyncInterval;
    private final Duration lockTimeout;
    private final long readCacheSize;

    // Native handles, freed in close() in reverse order of creation.
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final Options options;
    private final RocksDB db;
    /** Every batch write: no sync (the WAL is flushed by {@link #flushWalThrough}). */
    private final WriteOptions writeOptions;
    private final KeyLockTable locks;
    private final ReadCache cache;
    /**
     * Commits applied but not yet written to RocksDB (see "Write coalescing"); commits are
     * numbered there. {@link #writtenCommits}: through which number they are in RocksDB;
     * {@link #flushedCommits}: through which a WAL flush has covered them.
     */
    private final PendingWrites pending = new PendingWrites();
    private volatile long writtenCommits;
    private volatile long flushedCommits;
    /** Held by the one thread writing pending commits to RocksDB, which must go in commit order. */
    private final Object writeLock = new Object();
    /** RocksDB write batches written for commits; guarded by {@link #writeLock}. */
    private long batchesWritten;
    /** Set when a batch of applied commits could not be written: the engine is failed. */
    private volatile RuntimeException writeFailure;
    /** Held by the one thread flushing the WAL; others wait for it and usually find their commit covered. */
    private final Object walFlushLock = new Object();
    /** WAL flushes made for commits (fsyncs with SYNC); guarded by {@link #walFlushLock}. */
    private long walFlushes;
    /** Reads of the latest committed state, no bounds; shared (read-only to RocksDB). */
    final ReadOptions latest;

    /** Cursors and snapshots still open, released on close. */
    private final OpenResources resources = new OpenResources(() -> this.closed, this::closedException);
    /**
     * Database calls hold it shared; {@link #close()} takes it exclusively, so it waits for the
     * calls in flight and no call starts on a closed database (which would crash the JVM).
     */
    private final StampedLock closeGate = new StampedLock();
    /**
     * The commit gate and the log of recent range deletes (see the class comment): range-deleting
     * commits hold the gate exclusively, all others shared.
     */
    final RangeDeleteLog rangeDeletes = new RangeDeleteLog();
    private final ScheduledExecutorService walSyncer;
    private volatile boolean closed;
    /** Set by {@link #close()} while it writes the last pending commits (after setting closed). */
    private boolean closing;

    private RocksDbEngine(Builder b) {
        this.path = b.path;
        this.durability = b.durability;
        this.blockCacheSize = b.blockCacheSize;
        this.writeBufferSize = b.writeBufferSize;
        this.compression = b.compression;
        this.walSyncInterval = b.walSyncInterval;
        this.lockTimeout = b.lockTimeout;
        this.readCacheSize = b.readCacheSize;
        java.util.EnumSet<EngineFeature> declared = java.util.EnumSet.copyOf(FEATURES);
        if (readCacheSize > 0) {
            declared.add(EngineFeature.PREFETCH);
        }
        this.features = Set.copyOf(declared);
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the rocksdb directory " + path, e);
        }
        LRUCache cache = null;
        BloomFilter bloom = null;
        Options opts = null;
        RocksDB opened = null;
        try {
            cache = blockCacheSize > 0
                    ? new LRUCache(blockCacheSize, -1, false, INDEX_AND_FILTER_CACHE_SHARE) : null;
            bloom = new BloomFilter(10);
            // Index and filter blocks live in the block cache, so its size bounds them. Both are
            // partitioned into METADATA_BLOCK_SIZE pieces under a small pinned top level, and kept
            // in the cache's high-priority pool: a whole-file filter (about 1.25 bytes per key, so
            // ~750 KB for a 64 MB table file) evicted by data blocks was read back from the file
            // and checksummed on every point read that needed it, which made a GET that missed the
            // read cache cost 21 µs of CPU (80% of it reading filter blocks) instead of a few.
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setFilterPolicy(bloom)
                    .setCacheIndexAndFilterBlocks(true)
                    .setCacheIndexAndFilterBlocksWithHighPriority(true)
                    .setPinL0FilterAndIndexBlocksInCache(true)
                    .setIndexType(IndexType.kTwoLevelIndexSearch)
                    .setPartitionFilters(true)
                    .setMetadataBlockSize(METADATA_BLOCK_SIZE)
                    .setPinTopLevelIndexAndFilter(true);
            if (cache != null) {
                table.setBlockCache(cache);
            } else {
                table.setNoBlockCache(true).setCacheIndexAndFilterBlocks(false);
            }
            opts = new Options()
                    .setCreateIfMissing(true)
                    .setWriteBufferSize(writeBufferSize)
                    // A full memtable waits for a second; both flush as one table file, in which
                    // a key overwritten in both is written once. Up to two more memtables take
                    // writes meanwhile, so a flush in progress does not stall them.
                    .setMinWriteBufferNumberToMerge(MEMTABLES_PER_FLUSH)
                    .setMaxWriteBufferNumber(MEMTABLES_PER_FLUSH + 2)
                    // A bloom filter over the memtable's keys (a tenth of its size): a point read
                    // of a key the memtable does not hold (most reads that miss the read cache)
                    // skips the skip-list search, 14% of a GET's CPU on a database larger than
                    // the caches.
                    .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_SHARE)
                    .setMemtableWholeKeyFiltering(true)
                    .setCompressionType(compression.rocksType)
                    .setTableFormatConfig(table)
                    .setMaxBackgroundJobs(2)
                    .setBytesPerSync(1L << 20)
                    .setKeepLogFileNum(5)
                    .setMaxLogFileSize(8L << 20)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    // respkv flushes the WAL itself: once per group of commits, not per write
                    .setManualWalFlush(true);
            opened = RocksDB.open(opts, path.toString());
        } catch (RocksDBException e) {
            closeQuietly(opened, opts, bloom, cache);
            throw new RocksDbEngineException("cannot open rocksdb at " + path + ": " + e.getMessage(), e);
        }
        this.blockCache = cache;
        this.bloomFilter = bloom;
        this.options = opts;
        this.db = opened;
        this.writeOptions = new WriteOptions().setSync(false);
        this.latest = new ReadOptions();
        this.locks = new KeyLockTable(lockTimeout.toMillis());
        this.cache = new ReadCache(readCacheSize);
        if (durability == Durability.ASYNC && !walSyncInterval.isZero()) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "respkv-rocksdb-wal-sync");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, walSyncInterval.toMillis());
            walSyncer.scheduleWithFixedDelay(this::fsyncWalQuietly, ms, ms, TimeUnit.MILLISECONDS);
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
     * A transaction whose commit leaves its WAL record in RocksDB's buffer: it is applied (visible
     * to other transactions) but neither written out nor fsynced until {@link #syncCommitted()},
     * which does it once for every such commit before it.
     */
    @Override
    public Transaction beginDeferringSync() {
        return begin(true);
    }

    private Transaction begin(boolean deferSync) {
        if (closed) {
            throw closedException();
        }
        return new RocksDbTransaction(this, deferSync);
    }

    /**
     * Writes the WAL records of every commit so far to the file, and with SYNC fsyncs it: one
     * system call (or two) for all of them (group commit).
     */
    @Override
    public void syncCommitted() {
        long commit = pending.lastCommit();
        writePendingThrough(commit);
        flushWalThrough(commit);
    }

    /**
     * Range tombstones a memtable may collect before it is flushed. RocksDB checks every range
     * tombstone of the memtable on each point read, fragmenting them again after each new one, so
     * a memtable that took thousands of them (a test suite running FLUSHALL before every test)
     * made every GET and SET slower and slower: 18,000 FLUSHALLs of CommandErrorsDifferentialTest
     * kept one SET's read busy for minutes. Flushed to a table file, tombstones are fragmented
     * once and searched by binary search, and compaction drops them.
     */
    static final int RANGE_DELETES_BEFORE_FLUSH = 256;
    private final java.util.concurrent.atomic.AtomicInteger memtableRangeDeletes = new java.util.concurrent.atomic.AtomicInteger();

    /** A commit wrote {@code n} range tombstones: past {@link #RANGE_DELETES_BEFORE_FLUSH}, the memtable is flushed (in the background). */
    void rangeDeletesWritten(int n) {
        if (memtableRangeDeletes.addAndGet(n) < RANGE_DELETES_BEFORE_FLUSH) {
            return;
        }
        memtableRangeDeletes.set(0);
        long stamp = closeGate.readLock();
        try (FlushOptions background = new FlushOptions().setWaitForFlush(false)) {
            if (!closed) {
                db.flush(background);
                memtableFlushesForRangeDeletes.incrementAndGet();
            }
        } catch (RocksDBException e) {
            java.util.logging.Logger.getLogger(RocksDbEngine.class.getName()).log(java.util.logging.Level.WARNING,
                    "flushing a memtable full of range deletes failed", e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** Memtable flushes {@link #rangeDeletesWritten} asked for (for tests). */
    final java.util.concurrent.atomic.AtomicLong memtableFlushesForRangeDeletes = new java.util.concurrent.atomic.AtomicLong();

    /** Pending bytes past which a commit writes the pending commits itself (see "Write coalescing"). */
    static final int PENDING_WRITE_LIMIT = 4 << 20;

    /**
     * Applies one commit's writes ({@link LockingTransaction#TOMBSTONE} = delete): they join the
     * pending commits; unless {@code deferSync}, those are then written and the WAL flushed through
     * them (fsynced with SYNC) before returning. Call holding the commit gate shared.
     */
    void commit(NavigableMap<byte[], byte[]> writes, boolean deferSync) {
        ensureNotFailed();
        long commit = pending.add(writes);
        if (!deferSync) {
            writePendingThrough(commit);
            flushWalThrough(commit);
        } else if (pending.bytes() > PENDING_WRITE_LIMIT) {
            writePendingThrough(commit);
        }
    }

    /**
     * Writes one commit's serialized batch to RocksDB now, after the pending commits; unless
     * {@code deferSync}, also flushes the WAL through it. For commits with range deletes, which hold
     * the commit gate exclusively (so no commit joins the pending ones meanwhile).
     */
    void writeNow(byte[] batch, boolean deferSync) {
        long commit;
        synchronized (writeLock) {
            ensureNotFailed();
            writePendingLocked();
            commit = pending.reserve();
            try {
                writeBatch(batch);
            } finally {
                // written, or failed (the committer gets the exception): nothing left to write either way
                writtenCommits = commit;
            }
        }
        if (!deferSync) {
            flushWalThrough(commit);
        }
    }

    /** Writes every pending commit to RocksDB (before reading it other than by key). */
    void writePending() {
        writePendingThrough(pending.lastCommit());
    }

    /** Makes sure commits up to number {@code commit} are in RocksDB. */
    private void writePendingThrough(long commit) {
        if (writtenCommits >= commit) {
            ensureNotFailed();
            return;
        }
        synchronized (writeLock) {
            ensureNotFailed();
            if (writtenCommits < commit) {
                writePendingLocked();
            }
        }
    }

    /** Holding {@link #writeLock}: writes what is pending as one batch. */
    private void writePendingLocked() {
        PendingWrites.Batch batch = pending.take();
        if (batch == null) {
            return;
        }
        try {
            writeBatch(batch.serialize());
            writtenCommits = batch.lastCommit();
        } catch (RuntimeException e) {
            // Readers saw these commits (in the read cache, or pending): they must not see them any
            // more, nor anything built on them. RocksDB refuses writes after such an error anyway.
            writeFailure = e;
            cache.clear();
            throw e;
        } finally {
            pending.written();
        }
    }

    /** One RocksDB write; holding {@link #writeLock}. */
    private void writeBatch(byte[] batch) {
        long stamp = closeGate.readLock();
        try {
            if (closed && !closing) {
                throw closedException();
            }
            try (WriteBatch wb = new WriteBatch(batch)) {
                db.write(writeOptions, wb);
            }
            batchesWritten++;
        } catch (RocksDBException e) {
            throw failure("commit", e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    private void ensureNotFailed() {
        RuntimeException failed = writeFailure;
        if (failed != null) {
            throw new RocksDbEngineException("rocksdb: an earlier write failed, the engine accepts no more: "
                    + failed.getMessage(), failed);
        }
    }

    /**
     * Makes commits up to number {@code commit} durable as configured. The first caller flushes
     * for everyone written before it; callers that queued behind it usually find their commit
     * covered and return without a system call.
     */
    private void flushWalThrough(long commit) {
        if (flushedCommits >= commit) {
            return;
        }
        synchronized (walFlushLock) {
            if (flushedCommits >= commit) {
                return;
            }
            long through = writtenCommits;
            long stamp = closeGate.readLock();
            try {
                if (closed) {
                    throw closedException();
                }
                db.flushWal(durability == Durability.SYNC);
            } catch (RocksDBException e) {
                throw failure("WAL flush", e);
            } finally {
                closeGate.unlockRead(stamp);
            }
            walFlushes++;
            flushedCommits = through;
        }
    }

    /**
     * The latest committed value of a key the calling transaction has locked: from the
     * {@link ReadCache}, else read from RocksDB and cached.
     */
    byte[] readLocked(KeyLockTable.Key key) {
        return cache.readLocked(key, rangeDeletes, this::dbGet);
    }

    /** The latest committed value of a key if the {@link ReadCache} knows it without the key's lock, else null. */
    byte[] readUnlocked(KeyLockTable.Key key) {
        return cache.readUnlocked(key, rangeDeletes);
    }

    /**
     * Records the values a commit wrote as the keys' cached values; the committing transaction
     * still holds their locks and the commit gate.
     */
    void cacheCommitted(NavigableMap<byte[], byte[]> writes, Set<KeyLockTable.Key> scanned, List<byte[]> emptyPrefixes) {
        cache.putCommitted(writes, scanned, emptyPrefixes, LockingTransaction.TOMBSTONE, rangeDeletes.epoch());
    }

    private byte[] dbGet(byte[] key) {
        byte[] pendingValue = pending.get(key);
        if (pendingValue != null) {
            return pendingValue == LockingTransaction.TOMBSTONE ? null : pendingValue;
        }
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            return db.get(latest, key);
        } catch (RocksDBException e) {
            throw failure("get", e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** Commits that wrote something (to RocksDB or still pending), since the engine opened. */
    long commitsWritten() {
        return pending.lastCommit();
    }

    /** RocksDB write batches written for commits, since the engine opened. */
    long batchesWritten() {
        synchronized (writeLock) {
            return batchesWritten;
        }
    }

    /** WAL flushes made to make commits durable (each one an fsync with SYNC), since the engine opened. */
    long walFlushes() {
        synchronized (walFlushLock) {
            return walFlushes;
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
        writePending();
        RocksDbSnapshot snapshot = new RocksDbSnapshot(this);
        resources.registerView(snapshot);
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
        writePending();
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
        writePending();
        return callDb("property " + name, () -> db.getProperty(name));
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
     * Closes the database. Snapshots and cursors still open are freed first (a call in flight on
     * another thread finishes; later calls, and calls on open transactions, throw
     * {@link IllegalStateException}); uncommitted transactions are discarded. The WAL is written
     * out and fsynced before closing. Idempotent.
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
        // The last pending commits: after the write in flight, if any; later commits throw.
        synchronized (writeLock) {
            PendingWrites.Batch last = pending.close();
            if (last != null && writeFailure == null) {
                closing = true;
                try {
                    writeBatch(last.serialize());
                } catch (RuntimeException e) {
                    // as if the machine crashed before they were written
                } finally {
                    closing = false;
                    pending.written();
                }
            }
        }
        // Wait for database calls in flight; the ones after this see closed set and throw.
        long stamp = closeGate.writeLock();
        try {
            // No resource can register any more (closed is set), so releaseAll sees them all.
            resources.releaseAll();
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                // the close below still proceeds; a failed final sync is as if the machine crashed now
            } finally {
                closeQuietly(latest, writeOptions, db, options, bloomFilter, blockCache);
            }
        } finally {
            closeGate.unlockWrite(stamp);
        }
    }

    boolean isClosed() {
        return closed;
    }

    RocksDB db() {
        return db;
    }

    Options options() {
        return options;
    }

    /** Number of open snapshots and cursors; for leak tests. */
    int openResources() {
        return resources.size();
    }

    void registerCursor(RocksDbCursor cursor) {
        resources.registerCursor(cursor);
    }

    void unregister(NativeResource resource) {
        resources.unregister(resource);
    }

    IllegalStateException closedException() {
        return new IllegalStateException("rocksdb engine is closed: " + path);
    }

    /** A call on the database itself, made safe against a concurrent {@link #close()}. */
    private <T> T callDb(String what, RocksCall<T> call) {
        long stamp = closeGate.readLock();
        try {
            if (closed) {
                throw closedException();
            }
            return call.run();
        } catch (RocksDBException e) {
            throw failure(what, e);
        } finally {
            closeGate.unlockRead(stamp);
        }
    }

    /** ASYNC's periodic fsync: every WAL record written so far (and those still buffered). */
    private void fsyncWalQuietly() {
        try {
            writePending();
            callDb("WAL sync", () -> {
                db.flushWal(true);
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

    /** The greatest key in the database now (pending commits included), or null if it is empty. */
    byte[] lastKey() {
        writePending();
        return callDb("seek to the last key", () -> {
            try (RocksIterator it = db.newIterator(latest)) {
                it.seekToLast();
                if (it.isValid()) {
                    return it.key();
                }
                it.status();
                return null;
            }
        });
    }

    /** Whether a key {@code >= from} exists now (pending commits included). */
    boolean anyKeyAtOrAfter(byte[] from) {
        writePending();
        return callDb("seek", () -> {
            try (RocksIterator it = db.newIterator(latest)) {
                it.seek(from);
                if (it.isValid()) {
                    return true;
                }
                it.status();
                return false;
            }
        });
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
        private long readCacheSize = ReadCache.defaultCapacity();

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
         * Bytes of keys and values (plus about 100 bytes per entry) of recently read and written
         * keys kept on the Java heap so a transaction's reads of hot keys skip RocksDB (default
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
