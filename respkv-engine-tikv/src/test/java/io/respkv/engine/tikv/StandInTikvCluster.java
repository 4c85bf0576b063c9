package io.respkv.engine.tikv;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.tikv.kvproto.Errorpb;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.kvproto.Metapb;
import org.tikv.kvproto.PDGrpc;
import org.tikv.kvproto.Pdpb;
import org.tikv.kvproto.TikvGrpc;
import org.tikv.shade.com.google.protobuf.ByteString;
import org.tikv.shade.io.grpc.Server;
import org.tikv.shade.io.grpc.netty.NettyServerBuilder;
import org.tikv.shade.io.grpc.protobuf.services.HealthStatusManager;
import org.tikv.shade.io.grpc.stub.StreamObserver;

/**
 * A STAND-IN for a PD + TiKV cluster, for tests only (no TiKV or PD binary can run on the build
 * machines): one gRPC server on 127.0.0.1 (ephemeral port) serving both PD's and TiKV's protocols
 * with tikv-client-java's own generated classes, so the real client runs against it unchanged.
 *
 * <p>PD: members (itself as leader), a TSO stream (strictly increasing), regions by key / id /
 * previous / scan, one store (version 5.0.0). TiKV: the transactional KV calls with Percolator
 * MVCC semantics ({@link StandInMvccStore}) and the raw KV calls. The key space is split into
 * regions at configurable keys; every TiKV request is checked like TiKV does: the region must
 * exist, its epoch match ({@code EpochNotMatch} otherwise, with the current regions) and its keys
 * lie inside it ({@code KeyNotInRegion}). {@link #split} splits a region while clients hold the old
 * layout; {@link #failNext} makes the next requests fail with a region error, so the client's
 * retry paths run.
 */
final class StandInTikvCluster implements AutoCloseable {

    static final long CLUSTER_ID = 6_000_001L;
    static final long STORE_ID = 1;

    /** Region errors {@link #failNext} can inject. */
    enum Fault { NOT_LEADER, EPOCH_NOT_MATCH, SERVER_IS_BUSY }

    private record Region(long id, ByteString start, ByteString end, long confVer, long version) {
        boolean contains(ByteString key) {
            return StandInMvccStore.ORDER.compare(key, start) >= 0
                    && (end.isEmpty() || StandInMvccStore.ORDER.compare(key, end) < 0);
        }

        Metapb.Region meta() {
            return Metapb.Region.newBuilder().setId(id).setStartKey(start).setEndKey(end)
                    .setRegionEpoch(Metapb.RegionEpoch.newBuilder().setConfVer(confVer).setVersion(version))
                    .addPeers(leader()).build();
        }

        Metapb.Peer leader() {
            return Metapb.Peer.newBuilder().setId(id * 10 + 1).setStoreId(STORE_ID).build();
        }
    }

    final StandInMvccStore store = new StandInMvccStore();
    private final List<Region> regions = new ArrayList<>();
    private long nextRegionId = 2;
    private final Server server;
    private final AtomicReference<Fault> fault = new AtomicReference<>();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    /** Region errors answered, by the injected faults and by stale client region caches. */
    final AtomicLong regionErrors = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final Map<String, AtomicLong> calls = new java.util.concurrent.ConcurrentHashMap<>();

