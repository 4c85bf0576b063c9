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
 * <p>Or it holds a whole set, read once ({@link #holdWhole}, see {@link RedisSet}'s
 * {@code wholePoolDraw}): then each pop is exact.
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

    private final List<byte[]> keys = new ArrayList<>();
    private final Set<ByteBuffer> held = new HashSet<>();
    /** Every member of the set instead of runs (see {@link #holdWhole}), or null. */
    private PackedKeys whole;

    int size() {
        return whole != null ? whole.size() : keys.size();
    }

    /** True while the pool wants another run. */
    boolean low() {
        return keys.size() < LOW;
    }

    /** Adds the elements of {@code run} the pool does not hold yet. */
    void addAll(List<byte[]> run) {
        if (whole != null) {
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
        whole = null;
    }

    /** Holds exactly {@code distinct} (the keys of one read of a set, so each once; taken over), instead of what it held. */
    void holdWhole(PackedKeys distinct) {
        clear();
        whole = distinct;
    }

    /** Removes and returns an element chosen uniformly at random; the pool must not be empty. */
    byte[] take(RandomGenerator random) {
        if (whole != null) {
            return whole.takeRandom(random);
        }
        int i = random.nextInt(keys.size());
        byte[] key = keys.get(i);
        int last = keys.size() - 1;
        keys.set(i, keys.get(last));
        keys.remove(last);
        held.remove(ByteBuffer.wrap(key));
        return key;
    }
}
