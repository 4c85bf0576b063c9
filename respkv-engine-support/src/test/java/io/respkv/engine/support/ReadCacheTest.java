package io.respkv.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void aDisabledCacheHoldsNothing() {
        ReadCache cache = new ReadCache(0);
        cache.put(new KeyLockTable.Key(b("k")), b("v"), 0);
        assertEquals(0, cache.size());
    }
}
