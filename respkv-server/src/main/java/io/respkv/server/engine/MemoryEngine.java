package io.respkv.server.engine;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyHash;
import io.respkv.api.KeyOrder;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory engine: an ordered, multi-versioned map for tests, caches and embedding where
 * durability is not wanted.
 *
 * <p>Design: each key has a {@link Slot} holding its newest committed value inline and, while an
 * open snapshot may need them, the older ones as a chain of {@link Version}s. Slots are reachable
 * two ways: a {@link ConcurrentSkipListMap} in unsigned key order for
 * scans, and a {@link ConcurrentHashMap} for point reads — a skip-list lookup costs a dozen
 * cache-missing comparisons on a large key space, a hash lookup one; point reads are most of
 * what a Redis workload does. Updating an existing key swaps its slot's head and touches
 * neither map. Transactions buffer their writes and validate optimistically: at commit, every
 * key they read with {@code get} must still carry the version they saw, else the commit fails
 * with a conflict and {@link #transact} retries. Commits install under one short lock (a few
 * map operations), which also orders commit sequence numbers; command execution itself never
 * holds it. A {@link Snapshot} reads the newest version at or below the sequence number that
 * was visible when it opened; older versions are kept only while a snapshot may need them.
 */
public final class MemoryEngine implements KeyspaceEngine {

    /**
     * A key's place in both maps, holding its newest committed version inline. It is also its
     * own key in the hash index (equal to a {@link HashKey} of the same bytes), which spares an
     * object per key.
     *
     * <p>Why inline: a point read is a chain of dependent cache misses (hash table, map node,
     * slot, key bytes, value bytes), and a separate version object per write was one more miss
     * per read and one more object per write (profiled: 10% of a memory-engine SET). The newest
     * value, its sequence number and the older versions are written only under the commit lock,
     * as a seqlock: the writer makes {@link #stamp} odd, writes the three fields, and makes it even
     * again; a reader without the lock reads them between two equal even stamps (the pattern of
     * {@link java.util.concurrent.locks.StampedLock#tryOptimisticRead}).
     */
    static final class Slot {
        private static final VarHandle STAMP;

