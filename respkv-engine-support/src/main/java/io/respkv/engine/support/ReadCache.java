package io.respkv.engine.support;

import io.respkv.api.KeyOrder;
import io.respkv.api.Transaction;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;

/**
 * Recently read and written values of an engine's latest committed state, on the Java heap, so a
 * transaction's point read of a hot key costs a hash lookup instead of a JNI call and a memtable
 * skip-list search (on RocksDB those were a third of a SET's server time: every command reads its
 * key's metadata first). Absent keys are cached too ({@link #ABSENT}), so creating a key does not
 * search the store either.
 *
 * <p>The engine keeps it exact; the rules (the RocksDB engine follows them): an entry for a key is
 * read, added or replaced only by a transaction that holds the key's lock ({@link KeyLockTable}),
 * and every commit replaces the entries of the keys it wrote (holding their locks) before releasing
 * them; so an entry never disagrees with the store about a point write. Range deletes take no key
 * locks; instead each entry remembers the engine's range-delete epoch it was valid at, and a lookup
 * that finds an older epoch asks the engine whether a range deleted since covers the key (then the
 * entry is dropped) before trusting it. Snapshots and cursors never use the cache.
 *
 * <p>Keys a commit wrote without reading them first are kept apart and evicted first (see
 * {@link #putCommitted}).
 *
 * <p>A commit may declare key prefixes empty ({@link Transaction#declareEmptyPrefix}: a new
 * collection's version, under which nothing existed). Every key later written under such a
 * prefix goes through {@link #putCommitted}, so as long as no entry under it has been evicted
 * the cache holds every key there, and a lookup under it that misses is absent without asking
 * the store: adding a member to a set created in this process costs a hash probe, not a RocksDB
 * read of a key that is not there (docs/engines.md, "Concurrency and the read cache").
 * Evicting or removing an entry under a prefix (other than a cached absence) forgets the prefix
 * first.
 *
 * <p>Bounded by the bytes of its keys and values plus {@link #ENTRY_OVERHEAD} per entry: past
 * the limit, entries are evicted in table order from where the last eviction stopped (about
 * random with respect to use, like Redis's sampled eviction, and O(1) per entry).
 *
 * <h2>Layout</h2>
 * {@value #STRIPES} open-addressing tables (linear probing, at most half full; a key's stripe from
 * the high bits of its hash, its slot from the low ones, each slot's hash in an array beside it
 * so a probe dereferences only an entry whose hash matches), whose {@link Entry} holds the key's
 * bytes, its hash and the value. Read and written-only entries share the tables (a flag tells
 * them apart), so a miss probes once. Lookups read without locking ({@link StampedLock}
 * optimistic reads, retried under the read lock if a writer came by), so the event loops and the
 * committing thread do not bounce a lock's cache line between them; writes take their stripe's
 * write lock. It replaced two {@code ConcurrentHashMap}s of key objects to value holders (two
 * objects more per key): alone its operations cost the same within the noise
 * ({@code ReadCacheBenchmark}), in the server CPU per request came out 1-12% lower
 * (docs/benchmarks.md).
 */
public final class ReadCache {

    /** The cached value of an absent key (compared by identity). */
    public static final byte[] ABSENT = new byte[0];
    /** Approximate heap bytes per entry besides the key and value arrays. */
    public static final int ENTRY_OVERHEAD = 96;
    /**
     * Keys written without being read keep at least this share of the capacity when read keys
     * need room (so a value pushed and soon popped is still found), and take any room read keys
     * leave free.
     */
    public static final double WRITE_WINDOW_SHARE = 0.0625;

    /** The default capacity's share of the JVM's maximum heap: 1/{@value}. */
    public static final int DEFAULT_HEAP_SHARE = 4;
    /** The least default capacity, on tiny heaps. */
    public static final long MIN_DEFAULT_CAPACITY = 16L << 20;

