package io.respkv.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KeyspaceEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For engines that cache hot keys and values in front of their store: the cache never serves a
 * value the store no longer has. An engine module extends this class with a factory and a way to
 * count the cached entries.
 */
public abstract class ReadCacheCoherenceTest {

    /** Opens the engine under test, with durability ASYNC and its read cache on, in {@code dir}. */
    protected abstract KeyspaceEngine openAsync(Path dir);

    /** How many entries (absent keys included) the engine's read cache holds now. */
    protected abstract long cachedEntries(KeyspaceEngine engine);

    /** How many key prefixes the engine's read cache knows it holds whole (declared empty, nothing evicted since). */
    protected abstract long completePrefixes(KeyspaceEngine engine);

    @TempDir
    protected Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCachedReadSeesLaterWritesAndRangeDeletesOfOtherTransactions() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            engine.transact(txn -> {
                txn.put(b("a1"), b("one"));
                txn.put(b("b1"), b("two"));
                return null;
            });
            // cache both (and an absent key) through reads
            assertArrayEquals(b("one"), engine.transact(txn -> txn.get(b("a1"))));
            assertArrayEquals(b("two"), engine.transact(txn -> txn.get(b("b1"))));
            assertNull(engine.transact(txn -> txn.get(b("c1"))));
            assertTrue(cachedEntries(engine) >= 3);

