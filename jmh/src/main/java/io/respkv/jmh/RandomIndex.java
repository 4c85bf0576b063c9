package io.respkv.jmh;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Per-thread random choices for the benchmarks: which key (xorshift, cheaper than any Random), and other draws. */
@State(Scope.Thread)
public class RandomIndex {

    private long x = 0x9E3779B97F4A7C15L;
    /** For draws other than an index (a score, a new collection's version). */
    public final SplittableRandom random = new SplittableRandom(7);

    /** A pseudo-random index in {@code [0, bound)}. */
    public int next(int bound) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return (int) ((x >>> 1) % bound);
    }

    /**
     * 0 to {@code n - 1} in an order shuffled by {@code seed}: the order to insert keys in, so
     * that none sits next to its neighbours in memory (as a server's clients touch them).
     */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom shuffle = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
