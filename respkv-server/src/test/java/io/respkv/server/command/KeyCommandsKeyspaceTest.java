package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.VersionSweeper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The key-level operations KeyCommands relies on ({@link Keyspace#copyTo}, {@link Keyspace#rename},
 * {@link Keyspace#moveTo}, {@link Keyspace#randomKey}, {@link Keyspace#keys(byte[], byte[])}),
 * checked on the stored layout: metadata, expiry index and collection elements.
 */
class KeyCommandsKeyspaceTest {

    private static final long NOW = 1_700_000_000_000L;

    private final MemoryEngine engine = new MemoryEngine();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void copyStringKeepsValueAndDeadlineAcrossDatabases() {
        run(ks -> ks.putString(b("src"), b("value"), NOW + 5_000));
        run(ks -> {
            assertTrue(ks.copyTo(b("src"), ks, b("same-db")));
            assertTrue(ks.copyTo(b("src"), ks.database(3), b("other-db")));
        });
        run(ks -> {
            assertArrayEquals(b("value"), ks.getString(b("same-db")));
            assertEquals(NOW + 5_000, ks.meta(b("same-db")).expireAt());
            assertArrayEquals(b("value"), ks.database(3).getString(b("other-db")));
            assertEquals(NOW + 5_000, ks.database(3).meta(b("other-db")).expireAt());
            assertArrayEquals(b("value"), ks.getString(b("src")), "the source stays");
        });
        assertEquals(List.of("same-db", "src"), expiryIndex(0));
        assertEquals(List.of("other-db"), expiryIndex(3));
    }

    @Test
    void copyReplacesAnyTypeAndItsDeadline() {
        run(ks -> {
            ks.putString(b("plain"), b("p"), KeyMeta.NO_EXPIRY);
            putHash(ks, b("dst"), 9, NOW + 1_000, Map.of("f", "old"));
        });
        run(ks -> assertTrue(ks.copyTo(b("plain"), ks, b("dst"))));
        run(ks -> {
            assertArrayEquals(b("p"), ks.getString(b("dst")));
            assertFalse(ks.meta(b("dst")).hasExpiry());
        });
        assertEquals(List.of(), expiryIndex(0));
        assertEquals(List.of(), elements(0), "the replaced hash's elements are gone");
    }

    @Test
    void copyCollectionCopiesElementsUnderAFreshVersion() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("a", "1");
        fields.put("b", "2");
        fields.put("\u0000bin", "\r\n");
        run(ks -> {
            putHash(ks, b("h"), 7, NOW + 9_000, fields);
            // The destination holds a collection under the very version the source uses.
            putHash(ks, b("h2"), 7, KeyMeta.NO_EXPIRY, Map.of("stale", "x"));
        });
        run(ks -> assertTrue(ks.copyTo(b("h"), ks, b("h2"))));
        run(ks -> {
            KeyMeta copy = ks.meta(b("h2"));
            assertEquals(RedisType.HASH, copy.type());
            assertEquals(3, copy.size());
            assertEquals(NOW + 9_000, copy.expireAt());
            assertNotEquals(7, copy.version(), "a version the old destination did not use");
            assertEquals(fields, hashOf(ks, b("h2")));
            assertEquals(fields, hashOf(ks, b("h")), "the source keeps its elements");
            assertTrue(ks.copyTo(b("h"), ks.database(1), b("h")));
        });
        run(ks -> assertEquals(fields, hashOf(ks.database(1), b("h"))));
        assertEquals(6, elements(0).size(), "3 of h and 3 of h2, none stale");
        assertEquals(3, elements(1).size());
    }

    @Test
    void renameAndMoveCarryCollectionsAndRemoveTheSource() {
        Map<String, String> fields = Map.of("x", "1", "y", "2");
        run(ks -> putHash(ks, b("h"), 1, NOW + 60_000, fields));
        run(ks -> assertTrue(ks.rename(b("h"), b("renamed"))));
        run(ks -> {
            assertNull(ks.meta(b("h")));
            assertEquals(fields, hashOf(ks, b("renamed")));
            assertEquals(NOW + 60_000, ks.meta(b("renamed")).expireAt());
            assertTrue(ks.moveTo(b("renamed"), ks.database(2)));
        });
        run(ks -> {
            assertNull(ks.meta(b("renamed")));
            assertEquals(fields, hashOf(ks.database(2), b("renamed")));
        });
        assertEquals(List.of(), elements(0));
        assertEquals(2, elements(2).size());
        assertEquals(List.of(), expiryIndex(0));
        assertEquals(List.of("renamed"), expiryIndex(2));
    }

    @Test
    void missingOrExpiredSourcesChangeNothing() {
        run(ks -> {
            ks.putString(b("expired"), b("v"), NOW - 1);
            ks.putString(b("dst"), b("keep"), KeyMeta.NO_EXPIRY);
        });
        run(ks -> {
            assertFalse(ks.copyTo(b("nokey"), ks, b("dst")));
            assertFalse(ks.copyTo(b("expired"), ks, b("dst")));
            assertFalse(ks.rename(b("expired"), b("dst")));
            assertFalse(ks.moveTo(b("expired"), ks.database(1)));
            assertArrayEquals(b("keep"), ks.getString(b("dst")));
            assertThrows(IllegalArgumentException.class, () -> ks.rename(b("dst"), b("dst")));
            assertThrows(IllegalArgumentException.class, () -> ks.moveTo(b("dst"), ks.database(0)));
        });
    }

    @Test
    void copyingACollectionConflictsWithAConcurrentElementWrite() {
        run(ks -> putHash(ks, b("h"), 1, KeyMeta.NO_EXPIRY, Map.of("f", "1")));
        try (Transaction copier = engine.begin()) {
            Keyspace ks = new Keyspace(copier, 0, NOW);
            assertTrue(ks.copyTo(b("h"), ks, b("h2")));
            // Another command changes the field (not the metadata) and commits first.
            try (Transaction writer = engine.begin()) {
                writer.put(KeyCodec.elementKey(0, b("h"), 1, b("f")), b("2"));
                writer.commit();
            }
            assertThrows(TransactionConflictException.class, copier::commit);
        }
    }

    @Test
    void keysRangeIsBoundedAndSkipsExpiredKeys() {
        run(ks -> {
            for (String k : List.of("a", "b", "ba", "bb", "c")) {
                ks.putString(b(k), b("v"), KeyMeta.NO_EXPIRY);
            }
            ks.putString(b("bc"), b("v"), NOW);
        });
        run(ks -> {
            assertEquals(List.of("b", "ba", "bb"), keys(ks, b("b"), b("c")));
            assertEquals(List.of("ba", "bb", "c"), keys(ks, b("b\u0000"), null));
            assertEquals(List.of("a", "b"), keys(ks, null, b("b\u0000")));
        });
    }

    @Test
    void randomKeyReturnsLiveKeysAndReachesEveryOne() {
        run(ks -> assertNull(ks.randomKey(new SplittableRandom(1))));
        run(ks -> ks.putString(b("only"), b("v"), KeyMeta.NO_EXPIRY));
        run(ks -> assertArrayEquals(b("only"), ks.randomKey(new SplittableRandom(2))));
        run(ks -> {
            ks.delete(b("only"));
            for (int i = 0; i < 8; i++) {
                ks.putString(b("key:" + i), b("v"), KeyMeta.NO_EXPIRY);
                ks.putString(b("key:" + i + ":expired"), b("v"), NOW - 1);
            }
            ks.database(1).putString(b("other-db"), b("v"), KeyMeta.NO_EXPIRY);
        });
        Map<String, Integer> seen = new HashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        run(ks -> {
            for (int i = 0; i < 2_000; i++) {
                seen.merge(new String(ks.randomKey(random), StandardCharsets.ISO_8859_1), 1, Integer::sum);
            }
        });
        assertEquals(8, seen.size(), seen.toString());
        for (Map.Entry<String, Integer> e : seen.entrySet()) {
            assertTrue(e.getKey().matches("key:\\d"), e.getKey());
            // Evenly spaced keys: the ends get half weight (1/14 of draws), the others 1/7.
            assertTrue(e.getValue() > 2_000 / 40, seen.toString());
        }
        run(ks -> {
            for (int i = 0; i < 8; i++) {
                ks.putString(b("key:" + i), b("v"), NOW - 1);
            }
        });
        run(ks -> assertNull(ks.randomKey(new SplittableRandom(4)), "only expired keys left"));
    }

    // ---- helpers ----

    private interface Body {
        void run(Keyspace ks);
    }

    /** Runs {@code body} in one committed transaction on database 0. */
    private void run(Body body) {
        try (Transaction txn = engine.begin()) {
            body.run(new Keyspace(txn, 0, NOW));
            txn.commit();
        }
    }

    /** Writes a hash in the collection layout: metadata, then one element entry per field. */
    private static void putHash(Keyspace ks, byte[] key, long version, long expireAt, Map<String, String> fields) {
        ks.put(key, KeyMeta.collection(RedisType.HASH, expireAt, version, fields.size()));
        for (Map.Entry<String, String> f : fields.entrySet()) {
            ks.txn().put(KeyCodec.elementKey(ks.db(), key, version, b(f.getKey())), b(f.getValue()));
        }
    }

    private static Map<String, String> hashOf(Keyspace ks, byte[] key) {
        KeyMeta meta = ks.meta(key);
        byte[] prefix = KeyCodec.elementPrefix(ks.db(), key, meta.version());
        Map<String, String> out = new LinkedHashMap<>();
        try (KvCursor c = ks.txn().scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                byte[] k = c.key();
                out.put(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.ISO_8859_1),
                        new String(c.value(), StandardCharsets.ISO_8859_1));
            }
        }
        assertEquals(meta.size(), out.size(), "size matches the elements");
        return out;
    }

    /**
     * The element entries of database {@code db}, as raw engine keys, once the sweeper has
     * reclaimed the versions retired so far (DEL and overwrite leave that to it).
     */
    private List<byte[]> elements(int db) {
        new VersionSweeper(engine).drain();
        List<byte[]> out = new ArrayList<>();
        byte[] prefix = KeyCodec.familyPrefix(KeyCodec.ELEMENT, db);
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                out.add(c.key().clone());
            }
        }
        return out;
    }

    /** The user keys in the expiry index of database {@code db}. */
    private List<String> expiryIndex(int db) {
        List<String> out = new ArrayList<>();
        byte[] prefix = KeyCodec.expiryPrefix(db);
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                out.add(new String(KeyCodec.userKeyOfExpiry(c.key()), StandardCharsets.ISO_8859_1));
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> keys(Keyspace ks, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        try (Keyspace.KeyCursor c = ks.keys(from, to)) {
            while (c.next()) {
                out.add(new String(c.key(), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
