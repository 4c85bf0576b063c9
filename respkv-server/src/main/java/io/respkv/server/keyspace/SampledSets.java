package io.respkv.server.keyspace;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server remembers between commands about the sets it draws random members from (SPOP,
 * SRANDMEMBER), so a stream of single draws on one large set does not pay a sampler's learning
 * (about a hundred entries read) per command, nor scan ever more tombstones of popped members.
 * Keyed by the set's element prefix, which holds its database, key and version: a new version (a
 * set recreated or rewritten) starts afresh. Bounded to the {@value #CAPACITY} sets used last.
 *
 * <p>Nothing here is needed for correctness: a forgotten or stale entry only costs a relearn or
 * shifts the sampler's distribution a little (see {@link PositionSampler#reuse}). An entry is
 * {@linkplain #take taken} by one command at a time (commands on one set are serialized by its
 * key lock anyway; a concurrent taker simply finds none) and {@linkplain #give given back} after.
 */
public final class SampledSets {

    /** Sets remembered at most. */
    static final int CAPACITY = 64;
    /**
     * Members all remembered sets' whole-set pools may hold together, by default (their bytes
     * and 8 more each: under 16 MB for redis-benchmark's members): a set is read whole for its
     * pops only while it fits beside the others.
     */
    static final long DEFAULT_WHOLE_POOL_BUDGET = 262_144;

    /** One set version's state. */
    static final class State {
        /** The sampler to reuse, or null. */
        PositionSampler sampler;
        /**
         * Members drawn ahead in runs for single pops of a set of at least
         * {@link RedisSet#POOLED_POP_MIN} members, or every member of a set held whole (see
         * {@link #wholeSize}).
         */
        final PopPool pool = new PopPool();
        /**
         * For a set held whole ({@link RedisSet#wholePoolDraw}): the size it has if single pops by
         * this server were its only changes since {@link #pool} was read whole; -1 when the pool
         * does not hold the whole set.
         */
        long wholeSize = -1;
        /** Single pops of this set version since a whole read of it last started. */
        long popsSinceWholeRead;
        /**
         * Members read so far by a whole read spread over several pops (see
         * {@link RedisSet#wholePoolDraw}), in order (the read goes on after the last); null when
         * none is under way.
         */
        PackedKeys filling;
        /** The size the set has if this server's single pops were its only changes since {@link #filling} started. */
        long fillSize;
        /**
         * Members this server popped one by one from this version: a lower bound on the
         * tombstones among its elements (see {@link RedisSet#pop(byte[], KeyMeta, java.util.random.RandomGenerator)}).
         */
        long popped;

        /** Members this state holds: its pool's and a whole read's under way. */
        long held() {
            return pool.size() + (filling == null ? 0 : filling.size());
        }
    }

    private final long wholePoolBudget;

    /** Remembers sets' states with the default whole-pool budget. */
    public SampledSets() {
        this(DEFAULT_WHOLE_POOL_BUDGET);
    }

    /** @param wholePoolBudget members all whole-set pools may hold together (0: no set is read whole for its pops) */
    SampledSets(long wholePoolBudget) {
        this.wholePoolBudget = wholePoolBudget;
    }

    private final Map<ByteBuffer, State> states = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, State> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The state of the set version with this element prefix, removed from here until given back; a new one if none. */
    synchronized State take(byte[] elementPrefix) {
        State s = states.remove(ByteBuffer.wrap(elementPrefix));
        return s != null ? s : new State();
    }

    /** Keeps {@code state} for the next command on the set version with this element prefix. */
    synchronized void give(byte[] elementPrefix, State state) {
        states.put(ByteBuffer.wrap(elementPrefix), state);
    }

    /**
     * Whether a whole read of a set of {@code size} members fits beside the members the
     * remembered states hold (those of sets in use by other commands right now are not counted:
     * a few at most).
     */
    synchronized boolean wholeReadFits(long size) {
        long held = 0;
        for (State s : states.values()) {
            held += s.held();
        }
        return held + size <= wholePoolBudget;
    }

    /** Sets remembered now. */
    synchronized int size() {
        return states.size();
    }
}
