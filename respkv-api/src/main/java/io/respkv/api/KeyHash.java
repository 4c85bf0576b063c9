package io.respkv.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The hash engines use for binary keys in their in-memory tables (key locks, read caches, the
 * memory engine's index): one way to hash a key, shared.
 *
 * <p>Not {@link java.util.Arrays#hashCode(byte[])}: its polynomial maps keys that differ in two
 * adjacent bytes by {@code (+1, -31)} to the same value, which binary element sub keys (list
 * indexes, sorted-set scores) hit all the time; a hot list's element keys then filled a few
 * {@code ConcurrentHashMap} bins, searched by {@code equals} one by one (a quarter of LPUSH's
 * server CPU in the read cache). This one mixes every bit of every byte and reads eight bytes a
 * step.
 */
public final class KeyHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private KeyHash() {
    }

    /** The hash of {@code key}'s bytes. */
    public static int of(byte[] key) {
        return of(key, key.length);
    }

    /** The hash of the first {@code length} bytes of {@code key}, as {@link #of(byte[])} of a copy of them. */
    public static int of(byte[] key, int length) {
        java.util.Objects.checkFromIndexSize(0, length, key.length);
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = (h ^ (long) LONGS.get(key, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        long tail = 0;
        for (; i < length; i++) {
            tail = (tail << 8) | (key[i] & 0xff);
        }
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }
}
