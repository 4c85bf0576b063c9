package io.respkv.engine.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
    void keysWrittenWithoutBeingReadNeverEvictKeysThatWereRead() {
        ReadCache cache = new ReadCache(100_000);
        RangeDeleteLog ranges = new RangeDeleteLog();
        for (int i = 0; i < 50; i++) {
            byte[] value = b("read" + i);
            cache.readLocked(new KeyLockTable.Key(b("r" + i)), ranges, k -> value);
        }
        for (int i = 0; i < 10_000; i++) {
            cache.putCommitted(writes("w" + i, new byte[10]), LockingTransaction.TOMBSTONE, ranges.epoch());
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
        cache.putCommitted(writes("w", b("v")), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(1, cache.writtenOnlySize());
        KeyLockTable.Key w = new KeyLockTable.Key(b("w"));
        assertArrayEquals(b("v"), cache.readLocked(w, ranges, k -> {
            throw new AssertionError("not served from the cache");
        }));
        assertEquals(1, cache.writtenOnlySize(), "read once, as a popped element is, it stays among the written-only keys");
        cache.putCommitted(writes("w", b("new")), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertArrayEquals(b("new"), cache.get(w).value());
        cache.putCommitted(writes("w", LockingTransaction.TOMBSTONE), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(0, cache.size(), "a blind delete caches no absence");
        assertNull(cache.readLocked(w, ranges, k -> null));

        // A key that was read keeps its entry through writes and deletes.
        KeyLockTable.Key r = new KeyLockTable.Key(b("r"));
        cache.readLocked(r, ranges, k -> b("old"));
        cache.putCommitted(writes("r", LockingTransaction.TOMBSTONE), LockingTransaction.TOMBSTONE, ranges.epoch());
        assertEquals(0, cache.writtenOnlySize());
        assertNull(cache.readLocked(r, ranges, k -> {
            throw new AssertionError("the deletion of a read key is cached");
        }));
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
}
