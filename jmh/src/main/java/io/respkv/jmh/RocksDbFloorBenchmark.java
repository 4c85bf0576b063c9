package io.respkv.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * What RocksDB itself costs, with nothing of respkv around it: the floor under any RocksDB-backed
 * SET. Plain RocksJava on a database opened like the engine's (16 MiB memtable, LZ4, WAL flushed
 * manually), 100,000 keys shaped like respkv metadata keys, 90-byte values (a 64-byte string
 * value plus its metadata header), written as redis-benchmark {@code -P 16} makes the server
 * write them.
 *
 * <ul>
 *   <li>{@code put16}: one {@code WriteBatch} of 16 puts of random keys, one {@code write};
 *       the score is per put. The WAL is flushed (no fsync) every 50 batches, as group commit
 *       would.</li>
 *   <li>{@code get}: one {@code get} of a random existing key.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RocksDbFloorBenchmark {

    static {
        RocksDB.loadLibrary();
    }

    static final int KEYS = 100_000;

    private Path dir;
    private Options options;
    private RocksDB db;
    private WriteOptions writeOptions;
    private ReadOptions readOptions;
    private byte[][] keys;
    private byte[] value;
    private long x = 0x9E3779B97F4A7C15L;
    private int batches;

    @Setup(Level.Trial)
    public void open() throws IOException, RocksDBException {
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("M\u0000\u0000key:%08d", i).getBytes(StandardCharsets.ISO_8859_1);
        }
        value = new byte[90];
        dir = Files.createTempDirectory("respkv-jmh-rocksdb-floor");
        options = new Options().setCreateIfMissing(true).setWriteBufferSize(16L << 20)
                .setCompressionType(CompressionType.LZ4_COMPRESSION).setMaxBackgroundJobs(2).setManualWalFlush(true);
        db = RocksDB.open(options, dir.toString());
        writeOptions = new WriteOptions();
        readOptions = new ReadOptions();
        for (int from = 0; from < KEYS; from += 1_000) {
            try (WriteBatch batch = new WriteBatch()) {
                for (int i = from; i < from + 1_000; i++) {
                    batch.put(keys[i], value);
                }
                db.write(writeOptions, batch);
            }
        }
        db.flushWal(false);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        readOptions.close();
        writeOptions.close();
        db.close();
        options.close();
        TempDirs.deleteTree(dir);
    }

    private int nextIndex() {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return (int) ((x >>> 1) % KEYS);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void put16() throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < 16; i++) {
                batch.put(keys[nextIndex()], value);
            }
            db.write(writeOptions, batch);
        }
        if (++batches % 50 == 0) {
            db.flushWal(false);
        }
    }

    @Benchmark
    public byte[] get() throws RocksDBException {
        return db.get(readOptions, keys[nextIndex()]);
    }
}
