package io.respkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Test
    void equalBytesHashEqualAndTheLengthCounts() {
        assertEquals(KeyHash.of(new byte[] {1, 2, 3}), KeyHash.of(new byte[] {1, 2, 3}));
        assertNotEquals(KeyHash.of(new byte[0]), KeyHash.of(new byte[] {0}));
        assertNotEquals(KeyHash.of(new byte[] {0}), KeyHash.of(new byte[] {0, 0}));
    }

    @Test
    void aPrefixOfAnArrayHashesAsItsCopy() {
        byte[] bytes = "M\0\0key:000000012345 and what follows".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int length = 0; length <= bytes.length; length++) {
            assertEquals(KeyHash.of(Arrays.copyOf(bytes, length)), KeyHash.of(bytes, length), "length " + length);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> KeyHash.of(bytes, bytes.length + 1));
    }

    @Test
    void keysThatArraysHashCodeConfusesAreTold() {
        // (+1, -31) in two adjacent bytes: the same Arrays.hashCode.
        byte[] a = {'E', 0, 5, 'A', 'a'};
        byte[] b = {'E', 0, 5, 'B', 'B'};
        assertEquals(Arrays.hashCode(a), Arrays.hashCode(b));
        assertNotEquals(KeyHash.of(a), KeyHash.of(b));
    }

    /**
     * List element sub keys (a prefix and an 8-byte big-endian index) fill a power-of-two table's
     * buckets about evenly, as random hashes would: 100,000 keys over 2^17 buckets (what a
     * ConcurrentHashMap indexes with the low bits of its spread hash).
     */
    @Test
    void binarySubKeysSpreadOverTheBuckets() {
        byte[] prefix = "E\0\0\0\u0003list\0\0\0\0\0\0\0\u0007".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int buckets = 1 << 17;
        int keys = 100_000;
        Set<Integer> used = new HashSet<>();
        for (long i = 0; i < keys; i++) {
            byte[] key = ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(Long.MIN_VALUE + i).array();
            int h = KeyHash.of(key);
            used.add((h ^ (h >>> 16)) & (buckets - 1));
        }
        // Random hashes would use buckets * (1 - e^(-keys/buckets)) ~= 69,700 of them.
        assertTrue(used.size() > 66_000, used.size() + " buckets used");
    }
}
