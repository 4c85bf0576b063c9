package io.respkv.engine.tikv;

import static java.util.Objects.requireNonNull;

import io.respkv.api.EngineFeature;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tikv.common.TiConfiguration;
import org.tikv.common.TiSession;
import org.tikv.common.exception.KeyException;
import org.tikv.common.exception.TiKVException;
import org.tikv.common.region.RegionStoreClient;
import org.tikv.common.util.BackOffFunction;
import org.tikv.common.util.BackOffer;
import org.tikv.common.region.RegionManager;
import org.tikv.common.region.TiRegion;
import org.tikv.common.region.TiStore;
import org.tikv.common.util.ConcreteBackOffer;
import org.tikv.common.util.Pair;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.kvproto.TikvGrpc;
import org.tikv.shade.com.google.protobuf.ByteString;
import org.tikv.txn.KVClient;
import org.tikv.txn.TxnKVClient;
import org.tikv.txn.type.ClientRPCResult;

/**
 * The TiKV engine: respkv's ordered key space in a TiKV cluster, reached through PD with the
 * official Java client (tikv-client-java 3.3), shared by any number of stateless respkv
 * instances (correctness comes from TiKV's transactions, not from local locks).
 *
 * <pre>{@code
 * try (TikvEngine engine = TikvEngine.builder()
 *         .pd("pd1:2379", "pd2:2379", "pd3:2379")
 *         .prefix("respkv/")          // every key respkv writes lives under it
 *         .build()) {
 *     RespServer.builder().engine(engine).start().join();
 * }
 * }</pre>
 *
 * <h2>Transactions</h2>
 * Each {@link Transaction} is one Percolator transaction: its start timestamp comes from PD's
 * TSO, its reads are MVCC reads at that timestamp (the client resolves the locks of crashed
 * writers; respkv waits briefly for live ones, see {@link LockWaitBackOffer}), its writes are
 * buffered, and {@link Transaction#commit()} runs the two phases: prewrite every key (the first
 * in key order is the primary), take a commit timestamp, commit the primary (the commit point),
 * then the others. Keys the transaction read but did not write are written back in the same
 * commit (see {@link TikvTransaction}), so every read-modify-write is checked for write
 * conflicts: a conflict, or a lock that cannot be resolved in time, fails the commit with a
 * {@link TransactionConflictException}, and {@link #transact} / the server retry the command.
 * A failed prewrite rolls its locks back at once (best effort; otherwise they expire after the
 * {@linkplain Builder#lockTtl lock TTL}). A commit whose primary-key outcome is unknown (the
 * cluster went away mid-commit) fails with {@link EngineUnavailableException}, never a retry,
 * so a command is not applied twice. Region errors (NotLeader, EpochNotMatch, splits) are
 * handled by the client's region cache and retry paths.
 *
 * <p>The phases go through the client's {@link TxnKVClient} (one prewrite / commit request per
 * region), not its {@code TwoPhaseCommitter}: the committer treats every key error as retryable
 * and prewrites again with the same start timestamp after a region-miss back-off, so a write
 * conflict, which can never succeed on retry, costs its whole back-off budget (seconds) instead of
 * failing at once; its secondary prewrite takes no back-off of the caller's, and it starts a
 * thread pool per transaction. (Measured against the stand-in: 400 contended increments took 26 s
 * through the committer.)
 *
 * <h2>Reads</h2>
 * Point reads are one KvGet each (the SPI's {@code ReadView} has no multi-key read, so MGET is
 * one read per key; the client's batch get would serve a batched read API). Range scans cross
 * regions lazily, in growing pages bounded by the range's end ({@link TikvScanner}). Snapshots are reads
 * at one TSO timestamp.
 *
 * <h2>Background work</h2>
 * {@link #holdsBackgroundLease} grants each background task (active expiry, the version sweeper)
 * to one instance at a time: a lease record under the prefix's metadata keys, taken and renewed
 * by transactions (see {@link TikvBackgroundLeases}).
 */
public final class TikvEngine implements KeyspaceEngine {

    private static final Logger LOG = Logger.getLogger(TikvEngine.class.getName());
    private static final Set<EngineFeature> FEATURES = Set.of(EngineFeature.PERSISTENT, EngineFeature.SHARED_STORE,
            EngineFeature.BLOCKING_IO);
    /** Budget of the client's own back-offs (region errors, RPC retries) in a point read. */
    static final int READ_BACKOFF_MILLIS = 20_000;
    /** Budget of the client's own back-offs in each commit phase. */
    static final int COMMIT_BACKOFF_MILLIS = 20_000;
    /** Key prefix unless configured. */
    public static final String DEFAULT_PREFIX = "respkv/";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_LOCK_TTL = Duration.ofSeconds(3);
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(2);