    /**
     * The default capacity: a quarter of the JVM's maximum heap ({@code -Xmx}), at least 16 MiB
     * (64 MiB if the heap has no limit). Redis keeps every key in memory; the engines keep the
     * recently used ones on the heap, and a working set that did not fit made a command read its
     * value back from the store: with the earlier fixed 64 MiB, redis-benchmark's nine write tests
     * in a row on a 1 GB heap left LPOP reading each popped element from RocksDB (5.45 µs of CPU
     * per pop; 2.95 µs with 256 MiB, docs/benchmarks.md). Each engine has its own cache: several
     * engines in one JVM should be given sizes that add up to what the heap can spare.
     */
    public static long defaultCapacity() {
        long max = Runtime.getRuntime().maxMemory();
        return max == Long.MAX_VALUE ? 64L << 20 : Math.max(MIN_DEFAULT_CAPACITY, max / DEFAULT_HEAP_SHARE);
    }

    /**
     * Most complete prefixes remembered (about 100 bytes each besides the prefix): one per
     * collection created since its elements last left the cache.
     */
    public static final int MAX_COMPLETE_PREFIXES = 16_384;

    /** Tables, each with its own lock (a power of two). */
    static final int STRIPES = 64;
    private static final int STRIPE_SHIFT = Integer.SIZE - Integer.numberOfTrailingZeros(STRIPES);
    private static final int INITIAL_SLOTS = 16;

    /** A key, its value and the range-delete epoch at which the value was known current. */
    public static final class Entry {
        private final byte[] key;
        private final int hash;
        private final byte[] value;
        /** Written without being read since: evicted first. */
        private final boolean writtenOnly;
        private volatile long epoch;

        Entry(KeyLockTable.Key key, byte[] value, long epoch, boolean writtenOnly) {
            this.key = key.bytes();
            this.hash = key.hashCode();
            this.value = value;
            this.epoch = epoch;
            this.writtenOnly = writtenOnly;
        }

        /** The value, or {@link #ABSENT}. */
        public byte[] value() {
            return value;
        }

        public long epoch() {
            return epoch;
        }

        /** Records that the value is still current at {@code epoch}. */
        public void epoch(long epoch) {
            this.epoch = epoch;
        }

        boolean matches(byte[] key, int hash) {
            return this.hash == hash && Arrays.equals(this.key, key);
        }

        long weight() {
            return (long) key.length + value.length + ENTRY_OVERHEAD;
        }
    }

    /** One open-addressing table: linear probing, at most half full, deletion by backward shift. */
    private static final class Stripe {
        final StampedLock lock = new StampedLock();
        /** Replaced (never changed in place) only by a resize or clear, under the write lock. */
        Entry[] table = new Entry[INITIAL_SLOTS];
        /**
         * The hash of each slot's entry, beside it: a probe compares these and dereferences only
         * an entry whose hash matches, so a miss, and a hit away from its home slot, reads no
         * entry of another key (each would be a cache miss). Replaced with {@link #table}.
         */
        int[] hashes = new int[INITIAL_SLOTS];
        int size;
        int writtenOnly;
        /** Where the next eviction scan starts; guarded by the write lock. */
        int evictAt;

        /**
         * The entry of the key, or null. Safe to run without the lock (a concurrent write may
         * make it miss or find a stale entry, which the caller's validation catches): it reads
         * one table and stops after a full lap.
         */
        Entry find(byte[] key, int hash) {
            Entry[] t = table;
            int[] h = hashes;
            int mask = Math.min(t.length, h.length) - 1; // both replaced together; a racing read may see one of each
            for (int i = hash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
                Entry e = t[i];
                if (e == null) {
                    return null;
                }
                if (h[i] == hash && e.matches(key, hash)) {
                    return e;
                }
            }
            return null;
        }

