package io.respkv.engine.tikv;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.tikv.common.TiSession;
import org.tikv.common.exception.RegionException;
import org.tikv.common.region.RegionStoreClient;
import org.tikv.common.region.TiRegion;
import org.tikv.common.region.TiStore;
import org.tikv.common.util.BackOffFunction;
import org.tikv.common.util.BackOffer;
import org.tikv.common.util.Pair;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.kvproto.TikvGrpc;
import org.tikv.shade.com.google.protobuf.ByteString;
import org.tikv.txn.Lock;
import org.tikv.txn.ResolveLockResult;

/**
 * An ascending transactional scan of {@code [low, high)} at one timestamp, region by region, in
 * pages that start small (32 entries) and double up to 1024, each a {@code KvScan} with the
 * page's limit and the range's end key.
 *
 * <p>Why not the client's scan iterator: tikv-client-java 3.3 sends every transactional region
 * scan with its fixed limit of 10240 and no end key, so a scan of three entries transfers up to
 * 10240 (and asking it for fewer fails once a region holds more). This sends the same request
 * the client would, with the client's region cache (a region error invalidates the region and
 * backs off like the client) and the client's lock resolver (a lock met is resolved, or waited
 * for briefly, see {@link LockWaitBackOffer}).
 */
final class TikvScanner implements Iterator<byte[][]> {

    private static final int FIRST_PAGE = 32;
    private static final int MAX_PAGE = 1024;

    private final TikvEngine engine;
    private final TiSession session;
    private final ByteString high;
    private final long ts;
    private final int lockWaitMillis;
    /** Where the next page starts; null when the range is exhausted. */
    private ByteString next;
    private int pageSize = FIRST_PAGE;
    private List<Kvrpcpb.KvPair> page = List.of();
    private int index;

    TikvScanner(TikvEngine engine, TiSession session, byte[] low, byte[] high, long ts, int lockWaitMillis) {
        this.engine = engine;
        this.session = session;
        this.high = ByteString.copyFrom(high);
        this.ts = ts;
        this.lockWaitMillis = lockWaitMillis;
        this.next = ByteString.copyFrom(low);
    }

    @Override
    public boolean hasNext() {
        while (index >= page.size() && next != null) {
            page = fetch();
            index = 0;
        }
        return index < page.size();
    }

    @Override
    public byte[][] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Kvrpcpb.KvPair p = page.get(index++);
        return new byte[][] {p.getKey().toByteArray(), p.getValue().toByteArray()};
    }

    /** The next page from {@link #next}, moving {@link #next} past it (to the next region at a region's end). */
    private List<Kvrpcpb.KvPair> fetch() {
        BackOffer bo = new LockWaitBackOffer(TikvEngine.READ_BACKOFF_MILLIS, lockWaitMillis);
        while (true) {
            Pair<TiRegion, TiStore> where = session.getRegionManager().getRegionStorePairByKey(next, bo);
            TiRegion region = where.first;
            ByteString regionEnd = region.getEndKey();
            boolean rangeEndsHere = regionEnd.isEmpty()
                    || ByteString.unsignedLexicographicalComparator().compare(high, regionEnd) <= 0;
            ByteString end = rangeEndsHere ? high : regionEnd;
            var channel = session.getChannelFactory().getChannel(where.second.getStore().getAddress(),
                    session.getConf().getHostMapping());
            Kvrpcpb.ScanResponse r = TikvGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(engine.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .kvScan(Kvrpcpb.ScanRequest.newBuilder().setContext(region.getLeaderContext()).setStartKey(next)
                            .setEndKey(end).setLimit(pageSize).setVersion(ts).build());
            if (r.hasRegionError()) {
                session.getRegionManager().invalidateRegion(region);
                bo.doBackOff(BackOffFunction.BackOffFuncType.BoRegionMiss, new RegionException(r.getRegionError()));
                continue;
            }
            List<Lock> locks = new ArrayList<>();
            for (Kvrpcpb.KvPair p : r.getPairsList()) {
                if (p.hasError() && p.getError().hasLocked()) {
                    locks.add(new Lock(p.getError().getLocked(), session.getPDClient().getCodec()));
                } else if (p.hasError()) {
                    throw new org.tikv.common.exception.KeyException(p.getError());
                }
            }
            if (r.hasError() && r.getError().hasLocked()) {
                locks.add(new Lock(r.getError().getLocked(), session.getPDClient().getCodec()));
            } else if (r.hasError()) {
                throw new org.tikv.common.exception.KeyException(r.getError());
            }
            if (!locks.isEmpty()) {
                RegionStoreClient client = session.getRegionStoreClientBuilder().build(region, where.second);
                ResolveLockResult resolved = client.lockResolverClient.resolveLocks(bo, ts, locks, false);
                if (resolved.getMsBeforeTxnExpired() > 0) {
                    bo.doBackOffWithMaxSleep(BackOffFunction.BackOffFuncType.BoTxnLockFast,
                            resolved.getMsBeforeTxnExpired(), new org.tikv.common.exception.KeyException("locked"));
                }
                continue; // read the page again: resolved locks are committed or gone
            }
            List<Kvrpcpb.KvPair> pairs = r.getPairsList();
            if (pairs.size() >= pageSize) {
                // more may follow in this region: continue right after the last key
                next = pairs.get(pairs.size() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
            } else {
                next = rangeEndsHere ? null : regionEnd;
            }
            pageSize = Math.min(MAX_PAGE, pageSize * 2);
            if (!pairs.isEmpty() || next == null) {
                return pairs;
            }
        }
    }
}
