package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.elements;
import static io.respkv.server.keyspace.Layout.marked;
import static io.respkv.server.keyspace.Layout.putCollection;
import static io.respkv.server.keyspace.Layout.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retiring collection versions (DEL, overwrite, expiry), allocating new ones, and the cost of
 * the hot paths, checked on the stored layout.
 */
class KeyspaceRetireTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] KEY = b("coll");

    private final RecordingEngine engine = new RecordingEngine(new MemoryEngine());

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void deleteRetiresTheVersionAndLeavesElementsToTheSweeper() {
        putCollection(engine, 0, NOW, KEY, RedisType.HASH, 42, KeyMeta.NO_EXPIRY, 500, 100);
        engine.clear();
        run(engine, 0, NOW, ks -> assertTrue(ks.delete(KEY)));

        RecordingEngine.Log del = engine.logs().get(0);
        assertEquals(1, del.gets.size(), "one read: the metadata");
        assertEquals(List.of(), del.rangeDeletes, "no range delete");
        assertEquals(1, del.deletes.size(), "the metadata");
        assertArrayEquals(KeyCodec.metaKey(0, KEY), del.deletes.get(0));
        assertEquals(1, del.puts.size(), "the garbage marker");
        assertArrayEquals(KeyCodec.garbageKey(0, KEY, 42), del.puts.get(0));

        run(engine, 0, NOW, ks -> assertNull(ks.meta(KEY)));
        assertEquals(500, elements(engine, 0, KEY, 42), "elements stay until swept");
        assertTrue(marked(engine, 0, KEY, 42));

        VersionSweeper sweeper = new VersionSweeper(engine, 64, 8, 100);
        assertEquals(1, sweeper.drain());
        assertEquals(0, elements(engine, 0, KEY, 42));
        assertFalse(marked(engine, 0, KEY, 42));
        assertEquals(500, sweeper.sweptElements());
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.ELEMENT, 0));
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.GARBAGE, 0));
    }

    @Test
    void overwritingACollectionRetiresItsVersion() {
        putCollection(engine, 3, NOW, KEY, RedisType.SET, 7, NOW + 60_000, 10, 10);
        run(engine, 3, NOW, ks -> ks.putString(KEY, b("now a string"), KeyMeta.NO_EXPIRY));
        assertTrue(marked(engine, 3, KEY, 7));
        assertEquals(10, elements(engine, 3, KEY, 7));
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.EXPIRY, 3), "the old deadline's index entry went");
        new VersionSweeper(engine).drain();
        assertEquals(0, elements(engine, 3, KEY, 7));
        run(engine, 3, NOW, ks -> assertArrayEquals(b("now a string"), ks.getString(KEY)));
    }

    @Test
    void changingACollectionsExpiryKeepsItsVersion() {
        putCollection(engine, 0, NOW, KEY, RedisType.LIST, 9, KeyMeta.NO_EXPIRY, 5, 5);
        run(engine, 0, NOW, ks -> ks.setExpireAt(KEY, ks.meta(KEY), NOW + 1_000));
        assertFalse(marked(engine, 0, KEY, 9));
        new VersionSweeper(engine).drain();
        assertEquals(5, elements(engine, 0, KEY, 9));
        run(engine, 0, NOW, ks -> assertEquals(NOW + 1_000, ks.meta(KEY).expireAt()));
    }

    @Test
    void newVersionIsTimeAndRandomBits() {
        run(engine, 0, NOW, ks -> assertEquals((NOW << 20) | 12345, ks.newVersion(KEY, scripted(12345))));
        run(engine, 0, NOW, ks -> {
            long a = ks.newVersion(KEY, new java.util.SplittableRandom(99));
            long b = ks.newVersion(KEY, new java.util.SplittableRandom(99));
            assertEquals(a, b, "the same time and seed give the same version (replicas agree)");
            assertEquals(NOW, a >>> 20);
        });
    }

    @Test
    void newVersionDeclaresOnlyTheDrawnVersionsElementsEmpty() {
        long v5 = (NOW << 20) | 5;
        long v9 = (NOW << 20) | 9;
        putCollection(engine, 0, NOW, KEY, RedisType.SET, v5, KeyMeta.NO_EXPIRY, 3, 3);
        engine.transact(txn -> {
            CountingTransaction counting = new CountingTransaction(txn);
            assertEquals(v9, new Keyspace(counting, 0, NOW).newVersion(KEY, scripted(5, 9)));
            assertEquals(1, counting.declaredEmpty.size(), "the rejected draw (live) is not declared");
            assertArrayEquals(KeyCodec.elementPrefix(0, KEY, v9), counting.declaredEmpty.get(0));
            return null;
        });
    }

    @Test
    void newVersionNeverCollidesWithLiveOrUnsweptVersions() {
        long v5 = (NOW << 20) | 5;
        long v7 = (NOW << 20) | 7;
        long v9 = (NOW << 20) | 9;
        // v5 retired but not swept; v7 live.
        putCollection(engine, 0, NOW, KEY, RedisType.HASH, v5, KeyMeta.NO_EXPIRY, 3, 3);
        run(engine, 0, NOW, ks -> ks.delete(KEY));
        putCollection(engine, 0, NOW, KEY, RedisType.HASH, v7, KeyMeta.NO_EXPIRY, 3, 3);

        run(engine, 0, NOW, ks -> {
            assertTrue(ks.versionInUse(KEY, v5));
            assertTrue(ks.versionInUse(KEY, v7));
            assertFalse(ks.versionInUse(KEY, v9));
            assertEquals(v9, ks.newVersion(KEY, scripted(5, 7, 5, 9)));
            // Another key, or another database, does not share versions.
            assertEquals(v5, ks.newVersion(b("other"), scripted(5)));
            assertEquals(v5, ks.database(1).newVersion(KEY, scripted(5)));
        });
        // An expired, still stored collection's version is in use too.
        run(engine, 0, NOW, ks -> ks.setExpireAt(KEY, ks.meta(KEY), NOW - 1));
        run(engine, 0, NOW, ks -> {
            assertNull(ks.meta(KEY));
            assertEquals(v9, ks.newVersion(KEY, scripted(7, 9)));
        });

        new VersionSweeper(engine).drain();
        run(engine, 0, NOW, ks -> assertEquals(v5, ks.newVersion(KEY, scripted(5)), "free again once swept"));
    }

    @Test
    void aCopyNeverLandsOnAnUnsweptVersionOfItsDestination() {
        putCollection(engine, 0, NOW, b("dst"), RedisType.HASH, 100, KeyMeta.NO_EXPIRY, 4, 4);
        run(engine, 0, NOW, ks -> ks.delete(b("dst")));
        putCollection(engine, 0, NOW, b("dst"), RedisType.HASH, 101, KeyMeta.NO_EXPIRY, 4, 4);
        putCollection(engine, 0, NOW, b("src"), RedisType.HASH, 100, KeyMeta.NO_EXPIRY, 6, 6);
        run(engine, 0, NOW, ks -> assertTrue(ks.copyTo(b("src"), ks, b("dst"))));
        long[] copied = new long[1];
        run(engine, 0, NOW, ks -> copied[0] = ks.meta(b("dst")).version());
        assertEquals(102, copied[0], "100 awaits the sweeper, 101 was the live version");
        new VersionSweeper(engine).drain();
        assertEquals(6, elements(engine, 0, b("dst"), 102), "the sweeper left the copy alone");
        assertEquals(6, elements(engine, 0, b("src"), 100));
        assertEquals(0, elements(engine, 0, b("dst"), 100));
        assertEquals(0, elements(engine, 0, b("dst"), 101));
    }

    @Test
    void stringHotPathsReadOnlyTheMetadata() {
        run(engine, 0, NOW, ks -> ks.putString(KEY, b("v1"), KeyMeta.NO_EXPIRY));
        engine.clear();
        run(engine, 0, NOW, ks -> ks.putString(KEY, b("v2"), KeyMeta.NO_EXPIRY));
        run(engine, 0, NOW, ks -> assertArrayEquals(b("v2"), ks.getString(KEY)));
        run(engine, 0, NOW, ks -> ks.delete(KEY));
        List<RecordingEngine.Log> logs = engine.logs();
        for (RecordingEngine.Log log : logs) {
            assertEquals(1, log.gets.size(), "one point read");
            assertArrayEquals(KeyCodec.metaKey(0, KEY), log.gets.get(0));
            assertEquals(List.of(), log.rangeDeletes);
        }
        assertEquals(1, logs.get(0).writes(), "SET over a string: the metadata only");
        assertEquals(0, logs.get(1).writes(), "GET");
        assertEquals(1, logs.get(2).writes(), "DEL of a string: the metadata only");
    }

    @Test
    void writesCountTheExpiredLeftoversTheyRemove() {
        run(engine, 0, NOW, ks -> {
            ks.putString(b("a"), b("v"), NOW - 1);
            ks.database(2).putString(b("b"), b("v"), NOW - 1);
            ks.putString(b("live"), b("v"), NOW + 1_000);
        });
        run(engine, 0, NOW, ks -> {
            ks.putString(b("a"), b("new"), KeyMeta.NO_EXPIRY); // replaces an expired leftover
            assertFalse(ks.database(2).delete(b("b")));        // removes one, deletes nothing live
            assertTrue(ks.delete(b("live")));
            assertFalse(ks.delete(b("absent")));
            assertEquals(2, ks.expiredRemoved(), "counted across the transaction's databases");
        });
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.EXPIRY, 0));
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.EXPIRY, 2));
    }

    @Test
    void flushRemovesElementsAndMarkers() {
        putCollection(engine, 1, NOW, KEY, RedisType.ZSET, 5, KeyMeta.NO_EXPIRY, 20, 20);
        run(engine, 1, NOW, ks -> ks.delete(KEY));
        putCollection(engine, 1, NOW, KEY, RedisType.ZSET, 6, KeyMeta.NO_EXPIRY, 20, 20);
        putCollection(engine, 2, NOW, KEY, RedisType.ZSET, 5, KeyMeta.NO_EXPIRY, 3, 3);
        run(engine, 2, NOW, ks -> ks.delete(KEY));
        run(engine, 1, NOW, Keyspace::flush);
        for (byte family : new byte[] {KeyCodec.META, KeyCodec.EXPIRY, KeyCodec.ELEMENT, KeyCodec.GARBAGE}) {
            assertEquals(List.of(), Layout.keys(engine, family, 1));
        }
        assertEquals(3, elements(engine, 2, KEY, 5), "another database keeps its garbage");
        assertTrue(marked(engine, 2, KEY, 5));
    }

    @Test
    void garbageMarkerMirrorsTheElementPrefix() {
        byte[] marker = KeyCodec.garbageKey(258, b("k\u0000"), 0x0102030405060708L);
        assertArrayEquals(new byte[] {'G', 1, 2, 0, 0, 0, 2, 'k', 0, 1, 2, 3, 4, 5, 6, 7, 8}, marker);
        byte[] prefix = KeyCodec.elementPrefixOfGarbage(marker);
        assertArrayEquals(KeyCodec.elementPrefix(258, b("k\u0000"), 0x0102030405060708L), prefix);
        assertNotEquals(marker[0], prefix[0]);
        assertTrue(Arrays.equals(marker, 1, marker.length, prefix, 1, prefix.length));
    }

    /** A random source that answers {@code nextInt(bound)} with the given values, in order. */
    static RandomGenerator scripted(int... values) {
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int v : values) {
            queue.add(v);
        }
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new AssertionError("unexpected draw");
            }

            @Override
            public int nextInt(int bound) {
                Integer v = queue.poll();
                if (v == null) {
                    throw new AssertionError("more draws than scripted");
                }
                return v;
            }
        };
    }
}