        static {
            try {
                STAMP = MethodHandles.lookup().findVarHandle(Slot.class, "stamp", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final byte[] key;
        private final int hash;
        /** The newest committed value; null is a deletion. */
        private byte[] value;
        /** The commit sequence number of {@link #value}. */
        private long seq;
        /** Older committed versions, newest first, kept while an open snapshot may read them. */
        private Version older;
        /** Even when {@link #value}, {@link #seq} and {@link #older} agree; odd while they are rewritten. */
        @SuppressWarnings("unused") // through STAMP
        private volatile int stamp;
        /**
         * Set when the slot leaves both maps (its key was deleted and no snapshot needs it); a
         * later write of the key makes a new slot. Guarded by the commit lock.
         */
        boolean removed;

        Slot(byte[] key, int hash, byte[] value, long seq) {
            this.key = key;
            this.hash = hash;
            this.value = value;
            this.seq = seq;
        }

        /** Replaces the newest version. Commit lock held: the only writer. */
        void write(byte[] newValue, long newSeq, Version newOlder) {
            int s = (int) STAMP.getOpaque(this);
            STAMP.setOpaque(this, s + 1);
            VarHandle.storeStoreFence();
            value = newValue;
            seq = newSeq;
            older = newOlder;
            STAMP.setRelease(this, s + 2);
        }

        /** The newest value's sequence number. Commit lock held. */
        long seqLocked() {
            return seq;
        }

        /** The newest value (null: a deletion). Commit lock held. */
        byte[] valueLocked() {
            return value;
        }

        /**
         * Reads the newest version without the lock: records its sequence number in {@code reads}
         * (for the commit to validate) and returns its value (null: a deletion).
         */
        byte[] readNewest(ReadSet reads, byte[] readKey) {
            for (;;) {
                int s = stableStamp();
                byte[] v = value;
                long q = seq;
                if (unchangedSince(s)) {
                    reads.add(readKey, this, q);
                    return v;
                }
            }
        }

        /** A seqlock read begins: waits out a write in progress, returns the stamp to check. */
        private int stableStamp() {
            int s;
            while (((s = (int) STAMP.getAcquire(this)) & 1) != 0) {
                Thread.onSpinWait();
            }
            return s;
        }

        /** A seqlock read ends: whether the fields read since {@code stamp} were not rewritten meanwhile. */
        private boolean unchangedSince(int stamp) {
            VarHandle.acquireFence(); // the field reads complete before the stamp is read again
            return (int) STAMP.getOpaque(this) == stamp;
        }

        /**
         * The value as of sequence number {@code at} (null if absent then), without the lock; the
         * versions older than the newest must still be kept for {@code at} (a registered snapshot).
         */
        byte[] valueAt(long at) {
            for (;;) {
                int s = stableStamp();
                byte[] v = value;
                long q = seq;
                Version o = older;
                if (!unchangedSince(s)) {
                    continue;
                }
                if (q <= at) {
                    return v;
                }
                while (o != null && o.seq > at) {
                    o = o.older;
                }
                return o == null ? null : o.value;
            }
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || HashKey.sameKey(o, hash, key);
        }
    }

    /** A byte[] with value equality, to look a key up in the hash index (whose keys are {@link Slot}s). */
    static final class HashKey {
        final byte[] bytes;
        private final int hash;

        HashKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = KeyHash.of(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return sameKey(o, hash, bytes);
        }

        /** Whether {@code o}, a HashKey or a Slot, holds {@code key} (whose hash is {@code hash}). */
        static boolean sameKey(Object o, int hash, byte[] key) {
            if (o instanceof HashKey k) {
                return k.hash == hash && Arrays.equals(k.bytes, key);
            }
            return o instanceof Slot s && s.hash == hash && Arrays.equals(s.key, key);
        }
    }

    /** An older committed value of a key, kept for snapshots; {@code value == null} is a deletion. */
    static final class Version {
        final byte[] value;
        final long seq;
        Version older;

        Version(byte[] value, long seq, Version older) {
            this.value = value;
            this.seq = seq;
            this.older = older;
        }
    }

    final ConcurrentNavigableMap<byte[], Slot> map = new ConcurrentSkipListMap<>(KeyOrder.UNSIGNED);
    /** Keys are the {@link Slot}s themselves, looked up with a {@link HashKey}. */
    private final ConcurrentHashMap<Object, Slot> index = new ConcurrentHashMap<>();
    private final ReentrantLock commitLock = new ReentrantLock();
    /** The highest committed sequence number; every version with seq <= it is fully installed. */
    private volatile long visibleSeq;
    /** Open snapshots by sequence number -> count; guarded by commitLock. */
    private final TreeMap<Long, Integer> openSnapshots = new TreeMap<>();
    /** Slots whose chains kept old versions for open snapshots; pruned when those close. Guarded by commitLock. */
    private final ArrayDeque<Slot> retained = new ArrayDeque<>();
    private volatile boolean closed;

    public MemoryEngine() {
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Set<EngineFeature> features() {
        return Set.of();
    }

    @Override
    public Transaction begin() {
        ensureOpen();
        return new MemoryTransaction(this);
    }

    @Override
    public Snapshot snapshot() {
        ensureOpen();
        return new MemorySnapshot(this, registerSnapshot());
    }

    /** Pins the versions visible now for a reader; {@link #releaseSnapshot} unpins them. */
    long registerSnapshot() {
        commitLock.lock();
        try {
            long seq = visibleSeq;
            openSnapshots.merge(seq, 1, Integer::sum);
            return seq;
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("memory engine is closed");
        }
    }

    /** The slot of {@code key}, or null. */
    Slot slot(byte[] key) {
        return index.get(new HashKey(key));
    }

    /**
     * The sequence number of the newest committed version of a key the transaction read through
     * {@code seen} (null if the key was absent then), 0 if absent: read from that slot while it is
     * still the key's, without a second hash lookup. Call with the commit lock held.
     */
    private long currentSeq(byte[] key, Slot seen) {
        Slot slot = seen != null && !seen.removed ? seen : slot(key);
        return slot == null ? 0 : slot.seqLocked();
    }

    void releaseSnapshot(long seq) {
        commitLock.lock();
        try {
            openSnapshots.computeIfPresent(seq, (k, n) -> n == 1 ? null : n - 1);
            if (!retained.isEmpty()) {
                long oldest = oldestSnapshot();
                int n = retained.size();
                for (int i = 0; i < n; i++) {
                    Slot slot = retained.poll();
                    if (!slot.removed && prune(slot, oldest)) {
                        retained.add(slot);
                    }
                }
            }
        } finally {
            commitLock.unlock();
        }
    }

    private long oldestSnapshot() {
        return openSnapshots.isEmpty() ? Long.MAX_VALUE : openSnapshots.firstKey();
    }

    /**
     * Installs a transaction's writes atomically after validating its reads.
     *
     * @param reads     keys read with the version sequence seen (0 = absent)
     * @param rangeDeletes ranges deleted, applied before {@code writes}
     * @param writes    puts ({@code value != null}) and deletes ({@code value == null})
     * @param scanned   whether the transaction scanned: its point reads are then validated even
     *                  if it wrote nothing, so they agree with what its scans saw
     * @return false if a read was invalidated by a concurrent commit
     */
    boolean commit(ReadSet reads, java.util.List<byte[][]> rangeDeletes, BufferedWrites writes, boolean scanned) {
        if (writes.isEmpty() && rangeDeletes.isEmpty() && reads.size <= 1 && !scanned) {
            // A read-only transaction that read one key saw one committed version: nothing to
            // validate, and no reason to take the commit lock (GET, EXISTS, TTL...).
            return true;
        }
        commitLock.lock();
        try {
            for (int i = 0; i < reads.size; i++) {
                if (currentSeq(reads.key(i), reads.slot(i)) != reads.seq(i)) {
                    return false;
                }
            }
            if (rangeDeletes.isEmpty() && writes.isEmpty()) {
                return true;
            }
            long seq = visibleSeq + 1;
            long oldest = oldestSnapshot();
            for (byte[][] range : rangeDeletes) {
                var slice = range[1] == null ? map.tailMap(range[0], true) : map.subMap(range[0], true, range[1], false);
                for (Slot slot : slice.values()) {
                    if (slot.valueLocked() != null) {
                        install(slot.key, null, seq, oldest, slot);
                    }
                }
            }
            for (int i = 0; i < writes.size(); i++) {
                byte[] key = writes.key(i);
                install(key, writes.value(i), seq, oldest, reads.slotOf(key));
            }
            visibleSeq = seq;
            return true;
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Installs one write; {@code known} is the key's slot if the caller has it (null: look it
     * up), which is used only while it is still in the maps.
     */
    private void install(byte[] key, byte[] value, long seq, long oldestSnapshot, Slot known) {
        Slot slot = known != null && !known.removed ? known : null;
        HashKey hashKey = null;
        if (slot == null) {
            hashKey = new HashKey(key);
            slot = index.get(hashKey);
        }
        if (slot == null) {
            if (value == null) {
                return;
            }
            slot = new Slot(key, hashKey.hashCode(), value, seq);
            // Ordered map first: a scan may find the key a moment before a point read does,
            // never the other way round for a committed, visible key.
            map.put(key, slot);
            index.put(slot, slot);
            return;
        }
        // The version replaced is kept only if an open snapshot may read it: one at or after
        // its sequence number (every open snapshot is older than this commit).
        Version older = oldestSnapshot == Long.MAX_VALUE
                ? null : new Version(slot.valueLocked(), slot.seqLocked(), slot.older);
        slot.write(value, seq, older);
        if (prune(slot, oldestSnapshot)) {
            retained.add(slot);
        }
    }

    /**
     * Drops versions no open snapshot can see: everything older than the newest version at or
     * below the oldest snapshot. Removes the key when only a deletion remains and no snapshot
     * needs it. Returns true if old versions were kept for a snapshot.
     */
    private boolean prune(Slot slot, long oldestSnapshot) {
        if (slot.seqLocked() <= oldestSnapshot) {
            if (slot.older != null) {
                // Every open snapshot reads the newest version: the older ones go.
                slot.write(slot.valueLocked(), slot.seqLocked(), null);
            }
        } else {
            Version v = slot.older;
            while (v != null && v.seq > oldestSnapshot && v.older != null) {
                v = v.older;
            }
            if (v != null) {
                v.older = null;
                return true;
            }
        }
        if (slot.valueLocked() == null && slot.older == null) {
            // Only a deletion is left and no snapshot can see an older value: forget the key.
            map.remove(slot.key, slot);
            index.remove(slot, slot);
            slot.removed = true;
        }
        return false;
    }

    /**
     * Keys read by a transaction, the slot each was found in (null = absent) and the version
     * sequence it had (0 = absent). Commit validates and installs through the slots, so a
     * read-modify-write (SET, INCR, HSET) hashes its key once, not three times. The first read
     * is held in fields: most commands read one key, and then allocate nothing here.
     */
    static final class ReadSet {
        private byte[] firstKey;
        private Slot firstSlot;
        private long firstSeq;
        /** Reads after the first, at index i - 1; null until a second read. */
        private byte[][] keys;
        private Slot[] slots;
        private long[] seqs;
        int size;

        void add(byte[] key, Slot slot, long seq) {
            if (size == 0) {
                firstKey = key;
                firstSlot = slot;
                firstSeq = seq;
                size = 1;
                return;
            }
            int at = size - 1;
            if (keys == null) {
                keys = new byte[2][];
                slots = new Slot[2];
                seqs = new long[2];
            } else if (at == keys.length) {
                keys = Arrays.copyOf(keys, at * 2);
                slots = Arrays.copyOf(slots, at * 2);
                seqs = Arrays.copyOf(seqs, at * 2);
            }
            keys[at] = key;
            slots[at] = slot;
            seqs[at] = seq;
            size++;
        }

        byte[] key(int i) {
            return i == 0 ? firstKey : keys[i - 1];
        }

        Slot slot(int i) {
            return i == 0 ? firstSlot : slots[i - 1];
        }

        long seq(int i) {
            return i == 0 ? firstSeq : seqs[i - 1];
        }

        /**
         * The slot recorded for this very key array (the data-type layer writes the array it
         * read), or null. By identity: an equal array read separately is simply looked up.
         */
        Slot slotOf(byte[] key) {
            for (int i = 0; i < size; i++) {
                if (key(i) == key) {
                    return slot(i);
                }
            }
            return null;
        }
    }
}
