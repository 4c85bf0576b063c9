package io.respkv.server.script;

/**
 * Redis's {@code redisLrand48} ({@code rand.c}): the 48-bit linear congruential generator of
 * POSIX {@code lrand48}, which Redis's {@code math.random} uses so that a seed gives the same
 * sequence on every platform. One instance per script run (not thread-safe).
 */
final class Lrand48 {

    /** Redis's {@code REDIS_LRAND48_MAX}. */
    static final int MAX = Integer.MAX_VALUE;

    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long MASK = (1L << 48) - 1;

    private long x;

    /** Redis's {@code redisSrand48(seed)}: the high 32 bits of the state are the seed, the low 16 0x330E. */
    void seed(int seed) {
        x = (((long) seed & 0xFFFFFFFFL) << 16 | 0x330E) & MASK;
    }

    /** Sets the whole 48-bit state (a script run's initial state comes from the command's seed). */
    void state(long state) {
        x = state & MASK;
    }

    /** The next value, uniform in [0, 2^31). */
    int next() {
        x = (x * MULTIPLIER + 0xB) & MASK;
        return (int) (x >>> 17);
    }

    /** {@code math.random}'s r: (lrand48() % MAX) / MAX, in [0, 1). */
    double nextDouble() {
        return (double) (next() % MAX) / (double) MAX;
    }
}