    final TikvKeys keys;
    private final List<String> pd;
    private final byte[] prefix;
    private final TiSession session;
    private final KVClient kv;
    private final TxnKVClient txn;
    private final long lockTtlMillis;
    private final int lockWaitMillis;
    private final Duration timeout;
    private final TikvBackgroundLeases leases;
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final TikvCommands commands = new TikvCommands(this);
    private volatile boolean closed;

    private TikvEngine(Builder b) {
        this.pd = List.copyOf(b.pd);
        this.prefix = b.prefix.clone();
        this.keys = new TikvKeys(prefix);
        this.lockTtlMillis = b.lockTtl.toMillis();
        this.lockWaitMillis = (int) Math.min(Integer.MAX_VALUE, b.lockWait.toMillis());
        this.timeout = b.timeout;
        TiConfiguration conf = configuration(pd, b.timeout);
        try {
            this.session = TiSession.create(conf);
            this.kv = session.createKVClient();
            this.txn = session.createTxnClient();
        } catch (RuntimeException e) {
            throw new EngineUnavailableException("cannot reach PD at " + String.join(",", pd) + ": " + e.getMessage(), e);
        }
        this.leases = new TikvBackgroundLeases(this);
    }

    /** The client configuration for {@code pd}: transactional, no warm-up, no gRPC forwarding. */
    static TiConfiguration configuration(List<String> pd, Duration timeout) {
        TiConfiguration conf = TiConfiguration.createDefault(String.join(",", pd));
        conf.setWarmUpEnable(false);
        // forwarding through followers needs a multi-store cluster's health service; respkv fails over by retry
        conf.setEnableGrpcForward(false);
        conf.setTimeout(timeout.toMillis());
        return conf;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "tikv";
    }

    @Override
    public Set<EngineFeature> features() {
        return FEATURES;
    }

    /** The PD addresses this engine was opened with. */
    public List<String> pdAddresses() {
        return pd;
    }

    /** The prefix every key of this engine lives under in TiKV. */
    public byte[] prefix() {
        return prefix.clone();
    }

    /** Conflicts seen (each a retried transaction), for tests and metrics. */
    public long conflicts() {
        return conflicts.sum();
    }

    /** Transactions committed with writes. */
    public long commits() {
        return commits.sum();
    }

    /**
     * The {@code TIKV.*} / {@code PD.*} commands (raw TiKV access, see {@link TikvCommands}),
     * registered by a server running over this engine.
     */
    @Override
    public List<io.respkv.api.EngineCommand> commands() {
        return commands.commands();
    }

