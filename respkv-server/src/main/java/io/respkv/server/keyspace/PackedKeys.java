package io.respkv.server.keyspace;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Many short keys in one byte array, for a {@link PopPool} holding a whole set: a key is its
 * bytes in {@link #bytes} plus two ints, where a {@code byte[]} each cost about 20 bytes more and
 * an object per key for the collector to trace and copy (a pool of 100,000 members made SPOP's
 * young collections 15% of its CPU). Keys are appended, and taken out at random (the last
 * key's place fills the hole; the bytes of keys taken stay until the whole is dropped). Not
 * thread-safe.
 */
final class PackedKeys {

    private byte[] bytes;
    private int used;
    private int[] starts;
    private int[] lengths;
    private int size;

    /** @param expectedKeys about how many keys will be added (the arrays grow past it) */
    PackedKeys(int expectedKeys) {
        int n = Math.max(16, expectedKeys);
        starts = new int[n];
        lengths = new int[n];
        bytes = new byte[n * 32];
    }

    int size() {
        return size;
    }

    /** Appends a copy of {@code key}. */
    void add(byte[] key) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        if (used + key.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + key.length));
        }
        System.arraycopy(key, 0, bytes, used, key.length);
        starts[size] = used;
        lengths[size] = key.length;
        used += key.length;
        size++;
    }

    /** A copy of the key added last; there must be one. */
    byte[] last() {
        return copy(size - 1);
    }

    /** Removes a key chosen uniformly at random and returns a copy of it; there must be one. */
    byte[] takeRandom(RandomGenerator random) {
        int i = random.nextInt(size);
        byte[] key = copy(i);
        size--;
        starts[i] = starts[size];
        lengths[i] = lengths[size];
        return key;
    }

    private byte[] copy(int i) {
        return Arrays.copyOfRange(bytes, starts[i], starts[i] + lengths[i]);
    }
}
