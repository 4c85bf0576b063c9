package io.respkv.jmh;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The storage engines through the {@link KeyspaceEngine} SPI, one thread, as the server drives
 * them: every operation is one transaction.
 *
 * <ul>
 *   <li>{@code pointGet}: begin, {@code get} of a random existing key, commit (read-only).</li>
 *   <li>{@code put}: begin, {@code put} of a random existing key (32-byte value), commit.</li>
 *   <li>{@code scan100}: begin, a cursor from a random key, read 100 entries, commit.</li>
 * </ul>
 * The key space is 100,000 keys {@code key:00000000..} with 32-byte values, loaded at setup.
 * {@code rocksdb} runs with ASYNC durability (WAL written, not fsynced per commit), so {@code put}
 * measures the engine, not the disk; SYNC commit rates, fsync-bound, are measured by
 * {@code EngineCommitTiming} in respkv-engine-rocksdb's tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {

    static final int KEYS = 100_000;

    @Param({"memory", "rocksdb"})
    public String engine;

    private KeyspaceEngine kv;
    private BenchEngine opened;
    private byte[][] keys;
    private byte[] value;

    @Setup(Level.Trial)
    public void open() throws IOException {
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("key:%08d", i).getBytes(StandardCharsets.US_ASCII);
        }
        value = new byte[32];
        java.util.Arrays.fill(value, (byte) 'v');
        opened = BenchEngine.open(engine);
        kv = opened.engine();
        for (int from = 0; from < KEYS; from += 1_000) {
            int start = from;
            kv.transact(txn -> {
                for (int i = start; i < start + 1_000; i++) {
                    txn.put(keys[i], value);
                }
                return null;
            });
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        opened.close();
    }

    @Benchmark
    public byte[] pointGet(RandomIndex c) {
        try (Transaction txn = kv.begin()) {
            byte[] v = txn.get(keys[c.next(KEYS)]);
            txn.commit();
            return v;
        }
    }

    @Benchmark
    public void put(RandomIndex c) {
        try (Transaction txn = kv.begin()) {
            txn.put(keys[c.next(KEYS)], value);
            txn.commit();
        }
    }

    @Benchmark
    public void scan100(RandomIndex c, Blackhole bh) {
        try (Transaction txn = kv.begin(); KvCursor cursor = txn.scan(keys[c.next(KEYS)], null)) {
            for (int i = 0; i < 100 && cursor.next(); i++) {
                bh.consume(cursor.key());
                bh.consume(cursor.value());
            }
            txn.commit();
        }
    }
}
