package io.respkv.engine.rocksdb;

import io.respkv.api.Durability;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Commits per second through {@link RocksDbEngine#transact}, as the server runs them: SYNC and
 * ASYNC, one thread and 8 threads × 2,000 commits on distinct keys (group commit), and 8 threads
 * incrementing one hot key. Prints the WAL fsync count so group commit is visible. Not a test;
 * run it like {@link TransactionModeTiming} with main class
 * {@code io.respkv.engine.rocksdb.EngineCommitTiming}.
 */
public final class EngineCommitTiming {

    private EngineCommitTiming() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("durability threads keys      commits  seconds  commits/s  fsyncs  commits/fsync");
        for (Durability durability : Durability.values()) {
            run(durability, 1, 2_000, false);
            run(durability, 8, 2_000, false);
            run(durability, 8, 2_000, true);
        }
    }

    private static long humanCount(String s) {
        char unit = s.charAt(s.length() - 1);
        long scale = switch (unit) {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            case 'G' -> 1_000_000_000L;
            default -> 1L;
        };
        return scale == 1 ? Long.parseLong(s) : Long.parseLong(s.substring(0, s.length() - 1)) * scale;
    }

    private static void run(Durability durability, int threads, int perThread, boolean hot) throws Exception {
        Path dir = Files.createTempDirectory("respkv-commit-timing");
        try (RocksDbEngine engine = RocksDbEngine.builder().path(dir).durability(durability)
                .walSyncInterval(java.time.Duration.ZERO).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] key = (hot ? "hot" : "k" + id + "-" + i).getBytes(StandardCharsets.UTF_8);
                        engine.transact(txn -> {
                            byte[] v = txn.get(key);
                            long n = v == null ? 0 : ByteBuffer.wrap(v).getLong();
                            txn.put(key, ByteBuffer.allocate(8).putLong(n + 1).array());
                            return null;
                        });
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
            // RocksDB prints counts of 10,000 and more as 16K, 1M...
            Matcher m = Pattern.compile("Cumulative WAL: (\\d+[KMG]?) writes, (\\d+[KMG]?) syncs")
                    .matcher(engine.property("rocksdb.dbstats"));
            if (!m.find()) {
                throw new IllegalStateException("no WAL line in rocksdb.dbstats");
            }
            long writes = (long) threads * perThread;
            long syncs = humanCount(m.group(2));
            System.out.printf("%-10s %7d %-9s %7d %8.2f %10.0f %7d %14s%n", durability, threads,
                    hot ? "one hot" : "distinct", writes, seconds, writes / seconds, syncs,
                    syncs == 0 ? "-" : String.format("%.1f", (double) writes / syncs));
        } finally {
            TransactionModeTiming.deleteTree(dir);
        }
    }
}