        /** The slot of the key, or {@code ~slot} of the free slot where it would go. Under the write lock. */
        int probe(byte[] key, int hash) {
            Entry[] t = table;
            int mask = t.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                Entry e = t[i];
                if (e == null) {
                    return ~i;
                }
                if (hashes[i] == hash && e.matches(key, hash)) {
                    return i;
                }
            }
        }

        /**
         * Puts {@code entry} at {@code slot}, a {@link #probe} result for its key: in place of the
         * key's entry, or in the free slot. Returns the replaced entry or null. Under the write lock.
         */
        Entry putAt(int slot, Entry entry) {
            Entry[] t = table;
            if (slot >= 0) {
                Entry old = t[slot];
                t[slot] = entry;
                writtenOnly += (entry.writtenOnly ? 1 : 0) - (old.writtenOnly ? 1 : 0);
                return old;
            }
            int i = ~slot;
            t[i] = entry;
            hashes[i] = entry.hash;
            size++;
            writtenOnly += entry.writtenOnly ? 1 : 0;
            if (size * 2 > t.length) {
                resize(t.length * 2);
            }
            return null;
        }

        /** Puts {@code entry} in place of the key's entry, or in a free slot; returns the replaced entry or null. Under the write lock. */
        Entry put(Entry entry) {
            return putAt(probe(entry.key, entry.hash), entry);
        }

