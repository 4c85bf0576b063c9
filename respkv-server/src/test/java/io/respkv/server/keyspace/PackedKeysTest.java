package io.respkv.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedKeysTest {

    private final SplittableRandom random = new SplittableRandom(7);

    private static byte[] key(int i) {
        byte[] k = new byte[i % 70]; // 0 to 69 bytes, so the arrays grow past their first guess
        for (int j = 0; j < k.length; j++) {
            k[j] = (byte) (i * 31 + j);
        }
        return k.length >= 4 ? ByteBuffer.wrap(k).putInt(0, i).array() : k;
    }

    @Test
    void everyKeyAddedComesOutOnceWithItsBytes() {
        int n = 5_000;
        PackedKeys keys = new PackedKeys(16);
        Set<ByteBuffer> added = new HashSet<>();
        for (int i = 0; i < n; i++) {
            byte[] k = key(i);
            keys.add(k);
            added.add(ByteBuffer.wrap(k));
            assertArrayEquals(k, keys.last());
        }
        // keys shorter than 4 bytes repeat (i % 70 < 4): count them as a multiset
        assertEquals(n, keys.size());
        int taken = 0;
        Set<ByteBuffer> seen = new HashSet<>();
        while (keys.size() > 0) {
            byte[] k = keys.takeRandom(random);
            assertTrue(added.contains(ByteBuffer.wrap(k)), "never added: " + k.length + " bytes");
            if (k.length >= 4) {
                assertTrue(seen.add(ByteBuffer.wrap(k)), "taken twice");
            }
            taken++;
        }
        assertEquals(n, taken);
    }

    @Test
    void aRandomTakeIsUniform() {
        int n = 20;
        int[] counts = new int[n];
        int trials = 40_000;
        for (int t = 0; t < trials; t++) {
            PackedKeys keys = new PackedKeys(4);
            for (int i = 0; i < n; i++) {
                keys.add(new byte[] {(byte) i});
            }
            keys.takeRandom(random); // one taken first: its hole is filled by the last key
            counts[keys.takeRandom(random)[0]]++;
        }
        double expected = trials / (double) n;
        for (int c : counts) {
            assertTrue(Math.abs(c - expected) < 6 * Math.sqrt(expected), java.util.Arrays.toString(counts));
        }
    }
}