    Duration timeout() {
        return timeout;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tikv engine closed");
        }
    }

    /** A fresh TSO timestamp. */
    long timestamp() {
        checkOpen();
        try {
            return session.getTimestamp().getVersion();
        } catch (RuntimeException e) {
            throw unavailable("PD timestamp", e);
        }
    }

    @Override
    public Transaction begin() {
        return new TikvTransaction(this, timestamp());
    }

    @Override
    public Snapshot snapshot() {
        return new TikvSnapshot(this, timestamp());
    }

    @Override
    public boolean holdsBackgroundLease(String task) {
        return !closed && leases.holds(task);
    }

    // ---- reads ----

    /** The stored (encoded) value of TiKV key {@code stored} at {@code ts}, or null. */
    byte[] read(byte[] stored, long ts) {
        checkOpen();
        ByteString key = ByteString.copyFrom(stored);
        BackOffer bo = new LockWaitBackOffer(READ_BACKOFF_MILLIS, lockWaitMillis);
        try {
            // KVClient.get's loop, with respkv's lock-wait back-off
            while (true) {
                RegionStoreClient client = session.getRegionStoreClientBuilder().build(key);
                try {
                    ByteString v = client.get(bo, key, ts);
                    return v == null || v.isEmpty() ? null : v.toByteArray();
                } catch (TiKVException e) {
                    if (keyError(e) != null || e instanceof LockWaitBackOffer.LockWaitExceeded) {
                        throw e;
                    }
                    bo.doBackOff(BackOffFunction.BackOffFuncType.BoRegionMiss, e);
                }
            }
        } catch (RuntimeException e) {
            throw classify("read", e);
        }
    }

    /**
     * The stored values of {@code stored} keys at {@code ts} ({@code null} where absent): one
     * BatchGet per region the keys fall in, instead of one Get per key. A region that moved (a
     * region error) is regrouped after the client's region-miss back-off; locks are resolved by
     * the client with respkv's lock-wait back-off, as for {@link #read}.
     */
    byte[][] readAll(byte[][] stored, long ts) {
        checkOpen();
        byte[][] values = new byte[stored.length][];
        Map<ByteString, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < stored.length; i++) {
            positions.computeIfAbsent(ByteString.copyFrom(stored[i]), k -> new ArrayList<>(1)).add(i);
        }
        BackOffer bo = new LockWaitBackOffer(READ_BACKOFF_MILLIS, lockWaitMillis);
        try {
            Deque<List<ByteString>> pending = new ArrayDeque<>();
            pending.add(new ArrayList<>(positions.keySet()));
            while (!pending.isEmpty()) {
                Map<Long, List<ByteString>> groups = new LinkedHashMap<>();
                Map<Long, TiRegion> regions = new HashMap<>();
                for (ByteString key : pending.poll()) {
                    TiRegion region = session.getRegionManager().getRegionByKey(key, bo);
                    regions.putIfAbsent(region.getId(), region);
                    groups.computeIfAbsent(region.getId(), id -> new ArrayList<>()).add(key);
                }
                for (Map.Entry<Long, List<ByteString>> g : groups.entrySet()) {
                    RegionStoreClient client = session.getRegionStoreClientBuilder().build(regions.get(g.getKey()), bo);
                    List<Kvrpcpb.KvPair> pairs;
                    try {
                        pairs = client.batchGet(bo, g.getValue(), ts);
                    } catch (TiKVException e) {
                        if (keyError(e) != null || e instanceof LockWaitBackOffer.LockWaitExceeded) {
                            throw e;
                        }
                        bo.doBackOff(BackOffFunction.BackOffFuncType.BoRegionMiss, e);
                        pending.add(g.getValue());
                        continue;
                    }
                    for (Kvrpcpb.KvPair pair : pairs) {
                        List<Integer> at = positions.get(pair.getKey());
                        if (at != null && !pair.getValue().isEmpty()) {
                            byte[] value = pair.getValue().toByteArray();
                            at.forEach(i -> values[i] = value);
                        }
                    }
                }
            }
            return values;
        } catch (RuntimeException e) {
            throw classify("read", e);
        }
    }

    /**
     * The (stored key, stored value) pairs of {@code [low, high)} at {@code ts}, in key order,
     * fetched lazily region by region in growing pages (see {@link TikvScanner}).
     */
    Iterator<byte[][]> scan(byte[] low, byte[] high, long ts) {
        checkOpen();
        TikvScanner scanner = new TikvScanner(this, session, low, high, ts, lockWaitMillis);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return scanner.hasNext();
                } catch (RuntimeException e) {
                    throw classify("scan", e);
                }
            }

            @Override
            public byte[][] next() {
                try {
                    return scanner.next();
                } catch (RuntimeException e) {
                    throw classify("scan", e);
                }
            }
        };
    }

    // ---- commit ----

    /**
     * Commits {@code mutations} (stored key -> encoded value, or {@link TikvTransaction#DELETED})
     * as transaction {@code startTs}, in Percolator's two phases: prewrite every key (the first
     * one is the primary), take a commit timestamp, commit the primary (the commit point), then
     * the secondaries. Each phase sends one request per region through the client's
     * {@link TxnKVClient} (which resolves other transactions' locks and reports region errors);
     * see the class comment for why not the client's {@code TwoPhaseCommitter}.
     */
    void commit(long startTs, NavigableMap<byte[], byte[]> mutations) {
        checkOpen();
        if (mutations.isEmpty()) {
            return;
        }
        ByteString primary = ByteString.copyFrom(mutations.firstKey());
        Map<ByteString, Kvrpcpb.Mutation> byKey = new LinkedHashMap<>();
        for (Map.Entry<byte[], byte[]> m : mutations.entrySet()) {
            ByteString key = ByteString.copyFrom(m.getKey());
            byKey.put(key, m.getValue() == TikvTransaction.DELETED
                    ? Kvrpcpb.Mutation.newBuilder().setKey(key).setOp(Kvrpcpb.Op.Del).build()
                    : Kvrpcpb.Mutation.newBuilder().setKey(key).setOp(Kvrpcpb.Op.Put)
                            .setValue(ByteString.copyFrom(m.getValue())).build());
        }
        try {
            BackOffer bo = new LockWaitBackOffer(COMMIT_BACKOFF_MILLIS, lockWaitMillis);
            forEachRegion(byKey.keySet(), bo, (region, keys) -> txn.prewrite(bo,
                    keys.stream().map(byKey::get).toList(), primary, lockTtlMillis, startTs, region.first,
                    region.second));
        } catch (RuntimeException e) {
            rollback(startTs, byKey.keySet());
            throw classify("prewrite", e);
        }
        long commitTs;
        try {
            commitTs = session.getTimestamp().getVersion();
        } catch (RuntimeException e) {
            rollback(startTs, byKey.keySet());
            throw unavailable("commit timestamp", e);
        }
        try {
            BackOffer bo = ConcreteBackOffer.newCustomBackOff(COMMIT_BACKOFF_MILLIS);
            forEachRegion(List.of(primary), bo, (region, keys) -> txn.commit(bo, keys.toArray(ByteString[]::new),
                    startTs, commitTs, region.first, region.second));
        } catch (RuntimeException e) {
            if (keyError(e) != null) {
                // TiKV answered: the primary lock is gone (a resolver rolled it back), nothing committed
                rollback(startTs, byKey.keySet());
                conflicts.increment();
                throw new TransactionConflictException("tikv: transaction rolled back before its commit", e);
            }
            throw new EngineUnavailableException("tikv commit outcome unknown: " + message(e), e);
        }
        commits.increment();
        if (byKey.size() > 1) {
            List<ByteString> secondaries = new ArrayList<>(byKey.keySet()).subList(1, byKey.size());
            try {
                BackOffer bo = ConcreteBackOffer.newCustomBackOff(COMMIT_BACKOFF_MILLIS);
                forEachRegion(secondaries, bo, (region, keys) -> txn.commit(bo, keys.toArray(ByteString[]::new),
                        startTs, commitTs, region.first, region.second));
            } catch (RuntimeException e) {
                // committed at the primary: readers meeting a secondary lock commit it for us
                LOG.log(Level.FINE, "secondary commit left to lock resolution: " + message(e), e);
            }
        }
    }

    /** One phase's request for the keys of one region. */
    @FunctionalInterface
    private interface RegionRequest {
        ClientRPCResult send(Pair<TiRegion, TiStore> region, List<ByteString> keys);
    }

    /**
     * Sends {@code request} for {@code keys} grouped by region; a group whose region moved (a
     * region error: split, leader change, stale epoch) is regrouped after the client's region-miss
     * back-off and sent again. A key error fails at once: TxnKVClient counts it as retryable, but
     * retrying a prewrite that hit a write conflict with the same start timestamp conflicts again.
     */
    private void forEachRegion(Collection<ByteString> keys, BackOffer bo, RegionRequest request) {
        Deque<List<ByteString>> pending = new ArrayDeque<>();
        pending.add(new ArrayList<>(keys));
        while (!pending.isEmpty()) {
            Map<Long, List<ByteString>> groups = new LinkedHashMap<>();
            Map<Long, Pair<TiRegion, TiStore>> where = new HashMap<>();
            for (ByteString key : pending.poll()) {
                Pair<TiRegion, TiStore> p = session.getRegionManager().getRegionStorePairByKey(key, bo);
                where.putIfAbsent(p.first.getId(), p);
                groups.computeIfAbsent(p.first.getId(), id -> new ArrayList<>()).add(key);
            }
            for (Map.Entry<Long, List<ByteString>> g : groups.entrySet()) {
                ClientRPCResult r = request.send(where.get(g.getKey()), g.getValue());
                if (r.isSuccess()) {
                    continue;
                }
                Exception e = r.getException();
                if (keyError(e) != null || !r.isRetry()) {
                    throw new TiKVException(e == null ? "request failed" : e.getMessage(), e);
                }
                bo.doBackOff(BackOffFunction.BackOffFuncType.BoRegionMiss, e);
                pending.add(g.getValue());
            }
        }
    }

    /**
     * Rolls back what a failed commit may have prewritten, so other transactions need not wait
     * for the locks to expire. Best effort: tikv-client-java 3.3 has no public batch rollback, so
     * this sends KvBatchRollback to each region's leader itself, once, ignoring failures (the
     * locks then expire after the lock TTL and are resolved by whoever meets them).
     */
    private void rollback(long startTs, Iterable<ByteString> storedKeys) {
        try {
            RegionManager regions = session.getRegionManager();
            Map<Long, List<ByteString>> byRegion = new HashMap<>();
            Map<Long, Pair<TiRegion, TiStore>> where = new HashMap<>();
            for (ByteString key : storedKeys) {
                Pair<TiRegion, TiStore> p = regions.getRegionStorePairByKey(key);
                where.putIfAbsent(p.first.getId(), p);
                byRegion.computeIfAbsent(p.first.getId(), id -> new ArrayList<>()).add(key);
            }
            for (Map.Entry<Long, List<ByteString>> e : byRegion.entrySet()) {
                Pair<TiRegion, TiStore> p = where.get(e.getKey());
                var channel = session.getChannelFactory().getChannel(p.second.getStore().getAddress(),
                        session.getConf().getHostMapping());
                Kvrpcpb.BatchRollbackResponse r = TikvGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .kvBatchRollback(Kvrpcpb.BatchRollbackRequest.newBuilder().setContext(p.first.getLeaderContext())
                                .setStartVersion(startTs).addAllKeys(e.getValue()).build());
                if (r.hasRegionError() || r.hasError()) {
                    LOG.fine(() -> "rollback left to lock expiry: " + r);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "rollback left to lock expiry: " + message(e), e);
        }
    }

    // ---- errors ----

    private static Kvrpcpb.KeyError keyError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LockWaitBackOffer.LockWaitExceeded) {
                return Kvrpcpb.KeyError.getDefaultInstance();
            }
            if (t instanceof KeyException k) {
                return k.getKeyErr() != null ? k.getKeyErr() : Kvrpcpb.KeyError.getDefaultInstance();
            }
            if (t instanceof org.tikv.txn.exception.WriteConflictException) {
                return Kvrpcpb.KeyError.getDefaultInstance();
            }
        }
        return null;
    }

    /** A conflict (a TiKV key error: write conflict, unresolved lock) or an unreachable cluster. */
    private RuntimeException classify(String what, RuntimeException e) {
        if (e instanceof TransactionConflictException || e instanceof EngineUnavailableException) {
            return e;
        }
        if (keyError(e) != null) {
            conflicts.increment();
            return new TransactionConflictException("tikv " + what + ": " + message(e), e);
        }
        return unavailable(what, e);
    }

    private static EngineUnavailableException unavailable(String what, RuntimeException e) {
        return new EngineUnavailableException("tikv " + what + " failed: " + message(e), e);
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getMessage();
        return root == e || root.getMessage() == null ? String.valueOf(m) : m + " (" + root.getMessage() + ")";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        leases.close();
        closed = true;
        try {
            commands.close();
            kv.close();
            txn.close();
            session.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "closing the TiKV session", e);
        }
    }

    /** Builds a {@link TikvEngine}. */
    public static final class Builder {
        private List<String> pd = List.of();
        private byte[] prefix = DEFAULT_PREFIX.getBytes(StandardCharsets.UTF_8);
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration lockTtl = DEFAULT_LOCK_TTL;
        private Duration lockWait = DEFAULT_LOCK_WAIT;

        private Builder() {
        }

        /** PD endpoints, {@code host:port} each (required). */
        public Builder pd(String... addresses) {
            return pd(List.of(addresses));
        }

        public Builder pd(List<String> addresses) {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("at least one PD address is needed");
            }
            for (String a : addresses) {
                if (a.isBlank() || !a.contains(":")) {
                    throw new IllegalArgumentException("a PD address is host:port, got '" + a + "'");
                }
            }
            this.pd = List.copyOf(addresses);
            return this;
        }

        /** The prefix of every TiKV key respkv uses (default {@value #DEFAULT_PREFIX}); may be empty. */
        public Builder prefix(byte[] prefix) {
            this.prefix = requireNonNull(prefix).clone();
            return this;
        }

        public Builder prefix(String prefix) {
            return prefix(prefix.getBytes(StandardCharsets.UTF_8));
        }

        /** gRPC request timeout. */
        public Builder timeout(Duration timeout) {
            this.timeout = requireNonNull(timeout);
            return this;
        }

        /** How long a transaction's locks live if it dies between prewrite and commit. */
        public Builder lockTtl(Duration ttl) {
            this.lockTtl = requireNonNull(ttl);
            return this;
        }

        /** How long a read or prewrite backs off on other transactions' locks before it is a conflict. */
        public Builder lockWait(Duration wait) {
            this.lockWait = requireNonNull(wait);
            return this;
        }

        public TikvEngine build() {
            if (pd.isEmpty()) {
                throw new IllegalArgumentException("the tikv engine needs PD addresses (option pd, standalone --pd)");
            }
            return new TikvEngine(this);
        }
    }
}
