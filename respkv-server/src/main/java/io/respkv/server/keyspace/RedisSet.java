package io.respkv.server.keyspace;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Redis sets on the data layout: one element entry per member, the member's bytes as the sub key
 * and an empty value (see docs/encoding.md, "Sets"); the size lives in the metadata.
 *
 * <pre>
 * E | db | keylen | key | version | member   -&gt;  (empty)
 * </pre>
 *
 * So SISMEMBER is one metadata read and one point read, SCARD one metadata read, SADD/SREM one
 * point read and one write per member plus a metadata update, and members come out of a scan in
 * byte order. Random draws (SPOP, SRANDMEMBER) read sets of up to {@value #SMALL_SET} members
 * whole and draw exactly; larger sets are sampled with an {@link PositionSampler}, which reads a
 * bounded number of entries per draw and is close to uniform for evenly spread members but not
 * exactly uniform (see there for its bias); the server keeps a set's sampler between commands
 * ({@link SampledSets}), so a stream of SPOPs does not relearn it each time. Single SPOPs of a
 * set of up to {@value #WHOLE_POOL_MAX} members take their members from a {@link PopPool} holding
 * all of it, read once per stream of pops, and are exact; those of other sets of at least
 * {@value #POOLED_POP_MIN} members from a pool drawn ahead in runs. Replacing a set (the
 * STORE commands, popping most of a set, or a set drained by single pops: see
 * {@link #REWRITE_MAX}) writes the new members under a new version and retires the old one in
 * O(1).
 *
 * <p>Methods taking a {@link KeyMeta} expect the live metadata of a set at that key, as
 * {@link #meta} returned it in this transaction. One instance serves one command execution.
 */
public final class RedisSet {

    /**
     * Sets of at most this many members are read whole for a random draw: exact, every member
     * equally likely, and a bounded read.
     */
    public static final int SMALL_SET = 128;

    /**
     * Distinct random members are read from the whole set when the set has fewer than this many
     * times the members asked for (then the read is proportional to the reply anyway), as Redis's
     * SRANDMEMBER switches strategy at the same ratio.
     */
    static final int WHOLE_READ_RATIO = 3;

    private static final byte[] EMPTY = new byte[0];

    private final Keyspace ks;
    private final Transaction txn;
    private final int db;

    public RedisSet(Keyspace ks) {
        this.ks = ks;
        this.txn = ks.txn();
        this.db = ks.db();
    }

    /** A key and its live set metadata; {@code meta} null means the key does not exist (an empty set). */
    public record Handle(byte[] key, KeyMeta meta) {

        /** The number of members (0 for a missing key). */
        public long size() {
            return meta == null ? 0 : meta.size();
        }
    }

    /** The live metadata of set {@code key}, null if absent; WRONGTYPE if it holds another type. */
    public KeyMeta meta(byte[] key) {
        return ks.meta(key, RedisType.SET);
    }

    // ---- single-key operations ----

    /**
     * Adds {@code members} to set {@code key}, creating it (without expiry) if absent. Returns how
     * many were not members before. WRONGTYPE if the key holds another type.
     */
    public long add(byte[] key, List<byte[]> members, RandomGenerator random) {
        KeyMeta meta = meta(key);
        long added = 0;
        if (meta == null) {
            long version = ks.newVersion(key, random);
            // Nothing exists under a fresh version: only duplicates among the arguments can repeat.
            Set<ByteBuffer> seen = new HashSet<>();
            for (byte[] member : members) {
                if (seen.add(ByteBuffer.wrap(member))) {
                    txn.put(elementKey(key, version, member), EMPTY);
                    added++;
                }
            }
            ks.put(key, KeyMeta.collection(RedisType.SET, KeyMeta.NO_EXPIRY, version, added));
            return added;
        }
        for (byte[] member : members) {
            byte[] elementKey = elementKey(key, meta.version(), member);
            if (txn.get(elementKey) == null) {
                txn.put(elementKey, EMPTY);
                added++;
            }
        }
        if (added > 0) {
            ks.put(key, meta.withSize(meta.size() + added));
        }
        return added;
    }

    /**
     * Removes {@code members} from set {@code key}; returns how many were members. A set left
     * empty is deleted. 0 if the key does not exist; WRONGTYPE if it holds another type.
     */
    public long remove(byte[] key, List<byte[]> members) {
        KeyMeta meta = meta(key);
        if (meta == null) {
            return 0;
        }
        long removed = 0;
        for (byte[] member : members) {
            byte[] elementKey = elementKey(key, meta.version(), member);
            if (txn.get(elementKey) != null) {
                txn.delete(elementKey);
                removed++;
            }
        }
        shrink(key, meta, removed);
        return removed;
    }

    /** Whether {@code member} is in the set: one point read. */
    public boolean contains(byte[] key, KeyMeta meta, byte[] member) {
        return txn.get(elementKey(key, meta.version(), member)) != null;
    }

    /** Every member of the set, in byte order. */
    public List<byte[]> members(byte[] key, KeyMeta meta) {
        List<byte[]> out = new ArrayList<>((int) Math.min(meta.size(), 1 << 16));
        byte[] prefix = KeyCodec.elementPrefix(db, key, meta.version());
        try (KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix), false)) {
            while (c.next()) {
                out.add(Arrays.copyOfRange(c.key(), prefix.length, c.key().length));
            }
        }
        return out;
    }

    /**
     * Moves {@code member} from set {@code src} to set {@code dst} (created if absent), as SMOVE:
     * true if it was moved, or if {@code src} and {@code dst} are the same key and it is a member;
     * false if {@code src} does not exist or does not hold it. WRONGTYPE if {@code src} holds
     * another type, or {@code src} exists and {@code dst} holds another type (Redis checks
     * {@code dst} only when {@code src} exists).
     */
    public boolean move(byte[] src, byte[] dst, byte[] member, RandomGenerator random) {
        KeyMeta srcMeta = ks.meta(src);
        if (srcMeta == null) {
            return false;
        }
        if (srcMeta.type() != RedisType.SET) {
            throw WrongTypeException.INSTANCE;
        }
        KeyMeta dstMeta = meta(dst);
        if (Arrays.equals(src, dst)) {
            return contains(src, srcMeta, member);
        }
        byte[] srcElement = elementKey(src, srcMeta.version(), member);
        if (txn.get(srcElement) == null) {
            return false;
        }
        txn.delete(srcElement);
        shrink(src, srcMeta, 1);
        add(dst, dstMeta, member, random);
        return true;
    }

    /** Adds one member to {@code dst} whose metadata {@code dstMeta} was read before (null: absent). */
    private void add(byte[] dst, KeyMeta dstMeta, byte[] member, RandomGenerator random) {
        if (dstMeta == null) {
            long version = ks.newVersion(dst, random);
            txn.put(elementKey(dst, version, member), EMPTY);
            ks.put(dst, KeyMeta.collection(RedisType.SET, KeyMeta.NO_EXPIRY, version, 1));
            return;
        }
        byte[] elementKey = elementKey(dst, dstMeta.version(), member);
        if (txn.get(elementKey) == null) {
            txn.put(elementKey, EMPTY);
            ks.put(dst, dstMeta.withSize(dstMeta.size() + 1));
        }
    }

    /** Records that {@code removed} members of the set were deleted: a smaller size, or no key. */
    private void shrink(byte[] key, KeyMeta meta, long removed) {
        if (removed == 0) {
            return;
        }
        if (removed >= meta.size()) {
            ks.delete(key);
        } else {
            ks.put(key, meta.withSize(meta.size() - removed));
        }
    }

    // ---- random members ----

    /**
     * A set popped one member at a time is rewritten under a new version (its members copied,
     * the old version retired) once it has at most this many members left and this server popped
     * at least {@value #REWRITE_POPPED_RATIO} times as many from it: every pop leaves a tombstone
     * among the members that an ordered store's scans step over until compaction removes it, so a
     * set drained one pop at a time would make every draw slower than the one before it (draining
     * 63,000 members cost 185 µs of CPU per pop on RocksDB). Bounded, so one rewrite is a bounded
     * stall; the copies cost at most half a write per pop.
     */
    static final int REWRITE_MAX = 16_384;
    static final int REWRITE_POPPED_RATIO = 2;

    /** One random member of the non-empty set (see the class comment for the distribution). */
    public byte[] randomMember(byte[] key, KeyMeta meta, RandomGenerator random) {
        if (meta.size() <= SMALL_SET) {
            List<byte[]> all = members(key, meta);
            return all.get(random.nextInt(all.size()));
        }
        SampledSets sampled = ks.sampledSets();
        if (sampled == null) {
            return subKey(key, sampler(key, meta).draw(random));
        }
        byte[] prefix = KeyCodec.elementPrefix(db, key, meta.version());
        SampledSets.State state = sampled.take(prefix);
        try {
            return subKey(key, sampler(state, prefix, meta.size()).draw(random));
        } finally {
            sampled.give(prefix, state);
        }
    }

    /**
     * {@code count} random members of the non-empty set, a member possibly more than once
     * (SRANDMEMBER with a negative count), in the order drawn.
     */
    public List<byte[]> randomMembersWithRepeats(byte[] key, KeyMeta meta, int count, RandomGenerator random) {
        List<byte[]> out = new ArrayList<>(count);
        if (meta.size() <= SMALL_SET || meta.size() <= count) {
            List<byte[]> all = members(key, meta);
            for (int i = 0; i < count; i++) {
                out.add(all.get(random.nextInt(all.size())));
            }
            return out;
        }
        PositionSampler sampler = sampler(key, meta);
        for (int i = 0; i < count; i++) {
            out.add(subKey(key, sampler.draw(random)));
        }
        return out;
    }

    /**
     * {@code count} distinct random members of the set, {@code 0 < count < size}, in random
     * order (SRANDMEMBER with a positive count).
     */
    public List<byte[]> randomDistinctMembers(byte[] key, KeyMeta meta, int count, RandomGenerator random) {
        return choose(key, meta, count, random).chosen();
    }

    /**
     * Removes one random member of the non-empty set and returns it (SPOP); the set is deleted
     * when it becomes empty.
     */
    public byte[] pop(byte[] key, KeyMeta meta, RandomGenerator random) {
        SampledSets sampled = ks.sampledSets();
        if (sampled == null) {
            byte[] member = randomMember(key, meta, random);
            txn.delete(elementKey(key, meta.version(), member));
            shrink(key, meta, 1);
            return member;
        }
        byte[] prefix = KeyCodec.elementPrefix(db, key, meta.version());
        SampledSets.State state = sampled.take(prefix);
        byte[] whole = wholePoolDraw(sampled, state, prefix, meta.size(), random);
        byte[] drawn = whole;
        if (drawn == null) {
            drawn = meta.size() >= POOLED_POP_MIN
                    ? pooledDraw(state, prefix, meta.size(), random)
                    : sampler(state, prefix, meta.size()).draw(random);
            state.sampler.removed(drawn);
        }
        txn.delete(drawn); // the member's element key, as drawn
        byte[] member = subKey(key, drawn);
        long remaining = meta.size() - 1;
        state.popped++;
        state.popsSinceWholeRead++;
        if (whole != null) {
            state.wholeSize = remaining;
        }
        if (state.filling != null) {
            state.fillSize = remaining;
        }
        if (remaining > 0 && remaining <= REWRITE_MAX && state.popped >= REWRITE_POPPED_RATIO * remaining) {
            // Leave the tombstones behind (see REWRITE_MAX); the new version starts with no state.
            List<byte[]> rest = members(key, meta);
            long version = ks.newVersion(key, random);
            for (byte[] m : rest) {
                txn.put(elementKey(key, version, m), EMPTY);
            }
            ks.put(key, KeyMeta.collection(RedisType.SET, meta.expireAt(), version, rest.size()));
        } else {
            shrink(key, meta, 1);
            if (remaining > 0) {
                sampled.give(prefix, state);
            }
        }
        return member;
    }

    /**
     * Removes {@code count} distinct random members, {@code 0 < count < size}, and returns them
     * in random order (SPOP with a count). When fewer members stay than go, and the whole set was
     * read anyway, the members that stay are rewritten under a new version and the old version is
     * retired, instead of deleting each popped member (Redis makes the same switch).
     */
    public List<byte[]> pop(byte[] key, KeyMeta meta, int count, RandomGenerator random) {
        Choice choice = choose(key, meta, count, random);
        List<byte[]> rest = choice.rest();
        if (rest != null && rest.size() < count) {
            long version = ks.newVersion(key, random);
            for (byte[] member : rest) {
                txn.put(elementKey(key, version, member), EMPTY);
            }
            ks.put(key, KeyMeta.collection(RedisType.SET, meta.expireAt(), version, rest.size()));
        } else {
            for (byte[] member : choice.chosen()) {
                txn.delete(elementKey(key, meta.version(), member));
            }
            shrink(key, meta, count);
        }
        return choice.chosen();
    }

    /** Distinct random members, and the others when the whole set was read (else null). */
    private record Choice(List<byte[]> chosen, List<byte[]> rest) {
    }

    private Choice choose(byte[] key, KeyMeta meta, int count, RandomGenerator random) {
        long size = meta.size();
        if (count <= 0 || count >= size) {
            throw new IllegalArgumentException("count " + count + " outside (0, " + size + ")");
        }
        if (size > SMALL_SET && (long) count * WHOLE_READ_RATIO <= size) {
            // A few members of a large set: sample until enough distinct ones came up. Uneven
            // members make some draws unlikely (see PositionSampler), so the attempts are bounded
            // and the whole set is read if they run out.
            PositionSampler sampler = sampler(key, meta);
            Set<ByteBuffer> seen = new HashSet<>();
            List<byte[]> chosen = new ArrayList<>(count);
            long attempts = 4L * count + 64;
            for (long a = 0; a < attempts && chosen.size() < count; a++) {
                byte[] member = subKey(key, sampler.draw(random));
                if (seen.add(ByteBuffer.wrap(member))) {
                    chosen.add(member);
                }
            }
            if (chosen.size() == count) {
                return new Choice(chosen, null);
            }
        }
        // Partial Fisher-Yates over the whole set: the first count places get a uniform sample.
        List<byte[]> all = members(key, meta);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.size() - i);
            byte[] t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return new Choice(new ArrayList<>(all.subList(0, count)), new ArrayList<>(all.subList(count, all.size())));
    }

    private PositionSampler sampler(byte[] key, KeyMeta meta) {
        return new PositionSampler(txn, KeyCodec.elementPrefix(db, key, meta.version()), meta.size());
    }

    /**
     * Sets of at least this many members that are not held whole (see {@link #wholePoolDraw})
     * pop single members from a {@link PopPool} of runs: a read of {@value PopPool#RUN}
     * neighbours from a random place per twenty or so pops, instead of a sampler draw (a dozen or
     * two entries read through a new cursor, most of a pop's cost) per pop. The pool holds up to
     * {@value PopPool#LOW} members, at most a quarter of a set this large.
     */
    static final int POOLED_POP_MIN = 4 * PopPool.LOW;
    /** Sets of at most this many members are held whole for their single pops (see {@link #wholePoolDraw}). */
    static final int WHOLE_POOL_MAX = 131_072;
    /** Entries one pop reads of a whole read spread over several pops. */
    static final int WHOLE_READ_CHUNK = 4_096;
    /** A set held whole in its pool is read again at most once per this many pops per member (see {@link #wholePoolDraw}). */
    static final int WHOLE_READ_PER_POP = 8;
    /** Pooled members checked (and found gone) in one pop before it draws on its own. */
    private static final int POOLED_TRIES = 16;

    /**
     * The engine key of a random member for a single pop of a set of at most
     * {@link #WHOLE_POOL_MAX} members, from the set's {@link PopPool} holding all of it: each pop
     * takes one of its members uniformly at random (exact), and passes over one found gone. The
     * set is read whole {@value #WHOLE_READ_CHUNK} entries per pop, so no pop reads more than
     * that; until the read is complete this returns null and the caller draws otherwise (runs or
     * the sampler); members popped meanwhile are in the pool, passed over when drawn. While this
     * server's single pops are the only change to the set, its size is the one the pool expects
     * ({@link SampledSets.State#wholeSize}) and no pop reads more than the member it takes.
     *
     * <p>Any other change of size (SADD, SREM, SMOVE, a pop with a count), during the read or
     * after, means the set must be read again; a set above {@link #SMALL_SET} is read again only
     * once this many pops were served since the last read started that it costs at most
     * {@value #WHOLE_READ_PER_POP} entries per pop (a set popped and filled by turns would
     * otherwise be read whole for every pop). A change that keeps the size (one member added,
     * another removed) leaves the pool holding a removed member, passed over, and missing the
     * added one until the pool is read again. A set is read whole only if its pool fits in the
     * budget of all remembered sets' pools ({@link SampledSets#wholeReadFits}).
     */
    private byte[] wholePoolDraw(SampledSets sampled, SampledSets.State state, byte[] prefix, long size, RandomGenerator random) {
        PopPool pool = state.pool;
        if (state.wholeSize >= 0) {
            byte[] drawn = state.wholeSize == size ? takeLive(pool, random) : null;
            if (drawn != null) {
                return drawn;
            }
            // The set changed otherwise than by this server's pops, or no member held is left.
            state.wholeSize = -1;
            pool.clear();
        }
        if (state.filling != null && state.fillSize != size) {
            state.filling = null; // changed behind the read: start again (when the rule below allows)
        }
        if (state.filling == null) {
            // A state that popped before has read the set (whole, or in runs meanwhile): the rule applies.
            if (size > WHOLE_POOL_MAX
                    || (state.popped > 0 && size > SMALL_SET && state.popsSinceWholeRead * WHOLE_READ_PER_POP < size)
                    || !sampled.wholeReadFits(size)) {
                return null;
            }
            state.filling = new PackedKeys((int) Math.min(size, WHOLE_READ_CHUNK));
            state.fillSize = size;
            state.popsSinceWholeRead = 0;
        }
        PackedKeys filling = state.filling;
        byte[] last = filling.size() == 0 ? null : filling.last();
        byte[] from = last == null ? prefix : Arrays.copyOf(last, last.length + 1); // the least key after the last read
        boolean complete = true;
        try (KvCursor c = txn.scan(from, KeyCodec.prefixEnd(prefix), false)) {
            for (int n = 0; c.next(); n++) {
                if (n == WHOLE_READ_CHUNK) {
                    complete = false;
                    break;
                }
                filling.add(c.key());
            }
        }
        if (!complete) {
            return null;
        }
        pool.holdWhole(filling);
        state.filling = null;
        state.wholeSize = size;
        byte[] drawn = takeLive(pool, random);
        if (drawn == null) {
            throw new IllegalStateException("set metadata counts " + size + " members but none were found");
        }
        return drawn;
    }

    /** Takes members from {@code pool} at random until one is still in the set; null if none is. */
    private byte[] takeLive(PopPool pool, RandomGenerator random) {
        while (pool.size() > 0) {
            byte[] drawn = pool.take(random);
            if (txn.get(drawn) != null) {
                return drawn;
            }
        }
        return null;
    }

    /**
     * The engine key of a random member for a single pop from the set's {@link PopPool}, refilled
     * as needed; members the pool held that are gone (popped or removed meanwhile) are passed
     * over.
     */
    private byte[] pooledDraw(SampledSets.State state, byte[] prefix, long size, RandomGenerator random) {
        PositionSampler sampler = sampler(state, prefix, size);
        PopPool pool = state.pool;
        for (int tries = 0; tries < POOLED_TRIES; tries++) {
            for (int runs = 0; pool.low() && runs < PopPool.RUNS_PER_POP; runs++) {
                pool.addAll(sampler.drawRun(random, PopPool.RUN));
            }
            if (pool.size() == 0) {
                break;
            }
            byte[] drawn = pool.take(random);
            if (txn.get(drawn) != null) {
                return drawn;
            }
        }
        return sampler.draw(random);
    }

    /** The remembered sampler of a set version if it can be reused, else a new one (remembered). */
    private PositionSampler sampler(SampledSets.State state, byte[] prefix, long size) {
        if (state.sampler == null || !state.sampler.reuse(txn, size)) {
            state.sampler = new PositionSampler(txn, prefix, size);
        }
        return state.sampler;
    }

    // ---- multi-key operations (SINTER, SUNION, SDIFF and their STORE forms) ----

    /**
     * The members common to every set, in byte order, stopping after {@code limit} (0: no limit).
     * Iterates the smallest set and point-reads each of its members in the others. Every handle
     * must hold an existing set (an intersection with a missing key is empty; callers answer that
     * without calling this).
     */
    public List<byte[]> intersection(List<Handle> sets, long limit) {
        List<Handle> bySize = new ArrayList<>(sets);
        bySize.sort(Comparator.comparingLong(Handle::size));
        Handle smallest = bySize.get(0);
        List<byte[]> out = new ArrayList<>();
        byte[] prefix = KeyCodec.elementPrefix(db, smallest.key(), smallest.meta().version());
        try (KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix), false)) {
            while (c.next()) {
                byte[] member = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                if (inAllOthers(bySize, smallest, member)) {
                    out.add(member);
                    if (limit > 0 && out.size() >= limit) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    private boolean inAllOthers(List<Handle> sets, Handle smallest, byte[] member) {
        for (Handle other : sets) {
            // A key named twice is the same set: nothing to look up.
            if (other != smallest && !Arrays.equals(other.key(), smallest.key())
                    && !contains(other.key(), other.meta(), member)) {
                return false;
            }
        }
        return true;
    }

    /** The members of any of the sets (missing keys are empty), in byte order. */
    public List<byte[]> union(List<Handle> sets) {
        TreeSet<byte[]> out = new TreeSet<>(KeyOrder.UNSIGNED);
        Set<ByteBuffer> readKeys = new HashSet<>();
        for (Handle set : sets) {
            if (set.meta() != null && readKeys.add(ByteBuffer.wrap(set.key()))) {
                out.addAll(members(set.key(), set.meta()));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The members of the first set that are in none of the others (missing keys are empty), in
     * byte order. For each other set it either point-reads the remaining candidates in it or
     * scans it, whichever touches fewer entries.
     */
    public List<byte[]> difference(List<Handle> sets) {
        Handle first = sets.get(0);
        if (first.meta() == null) {
            return List.of();
        }
        TreeSet<byte[]> candidates = new TreeSet<>(KeyOrder.UNSIGNED);
        candidates.addAll(members(first.key(), first.meta()));
        for (int i = 1; i < sets.size() && !candidates.isEmpty(); i++) {
            Handle other = sets.get(i);
            if (other.meta() == null) {
                continue;
            }
            if (Arrays.equals(other.key(), first.key())) {
                return List.of();
            }
            if (other.size() < candidates.size()) {
                for (byte[] member : members(other.key(), other.meta())) {
                    candidates.remove(member);
                }
            } else {
                candidates.removeIf(member -> contains(other.key(), other.meta(), member));
            }
        }
        return new ArrayList<>(candidates);
    }

    /**
     * Makes {@code dst} the set of {@code members} (distinct), replacing whatever it held, of any
     * type, and its expiry; with no members, deletes {@code dst}. Returns the new size. The members
     * go under a new version, so {@code dst} may be one of the sets they were computed from.
     */
    public long store(byte[] dst, List<byte[]> members, RandomGenerator random) {
        if (members.isEmpty()) {
            ks.delete(dst);
            return 0;
        }
        long version = ks.newVersion(dst, random);
        for (byte[] member : members) {
            txn.put(elementKey(dst, version, member), EMPTY);
        }
        ks.put(dst, KeyMeta.collection(RedisType.SET, KeyMeta.NO_EXPIRY, version, members.size()));
        return members.size();
    }

    // ---- SSCAN ----

    /**
     * One step of a member iteration: the members looked at that passed the filter, the last
     * member looked at, and the member after it (null when the range is exhausted).
     */
    public record ScanStep(List<byte[]> matched, byte[] last, byte[] next) {
    }

    /**
     * Looks at up to {@code count} members {@code m} with {@code from <= m < to} in byte order
     * ({@code from} null: the first member; {@code to} null: no bound) and keeps those
     * {@code filter} accepts.
     */
    public ScanStep scan(byte[] key, KeyMeta meta, byte[] from, byte[] to, long count, Predicate<byte[]> filter) {
        byte[] prefix = KeyCodec.elementPrefix(db, key, meta.version());
        byte[] low = from == null ? prefix : KeyCodec.elementKey(db, key, meta.version(), from);
        byte[] high = to == null ? KeyCodec.prefixEnd(prefix) : KeyCodec.elementKey(db, key, meta.version(), to);
        List<byte[]> matched = new ArrayList<>();
        byte[] last = null;
        long looked = 0;
        try (KvCursor c = txn.scan(low, high, false)) {
            while (c.next()) {
                byte[] member = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                if (looked == count) {
                    return new ScanStep(matched, last, member);
                }
                looked++;
                last = member;
                if (filter.test(member)) {
                    matched.add(member);
                }
            }
        }
        return new ScanStep(matched, last, null);
    }

    // ---- layout ----

    private byte[] elementKey(byte[] key, long version, byte[] member) {
        return KeyCodec.elementKey(db, key, version, member);
    }

    /** The member in an element key of {@code key}. */
    private static byte[] subKey(byte[] key, byte[] elementKey) {
        return Arrays.copyOfRange(elementKey, KeyCodec.elementPrefixLength(key), elementKey.length);
    }
}
