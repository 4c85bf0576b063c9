package io.respkv.engine.tikv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /**
     * getAll: what get of each key returns (committed values, this transaction's own writes and
     * deletes, absent keys, a key asked twice), fetched with one KvBatchGet per region and no
     * KvGet; and the keys it read are in the read set, so a concurrent update of one fails the
     * commit as a conflict.
     */
    @Test
    void getAllReadsKeysOfSeveralRegionsInOneBatchPerRegion() {
        try (TikvEngine engine = TikvTestCluster.open("getall")) {
            engine.transact(txn -> {
                txn.put(b("b1"), b("v-b1"));
                txn.put(b("k07"), b("v-k07"));
                txn.put(b("n1"), b("v-n1"));
                txn.put(b("z9"), b("v-z9"));
                return null;
            });
            byte[][] keys = {b("b1"), b("missing"), b("k07"), b("n1"), b("z9"), b("own"), b("n1"), b("gone")};
            StandInTikvCluster standIn = TikvTestCluster.standIn();
            try (var txn = engine.begin()) {
                txn.put(b("own"), b("v-own"));
                txn.put(b("gone"), b("x"));
                txn.delete(b("gone"));
                long gets = calls(standIn, "KvGet");
                long batches = calls(standIn, "KvBatchGet");
                byte[][] values = txn.getAll(keys);
                String[] expected = {"v-b1", null, "v-k07", "v-n1", "v-z9", "v-own", "v-n1", null};
                for (int i = 0; i < keys.length; i++) {
                    assertEquals(expected[i], values[i] == null ? null : new String(values[i], UTF_8), "key " + i);
                    assertEquals(expected[i], txn.get(keys[i]) == null ? null : new String(txn.get(keys[i]), UTF_8));
                }
                if (standIn != null) {
                    assertEquals(0, calls(standIn, "KvGet") - gets, "no single-key reads");
                    // b1 and missing ("a".."k05"), k07 ("k05".."k1"), n1 ("m".."x"), z9 ("x"..)
                    assertEquals(4, calls(standIn, "KvBatchGet") - batches, "one batch per region");
                }
                // another transaction changes a key this one only read: this one must not commit
                engine.transact(other -> {
                    other.put(b("k07"), b("changed"));
                    return null;
                });
                txn.put(b("unrelated"), b("1"));
                assertThrows(io.respkv.api.TransactionConflictException.class, txn::commit);
            }
            try (var snapshot = engine.snapshot()) {
                byte[][] values = snapshot.getAll(new byte[][] {b("k07"), b("missing"), b("z9")});
                assertEquals("changed", new String(values[0], UTF_8));
                assertNull(values[1]);
                assertEquals("v-z9", new String(values[2], UTF_8));
            }
        }
    }

    private static long calls(StandInTikvCluster standIn, String call) {
        if (standIn == null) {
            return 0;
        }
        java.util.concurrent.atomic.AtomicLong n = standIn.calls.get(call);
        return n == null ? 0 : n.get();
    }
}