        /** Empties slot {@code i}, shifting back the entries after it that probed past it. Under the write lock. */
        Entry removeAt(int i) {
            Entry[] t = table;
            int mask = t.length - 1;
            Entry removed = t[i];
            t[i] = null;
            size--;
            writtenOnly -= removed.writtenOnly ? 1 : 0;
            for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
                int home = hashes[j] & mask;
                // t[j] may fill the hole at i unless its home slot lies cyclically in (i, j].
                boolean homeBetween = i <= j ? (i < home && home <= j) : (i < home || home <= j);
                if (!homeBetween) {
                    t[i] = t[j];
                    hashes[i] = hashes[j];
                    t[j] = null;
                    i = j;
                }
            }
            return removed;
        }

        private void resize(int slots) {
            Entry[] old = table;
            Entry[] t = new Entry[slots];
            int[] h = new int[slots];
            int mask = slots - 1;
            for (Entry e : old) {
                if (e != null) {
                    int i = e.hash & mask;
                    while (t[i] != null) {
                        i = (i + 1) & mask;
                    }
                    t[i] = e;
                    h[i] = e.hash;
                }
            }
            table = t;
            hashes = h;
            evictAt = 0;
        }

        /**
         * The slot of the next entry from where the last eviction stopped, a written-only one if
         * {@code writtenOnlyOnly}; -1 if there is none. Under the write lock.
         */
        int victim(boolean writtenOnlyOnly) {
            if (size == 0 || (writtenOnlyOnly && writtenOnly == 0)) {
                return -1;
            }
            Entry[] t = table;
            int mask = t.length - 1;
            for (int n = 0, i = evictAt & mask; n < t.length; n++, i = (i + 1) & mask) {
                Entry e = t[i];
                if (e != null && (!writtenOnlyOnly || e.writtenOnly)) {
                    evictAt = i; // a shifted-back neighbour lands here: it goes next, about random still
                    return i;
                }
            }
            return -1;
        }

        void clear() {
            table = new Entry[INITIAL_SLOTS];
            hashes = new int[INITIAL_SLOTS];
            size = 0;
            writtenOnly = 0;
            evictAt = 0;
        }
    }

    private final long capacityBytes;
    private final Stripe[] stripes = new Stripe[STRIPES];
    /** Bytes of the entries of keys read (and then perhaps rewritten) by transactions. */
    private final AtomicLong readBytes = new AtomicLong();
    /** Bytes of the entries of keys written without being read first: evicted first. */
    private final AtomicLong writtenBytes = new AtomicLong();
    /** The stripe the next eviction starts in; guarded by this cache. */
    private int evictStripe;
    /**
     * Key prefixes under which every committed key has an entry here, so a lookup under one that
     * misses is absent without asking the store (see {@link Transaction#declareEmptyPrefix}).
     * No two nest. Changed under its own monitor, except removals.
     */
    private final ConcurrentSkipListMap<byte[], Boolean> completePrefixes = new ConcurrentSkipListMap<>(KeyOrder.UNSIGNED);
    /** The size of {@link #completePrefixes} (whose own size() counts). */
    private final AtomicInteger completePrefixCount = new AtomicInteger();

    /** @param capacityBytes 0 disables the cache */
    public ReadCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    public boolean enabled() {
        return capacityBytes > 0;
    }

    private Stripe stripe(int hash) {
        return stripes[hash >>> STRIPE_SHIFT];
    }

    /** The entry of {@code key}, or null. The caller holds the key's lock. */
    public Entry get(KeyLockTable.Key key) {
        byte[] bytes = key.bytes();
        int hash = key.hashCode();
        Stripe s = stripe(hash);
        long stamp = s.lock.tryOptimisticRead();
        Entry e = s.find(bytes, hash);
        if (s.lock.validate(stamp)) {
            return e;
        }
        stamp = s.lock.readLock();
        try {
            return s.find(bytes, hash);
        } finally {
            s.lock.unlockRead(stamp);
        }
    }

    /**
     * Loads the memory that lookups of keys with these hashes will read (each key's home slot
     * in its stripe's two arrays, then the entry there, then the entry's key and value arrays),
     * for {@link io.respkv.api.KeyspaceEngine#prefetch}. One pass per level of indirection, each
     * over all the keys: the loads of one pass do not depend on each other, so the processor
     * overlaps their cache misses, where a command at a time waits for each in turn (on RocksDB
     * at 100,000 keys the lookup was a quarter of the event loop's time per pipelined SET).
     * Reads without locks: a table replaced meanwhile only makes the hint miss. Returns a value
     * computed from every load, which the caller keeps so that the JIT does not drop them.
     */
    public int prefetch(int[] hashes, int count) {
        if (!enabled()) {
            return 0;
        }
        int sink = 0;
        for (int k = 0; k < count; k++) {
            int hash = hashes[k];
            Stripe s = stripe(hash);
            int[] h = s.hashes;
            Entry[] t = s.table;
            sink += h[hash & (h.length - 1)] + (t[hash & (t.length - 1)] == null ? 0 : 1);
        }
        for (int k = 0; k < count; k++) {
            int hash = hashes[k];
            Entry[] t = stripe(hash).table;
            Entry e = t[hash & (t.length - 1)];
            if (e != null) {
                sink += e.hash;
            }
        }
        for (int k = 0; k < count; k++) {
            int hash = hashes[k];
            Entry[] t = stripe(hash).table;
            Entry e = t[hash & (t.length - 1)];
            if (e != null) {
                sink += e.key.length + e.value.length;
            }
        }
        return sink;
    }

    /** Records {@code value} ({@link #ABSENT} for none) as {@code key}'s current value, read. The caller holds its lock. */
    public void put(KeyLockTable.Key key, byte[] value, long epoch) {
        if (capacityBytes <= 0) {
            return;
        }
        store(new Entry(key, value, epoch, false));
        evictIfFull();
    }

    /** Puts {@code entry} in its stripe, accounting the bytes. */
    private void store(Entry entry) {
        Stripe s = stripe(entry.hash);
        long stamp = s.lock.writeLock();
        Entry old;
        try {
            old = s.put(entry);
        } finally {
            s.lock.unlockWrite(stamp);
        }
        replaced(old, entry);
    }

    private void account(Entry e, int sign) {
        (e.writtenOnly ? writtenBytes : readBytes).addAndGet(sign * e.weight());
    }

    /** Accounts {@code added} (or nothing) in place of {@code old} (or nothing): one update when both are of one kind. */
    private void replaced(Entry old, Entry added) {
        if (old != null && added != null && old.writtenOnly == added.writtenOnly) {
            long delta = added.weight() - old.weight();
            if (delta != 0) {
                (added.writtenOnly ? writtenBytes : readBytes).addAndGet(delta);
            }
            return;
        }
        if (added != null) {
            account(added, 1);
        }
        if (old != null) {
            account(old, -1);
        }
    }

    /** Forgets {@code key}. The caller holds its lock. */
    public void remove(KeyLockTable.Key key) {
        byte[] bytes = key.bytes();
        int hash = key.hashCode();
        Stripe s = stripe(hash);
        long stamp = s.lock.writeLock();
        Entry removed = null;
        try {
            forgetCompletePrefixOf(bytes); // the caller may forget a key the store still holds
            int i = s.probe(bytes, hash);
            if (i >= 0) {
                removed = s.removeAt(i);
            }
        } finally {
            s.lock.unlockWrite(stamp);
        }
        if (removed != null) {
            account(removed, -1);
        }
    }

    /**
     * The latest committed value of {@code key}, which the calling transaction has locked: this
     * cache's entry if it is still exact, else {@code load}ed from the store (null: absent) and
     * cached. An entry older than the last range delete is trusted only once {@code ranges} shows
     * no range deleted since covers the key (it is then re-stamped). A key found among the
     * written-only entries stays there: read once, as a popped element is just before its delete,
     * it is no hot key. With the cache disabled, just loads.
     */
    public byte[] readLocked(KeyLockTable.Key key, RangeDeleteLog ranges, Function<byte[], byte[]> load) {
        if (!enabled()) {
            return load.apply(key.bytes());
        }
        Entry entry = get(key);
        if (entry != null) {
            long epoch = ranges.epoch();
            long at = entry.epoch;
            if (at == epoch) {
                // No volatile store when nothing changed: a hit then writes nothing shared.
                return entry.value == ABSENT ? null : entry.value;
            }
            if (!ranges.deletedSinceLocking(at, key.bytes())) {
                entry.epoch = epoch;
                return entry.value == ABSENT ? null : entry.value;
            }
        }
        if (entry == null && underCompletePrefix(key.bytes())) {
            // Checked after the miss: an eviction forgets the prefix before it removes the entry.
            return null;
        }
        long epoch = ranges.epoch(); // before the read: a range delete racing it makes the entry look older, never newer
        byte[] value = load.apply(key.bytes());
        // Replaces a stale entry, if there was one.
        put(key, value == null ? ABSENT : value, epoch);
        return value;
    }

    /**
     * The latest committed value of {@code key} if this cache knows it without the key's lock
     * ({@link #ABSENT} for an absent key), or null: for a transaction whose only operation is this
     * read ({@link Transaction#getSole}). An entry is replaced whole, by a commit holding the key's
     * lock, once the commit's writes are in the engine, so the one found is the latest committed
     * value at the moment of the lookup. Only an entry current at the present range-delete epoch
     * is trusted (an older one is checked against the range-delete log, and re-stamped, by the
     * locked read); a miss, or a lookup racing a write to the stripe, answers null and the caller
     * reads under the lock.
     */
    public byte[] readUnlocked(KeyLockTable.Key key, RangeDeleteLog ranges) {
        if (!enabled()) {
            return null;
        }
        int hash = key.hashCode();
        Stripe s = stripe(hash);
        long stamp = s.lock.tryOptimisticRead();
        Entry e = s.find(key.bytes(), hash);
        if (e == null || !s.lock.validate(stamp) || e.epoch != ranges.epoch()) {
            return null;
        }
        return e.value;
    }

    /**
     * Records the values a commit wrote ({@code tombstone}, compared by identity, for a deletion)
     * as the keys' cached values at {@code epoch}. A key among the read entries has its entry
     * replaced there (a read-modify-write read its key first, which put it there); any other key
     * written goes to the written-only entries (a deleted one leaves them), which take the room
     * read entries leave and are evicted first (down to {@link #WRITE_WINDOW_SHARE} of the
     * capacity) when the cache is full. Blind writes (a pushed list's elements, a sorted set's
     * score index entries) may be read back soon (LPUSH then LPOP) but must not evict the keys
     * that are read: cached with them, a million LPUSHes pushed every string key out and made the
     * next GETs miss. The committing transaction still holds the keys' locks and the commit gate.
     */
    public void putCommitted(NavigableMap<byte[], byte[]> writes, List<byte[]> emptyPrefixes, byte[] tombstone, long epoch) {
        putCommitted(writes, Set.of(), emptyPrefixes, tombstone, epoch);
    }

    /**
     * As {@link #putCommitted(NavigableMap, List, byte[], long)}, except for the keys in
     * {@code scanned}, written by {@link io.respkv.api.Transaction#putScanned} or
     * {@code deleteScanned}: read only by scans, never looked up here, so they are left out
     * altogether (no stripe lock, no probe) and a complete prefix over them stays complete.
     */
    public void putCommitted(NavigableMap<byte[], byte[]> writes, Set<KeyLockTable.Key> scanned, List<byte[]> emptyPrefixes,
                             byte[] tombstone, long epoch) {
        if (writes == null || !enabled()) {
            return;
        }
        for (byte[] prefix : emptyPrefixes) {
            // Before the writes under it are cached: until then no transaction can know the prefix.
            addCompletePrefix(prefix);
        }
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            byte[] v = w.getValue();
            KeyLockTable.Key key = new KeyLockTable.Key(w.getKey());
            if (!scanned.isEmpty() && scanned.contains(key)) {
                continue;
            }
            Stripe s = stripe(key.hashCode());
            Entry added = null;
            Entry old;
            long stamp = s.lock.writeLock();
            try {
                int i = s.probe(key.bytes(), key.hashCode());
                old = i >= 0 ? s.table[i] : null;
                if (old != null && !old.writtenOnly) {
                    added = new Entry(key, v == tombstone ? ABSENT : v, epoch, false);
                    s.putAt(i, added);
                } else if (v == tombstone) {
                    // A blind delete's key is rarely read next (a popped element, a sorted set's
                    // old score index entry): forget it rather than cache its absence.
                    if (old != null) {
                        s.removeAt(i);
                    }
                } else {
                    added = new Entry(key, v, epoch, true);
                    s.putAt(i, added);
                }
            } finally {
                s.lock.unlockWrite(stamp);
            }
            replaced(old, added);
        }
        evictIfFull();
    }

    /**
     * Past the capacity, evicts down to 7/8 of it: written-only entries first, as long as they
     * take more than {@link #WRITE_WINDOW_SHARE} of the capacity, then any.
     */
    private void evictIfFull() {
        if (usedBytes() <= capacityBytes) {
            return;
        }
        synchronized (this) {
            long target = capacityBytes - capacityBytes / 8;
            long writtenFloor = (long) (capacityBytes * WRITE_WINDOW_SHARE);
            while (usedBytes() > target && writtenBytes.get() > writtenFloor && evictOne(true)) {
                // keep going
            }
            while (usedBytes() > target && evictOne(false)) {
                // keep going
            }
        }
    }

    /** Evicts one entry (a written-only one if asked), trying the stripes in turn; false if none. */
    private boolean evictOne(boolean writtenOnlyOnly) {
        for (int n = 0; n < STRIPES; n++) {
            Stripe s = stripes[evictStripe];
            evictStripe = (evictStripe + 1) & (STRIPES - 1);
            Entry evicted = null;
            long stamp = s.lock.writeLock();
            try {
                int i = s.victim(writtenOnlyOnly);
                if (i >= 0) {
                    // Before the entry goes: a reader that misses it must find its prefix incomplete.
                    forgetCompletePrefix(s.table[i]);
                    evicted = s.removeAt(i);
                }
            } finally {
                s.lock.unlockWrite(stamp);
            }
            if (evicted != null) {
                account(evicted, -1);
                return true;
            }
        }
        return false;
    }

    /** Forgets everything (e.g. after the engine's data changed underneath). */
    public void clear() {
        clearCompletePrefixes(); // first: a reader missing a cleared entry must not trust a prefix
        for (Stripe s : stripes) {
            long stamp = s.lock.writeLock();
            try {
                Entry[] t = s.table;
                s.clear();
                for (Entry e : t) {
                    if (e != null) {
                        account(e, -1);
                    }
                }
            } finally {
                s.lock.unlockWrite(stamp);
            }
        }
    }

    // ---- complete prefixes ----

    /**
     * Records that every committed key starting with {@code prefix} has an entry here (the
     * commit that declared it empty is caching its own writes under it). Not recorded if it
     * nests with a recorded one (so one floor lookup finds a key's prefix) or the cache is
     * disabled; past {@link #MAX_COMPLETE_PREFIXES}, the least recorded prefix is forgotten.
     */
    void addCompletePrefix(byte[] prefix) {
        if (!enabled() || prefix.length == 0) {
            return;
        }
        synchronized (completePrefixes) {
            byte[] below = completePrefixes.floorKey(prefix);
            byte[] above = completePrefixes.ceilingKey(prefix);
            if ((below != null && startsWith(prefix, below)) || (above != null && startsWith(above, prefix))) {
                return;
            }
            if (completePrefixes.put(prefix, Boolean.TRUE) == null
                    && completePrefixCount.incrementAndGet() > MAX_COMPLETE_PREFIXES
                    && completePrefixes.pollFirstEntry() != null) {
                completePrefixCount.decrementAndGet();
            }
        }
    }

    /** Whether {@code key} lies under a complete prefix: if it has no entry, the store has no such key. */
    boolean underCompletePrefix(byte[] key) {
        return completePrefixOf(key) != null;
    }

    /** The complete prefix {@code key} lies under, or null (no two nest, so the floor is the only candidate). */
    private byte[] completePrefixOf(byte[] key) {
        if (completePrefixCount.get() == 0) {
            return null;
        }
        byte[] prefix = completePrefixes.floorKey(key);
        return prefix != null && startsWith(key, prefix) ? prefix : null;
    }

    /** An entry is leaving while its key may still be in the store: its prefix is no longer complete. */
    private void forgetCompletePrefix(Entry leaving) {
        if (leaving.value != ABSENT) {
            forgetCompletePrefixOf(leaving.key);
        }
    }

    private void forgetCompletePrefixOf(byte[] key) {
        byte[] prefix = completePrefixOf(key);
        if (prefix != null && completePrefixes.remove(prefix) != null) {
            completePrefixCount.decrementAndGet();
        }
    }

    private void clearCompletePrefixes() {
        synchronized (completePrefixes) {
            completePrefixes.clear();
            completePrefixCount.set(0);
        }
    }

    /** Prefixes recorded complete (for tests and INFO). */
    public int completePrefixes() {
        return completePrefixCount.get();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    public long usedBytes() {
        return readBytes.get() + writtenBytes.get();
    }

    /** Entries cached, read and written-only. */
    public int size() {
        return sum(s -> s.size);
    }

    /** Entries of keys written without being read since. */
    public int writtenOnlySize() {
        return sum(s -> s.writtenOnly);
    }

    private int sum(java.util.function.ToIntFunction<Stripe> count) {
        int n = 0;
        for (Stripe s : stripes) {
            long stamp = s.lock.readLock();
            try {
                n += count.applyAsInt(s);
            } finally {
                s.lock.unlockRead(stamp);
            }
        }
        return n;
    }
}
