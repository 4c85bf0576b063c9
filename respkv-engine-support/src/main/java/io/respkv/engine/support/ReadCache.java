package io.respkv.engine.support;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recently read values of an engine's latest committed state, on the Java heap, so a
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
 * <p>Bounded by the bytes of its keys and values plus {@link #ENTRY_OVERHEAD} per entry: past
 * the limit, entries are evicted in the map's iteration order from where the last eviction
 * stopped (about random with respect to use, like Redis's sampled eviction, and O(1) per entry).
 */
public final class ReadCache {

    /** The cached value of an absent key (compared by identity). */
    public static final byte[] ABSENT = new byte[0];
    /** Approximate heap bytes per entry besides the key and value arrays. */
    public static final int ENTRY_OVERHEAD = 96;

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

    private final ConcurrentHashMap<KeyLockTable.Key, Entry> entries = new ConcurrentHashMap<>();
    private final long capacityBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    /** Where eviction resumes; guarded by {@code this}. */
    private Iterator<Map.Entry<KeyLockTable.Key, Entry>> evictionCursor;

    /** @param capacityBytes 0 disables the cache */
    public ReadCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public boolean enabled() {
        return capacityBytes > 0;
    }

    /** The entry of {@code key}, or null. The caller holds the key's lock. */
    public Entry get(KeyLockTable.Key key) {
        return entries.get(key);
    }

    /** Records {@code value} ({@link #ABSENT} for none) as {@code key}'s current value. The caller holds its lock. */
    public void put(KeyLockTable.Key key, byte[] value, long epoch) {
        if (capacityBytes <= 0) {
            return;
        }
        Entry old = entries.put(key, new Entry(value, epoch));
        long delta = weight(key, value) - (old == null ? 0 : weight(key, old.value));
        if (usedBytes.addAndGet(delta) > capacityBytes) {
            evict();
        }
    }

    /** Forgets {@code key}. The caller holds its lock. */
    public void remove(KeyLockTable.Key key) {
        Entry old = entries.remove(key);
        if (old != null) {
            usedBytes.addAndGet(-weight(key, old.value));
        }
    }

    /**
     * The latest committed value of {@code key}, which the calling transaction has locked: this
     * cache's entry if it is still exact, else {@code load}ed from the store (null: absent) and
     * cached. An entry older than the last range delete is trusted only once {@code ranges} shows
     * no range deleted since covers the key (it is then re-stamped). With the cache disabled,
     * just loads.
     */
    public byte[] readLocked(KeyLockTable.Key key, RangeDeleteLog ranges, Function<byte[], byte[]> load) {
        if (!enabled()) {
            return load.apply(key.bytes());
        }
        Entry entry = entries.get(key);
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
        put(key, value == null ? ABSENT : value, epoch);
        return value;
    }

    /**
     * Replaces the entries of the keys a commit wrote that are cached with the values it wrote
     * ({@code tombstone}, compared by identity, for a deletion), valid at {@code epoch}. Keys
     * that are not cached stay out: a read-modify-write read its key first, which cached it, so
     * what is left out are blind writes (a pushed list's elements, a sorted set's score index
     * entries, deletions), which are rarely read back soon and, cached, evicted the hot keys that
     * are (1,000,000 LPUSHes pushed every string key out and made the next GETs miss). The
     * committing transaction still holds the keys' locks and the commit gate.
     */
    public void putCommitted(NavigableMap<byte[], byte[]> writes, byte[] tombstone, long epoch) {
        if (writes == null || !enabled()) {
            return;
        }
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            byte[] v = w.getValue();
            KeyLockTable.Key key = new KeyLockTable.Key(w.getKey());
            byte[] value = v == tombstone ? ABSENT : v;
            Entry old = entries.replace(key, new Entry(value, epoch));
            if (old != null && usedBytes.addAndGet(weight(key, value) - weight(key, old.value)) > capacityBytes) {
                evict();
            }
        }
    }

    /** Forgets everything (e.g. after the engine's data changed underneath). */
    public void clear() {
        entries.clear();
        usedBytes.set(0);
    }

    public long usedBytes() {
        return usedBytes.get();
    }

    public int size() {
        return entries.size();
    }

    private synchronized void evict() {
        long target = capacityBytes - capacityBytes / 8;
        while (usedBytes.get() > target) {
            if (evictionCursor == null || !evictionCursor.hasNext()) {
                evictionCursor = entries.entrySet().iterator();
                if (!evictionCursor.hasNext()) {
                    return;
                }
            }
            Map.Entry<KeyLockTable.Key, Entry> e = evictionCursor.next();
            if (entries.remove(e.getKey(), e.getValue())) {
                usedBytes.addAndGet(-weight(e.getKey(), e.getValue().value));
            }
        }
    }

    private static long weight(KeyLockTable.Key key, byte[] value) {
        return (long) key.bytes().length + value.length + ENTRY_OVERHEAD;
    }
}
