package io.respkv.server.keyspace;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Elements of one large set drawn ahead for a stream of single pops (SPOP without a count, see
 * {@link RedisSet#pop(byte[], KeyMeta, RandomGenerator)}), each pop taking one of them uniformly
 * at random. They come in runs ({@link PositionSampler#drawRun}): one read of {@value #RUN}
 * neighbouring elements from a random landing keeps about two thirds of them, each with about the
 * chance a single draw would give it, for about what one single draw costs. Neighbours of one run
 * must not come out together, so the pool is refilled while it holds fewer than {@value #LOW}
 * elements and so always mixes some twenty runs from as many places in the set: the next pop is
 * a neighbour of the last one about once in 400 pops, and a hundred pops in a row take about
 * four members from each of the runs they draw on (independent draws would take one from each of
 * a hundred places: a stream of pops is lumpier than that, each pop on its own is not).
 *
 * <p>Holds engine keys, each once; they may have been removed since they were read, so the
 * taker checks each one. Not thread-safe (a {@link SampledSets} entry is used by one command at a
 * time).
 */
final class PopPool {

    /** Elements read per run (about two thirds are kept). */
    static final int RUN = 32;
    /** The pool is refilled while it holds fewer elements than this. */
    static final int LOW = 512;
    /** Runs one pop reads at most: a new pool fills over its first few pops. */
    static final int RUNS_PER_POP = 8;

    private List<byte[]> keys = new ArrayList<>();
    private final Set<ByteBuffer> held = new HashSet<>();
    /** Whether {@link #held} tracks {@link #keys} (runs may overlap); not for a whole set's distinct members. */
    private boolean tracked = true;

    int size() {
        return keys.size();
    }

    /** True while the pool wants another run. */
    boolean low() {
        return keys.size() < LOW;
    }

    /** Adds the elements of {@code run} the pool does not hold yet. */
    void addAll(List<byte[]> run) {
        if (!tracked) {
            throw new IllegalStateException("a pool holding a whole set takes no runs");
        }
        for (byte[] key : run) {
            if (held.add(ByteBuffer.wrap(key))) {
                keys.add(key);
            }
        }
    }

    /** Forgets every element. */
    void clear() {
        keys.clear();
        held.clear();
        tracked = true;
    }

    /**
     * Holds exactly {@code distinct} (keys of one read of a set, so each once; the list is taken
     * over), instead of whatever it held.
     */
    void holdWhole(List<byte[]> distinct) {
        clear();
        keys = distinct;
        tracked = false;
    }

    /** Removes and returns an element chosen uniformly at random; the pool must not be empty. */
    byte[] take(RandomGenerator random) {
        int i = random.nextInt(keys.size());
        byte[] key = keys.get(i);
        int last = keys.size() - 1;
        keys.set(i, keys.get(last));
        keys.remove(last);
        if (tracked) {
            held.remove(ByteBuffer.wrap(key));
        }
        return key;
    }
}
