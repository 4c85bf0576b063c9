package io.respkv.jmh;

import io.respkv.api.KeyOrder;
import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engines' {@link ReadCache} against what it replaced, a pair of {@code ConcurrentHashMap}s
 * (keys that were read, keys only written) of key objects to value holders, one thread, as a
 * command's metadata read uses it: build the key (its hash), look it up.
 *
 * <ul>
 *   <li>{@code hit}: a random one of 100,000 cached keys (20-byte keys, 80-byte values, as a
 *       string key's metadata); the cached value is read.</li>
 *   <li>{@code miss}: a random key that is not cached (the maps: both probed).</li>
 *   <li>{@code update}: a commit's write of a random cached key (what follows the read of a SET):
 *       the cache's entry replaced by a new one.</li>
 * </ul>
 * The table is far larger than the CPU caches, so each lookup's dependent memory reads dominate:
 * what the layout changes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadCacheBenchmark {

    static final int KEYS = 100_000;

    @Param({"readcache", "concurrenthashmap"})
    public String cache;

    /** The replaced layout's value holder. */
    static final class Holder {
        final byte[] value;
        volatile long epoch;

        Holder(byte[] value) {
            this.value = value;
        }
    }

    private ReadCache readCache;
    private ConcurrentHashMap<KeyLockTable.Key, Holder> read;
    private ConcurrentHashMap<KeyLockTable.Key, Holder> written;
    private byte[][] cached;
    /** One single-write commit per cached key, as {@link ReadCache#putCommitted} takes them. */
    private java.util.NavigableMap<byte[], byte[]>[] commits;
    private byte[][] absent;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setup() {
        cached = new byte[KEYS][];
        @SuppressWarnings("unchecked")
        java.util.NavigableMap<byte[], byte[]>[] maps = new java.util.NavigableMap[KEYS];
        commits = maps;
        absent = new byte[KEYS][];
        readCache = new ReadCache(1L << 30);
        read = new ConcurrentHashMap<>();
        written = new ConcurrentHashMap<>();
        RangeDeleteLog ranges = new RangeDeleteLog();
        // In random order, as a server's clients touch keys: nothing sits next to its neighbours in memory.
        for (int i : RandomIndex.shuffled(KEYS, 3)) {
            cached[i] = String.format("M\0\0\020key:%012d", i).getBytes(StandardCharsets.ISO_8859_1);
            absent[i] = String.format("M\0\0\020nix:%012d", i).getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = new byte[80];
            value[0] = (byte) i;
            commits[i] = new java.util.TreeMap<>(KeyOrder.UNSIGNED);
            // The cache holds copies: a command looks its key up with an array it just built,
            // never the one the cache keeps (Arrays.equals of an array with itself returns at once).
            commits[i].put(cached[i].clone(), value.clone());
            if (cache.equals("readcache")) {
                readCache.put(new KeyLockTable.Key(cached[i].clone()), value, ranges.epoch());
            } else {
                read.put(new KeyLockTable.Key(cached[i].clone()), new Holder(value));
            }
        }
    }

    private ReadCache.Entry lookupCache(byte[] key) {
        return readCache.get(new KeyLockTable.Key(key));
    }

    private Holder lookupMaps(byte[] key) {
        KeyLockTable.Key k = new KeyLockTable.Key(key);
        Holder h = read.get(k);
        return h != null ? h : written.get(k);
    }

    @Benchmark
    public int hit() {
        byte[] key = cached[random.nextInt(KEYS)];
        return cache.equals("readcache") ? lookupCache(key).value()[0] : lookupMaps(key).value[0];
    }

    @Benchmark
    public void update() {
        java.util.NavigableMap<byte[], byte[]> commit = commits[random.nextInt(KEYS)];
        if (cache.equals("readcache")) {
            readCache.putCommitted(commit, java.util.List.of(), io.respkv.engine.support.LockingTransaction.TOMBSTONE, 0);
            return;
        }
        // What the replaced putCommitted did for each write.
        for (java.util.Map.Entry<byte[], byte[]> w : commit.entrySet()) {
            KeyLockTable.Key k = new KeyLockTable.Key(w.getKey());
            Holder h = new Holder(w.getValue());
            if (read.replace(k, h) != null) {
                continue;
            }
            written.put(k, h);
        }
    }

    @Benchmark
    public boolean miss() {
        byte[] key = absent[random.nextInt(KEYS)];
        return cache.equals("readcache") ? lookupCache(key) == null : lookupMaps(key) == null;
    }
}
