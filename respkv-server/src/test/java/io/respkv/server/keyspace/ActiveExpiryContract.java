package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.elements;
import static io.respkv.server.keyspace.Layout.marked;
import static io.respkv.server.keyspace.Layout.putCollection;
import static io.respkv.server.keyspace.Layout.run;
import static io.respkv.server.keyspace.Layout.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KeyspaceEngine;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ActiveExpiry} guarantees on any engine: it removes overdue keys nobody reads,
 * within its per-loop and per-cycle bounds, and never a key whose deadline moved. An engine
 * module runs it by extending this class.
 */
public abstract class ActiveExpiryContract {

    private static final long NOW = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;

    /** A new, empty engine; closed by the test. */
    protected abstract KeyspaceEngine newEngine();

    private KeyspaceEngine engine;
    private final LongAdder expiredKeys = new LongAdder();
    /** A fake clock for the cycle budget: each reading advances it by {@link #tick} ns. */
    private final AtomicLong nanos = new AtomicLong();
    private long tick;

    @BeforeEach
    void open() {
        engine = newEngine();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private ActiveExpiry expiry(int databases, long budgetNanos, long tickNanos) {
        tick = tickNanos;
        return new ActiveExpiry(engine, databases, expiredKeys, ActiveExpiry.KEYS_PER_LOOP, budgetNanos,
                () -> NOW, () -> nanos.addAndGet(tick));
    }

    private void putStrings(int db, String prefix, int n, long expireAt) {
        run(engine, db, NOW - HOUR, ks -> {
            for (int i = 0; i < n; i++) {
                ks.putString(b(prefix + i), b("v"), expireAt);
            }
        });
    }

    private long keys(int db) {
        return Layout.keys(engine, KeyCodec.META, db).size();
    }

    private long indexed(int db) {
        return Layout.keys(engine, KeyCodec.EXPIRY, db).size();
    }

    @Test
    void removesOverdueKeysAndNothingElse() {
        putStrings(0, "due:", 150, NOW - 1);
        putStrings(0, "now:", 10, NOW);
        putStrings(0, "later:", 30, NOW + 1);
        putStrings(0, "forever:", 30, KeyMeta.NO_EXPIRY);
        putStrings(5, "due:", 7, NOW - 1);

        ActiveExpiry.Cycle cycle = expiry(16, Long.MAX_VALUE, 0).runCycle();

        assertEquals(167, cycle.expired());
        assertEquals(167, expiredKeys.sum());
        assertFalse(cycle.timeLimitHit());
        assertEquals(60, keys(0));
        assertEquals(30, indexed(0), "the later keys' entries");
        for (byte[] k : Layout.keys(engine, KeyCodec.META, 0)) {
            String user = s(KeyCodec.userKeyOfMeta(k));
            assertTrue(user.startsWith("later:") || user.startsWith("forever:"), user);
        }
        assertEquals(0, keys(5));
        assertEquals(0, indexed(5));
    }

    @Test
    void aLoopTakesAtMostTwentyKeysAndACycleStopsAtItsBudget() {
        putStrings(0, "k", 1_000, NOW - 1);

        ActiveExpiry.Cycle one = expiry(16, 0, 1).runCycle();
        assertEquals(new ActiveExpiry.Cycle(1, 20, 20, true), one, "budget 0: one loop");
        assertEquals(980, keys(0));

        // Each clock reading advances 1 ms; the budget is 5 ms: five loops, then it stops.
        ActiveExpiry.Cycle five = expiry(16, 5_000_000, 1_000_000).runCycle();
        assertEquals(new ActiveExpiry.Cycle(5, 100, 100, true), five);
        assertEquals(880, keys(0));
        assertEquals(880, indexed(0));
        assertEquals(120, expiredKeys.sum());
    }

    @Test
    void aCycleCutShortGoesOnWithTheNextDatabase() {
        putStrings(0, "k", 45, NOW - 1);
        putStrings(1, "k", 30, NOW - 1);
        ActiveExpiry expiry = expiry(2, 0, 1);
        // Budget 0: each cycle runs one loop, in database 0, 1, 0, 1... so neither starves.
        int[][] expected = {{45 - 20, 30}, {25, 30 - 20}, {5, 10}, {5, 0}, {0, 0}};
        for (int[] left : expected) {
            assertTrue(expiry.runCycle().timeLimitHit());
            assertEquals(left[0], keys(0));
            assertEquals(left[1], keys(1));
        }
    }

    @Test
    void visitsSixteenDatabasesPerCycleInTurn() {
        putStrings(17, "k", 5, NOW - 1);
        ActiveExpiry expiry = expiry(20, Long.MAX_VALUE, 0);
        ActiveExpiry.Cycle first = expiry.runCycle();
        assertEquals(16, first.loops(), "databases 0..15");
        assertEquals(0, first.expired());
        ActiveExpiry.Cycle second = expiry.runCycle();
        assertEquals(5, second.expired(), "databases 16..19, then 0..11");
        assertEquals(0, keys(17));
    }

    @Test
    void leavesKeysWhoseDeadlineMovedAndDropsStaleIndexEntries() {
        run(engine, 0, NOW - HOUR, ks -> {
            ks.putString(b("reset"), b("v"), NOW - 1);
            ks.putString(b("reset"), b("v2"), KeyMeta.NO_EXPIRY);       // SET without expiry
            ks.putString(b("moved"), b("v"), NOW - 1);
            ks.setExpireAt(b("moved"), ks.meta(b("moved")), NOW + HOUR); // EXPIRE later
        });
        // Index entries a crash or an older writer could have left: a key that is gone, a key
        // without expiry, a key with another deadline.
        engine.transact(txn -> {
            txn.put(KeyCodec.expiryKey(0, NOW - 5, b("gone")), new byte[0]);
            txn.put(KeyCodec.expiryKey(0, NOW - 5, b("reset")), new byte[0]);
            txn.put(KeyCodec.expiryKey(0, NOW - 5, b("moved")), new byte[0]);
            return null;
        });

        ActiveExpiry.Cycle cycle = expiry(1, Long.MAX_VALUE, 0).runCycle();

        assertEquals(new ActiveExpiry.Cycle(1, 3, 0, false), cycle);
        assertEquals(0, expiredKeys.sum());
        run(engine, 0, NOW, ks -> {
            assertArrayEquals(b("v2"), ks.getString(b("reset")));
            assertEquals(NOW + HOUR, ks.meta(b("moved")).expireAt());
        });
        List<byte[]> index = Layout.keys(engine, KeyCodec.EXPIRY, 0);
        assertEquals(1, index.size());
        assertArrayEquals(KeyCodec.expiryKey(0, NOW + HOUR, b("moved")), index.get(0));
    }

    @Test
    void aMostlyStaleLoopIsNotRepeated() {
        engine.transact(txn -> {
            for (int i = 0; i < 40; i++) {
                txn.put(KeyCodec.expiryKey(0, NOW - 5, b("stale" + i)), new byte[0]);
            }
            return null;
        });
        putStrings(0, "due", 5, NOW - 1);
        // The 40 stale entries sort first (earlier deadline): the first loop expires nothing,
        // which is under 25%, so the cycle moves on.
        ActiveExpiry.Cycle cycle = expiry(1, Long.MAX_VALUE, 0).runCycle();
        assertEquals(new ActiveExpiry.Cycle(1, 20, 0, false), cycle);
        assertEquals(25, indexed(0));
        assertEquals(new ActiveExpiry.Cycle(1, 20, 0, false), expiry(1, Long.MAX_VALUE, 0).runCycle());
        assertEquals(5, indexed(0));
        assertEquals(new ActiveExpiry.Cycle(1, 5, 5, false), expiry(1, Long.MAX_VALUE, 0).runCycle());
        assertEquals(0, indexed(0));
        assertEquals(0, keys(0));
    }

    @Test
    void anExpiredCollectionIsRetired() {
        putCollection(engine, 0, NOW - HOUR, b("h"), RedisType.HASH, 3, NOW - 1, 50, 50);
        assertEquals(1, expiry(1, Long.MAX_VALUE, 0).runCycle().expired());
        assertEquals(0, keys(0));
        assertTrue(marked(engine, 0, b("h"), 3));
        assertEquals(50, elements(engine, 0, b("h"), 3), "left to the sweeper");
        new VersionSweeper(engine).drain();
        assertEquals(0, elements(engine, 0, b("h"), 3));
    }

    @Test
    void backgroundThreadExpiresAndStops() throws Exception {
        putStrings(0, "k", 200, NOW - 1);
        ActiveExpiry expiry = new ActiveExpiry(engine, 16, expiredKeys);
        expiry.start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (keys(0) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            long t0 = System.nanoTime();
            assertTrue(expiry.stop());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "stopped promptly");
        }
        assertEquals(0, keys(0));
        assertEquals(200, expiredKeys.sum());
        assertNotNull(engine.begin(), "the engine is still usable");
    }
}
