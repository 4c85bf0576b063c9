package io.respkv.engine.tikv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Region errors the client must absorb: NotLeader, EpochNotMatch and ServerIsBusy injected by the
 * stand-in, and regions split under the client's cached layout. Every command still succeeds with
 * the right result; the stand-in confirms the errors were served.
 */
@Timeout(120)
class TikvRegionFaultTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void commandsSucceedThroughInjectedRegionErrorsAndLiveSplits() {
        StandInTikvCluster cluster = TikvTestCluster.standIn();
        assumeTrue(cluster != null, "faults are injected into the stand-in only");
        String prefix = TikvTestCluster.newPrefix("faults");
        TikvKeys keys = new TikvKeys(prefix.getBytes(UTF_8));
        try (TikvEngine engine = TikvEngine.builder().pd(TikvTestCluster.pd()).prefix(prefix).build()) {
            long errorsBefore = cluster.regionErrors.get();
            StandInTikvCluster.Fault[] kinds = StandInTikvCluster.Fault.values();
            for (int i = 0; i < 30; i++) {
                String k = String.format("f%02d", i);
                if (i % 3 == 0) {
                    cluster.failNext(kinds[(i / 3) % kinds.length], 2);
                }
                if (i % 7 == 3) {
                    // split where the next keys go, under the client's cached layout
                    cluster.split(keys.data(b(String.format("f%02d", i + 1))));
                }
                engine.transact(txn -> {
                    txn.put(b(k), b("v" + k));
                    byte[] count = txn.get(b("count"));
                    txn.put(b("count"), b(Integer.toString(count == null ? 1 : Integer.parseInt(new String(count, UTF_8)) + 1)));
                    return null;
                });
            }
            cluster.failNext(StandInTikvCluster.Fault.EPOCH_NOT_MATCH, 3);
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(b("30"), s.get(b("count")));
                List<String> seen = new ArrayList<>();
                try (KvCursor c = s.scan(b("f"), b("g"))) {
                    while (c.next()) {
                        seen.add(new String(c.key(), UTF_8) + "=" + new String(c.value(), UTF_8));
                    }
                }
                assertEquals(30, seen.size(), seen.toString());
                assertEquals("f00=vf00", seen.get(0));
                assertEquals("f29=vf29", seen.get(29));
                List<String> reversed = new ArrayList<>();
                try (KvCursor c = s.scan(b("f"), b("g"), true)) {
                    while (c.next()) {
                        reversed.add(new String(c.key(), UTF_8) + "=" + new String(c.value(), UTF_8));
                    }
                }
                java.util.Collections.reverse(reversed);
                assertEquals(seen, reversed);
            }
            assertEquals(0, cluster.faultsLeft(), "every injected fault was served");
            assertTrue(cluster.regionErrors.get() - errorsBefore >= 30 / 3 * 2,
                    "region errors served: " + (cluster.regionErrors.get() - errorsBefore));
        }
    }
}
