package io.respkv.server;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory engine for server tests that declares more features: group commit, with a slow sync
 * ({@link #syncMillis}) that records how many commits it covered, or blocking I/O (the server then
 * runs commands on command threads).
 */
public final class SlowSyncEngine implements KeyspaceEngine {
    private final MemoryEngine delegate = new MemoryEngine();
    /** Commits made through {@link #beginDeferringSync}. */
    public final AtomicLong commits = new AtomicLong();
    /** The most commits a completed sync covered. */
    public final AtomicLong synced = new AtomicLong();
    private final EngineFeature declared;
    private final long syncMillis;

    /** Group commit, a sync taking 150 ms. */
    public SlowSyncEngine() {
        this(EngineFeature.GROUP_COMMIT, 150);
    }

    /** @param declared the feature added to the memory engine's; @param syncMillis how long a sync takes */
    public SlowSyncEngine(EngineFeature declared, long syncMillis) {
        this.declared = declared;
        this.syncMillis = syncMillis;
    }

    @Override
    public String name() {
        return "slow-sync";
    }

    @Override
    public Set<EngineFeature> features() {
        EnumSet<EngineFeature> f = EnumSet.noneOf(EngineFeature.class);
        f.addAll(delegate.features());
        f.add(declared);
        return f;
    }

    @Override
    public Transaction begin() {
        return delegate.begin();
    }

    @Override
    public Transaction beginDeferringSync() {
        Transaction t = delegate.begin();
        return new Transaction() {
            @Override
            public byte[] get(byte[] key) {
                return t.get(key);
            }

            @Override
            public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
                return t.scan(low, high, reverse);
            }

            @Override
            public void put(byte[] key, byte[] value) {
                t.put(key, value);
            }

            @Override
            public void delete(byte[] key) {
                t.delete(key);
            }

            @Override
            public void deleteRange(byte[] low, byte[] high) {
                t.deleteRange(low, high);
            }

            @Override
            public void commit() {
                t.commit();
                commits.incrementAndGet();
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    @Override
    public void syncCommitted() {
        long covered = commits.get();
        try {
            Thread.sleep(syncMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synced.accumulateAndGet(covered, Math::max);
    }

    @Override
    public Snapshot snapshot() {
        return delegate.snapshot();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
