package io.respkv.engine.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadCacheTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void evictionKeepsTheCacheUnderItsCapacity() {
        ReadCache cache = new ReadCache(10_000);
        for (int i = 0; i < 10_000; i++) {
            cache.put(new KeyLockTable.Key(b("key" + i)), new byte[10], 0);
            assertTrue(cache.usedBytes() <= 10_000, "over capacity after " + i);
        }
        assertTrue(cache.size() > 10, "eviction must keep most of the capacity in use");
    }

    @Test
    void prefetchChangesNothingAndSurvivesTablesReplacedUnderIt() throws Exception {
        ReadCache cache = new ReadCache(1 << 20);
        int[] hashes = new int[64];
        for (int i = 0; i < hashes.length; i++) {
            KeyLockTable.Key key = new KeyLockTable.Key(b("key" + i));
            cache.put(key, b("value" + i), 0);
            hashes[i] = key.hashCode();
        }
        long used = cache.usedBytes();
        int size = cache.size();
        cache.prefetch(hashes, hashes.length);
        assertEquals(used, cache.usedBytes());
        assertEquals(size, cache.size());
        for (int i = 0; i < hashes.length; i++) {
            assertArrayEquals(b("value" + i), cache.get(new KeyLockTable.Key(b("key" + i))).value());
        }
        assertEquals(0, new ReadCache(0).prefetch(hashes, hashes.length), "a disabled cache reads nothing");

        // Prefetch reads the tables without locks while a writer grows them (each stripe's two
        // arrays replaced one after the other) and clears them back to their first size.
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        long deadline = System.nanoTime() + 2_000_000_000L;
        Thread writer = new Thread(() -> {
            try {
                for (int round = 0; round < 100 && System.nanoTime() < deadline; round++) {
                    for (int i = 0; i < 5_000; i++) {
                        cache.put(new KeyLockTable.Key(b("w" + round + "-" + i)), b("v"), 0);
                    }
                    cache.clear();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        int[] any = new java.util.Random(7).ints(256).toArray();
        while (writer.isAlive()) {
            cache.prefetch(any, any.length);
        }
        writer.join();
        assertNull(failure.get());
    }

    @Test
    void keysWrittenWithoutBeingReadNeverEvictKeysThatWereRead() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        for (int i = 0; i < 50; i++) {
            byte[] value = b("read" + i);
            cache.readLocked(new KeyLockTable.Key(b("r" + i)), ranges, k -> value);
        }
        for (int i = 0; i < 10_000; i++) {
            cache.putCommitted(writes("w" + i, new byte[10]), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
            assertTrue(cache.usedBytes() <= 100_000, "over capacity after " + i);
        }
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(b("read" + i), cache.get(new KeyLockTable.Key(b("r" + i))).value(), "r" + i + " evicted");
        }
        assertTrue(cache.writtenOnlySize() > 500, "written-only entries should fill the free room: " + cache.writtenOnlySize());
    }

    @Test
    void aKeyWrittenWithoutBeingReadIsServedThenForgottenWhenDeleted() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        cache.putCommitted(writes("w", b("v")), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(1, cache.writtenOnlySize());
        KeyLockTable.Key w = new KeyLockTable.Key(b("w"));
        assertArrayEquals(b("v"), cache.readLocked(w, ranges, k -> {
            throw new AssertionError("not served from the cache");
        }));
        assertEquals(1, cache.writtenOnlySize(), "read once, as a popped element is, it stays among the written-only keys");
        cache.putCommitted(writes("w", b("new")), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertArrayEquals(b("new"), cache.get(w).value());
        cache.putCommitted(writes("w", LockingTransaction.TOMBSTONE), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(0, cache.size(), "a blind delete caches no absence");
        assertNull(cache.readLocked(w, ranges, k -> null));

        // A key that was read keeps its entry through writes and deletes.
        KeyLockTable.Key r = new KeyLockTable.Key(b("r"));
        cache.readLocked(r, ranges, k -> b("old"));
        cache.putCommitted(writes("r", LockingTransaction.TOMBSTONE), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(0, cache.writtenOnlySize());
        assertNull(cache.readLocked(r, ranges, k -> {
            throw new AssertionError("the deletion of a read key is cached");
        }));
    }

    @Test
    void anUnlockedReadAnswersOnlyFromAnEntryCurrentAtTheLatestRangeDelete() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        KeyLockTable.Key k = new KeyLockTable.Key(b("k"));
        KeyLockTable.Key gone = new KeyLockTable.Key(b("gone"));
        assertNull(cache.readUnlocked(k, ranges), "a miss is not known");
        cache.readLocked(k, ranges, key -> b("v"));
        cache.readLocked(gone, ranges, key -> null);
        assertArrayEquals(b("v"), cache.readUnlocked(k, ranges));
        assertTrue(cache.readUnlocked(gone, ranges) == ReadCache.ABSENT, "a cached absence is known");
        cache.putCommitted(writes("k", b("w")), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertArrayEquals(b("w"), cache.readUnlocked(k, ranges), "a commit replaces the entry");
        long stamp = ranges.lockExclusive();
        try {
            ranges.record(List.<byte[][]>of(new byte[][] {b("x"), b("y")}));
        } finally {
            ranges.unlock(stamp);
        }
        assertNull(cache.readUnlocked(k, ranges), "an entry older than a range delete needs the locked check");
        assertArrayEquals(b("w"), cache.readLocked(k, ranges, key -> {
            throw new AssertionError("the range missed k: the entry stays");
        }));
        assertArrayEquals(b("w"), cache.readUnlocked(k, ranges), "re-stamped by the locked read");
        assertNull(new ReadCache(0).readUnlocked(k, ranges), "a disabled cache knows nothing");
    }

    @Test
    void keysWrittenOnlyForScansStayOutOfTheCache() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        var commit = writes("y/m/a", b("1"));
        commit.put(b("y/s/1/a"), b(""));
        commit.put(b("y/s/0/a"), LockingTransaction.TOMBSTONE);
        commit.put(b("y/s/2/b"), b(""));
        cache.putCommitted(commit, java.util.Set.of(new KeyLockTable.Key(b("y/s/1/a")), new KeyLockTable.Key(b("y/s/0/a"))),
                List.of(b("y/")), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertArrayEquals(b("1"), cache.get(new KeyLockTable.Key(b("y/m/a"))).value());
        assertArrayEquals(b(""), cache.get(new KeyLockTable.Key(b("y/s/2/b"))).value(), "a key not in the set is cached as usual");
        assertNull(cache.get(new KeyLockTable.Key(b("y/s/1/a"))));
        assertEquals(2, cache.size());
        assertEquals(1, cache.completePrefixes(), "keys left out keep the prefix complete");
        assertArrayEquals(b("1"), cache.readLocked(new KeyLockTable.Key(b("y/m/a")), ranges, k -> {
            throw new AssertionError("a cached key read from the store");
        }));
    }

    @Test
    void aMissUnderAPrefixDeclaredEmptyIsAbsentWithoutAskingTheStore() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        cache.putCommitted(writes("set1/a", b("")), List.of(b("set1/")), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(1, cache.completePrefixes());
        assertNull(cache.readLocked(new KeyLockTable.Key(b("set1/b")), ranges, k -> {
            throw new AssertionError("a key under a complete prefix read from the store");
        }));
        assertArrayEquals(b(""), cache.readLocked(new KeyLockTable.Key(b("set1/a")), ranges, k -> {
            throw new AssertionError("a cached key read from the store");
        }));
        assertArrayEquals(b("x"), cache.readLocked(new KeyLockTable.Key(b("set2/a")), ranges, k -> b("x")), "another prefix asks the store");
        assertArrayEquals(b("y"), cache.readLocked(new KeyLockTable.Key(b("set1")), ranges, k -> b("y")), "the prefix's own parent asks the store");
        cache.putCommitted(writes("set1/a", LockingTransaction.TOMBSTONE), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(1, cache.completePrefixes(), "a deletion leaves the key absent: the prefix stays complete");
        assertNull(cache.readLocked(new KeyLockTable.Key(b("set1/a")), ranges, k -> {
            throw new AssertionError("a deleted key under a complete prefix read from the store");
        }));
    }

    @Test
    void evictingOrRemovingAnEntryUnderAPrefixForgetsThePrefix() {
        RangeDeleteLog ranges = new RangeDeleteLog();
        ReadCache cache = new ReadCache(20_000);
        java.util.TreeMap<byte[], byte[]> members = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
        for (int i = 0; i < 20; i++) {
            members.put(b("set/" + i), b("m"));
        }
        cache.putCommitted(members, List.of(b("set/")), LockingTransaction.TOMBSTONE, ranges.epoch());
        int other = 0;
        while (cache.completePrefixes() == 1) {
            for (int i = 0; i < 20; i++) {
                assertTrue(cache.get(new KeyLockTable.Key(b("set/" + i))) != null,
                        "set/" + i + " evicted while its prefix is still complete");
            }
            cache.putCommitted(writes("other/" + other++, new byte[50]), List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
            assertTrue(other < 100_000, "nothing under the prefix was ever evicted");
        }
        // Now the store is asked again.
        int asked = 0;
        for (int i = 0; i < 20; i++) {
            int n = i;
            byte[] v = cache.readLocked(new KeyLockTable.Key(b("set/" + i)), ranges, k -> b("m" + n));
            asked += v.length > 1 ? 1 : 0;
        }
        assertTrue(asked > 0, "an evicted member must be read from the store");

        ReadCache removing = new ReadCache(100_000);
        removing.putCommitted(writes("h/f", b("v")), List.of(b("h/")), LockingTransaction.TOMBSTONE, ranges.epoch());
        removing.remove(new KeyLockTable.Key(b("h/f")));
        assertEquals(0, removing.completePrefixes());
        assertArrayEquals(b("v"), removing.readLocked(new KeyLockTable.Key(b("h/f")), ranges, k -> b("v")));
    }

    @Test
    void evictingACachedAbsenceKeepsThePrefixComplete() {
        RangeDeleteLog ranges = new RangeDeleteLog();
        ReadCache cache = new ReadCache(30_000);
        cache.putCommitted(writes("keep/a", b("v")), List.of(b("s/")), LockingTransaction.TOMBSTONE, ranges.epoch());
        // Absences under the prefix, cached as read entries, then crowded out by read keys.
        for (int i = 0; i < 2_000; i++) {
            cache.put(new KeyLockTable.Key(b("s/" + i)), ReadCache.ABSENT, ranges.epoch());
        }
        assertEquals(1, cache.completePrefixes());
    }

    @Test
    void nestedPrefixesAreNotRecordedAndClearForgetsAll() {
        RangeDeleteLog ranges = new RangeDeleteLog();
        ReadCache cache = new ReadCache(100_000);
        cache.putCommitted(writes("k", b("v")), List.of(b("ab"), b("abc"), b("a"), b("b")), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(2, cache.completePrefixes(), "ab and b; abc lies under ab, a holds ab");
        assertNull(cache.readLocked(new KeyLockTable.Key(b("abz")), ranges, k -> b("no")));
        assertArrayEquals(b("yes"), cache.readLocked(new KeyLockTable.Key(b("az")), ranges, k -> b("yes")));
        cache.clear();
        assertEquals(0, cache.completePrefixes());
        assertArrayEquals(b("yes"), cache.readLocked(new KeyLockTable.Key(b("abz")), ranges, k -> b("yes")));
        assertEquals(0, new ReadCache(0).completePrefixes());
        ReadCache disabled = new ReadCache(0);
        disabled.addCompletePrefix(b("p"));
        assertEquals(0, disabled.completePrefixes(), "a disabled cache holds no keys, so no prefix is complete");
    }

    @Test
    void completePrefixesAreBounded() {
        ReadCache cache = new ReadCache(1L << 30);
        for (int i = 0; i < ReadCache.MAX_COMPLETE_PREFIXES + 100; i++) {
            cache.addCompletePrefix(b(String.format("p%06d/", i)));
        }
        assertEquals(ReadCache.MAX_COMPLETE_PREFIXES, cache.completePrefixes());
    }

    /**
     * Threads that each create collections (a fresh prefix declared empty, then members written
     * and deleted under it) read every member back through the cache, members never written
     * included, while the others' writes evict around them: a read must always give what the
     * thread's own store holds, so no eviction may leave a prefix complete with a member missing.
     */
    @Test
    void readsUnderCompletePrefixesStayExactWhileOtherThreadsEvict() throws Exception {
        ReadCache cache = new ReadCache(300_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        int threads = 4;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger shortcuts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            new Thread(() -> {
                try {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(id);
                    java.util.Map<String, byte[]> store = new java.util.HashMap<>();
                    int members = 200;
                    String prefix = null;
                    for (int op = 0; op < 150_000; op++) {
                        if (prefix == null || random.nextInt(5_000) == 0) {
                            prefix = "t" + id + ":c" + op + "/";
                            java.util.TreeMap<byte[], byte[]> w = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
                            w.put(b(prefix + "0"), b("first"));
                            store.put(prefix + "0", b("first"));
                            cache.putCommitted(w, List.of(b(prefix)), LockingTransaction.TOMBSTONE, ranges.epoch());
                        }
                        String key = prefix + random.nextInt(members);
                        if (random.nextInt(3) == 0) {
                            byte[] v = random.nextInt(4) == 0 ? LockingTransaction.TOMBSTONE : b(key + "@" + op);
                            java.util.TreeMap<byte[], byte[]> w = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
                            w.put(b(key), v);
                            if (v == LockingTransaction.TOMBSTONE) {
                                store.remove(key);
                            } else {
                                store.put(key, v);
                            }
                            cache.putCommitted(w, List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
                        } else {
                            boolean[] loaded = {false};
                            byte[] got = cache.readLocked(new KeyLockTable.Key(b(key)), ranges, k -> {
                                loaded[0] = true;
                                return store.get(key);
                            });
                            byte[] want = store.get(key);
                            if (!java.util.Arrays.equals(got, want)) {
                                throw new AssertionError(key + " read " + (got == null ? "nothing" : new String(got, StandardCharsets.UTF_8))
                                        + ", the store holds " + (want == null ? "nothing" : new String(want, StandardCharsets.UTF_8)));
                            }
                            if (want == null && !loaded[0]) {
                                shortcuts.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertTrue(done.await(60, java.util.concurrent.TimeUnit.SECONDS), "threads did not finish");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(shortcuts.get() > 0, "no absent member was ever answered from a complete prefix");
    }

    private static java.util.NavigableMap<byte[], byte[]> writes(String key, byte[] value) {
        java.util.TreeMap<byte[], byte[]> writes = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
        writes.put(b(key), value);
        return writes;
    }

    @Test
    void aDisabledCacheHoldsNothing() {
        ReadCache cache = new ReadCache(0);
        cache.put(new KeyLockTable.Key(b("k")), b("v"), 0);
        assertEquals(0, cache.size());
    }

    @Test
    void manyKeysSurviveGrowthAndRemovalInAnyOrder() {
        ReadCache cache = new ReadCache(1L << 30);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            cache.put(new KeyLockTable.Key(b("k" + i)), b("v" + i), 0);
        }
        assertEquals(n, cache.size());
        // Remove every third key: backward shifts must keep every other key reachable.
        for (int i = 0; i < n; i += 3) {
            cache.remove(new KeyLockTable.Key(b("k" + i)));
        }
        for (int i = 0; i < n; i++) {
            ReadCache.Entry e = cache.get(new KeyLockTable.Key(b("k" + i)));
            if (i % 3 == 0) {
                assertNull(e, "k" + i);
            } else {
                assertArrayEquals(b("v" + i), e.value(), "k" + i);
            }
        }
        long expectedBytes = 0;
        for (int i = 0; i < n; i++) {
            if (i % 3 != 0) {
                expectedBytes += ("k" + i).length() + ("v" + i).length() + ReadCache.ENTRY_OVERHEAD;
            }
        }
        assertEquals(expectedBytes, cache.usedBytes());
        cache.clear();
        assertEquals(0, cache.size());
        assertEquals(0, cache.usedBytes());
    }

    /**
     * Threads that each own their keys (as a transaction owns the keys it locked) read back
     * exactly what they last wrote, or nothing once evicted, while the others' keys grow the
     * tables, shift entries back on removal and get evicted around them: the lock-free lookups
     * must never see another key's entry, a lost entry or a stale one.
     */
    @Test
    void lookupsStayExactWhileOtherThreadsGrowRemoveAndEvict() throws Exception {
        ReadCache cache = concurrentOwners(400_000); // small: evicting all the time
        assertTrue(cache.usedBytes() <= 400_000, "over capacity: " + cache.usedBytes());
        assertTrue(cache.size() > 100, "eviction must keep most of the capacity in use: " + cache.size());
    }

    @Test
    void withoutEvictionNoEntryIsEverMissedWhileOtherThreadsGrowAndRemove() throws Exception {
        concurrentOwners(1L << 30);
    }

    /** Runs the owners of {@link #lookupsStayExactWhileOtherThreadsGrowRemoveAndEvict}; with room for every key, a lookup must also find every key last written. */
    private static ReadCache concurrentOwners(long capacity) throws Exception {
        ReadCache cache = new ReadCache(capacity);
        boolean evicting = capacity < 1L << 30;
        RangeDeleteLog ranges = new RangeDeleteLog();
        int threads = 4;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(id);
                    int keys = 3_000;
                    byte[][] last = new byte[keys][];
                    for (int op = 0; op < 200_000; op++) {
                        int k = random.nextInt(keys);
                        KeyLockTable.Key key = new KeyLockTable.Key(b("t" + id + ":" + k));
                        switch (random.nextInt(4)) {
                            case 0 -> {
                                byte[] v = b(id + "/" + k + "/" + op);
                                cache.put(key, v, ranges.epoch());
                                last[k] = v;
                            }
                            case 1 -> {
                                cache.remove(key);
                                last[k] = null;
                            }
                            case 2 -> {
                                byte[] v = b(id + "/" + k + "/" + op);
                                java.util.TreeMap<byte[], byte[]> w = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
                                w.put(key.bytes(), v);
                                cache.putCommitted(w, List.of(), LockingTransaction.TOMBSTONE, ranges.epoch());
                                last[k] = v;
                            }
                            default -> {
                                ReadCache.Entry e = cache.get(key);
                                if (e == null && last[k] != null && !evicting) {
                                    throw new AssertionError("t" + id + ":" + k + " missed");
                                }
                                if (e != null && (last[k] == null || !java.util.Arrays.equals(e.value(), last[k]))) {
                                    throw new AssertionError("t" + id + ":" + k + " read " + new String(e.value(), StandardCharsets.UTF_8)
                                            + ", last wrote " + (last[k] == null ? "nothing" : new String(last[k], StandardCharsets.UTF_8)));
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
            thread.start();
        }
        assertTrue(done.await(60, java.util.concurrent.TimeUnit.SECONDS), "threads did not finish");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return cache;
    }
}