    /** Starts a stand-in cluster whose key space is split into regions at {@code splitKeys}. */
    StandInTikvCluster(List<byte[]> splitKeys) {
        regions.add(new Region(1, ByteString.EMPTY, ByteString.EMPTY, 1, 1));
        for (byte[] k : splitKeys) {
            split(k);
        }
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new Pd()).addService(new Tikv())
                    .addService(new HealthStatusManager().getHealthService()).build().start();
        } catch (IOException e) {
            throw new IllegalStateException("stand-in cluster did not start", e);
        }
    }

    /** "127.0.0.1:port": the PD address (and the store's). */
    String pdAddress() {
        return "127.0.0.1:" + server.getPort();
    }

    /**
     * Splits the region containing transactional key {@code splitKey} at it (no-op at a boundary);
     * bumps epochs like TiKV. Region boundaries live in PD's key space, where a transactional key
     * is memcomparable-encoded ({@link #encode}), as tikv-client-java's API-v1 transactional codec
     * expects.
     */
    synchronized void split(byte[] splitKey) {
        ByteString key = encode(ByteString.copyFrom(splitKey));
        for (int i = 0; i < regions.size(); i++) {
            Region r = regions.get(i);
            if (r.contains(key) && !r.start.equals(key)) {
                Region left = new Region(nextRegionId++, r.start, key, r.confVer, r.version + 1);
                Region right = new Region(r.id, key, r.end, r.confVer, r.version + 1);
                regions.set(i, left);
                regions.add(i + 1, right);
                return;
            }
        }
    }

    /**
     * The memcomparable encoding of a transactional key in PD's key space (TiKV's and TiDB's
     * "bytes" codec): groups of 8 bytes, the last zero-padded, each followed by 0xFF minus its
     * padding.
     */
    static ByteString encode(ByteString key) {
        byte[] k = key.toByteArray();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((k.length / 8 + 1) * 9);
        for (int i = 0; i <= k.length; i += 8) {
            int n = Math.min(8, k.length - i);
            out.write(k, i, n);
            for (int p = n; p < 8; p++) {
                out.write(0);
            }
            out.write(0xFF - (8 - n));
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    /** The transactional key of an encoded region boundary (the empty boundary stays empty). */
    static ByteString decode(ByteString encoded) {
        if (encoded.isEmpty()) {
            return encoded;
        }
        byte[] e = encoded.toByteArray();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i + 9 <= e.length; i += 9) {
            int pad = 0xFF - (e[i + 8] & 0xFF);
            out.write(e, i, 8 - pad);
            if (pad > 0) {
                break;
            }
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    synchronized int regionCount() {
        return regions.size();
    }

    /** The next {@code count} TiKV requests fail with {@code kind}. */
    void failNext(Fault kind, int count) {
        fault.set(kind);
        faultsLeft.set(count);
    }

    int faultsLeft() {
        return Math.max(0, faultsLeft.get());
    }

    private synchronized Region regionOf(ByteString key) {
        for (Region r : regions) {
            if (r.contains(key)) {
                return r;
            }
        }
        throw new IllegalStateException("regions do not cover the key space");
    }

    private synchronized Region regionById(long id) {
        for (Region r : regions) {
            if (r.id == id) {
                return r;
            }
        }
        return null;
    }

    /** The region error TiKV would answer for a request in {@code ctx} on {@code keys}, or null. */
    private Errorpb.Error check(String call, Kvrpcpb.Context ctx, List<ByteString> keys) {
        requests.incrementAndGet();
        calls.computeIfAbsent(call, c -> new AtomicLong()).incrementAndGet();
        boolean txn = call.startsWith("Kv");
        Errorpb.Error e = check0(ctx, txn ? keys.stream().map(StandInTikvCluster::encode).toList() : keys);
        if (e != null) {
            regionErrors.incrementAndGet();
        }
        return e;
    }

    private Errorpb.Error check0(Kvrpcpb.Context ctx, List<ByteString> keys) {
        Fault f = fault.get();
        if (f != null && faultsLeft.getAndDecrement() > 0) {
            Region r = regionById(ctx.getRegionId());
            Errorpb.Error.Builder e = Errorpb.Error.newBuilder().setMessage("stand-in injected " + f);
            switch (f) {
                case NOT_LEADER -> e.setNotLeader(Errorpb.NotLeader.newBuilder().setRegionId(ctx.getRegionId())
                        .setLeader(r != null ? r.leader() : Metapb.Peer.getDefaultInstance()));
                case EPOCH_NOT_MATCH -> e.setEpochNotMatch(Errorpb.EpochNotMatch.newBuilder()
                        .addAllCurrentRegions(r != null ? List.of(r.meta()) : List.of()));
                case SERVER_IS_BUSY -> e.setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason("stand-in busy")
                        .setBackoffMs(1));
            }
            return e.build();
        }
        synchronized (this) {
            Region r = regionById(ctx.getRegionId());
            if (r == null) {
                // merged away or split under a new id: the client must reload its cache
                return Errorpb.Error.newBuilder().setMessage("region not found")
                        .setRegionNotFound(Errorpb.RegionNotFound.newBuilder().setRegionId(ctx.getRegionId())).build();
            }
            Metapb.RegionEpoch epoch = ctx.getRegionEpoch();
            if (epoch.getVersion() != r.version || epoch.getConfVer() != r.confVer) {
                List<Metapb.Region> current = new ArrayList<>();
                for (Region other : regions) {
                    current.add(other.meta());
                }
                return Errorpb.Error.newBuilder().setMessage("epoch not match")
                        .setEpochNotMatch(Errorpb.EpochNotMatch.newBuilder().addAllCurrentRegions(current)).build();
            }
            for (ByteString k : keys) {
                if (!r.contains(k)) {
                    return Errorpb.Error.newBuilder().setMessage("key not in region")
                            .setKeyNotInRegion(Errorpb.KeyNotInRegion.newBuilder().setKey(k).setRegionId(r.id)
                                    .setStartKey(r.start).setEndKey(r.end)).build();
                }
            }
            return null;
        }
    }

    /**
     * The end of the range a request in {@code ctx} may touch: the smaller of its region's end
     * (decoded for a transactional request) and {@code end}.
     */
    private ByteString clampEnd(Kvrpcpb.Context ctx, ByteString end, boolean txn) {
        Region r = regionById(ctx.getRegionId());
        if (r.end.isEmpty()) {
            return end;
        }
        ByteString regionEnd = txn ? decode(r.end) : r.end;
        if (end.isEmpty() || StandInMvccStore.ORDER.compare(regionEnd, end) < 0) {
            return regionEnd;
        }
        return end;
    }

    private ByteString regionStart(Kvrpcpb.Context ctx) {
        return decode(regionById(ctx.getRegionId()).start);
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- PD ----

    private Pdpb.ResponseHeader header() {
        return Pdpb.ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).build();
    }

    private final class Pd extends PDGrpc.PDImplBase {

        private Pdpb.Member self() {
            String url = "http://" + pdAddress();
            return Pdpb.Member.newBuilder().setName("stand-in-pd").setMemberId(1).addClientUrls(url).addPeerUrls(url)
                    .build();
        }

        @Override
        public void getMembers(Pdpb.GetMembersRequest request, StreamObserver<Pdpb.GetMembersResponse> out) {
            reply(out, Pdpb.GetMembersResponse.newBuilder().setHeader(header()).addMembers(self()).setLeader(self())
                    .setEtcdLeader(self()).build());
        }

        @Override
        public StreamObserver<Pdpb.TsoRequest> tso(StreamObserver<Pdpb.TsoResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(Pdpb.TsoRequest request) {
                    long ts = 0;
                    for (int i = 0; i < Math.max(1, request.getCount()); i++) {
                        ts = store.nextTimestamp();
                    }
                    out.onNext(Pdpb.TsoResponse.newBuilder().setHeader(header()).setCount(request.getCount())
                            .setTimestamp(Pdpb.Timestamp.newBuilder().setPhysical(StandInMvccStore.physical(ts))
                                    .setLogical(ts & ((1 << 18) - 1)))
                            .build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        private Pdpb.GetRegionResponse region(Region r) {
            return Pdpb.GetRegionResponse.newBuilder().setHeader(header()).setRegion(r.meta()).setLeader(r.leader())
                    .build();
        }

        @Override
        public void getRegion(Pdpb.GetRegionRequest request, StreamObserver<Pdpb.GetRegionResponse> out) {
            reply(out, region(regionOf(request.getRegionKey())));
        }

        @Override
        public void getPrevRegion(Pdpb.GetRegionRequest request, StreamObserver<Pdpb.GetRegionResponse> out) {
            Region r = regionOf(request.getRegionKey());
            Region prev = null;
            synchronized (StandInTikvCluster.this) {
                int i = regions.indexOf(r);
                if (i > 0) {
                    prev = regions.get(i - 1);
                }
            }
            reply(out, prev == null ? Pdpb.GetRegionResponse.newBuilder().setHeader(header()).build() : region(prev));
        }

        @Override
        public void getRegionByID(Pdpb.GetRegionByIDRequest request, StreamObserver<Pdpb.GetRegionResponse> out) {
            Region r = regionById(request.getRegionId());
            reply(out, r == null ? Pdpb.GetRegionResponse.newBuilder().setHeader(header()).build() : region(r));
        }

        @Override
        public void scanRegions(Pdpb.ScanRegionsRequest request, StreamObserver<Pdpb.ScanRegionsResponse> out) {
            Pdpb.ScanRegionsResponse.Builder b = Pdpb.ScanRegionsResponse.newBuilder().setHeader(header());
            synchronized (StandInTikvCluster.this) {
                int limit = request.getLimit() <= 0 ? Integer.MAX_VALUE : request.getLimit();
                for (Region r : regions) {
                    boolean endsAfterStart = r.end.isEmpty()
                            || StandInMvccStore.ORDER.compare(r.end, request.getStartKey()) > 0;
                    boolean startsBeforeEnd = request.getEndKey().isEmpty()
                            || StandInMvccStore.ORDER.compare(r.start, request.getEndKey()) < 0;
                    if (endsAfterStart && startsBeforeEnd && b.getRegionsCount() < limit) {
                        b.addRegionMetas(r.meta()).addLeaders(r.leader())
                                .addRegions(Pdpb.Region.newBuilder().setRegion(r.meta()).setLeader(r.leader()));
                    }
                }
            }
            reply(out, b.build());
        }

        private Metapb.Store storeMeta() {
            return Metapb.Store.newBuilder().setId(STORE_ID).setAddress(pdAddress()).setVersion("5.0.0")
                    .setState(Metapb.StoreState.Up).build();
        }

        @Override
        public void getStore(Pdpb.GetStoreRequest request, StreamObserver<Pdpb.GetStoreResponse> out) {
            reply(out, Pdpb.GetStoreResponse.newBuilder().setHeader(header()).setStore(storeMeta()).build());
        }

        @Override
        public void getAllStores(Pdpb.GetAllStoresRequest request, StreamObserver<Pdpb.GetAllStoresResponse> out) {
            reply(out, Pdpb.GetAllStoresResponse.newBuilder().setHeader(header()).addStores(storeMeta()).build());
        }
    }

    // ---- TiKV ----

    private final class Tikv extends TikvGrpc.TikvImplBase {

        @Override
        public void kvGet(Kvrpcpb.GetRequest r, StreamObserver<Kvrpcpb.GetResponse> out) {
            Kvrpcpb.GetResponse.Builder b = Kvrpcpb.GetResponse.newBuilder();
            Errorpb.Error e = check("KvGet", r.getContext(), List.of(r.getKey()));
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            try {
                ByteString v = store.get(r.getKey(), r.getVersion(), r.getContext().getResolvedLocksList());
                if (v == null) {
                    b.setNotFound(true);
                } else {
                    b.setValue(v);
                }
            } catch (StandInMvccStore.KeyErrorException locked) {
                b.setError(locked.error);
            }
            reply(out, b.build());
        }

        @Override
        public void kvBatchGet(Kvrpcpb.BatchGetRequest r, StreamObserver<Kvrpcpb.BatchGetResponse> out) {
            Kvrpcpb.BatchGetResponse.Builder b = Kvrpcpb.BatchGetResponse.newBuilder();
            Errorpb.Error e = check("KvBatchGet", r.getContext(), r.getKeysList());
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            for (ByteString key : r.getKeysList()) {
                try {
                    ByteString v = store.get(key, r.getVersion(), r.getContext().getResolvedLocksList());
                    if (v != null) {
                        b.addPairs(Kvrpcpb.KvPair.newBuilder().setKey(key).setValue(v));
                    }
                } catch (StandInMvccStore.KeyErrorException locked) {
                    b.addPairs(Kvrpcpb.KvPair.newBuilder().setKey(key).setError(locked.error));
                }
            }
            reply(out, b.build());
        }

        @Override
        public void kvScan(Kvrpcpb.ScanRequest r, StreamObserver<Kvrpcpb.ScanResponse> out) {
            Kvrpcpb.ScanResponse.Builder b = Kvrpcpb.ScanResponse.newBuilder();
            // a reverse scan's start_key is its (exclusive) upper bound, end_key its lower bound
            Errorpb.Error e = check("KvScan", r.getContext(), r.getReverse() ? List.of() : List.of(r.getStartKey()));
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            List<Kvrpcpb.KvPair> pairs;
            if (r.getReverse()) {
                ByteString low = r.getEndKey();
                if (StandInMvccStore.ORDER.compare(low, regionStart(r.getContext())) < 0) {
                    low = regionStart(r.getContext());
                }
                pairs = store.scan(low, r.getStartKey(), r.getLimit(), r.getVersion(), r.getKeyOnly(), true,
                        r.getContext().getResolvedLocksList());
            } else {
                pairs = store.scan(r.getStartKey(), clampEnd(r.getContext(), r.getEndKey(), true), r.getLimit(),
                        r.getVersion(), r.getKeyOnly(), false, r.getContext().getResolvedLocksList());
            }
            reply(out, b.addAllPairs(pairs).build());
        }

        @Override
        public void kvPrewrite(Kvrpcpb.PrewriteRequest r, StreamObserver<Kvrpcpb.PrewriteResponse> out) {
            Kvrpcpb.PrewriteResponse.Builder b = Kvrpcpb.PrewriteResponse.newBuilder();
            List<ByteString> keys = new ArrayList<>();
            r.getMutationsList().forEach(m -> keys.add(m.getKey()));
            Errorpb.Error e = check("KvPrewrite", r.getContext(), keys);
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            reply(out, b.addAllErrors(store.prewrite(r.getMutationsList(), r.getPrimaryLock(), r.getStartVersion(),
                    r.getLockTtl())).build());
        }

        @Override
        public void kvCommit(Kvrpcpb.CommitRequest r, StreamObserver<Kvrpcpb.CommitResponse> out) {
            Kvrpcpb.CommitResponse.Builder b = Kvrpcpb.CommitResponse.newBuilder();
            Errorpb.Error e = check("KvCommit", r.getContext(), r.getKeysList());
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            Kvrpcpb.KeyError error = store.commit(r.getKeysList(), r.getStartVersion(), r.getCommitVersion());
            if (error != null) {
                b.setError(error);
            } else {
                b.setCommitVersion(r.getCommitVersion());
            }
            reply(out, b.build());
        }

        @Override
        public void kvBatchRollback(Kvrpcpb.BatchRollbackRequest r, StreamObserver<Kvrpcpb.BatchRollbackResponse> out) {
            Kvrpcpb.BatchRollbackResponse.Builder b = Kvrpcpb.BatchRollbackResponse.newBuilder();
            Errorpb.Error e = check("KvBatchRollback", r.getContext(), r.getKeysList());
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            Kvrpcpb.KeyError error = store.batchRollback(r.getKeysList(), r.getStartVersion());
            if (error != null) {
                b.setError(error);
            }
            reply(out, b.build());
        }

        @Override
        public void kvCleanup(Kvrpcpb.CleanupRequest r, StreamObserver<Kvrpcpb.CleanupResponse> out) {
            Kvrpcpb.CleanupResponse.Builder b = Kvrpcpb.CleanupResponse.newBuilder();
            Errorpb.Error e = check("KvCleanup", r.getContext(), List.of(r.getKey()));
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            try {
                b.setCommitVersion(store.cleanup(r.getKey(), r.getStartVersion(), r.getCurrentTs()));
            } catch (StandInMvccStore.KeyErrorException locked) {
                b.setError(locked.error);
            }
            reply(out, b.build());
        }

        @Override
        public void kvCheckTxnStatus(Kvrpcpb.CheckTxnStatusRequest r,
                StreamObserver<Kvrpcpb.CheckTxnStatusResponse> out) {
            Errorpb.Error e = check("KvCheckTxnStatus", r.getContext(), List.of(r.getPrimaryKey()));
            if (e != null) {
                reply(out, Kvrpcpb.CheckTxnStatusResponse.newBuilder().setRegionError(e).build());
                return;
            }
            reply(out, store.checkTxnStatus(r.getPrimaryKey(), r.getLockTs(), r.getCurrentTs(),
                    r.getRollbackIfNotExist()).build());
        }

        @Override
        public void kvResolveLock(Kvrpcpb.ResolveLockRequest r, StreamObserver<Kvrpcpb.ResolveLockResponse> out) {
            Errorpb.Error e = check("KvResolveLock", r.getContext(), r.getKeysList());
            if (e != null) {
                reply(out, Kvrpcpb.ResolveLockResponse.newBuilder().setRegionError(e).build());
                return;
            }
            Map<Long, Long> txns = new HashMap<>();
            if (r.getTxnInfosCount() > 0) {
                r.getTxnInfosList().forEach(t -> txns.put(t.getTxn(), t.getStatus()));
            } else {
                txns.put(r.getStartVersion(), r.getCommitVersion());
            }
            Region region = regionById(r.getContext().getRegionId());
            store.resolveLocks(decode(region.start), decode(region.end), r.getKeysList(), txns);
            reply(out, Kvrpcpb.ResolveLockResponse.getDefaultInstance());
        }

        @Override
        public void kvTxnHeartBeat(Kvrpcpb.TxnHeartBeatRequest r, StreamObserver<Kvrpcpb.TxnHeartBeatResponse> out) {
            Kvrpcpb.TxnHeartBeatResponse.Builder b = Kvrpcpb.TxnHeartBeatResponse.newBuilder();
            Errorpb.Error e = check("KvTxnHeartBeat", r.getContext(), List.of(r.getPrimaryLock()));
            if (e != null) {
                reply(out, b.setRegionError(e).build());
                return;
            }
            try {
                b.setLockTtl(store.heartBeat(r.getPrimaryLock(), r.getStartVersion(), r.getAdviseLockTtl()));
            } catch (StandInMvccStore.KeyErrorException notFound) {
                b.setError(notFound.error);
            }
            reply(out, b.build());
        }

        // ---- raw ----

        private <B> boolean rawCheck(String call, Kvrpcpb.Context ctx, List<ByteString> keys, Consumer<Errorpb.Error> fail) {
            Errorpb.Error e = check(call, ctx, keys);
            if (e != null) {
                fail.accept(e);
                return false;
            }
            return true;
        }

        @Override
        public void rawGet(Kvrpcpb.RawGetRequest r, StreamObserver<Kvrpcpb.RawGetResponse> out) {
            Kvrpcpb.RawGetResponse.Builder b = Kvrpcpb.RawGetResponse.newBuilder();
            if (rawCheck("RawGet", r.getContext(), List.of(r.getKey()), b::setRegionError)) {
                synchronized (store) {
                    ByteString v = store.rawData.get(r.getKey());
                    if (v == null) {
                        b.setNotFound(true);
                    } else {
                        b.setValue(v);
                    }
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawBatchGet(Kvrpcpb.RawBatchGetRequest r, StreamObserver<Kvrpcpb.RawBatchGetResponse> out) {
            Kvrpcpb.RawBatchGetResponse.Builder b = Kvrpcpb.RawBatchGetResponse.newBuilder();
            if (rawCheck("RawBatchGet", r.getContext(), r.getKeysList(), b::setRegionError)) {
                synchronized (store) {
                    for (ByteString k : r.getKeysList()) {
                        ByteString v = store.rawData.get(k);
                        if (v != null) {
                            b.addPairs(Kvrpcpb.KvPair.newBuilder().setKey(k).setValue(v));
                        }
                    }
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawPut(Kvrpcpb.RawPutRequest r, StreamObserver<Kvrpcpb.RawPutResponse> out) {
            Kvrpcpb.RawPutResponse.Builder b = Kvrpcpb.RawPutResponse.newBuilder();
            if (rawCheck("RawPut", r.getContext(), List.of(r.getKey()), b::setRegionError)) {
                synchronized (store) {
                    store.rawData.put(r.getKey(), r.getValue());
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawBatchPut(Kvrpcpb.RawBatchPutRequest r, StreamObserver<Kvrpcpb.RawBatchPutResponse> out) {
            Kvrpcpb.RawBatchPutResponse.Builder b = Kvrpcpb.RawBatchPutResponse.newBuilder();
            List<ByteString> keys = new ArrayList<>();
            r.getPairsList().forEach(p -> keys.add(p.getKey()));
            if (rawCheck("RawBatchPut", r.getContext(), keys, b::setRegionError)) {
                synchronized (store) {
                    r.getPairsList().forEach(p -> store.rawData.put(p.getKey(), p.getValue()));
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawDelete(Kvrpcpb.RawDeleteRequest r, StreamObserver<Kvrpcpb.RawDeleteResponse> out) {
            Kvrpcpb.RawDeleteResponse.Builder b = Kvrpcpb.RawDeleteResponse.newBuilder();
            if (rawCheck("RawDelete", r.getContext(), List.of(r.getKey()), b::setRegionError)) {
                synchronized (store) {
                    store.rawData.remove(r.getKey());
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawBatchDelete(Kvrpcpb.RawBatchDeleteRequest r, StreamObserver<Kvrpcpb.RawBatchDeleteResponse> out) {
            Kvrpcpb.RawBatchDeleteResponse.Builder b = Kvrpcpb.RawBatchDeleteResponse.newBuilder();
            if (rawCheck("RawBatchDelete", r.getContext(), r.getKeysList(), b::setRegionError)) {
                synchronized (store) {
                    r.getKeysList().forEach(store.rawData::remove);
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawScan(Kvrpcpb.RawScanRequest r, StreamObserver<Kvrpcpb.RawScanResponse> out) {
            Kvrpcpb.RawScanResponse.Builder b = Kvrpcpb.RawScanResponse.newBuilder();
            if (r.getReverse()) {
                check("RawScan", r.getContext(), List.of());
                reply(out, b.setRegionError(Errorpb.Error.newBuilder().setMessage("stand-in: no reverse raw scan"))
                        .build());
                return;
            }
            if (rawCheck("RawScan", r.getContext(), List.of(r.getStartKey()), b::setRegionError)) {
                ByteString end = clampEnd(r.getContext(), r.getEndKey(), false);
                synchronized (store) {
                    var range = end.isEmpty() ? store.rawData.tailMap(r.getStartKey(), true)
                            : store.rawData.subMap(r.getStartKey(), true, end, false);
                    for (var e : range.entrySet()) {
                        if (b.getKvsCount() >= r.getLimit()) {
                            break;
                        }
                        b.addKvs(Kvrpcpb.KvPair.newBuilder().setKey(e.getKey())
                                .setValue(r.getKeyOnly() ? ByteString.EMPTY : e.getValue()));
                    }
                }
            }
            reply(out, b.build());
        }

        @Override
        public void rawDeleteRange(Kvrpcpb.RawDeleteRangeRequest r, StreamObserver<Kvrpcpb.RawDeleteRangeResponse> out) {
            Kvrpcpb.RawDeleteRangeResponse.Builder b = Kvrpcpb.RawDeleteRangeResponse.newBuilder();
            if (rawCheck("RawDeleteRange", r.getContext(), List.of(r.getStartKey()), b::setRegionError)) {
                ByteString end = clampEnd(r.getContext(), r.getEndKey(), false);
                synchronized (store) {
                    (end.isEmpty() ? store.rawData.tailMap(r.getStartKey(), true)
                            : store.rawData.subMap(r.getStartKey(), true, end, false)).clear();
                }
            }
            reply(out, b.build());
        }
    }
}
