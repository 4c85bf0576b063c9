package io.respkv.engine.tikv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TiKV-specific behaviour of {@link TikvEngine} over the stand-in cluster. */
@Timeout(120)
class TikvEngineTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void contendedCounterLosesNoUpdate() throws Exception {
        try (TikvEngine engine = TikvTestCluster.open("counter")) {
            int threads = 4;
            int per = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < per; i++) {
                        engine.transact(txn -> {
                            byte[] v = txn.get(b("c"));
                            long n = v == null ? 0 : Long.parseLong(new String(v, UTF_8));
                            txn.put(b("c"), Long.toString(n + 1).getBytes(UTF_8));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(100, TimeUnit.SECONDS);
            }
            pool.shutdown();
            System.out.printf("%d contended increments in %d ms, %d conflicts retried%n", threads * per,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), engine.conflicts());
            try (var s = engine.snapshot()) {
                assertEquals(Integer.toString(threads * per), new String(s.get(b("c")), UTF_8));
            }
        }
    }
}
