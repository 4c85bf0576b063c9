package io.respkv.engine.rocksdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.rocksdb.OptimisticTransactionDB;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Transaction;
import org.rocksdb.TransactionDB;
import org.rocksdb.TransactionDBOptions;
import org.rocksdb.TransactionOptions;
import org.rocksdb.WriteOptions;

/**
 * Timing behind the engine's choice of RocksDB transaction type: optimistic
 * ({@code OptimisticTransactionDB}) against pessimistic ({@code TransactionDB}, lock timeout 1 s,
 * deadlock detection), raw RocksDB, each commit a read-increment-write of one 8-byte counter
 * (GetForUpdate, Put, Commit), retried on Busy/TimedOut. Not a test; run by hand:
 *
 * <pre>
 * ./mvnw -q -pl respkv-engine-rocksdb -am test-compile
 * java -cp respkv-engine-rocksdb/target/test-classes:respkv-engine-rocksdb/target/classes:respkv-api/target/classes:\
 * $HOME/.m2/repository/org/rocksdb/rocksdbjni/11.8.1/rocksdbjni-11.8.1.jar io.respkv.engine.rocksdb.TransactionModeTiming
 * </pre>
 */
public final class TransactionModeTiming {

    private TransactionModeTiming() {
    }

    public static void main(String[] args) throws Exception {
        RocksDB.loadLibrary();
        System.out.println("mode         fsync threads keys      commits   seconds  commits/s  retries");
        for (boolean sync : new boolean[] {false, true}) {
            int threads = sync ? 8 : 4;
            int perThread = sync ? 2_000 : 50_000;
            for (boolean hot : new boolean[] {false, true}) {
                for (boolean optimistic : new boolean[] {true, false}) {
                    run(optimistic, sync, threads, perThread, hot);
                }
            }
        }
    }

    private static void run(boolean optimistic, boolean sync, int threads, int perThread, boolean hot)
            throws Exception {
        Path dir = Files.createTempDirectory("respkv-txn-timing");
        try (Options options = new Options().setCreateIfMissing(true);
             WriteOptions write = new WriteOptions().setSync(sync);
             ReadOptions read = new ReadOptions();
             TransactionDBOptions txnDbOptions = new TransactionDBOptions();
             TransactionOptions txnOptions = new TransactionOptions().setDeadlockDetect(true).setLockTimeout(1000);
             RocksDB db = optimistic ? OptimisticTransactionDB.open(options, dir.toString())
                     : TransactionDB.open(options, txnDbOptions, dir.toString())) {
            Supplier<Transaction> begin = optimistic
                    ? () -> ((OptimisticTransactionDB) db).beginTransaction(write)
                    : () -> ((TransactionDB) db).beginTransaction(write, txnOptions);
            AtomicLong retries = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] key = (hot ? "hot" : "k" + id + "-" + (i % 64)).getBytes(StandardCharsets.UTF_8);
                        while (true) {
                            try (Transaction txn = begin.get()) {
                                byte[] v = txn.getForUpdate(read, key, true);
                                long n = v == null ? 0 : ByteBuffer.wrap(v).getLong();
                                txn.put(key, ByteBuffer.allocate(8).putLong(n + 1).array());
                                txn.commit();
                                break;
                            } catch (RocksDBException conflict) {
                                retries.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            long commits = (long) threads * perThread;
            System.out.printf("%-12s %-5s %7d %-9s %7d %9.2f %10.0f %8d%n", optimistic ? "optimistic" : "pessimistic",
                    sync ? "yes" : "no", threads, hot ? "one hot" : "distinct", commits, seconds, commits / seconds,
                    retries.get());
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
