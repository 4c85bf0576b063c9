package io.respkv.engine.support;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>Bounded by the bytes of its keys and values plus {@link #ENTRY_OVERHEAD} per entry: past
 * the limit, entries are evicted in the map's iteration order from where the last eviction
 * stopped (about random with respect to use, like Redis's sampled eviction, and O(1) per entry).
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

    /** A value and the range-delete epoch at which it was known current. */
    public static final class Entry {
        private final byte[] value;
        private volatile long epoch;

        Entry(byte[] value, long epoch) {
            this.value = value;
            this.epoch = epoch;
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
    }

    /** A map of entries and the bytes they weigh. */
    private static final class Segment {
        final ConcurrentHashMap<KeyLockTable.Key, Entry> entries = new ConcurrentHashMap<>();
        final AtomicLong usedBytes = new AtomicLong();
        /** Where eviction resumes; guarded by the cache. */
        private Iterator<Map.Entry<KeyLockTable.Key, Entry>> evictionCursor;

        void put(KeyLockTable.Key key, Entry entry) {
            Entry old = entries.put(key, entry);
            usedBytes.addAndGet(weight(key, entry.value) - (old == null ? 0 : weight(key, old.value)));
        }

        /** Replaces the entry of a cached key; false if the key is not cached here. */
        boolean replace(KeyLockTable.Key key, Entry entry) {
            Entry old = entries.replace(key, entry);
            if (old == null) {
                return false;
            }
            usedBytes.addAndGet(weight(key, entry.value) - weight(key, old.value));
            return true;
        }

        void remove(KeyLockTable.Key key) {
            Entry old = entries.remove(key);
            if (old != null) {
                usedBytes.addAndGet(-weight(key, old.value));
            }
        }

        void clear() {
            entries.clear();
            usedBytes.set(0);
        }

        /**
         * Evicts the next entry in the map's iteration order from where the last eviction
         * stopped (about random with respect to use); false if the segment is empty.
         */
        boolean evictOne() {
            if (evictionCursor == null || !evictionCursor.hasNext()) {
                evictionCursor = entries.entrySet().iterator();
                if (!evictionCursor.hasNext()) {
                    return false;
                }
            }
            Map.Entry<KeyLockTable.Key, Entry> e = evictionCursor.next();
            if (entries.remove(e.getKey(), e.getValue())) {
                usedBytes.addAndGet(-weight(e.getKey(), e.getValue().value));
            }
            return true;
        }
    }

    private final long capacityBytes;
    /** Keys read (and then perhaps rewritten) by transactions. */
    private final Segment read = new Segment();
    /** Keys written without being read first: evicted first. */
    private final Segment written = new Segment();

    /** @param capacityBytes 0 disables the cache */
    public ReadCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public boolean enabled() {
        return capacityBytes > 0;
    }

    /** The entry of {@code key}, or null. The caller holds the key's lock. */
    public Entry get(KeyLockTable.Key key) {
        Entry entry = read.entries.get(key);
        return entry != null ? entry : written.entries.get(key);
    }

    /** Records {@code value} ({@link #ABSENT} for none) as {@code key}'s current value, read. The caller holds its lock. */
    public void put(KeyLockTable.Key key, byte[] value, long epoch) {
        if (capacityBytes <= 0) {
            return;
        }
        written.remove(key);
        cacheRead(key, value, epoch);
    }

    /** Caches {@code key}'s value among the read entries; it is not among the written-only ones. */
    private void cacheRead(KeyLockTable.Key key, byte[] value, long epoch) {
        read.put(key, new Entry(value, epoch));
        evictIfFull();
    }

    /** Forgets {@code key}. The caller holds its lock. */
    public void remove(KeyLockTable.Key key) {
        read.remove(key);
        written.remove(key);
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
            if (entry.epoch == epoch || !ranges.deletedSinceLocking(entry.epoch, key.bytes())) {
                entry.epoch = epoch;
                return entry.value == ABSENT ? null : entry.value;
            }
            remove(key);
        }
        long epoch = ranges.epoch(); // before the read: a range delete racing it makes the entry look older, never newer
        byte[] value = load.apply(key.bytes());
        // The key is in neither segment now (not found, or just removed as stale): no need to
        // take it out of the written-only entries as put does.
        cacheRead(key, value == null ? ABSENT : value, epoch);
        return value;
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
    public void putCommitted(NavigableMap<byte[], byte[]> writes, byte[] tombstone, long epoch) {
        if (writes == null || !enabled()) {
            return;
        }
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            byte[] v = w.getValue();
            KeyLockTable.Key key = new KeyLockTable.Key(w.getKey());
            Entry entry = new Entry(v == tombstone ? ABSENT : v, epoch);
            if (read.replace(key, entry)) {
                continue;
            }
            if (v == tombstone) {
                // A blind delete's key is rarely read next (a popped element, a sorted set's old
                // score index entry): forget it rather than cache its absence.
                written.remove(key);
            } else {
                written.put(key, entry);
            }
        }
        evictIfFull();
    }

    /**
     * Past the capacity, evicts down to 7/8 of it: written-only entries first, as long as they
     * take more than {@link #WRITE_WINDOW_SHARE} of the capacity, then read ones.
     */
    private void evictIfFull() {
        if (usedBytes() <= capacityBytes) {
            return;
        }
        synchronized (this) {
            long target = capacityBytes - capacityBytes / 8;
            long writtenFloor = (long) (capacityBytes * WRITE_WINDOW_SHARE);
            while (usedBytes() > target && written.usedBytes.get() > writtenFloor && written.evictOne()) {
                // keep going
            }
            while (usedBytes() > target && (read.evictOne() || written.evictOne())) {
                // keep going
            }
        }
    }

    /** Forgets everything (e.g. after the engine's data changed underneath). */
    public void clear() {
        read.clear();
        written.clear();
    }

    public long usedBytes() {
        return read.usedBytes.get() + written.usedBytes.get();
    }

    /** Entries cached, read and written-only. */
    public int size() {
        return read.entries.size() + written.entries.size();
    }

    /** Entries of keys written without being read since. */
    public int writtenOnlySize() {
        return written.entries.size();
    }

    private static long weight(KeyLockTable.Key key, byte[] value) {
        return (long) key.bytes().length + value.length + ENTRY_OVERHEAD;
    }
}