            engine.transact(txn -> {
                txn.put(b("c1"), b("three"));
                txn.deleteRange(b("a"), b("b"));
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("a1"))), "range-deleted key served from the cache");
            assertArrayEquals(b("two"), engine.transact(txn -> txn.get(b("b1"))));
            assertArrayEquals(b("three"), engine.transact(txn -> txn.get(b("c1"))));

            engine.transact(txn -> {
                txn.delete(b("b1"));
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("b1"))));
            engine.transact(txn -> {
                txn.deleteRange(b("c"), null); // unbounded
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("c1"))));
        }
    }

    @Test
    void keysWrittenWithoutBeingReadAreServedExactly() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            engine.transact(txn -> {
                for (int i = 0; i < 100; i++) {
                    txn.put(b("blind" + i), b("v" + i));
                }
                return null;
            });
            assertArrayEquals(b("v7"), engine.transact(txn -> txn.get(b("blind7"))));
            engine.transact(txn -> {
                txn.put(b("blind7"), b("new"));
                txn.delete(b("blind8"));
                return null;
            });
            assertArrayEquals(b("new"), engine.transact(txn -> txn.get(b("blind7"))));
            assertNull(engine.transact(txn -> txn.get(b("blind8"))), "deleted key served from the cache");
            engine.transact(txn -> {
                txn.delete(b("blind7"));
                txn.deleteRange(b("blind1"), b("blind2"));
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("blind7"))), "deleted key served from the cache");
            assertNull(engine.transact(txn -> txn.get(b("blind15"))), "range-deleted key served from the cache");
            assertArrayEquals(b("v20"), engine.transact(txn -> txn.get(b("blind20"))));
        }
    }

    @Test
    void keysWrittenForScansAreNotCachedAndReadExactly() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            long before = cachedEntries(engine);
            engine.transact(txn -> {
                for (int i = 0; i < 100; i++) {
                    txn.putScanned(b("index" + i), b("s" + i));
                }
                txn.putScanned(b("twice"), b("scanned"));
                txn.put(b("twice"), b("point")); // the later, ordinary write decides
                return null;
            });
            assertEquals(before + 1, cachedEntries(engine), "only the key written last by put is cached");
            assertEquals(101, (int) engine.transact(txn -> {
                int n = 0;
                try (var c = txn.scan(b("index"), b("indey"), false)) {
                    while (c.next()) {
                        assertArrayEquals(b("s" + new String(c.key(), StandardCharsets.UTF_8).substring(5)), c.value());
                        n++;
                    }
                }
                try (var c = txn.scan(b("twice"), null, false)) {
                    assertTrue(c.next());
                    assertArrayEquals(b("point"), c.value());
                    n++;
                }
                return n;
            }));
            engine.transact(txn -> {
                txn.putScanned(b("index7"), b("changed"));
                txn.deleteScanned(b("index8"));
                return null;
            });
            assertEquals(before + 1, cachedEntries(engine));
            assertEquals("index7=changed index9=s9", engine.transact(txn -> {
                StringBuilder seen = new StringBuilder();
                for (String k : new String[] {"index7", "index8", "index9"}) {
                    try (var c = txn.scan(b(k), b(k + "\0"), false)) { // the key alone
                        while (c.next()) {
                            seen.append(seen.length() == 0 ? "" : " ").append(k).append('=')
                                    .append(new String(c.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
                return seen.toString();
            }), "index7 rewritten, index8 deleted, index9 as it was");
        }
    }

    @Test
    void aSoleReadAnsweredFromTheCacheEndsTheTransactionsReadsAndWrites() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            engine.transact(txn -> {
                txn.put(b("k"), b("v"));
                return null;
            });
            assertArrayEquals(b("v"), engine.transact(txn -> txn.get(b("k")))); // now cached
            try (var txn = engine.begin()) {
                assertArrayEquals(b("v"), txn.getSole(b("k")));
                // no lock keeps k as read: a write based on it would not be atomic
                assertThrows(IllegalStateException.class, () -> txn.put(b("k"), b("lost update")));
                assertThrows(IllegalStateException.class, () -> txn.get(b("other")));
                txn.commit();
            }
            assertArrayEquals(b("v"), engine.transact(txn -> txn.get(b("k"))));
            // a sole read the cache cannot answer locks the key like get: the transaction goes on
            engine.transact(txn -> {
                assertNull(txn.getSole(b("uncached")));
                txn.put(b("uncached"), b("now"));
                return null;
            });
            assertArrayEquals(b("now"), engine.transact(txn -> txn.getSole(b("uncached"))));
        }
    }

    @Test
    void anAbortedTransactionLeavesTheCacheAsItWas() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            engine.transact(txn -> {
                txn.put(b("k"), b("committed"));
                return null;
            });
            assertArrayEquals(b("committed"), engine.transact(txn -> txn.get(b("k"))));
            try (var txn = engine.begin()) {
                txn.put(b("k"), b("never"));
            }
            assertArrayEquals(b("committed"), engine.transact(txn -> txn.get(b("k"))));
        }
    }

    @Test
    void aPrefixDeclaredEmptyServesItsKeysExactlyAndOnlyOnceCommitted() {
        try (KeyspaceEngine engine = openAsync(dir)) {
            try (var txn = engine.begin()) {
                txn.declareEmptyPrefix(b("set/"));
                txn.put(b("set/a"), b("m"));
            }
            assertEquals(0, completePrefixes(engine), "an aborted transaction declared nothing");
            engine.transact(txn -> {
                txn.declareEmptyPrefix(b("set/"));
                txn.put(b("set/a"), b("m"));
                return null;
            });
            assertEquals(1, completePrefixes(engine));
            assertArrayEquals(b("m"), engine.transact(txn -> txn.get(b("set/a"))));
            assertNull(engine.transact(txn -> txn.get(b("set/b"))));
            engine.transact(txn -> {
                txn.put(b("set/b"), b("n"));
                txn.delete(b("set/a"));
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("set/a"))), "deleted key served from the cache");
            assertArrayEquals(b("n"), engine.transact(txn -> txn.get(b("set/b"))));
            engine.transact(txn -> {
                txn.deleteRange(b("set/"), b("set0"));
                return null;
            });
            assertNull(engine.transact(txn -> txn.get(b("set/b"))), "range-deleted key served from the cache");
            engine.transact(txn -> {
                txn.put(b("set/c"), b("o"));
                return null;
            });
            assertArrayEquals(b("o"), engine.transact(txn -> txn.get(b("set/c"))));
        }
        try (KeyspaceEngine reopened = openAsync(dir)) {
            assertEquals(0, completePrefixes(reopened), "a new cache knows no prefix whole");
            assertArrayEquals(b("o"), reopened.transact(txn -> txn.get(b("set/c"))));
            assertNull(reopened.transact(txn -> txn.get(b("set/b"))));
        }
    }
}
