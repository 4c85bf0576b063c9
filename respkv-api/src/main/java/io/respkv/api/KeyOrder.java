package io.respkv.api;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The order of keys in every engine: their bytes compared unsigned, lexicographically, so the
 * empty key sorts first and a key before every key it prefixes ({@link KeyspaceEngine}).
 *
 * <p>One instance for every sorted map of keys, rather than {@code Arrays::compareUnsigned} written
 * at each map: each such method reference is a class of its own, so {@code TreeMap}'s one
 * {@code compare} call site saw several classes (a commit puts every key it writes into two maps).
 * Measured: no change in server CPU per request outside the noise (docs/benchmarks.md,
 * "2026-11-24 03:18-03:53: memtables flushed in pairs").
 */
public final class KeyOrder implements Comparator<byte[]> {

    /** The comparator. */
    public static final KeyOrder UNSIGNED = new KeyOrder();

    private KeyOrder() {
    }

    @Override
    public int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
