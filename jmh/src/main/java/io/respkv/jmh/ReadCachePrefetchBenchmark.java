package io.respkv.jmh;

import io.respkv.engine.support.KeyLockTable;
import io.respkv.engine.support.RangeDeleteLog;
import io.respkv.engine.support.ReadCache;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What {@link ReadCache#prefetch} buys a pipeline: sixteen lookups of random cached keys (a
 * pipeline of sixteen commands' metadata reads: build the key, look it up, read the value's
 * first byte), one after the other ({@code lookups}) or after one prefetch of the sixteen keys'
 * hashes ({@code prefetchedLookups}, which includes the prefetch). Keys as a string key's
 * metadata (20 bytes, 80-byte values), inserted in random order; ns per lookup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadCachePrefetchBenchmark {

    static final int PIPELINE = 16;

    /** Cached keys: 100,000 as redis-benchmark's -r; 1,000,000 far past the CPU caches. */
    @Param({"100000", "1000000"})
    public int keys;

    private ReadCache cache;
    private byte[][] cached;
    private int[] hashes = new int[PIPELINE];
    private int[] picks = new int[PIPELINE];
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setup() {
        cache = new ReadCache(1L << 32);
        cached = new byte[keys][];
        RangeDeleteLog ranges = new RangeDeleteLog();
        for (int i : RandomIndex.shuffled(keys, 3)) {
            cached[i] = String.format("M\0\0key:%013d", i).getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = new byte[80];
            value[0] = (byte) i;
            // the cache keeps its own copy of the key, as one read from a request would be
            cache.put(new KeyLockTable.Key(cached[i].clone()), value, ranges.epoch());
        }
    }

    private void pick() {
        for (int k = 0; k < PIPELINE; k++) {
            picks[k] = random.nextInt(keys);
        }
    }

    private void lookUp(Blackhole bh) {
        for (int k = 0; k < PIPELINE; k++) {
            ReadCache.Entry e = cache.get(new KeyLockTable.Key(cached[picks[k]]));
            bh.consume(e.value()[0]);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void lookups(Blackhole bh) {
        pick();
        lookUp(bh);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void prefetchedLookups(Blackhole bh) {
        pick();
        for (int k = 0; k < PIPELINE; k++) {
            hashes[k] = io.respkv.api.KeyHash.of(cached[picks[k]]);
        }
        bh.consume(cache.prefetch(hashes, PIPELINE));
        lookUp(bh);
    }
}
