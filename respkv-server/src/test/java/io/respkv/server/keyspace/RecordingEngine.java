package io.respkv.server.keyspace;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An engine decorator that records what every transaction did (point reads, writes, range
 * deletes), so tests can assert how much work an operation costs on the engine, and the key
 * hashes the server hinted at with {@link #prefetch}.
 */
public final class RecordingEngine implements KeyspaceEngine {

    /** What one transaction did, in order. */
    public static final class Log {
        public final List<byte[]> gets = new ArrayList<>();
        public final List<byte[]> puts = new ArrayList<>();
        public final List<byte[]> deletes = new ArrayList<>();
        public final List<byte[]> rangeDeletes = new ArrayList<>();
        public volatile boolean committed;

        public int writes() {
            return puts.size() + deletes.size() + rangeDeletes.size();
        }
    }

    private final KeyspaceEngine delegate;
    private final Set<EngineFeature> features;
    private final List<Log> logs = Collections.synchronizedList(new ArrayList<>());
    private final List<int[]> prefetches = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Runnable> beforeNextCommit = new AtomicReference<>();

    public RecordingEngine(KeyspaceEngine delegate) {
        this(delegate, Set.of());
    }

    /** @param declared features declared besides the delegate's ({@code PREFETCH}: so the server hints) */
    public RecordingEngine(KeyspaceEngine delegate, Set<EngineFeature> declared) {
        this.delegate = delegate;
        java.util.EnumSet<EngineFeature> all = java.util.EnumSet.noneOf(EngineFeature.class);
        all.addAll(delegate.features());
        all.addAll(declared);
        this.features = Set.copyOf(all);
    }

    /** The key hashes of every {@link #prefetch} call so far, a call's in one array. */
    public List<int[]> prefetches() {
        synchronized (prefetches) {
            return List.copyOf(prefetches);
        }
    }

    /** The logs of every transaction begun so far. */
    public List<Log> logs() {
        synchronized (logs) {
            return List.copyOf(logs);
        }
    }

    /**
     * Runs {@code action} once, just before the next transaction of this engine commits: a
     * concurrent writer that slips in between a transaction's reads and its commit.
     */
    public void beforeNextCommit(Runnable action) {
        beforeNextCommit.set(action);
    }

    public void clear() {
        logs.clear();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<EngineFeature> features() {
        return features;
    }

    @Override
    public int prefetch(int[] keyHashes, int count) {
        prefetches.add(java.util.Arrays.copyOf(keyHashes, count));
        return delegate.prefetch(keyHashes, count);
    }

    @Override
    public Transaction begin() {
        Log log = new Log();
        logs.add(log);
        Transaction t = delegate.begin();
        return new Transaction() {
            @Override
            public byte[] get(byte[] key) {
                log.gets.add(key.clone());
                return t.get(key);
            }

            @Override
            public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
                return t.scan(low, high, reverse);
            }

            @Override
            public void put(byte[] key, byte[] value) {
                log.puts.add(key.clone());
                t.put(key, value);
            }

            @Override
            public void delete(byte[] key) {
                log.deletes.add(key.clone());
                t.delete(key);
            }

            @Override
            public void deleteRange(byte[] low, byte[] high) {
                log.rangeDeletes.add(low.clone());
                t.deleteRange(low, high);
            }

            @Override
            public void commit() {
                Runnable interloper = beforeNextCommit.getAndSet(null);
                if (interloper != null) {
                    interloper.run();
                }
                t.commit();
                log.committed = true;
            }

            @Override
            public void close() {
                t.close();
            }
        };
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
