package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One Redis list inside one command's transaction: a handle opened on a key, changed in memory
 * (head, size) and in the engine (elements), then {@link #store() stored}.
 *
 * <p>Layout (docs/encoding.md, "Lists"): the metadata ({@link KeyMeta#list}) holds the element
 * count and the <em>head position</em>; element {@code i} (0 = first) is the entry
 * {@code E|db|keylen|key|version|pos} with {@code pos = head + i} as 8 big-endian bytes with the
 * sign bit flipped, so that the engine's unsigned byte order is the numeric order of positions.
 * A push at the left writes at {@code head - 1} and decrements the head; a push at the right
 * writes at {@code head + size}. So:
 * <ul>
 *   <li>push and pop at either end, LINDEX and LSET are one metadata read plus one element
 *       point read or write;</li>
 *   <li>a range of elements is one bounded scan ({@code [head + from, head + to)});</li>
 *   <li>inserting or removing in the middle shifts the elements on the shorter side by one
 *       position: O(min(i, size - i)) element writes for index {@code i} (see {@link #insert}
 *       and {@link #removeAt});</li>
 *   <li>a list that becomes empty is deleted (its version retired: O(1)), as Redis deletes empty
 *       lists.</li>
 * </ul>
 *
 * <p>Concurrency: every change of a list rewrites its metadata entry (LSET included, even though
 * its bytes stay the same), and every operation starts with a point read of that entry. So two
 * commands touching the same list conflict on it (optimistic engines) or queue on its lock
 * (pessimistic engines), and element scans, which do not join the read set, are made
 * consistent by the metadata read: a scan that raced with a commit is followed by a failed
 * commit and a retry. A scan that finds fewer elements than the metadata promises throws
 * {@link TransactionConflictException} at once, for the same reason.
 *
 * <p>Indexes taken by the methods are 0-based from the head and already normalized (no
 * negative indexes) unless said otherwise. Not thread-safe; one command uses a handle.
 */
public final class RedisList {

    /** How many elements a shift reads before writing them back (bounds the memory it holds). */
    static final int MOVE_BATCH = 1024;
    /** LTRIM removes up to this many elements from one end with point deletes, more with a range delete. */
    static final int POINT_DELETE_LIMIT = 64;

    private final Keyspace ks;
    private final Transaction txn;
    private final byte[] key;
    /** {@code E|db|keylen|key|version}: every element key starts with it. */
    private final byte[] prefix;
    private final long version;
    private final long expireAt;
    private long head;
    private long size;
    private boolean dirty;

    private RedisList(Keyspace ks, byte[] key, long version, long expireAt, long head, long size) {
        this.ks = ks;
        this.txn = ks.txn();
        this.key = key;
        this.prefix = KeyCodec.elementPrefix(ks.db(), key, version);
        this.version = version;
        this.expireAt = expireAt;
        this.head = head;
        this.size = size;
    }

    /**
     * Opens the list at {@code key}: null if the key does not exist (or has expired); throws
     * {@link WrongTypeException} if it holds another type.
     */
    public static RedisList open(Keyspace ks, byte[] key) {
        return of(ks, key, ks.meta(key, RedisType.LIST));
    }

    /**
     * The list described by {@code meta}, metadata {@code ks} returned for {@code key} in this
     * transaction (null: none, the result is null too). {@code meta} must be a list's.
     */
    public static RedisList of(Keyspace ks, byte[] key, KeyMeta meta) {
        if (meta == null) {
            return null;
        }
        if (meta.type() != RedisType.LIST) {
            throw WrongTypeException.INSTANCE;
        }
        return new RedisList(ks, key, meta.version(), meta.expireAt(), meta.listHead(), meta.size());
    }

    /**
     * A new empty list at {@code key}, which must not hold a live key (call it when
     * {@link #open} answered null). Nothing is written until {@link #store()}; an empty new list
     * is never stored.
     */
    public static RedisList create(Keyspace ks, byte[] key, RandomGenerator random) {
        return new RedisList(ks, key, ks.newVersion(key, random), KeyMeta.NO_EXPIRY, 0, 0);
    }

    /** {@link #open}, or {@link #create} if the key does not exist. */
    public static RedisList openOrCreate(Keyspace ks, byte[] key, RandomGenerator random) {
        RedisList list = open(ks, key);
        return list != null ? list : create(ks, key, random);
    }

    public byte[] key() {
        return key;
    }

    /** The element count. */
    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Redis's index rule: a negative {@code index} counts from the end (-1 = last). Returns the
     * 0-based index, or -1 if it is out of range.
     */
    public long normalize(long index) {
        long i = index < 0 ? size + index : index;
        return i >= 0 && i < size ? i : -1;
    }

    /** The element at 0-based {@code index} ({@code 0 <= index < size}): one point read. */
    public byte[] get(long index) {
        checkIndex(index);
        byte[] value = txn.get(elementKey(head + index));
        if (value == null) {
            throw inconsistent();
        }
        return value;
    }

    /** Replaces the element at 0-based {@code index}: one point write. */
    public void set(long index, byte[] value) {
        checkIndex(index);
        txn.put(elementKey(head + index), value);
        dirty = true;
    }

    /** Adds {@code value} at the left end (head) or at the right end (tail). */
    public void push(byte[] value, boolean left) {
        if (left) {
            head--;
            txn.put(elementKey(head), value);
        } else {
            txn.put(elementKey(head + size), value);
        }
        size++;
        dirty = true;
    }

    /** Removes and returns the element at the left or right end; null if the list is empty. */
    public byte[] pop(boolean left) {
        if (size == 0) {
            return null;
        }
        long position = left ? head : head + size - 1;
        byte[] elementKey = elementKey(position);
        byte[] value = txn.get(elementKey);
        if (value == null) {
            throw inconsistent();
        }
        txn.delete(elementKey);
        if (left) {
            head++;
        }
        size--;
        dirty = true;
        return value;
    }

    /**
     * Removes up to {@code count} elements from the left or right end and returns them in pop
     * order (from that end inwards): one scan of the popped range.
     */
    public List<byte[]> pop(boolean left, long count) {
        int n = (int) Math.min(Math.min(count, size), Integer.MAX_VALUE - 8);
        List<byte[]> out = new ArrayList<>(Math.min(n, 1024));
        if (n == 0) {
            return out;
        }
        long from = left ? 0 : size - n;
        scan(from, from + n, !left, (index, value) -> {
            out.add(value.clone());
            return true;
        });
        if (out.size() != n) {
            throw inconsistent();
        }
        if (n < size) {
            // an emptied list is retired by store(): its elements go to the sweeper
            deletePositions(head + from, head + from + n);
        }
        if (left) {
            head += n;
        }
        size -= n;
        dirty = true;
        return out;
    }

    /** Visits one element: its 0-based index and its value (valid during the call only). */
    @FunctionalInterface
    public interface ElementVisitor {
        /** Returns false to stop the scan. */
        boolean visit(long index, byte[] value);
    }

    /**
     * Visits the elements with {@code from <= index < to} in index order, or in reverse order,
     * until the visitor returns false: one bounded scan. Returns how many were visited.
     */
    public long scan(long from, long to, boolean reverse, ElementVisitor visitor) {
        long lo = Math.max(0, from);
        long hi = Math.min(size, to);
        if (lo >= hi) {
            return 0;
        }
        long visited = 0;
        try (KvCursor c = txn.scan(elementKey(head + lo), elementKey(head + hi), reverse)) {
            long expected = reverse ? hi - 1 : lo;
            while (c.next()) {
                long index = positionOf(c.key()) - head;
                if (index != expected) {
                    throw inconsistent();
                }
                visited++;
                if (!visitor.visit(index, c.value())) {
                    return visited;
                }
                expected += reverse ? -1 : 1;
            }
        }
        if (visited != hi - lo) {
            throw inconsistent();
        }
        return visited;
    }

    /**
     * Inserts {@code value} so that it becomes the element at 0-based {@code index}
     * ({@code 0 <= index <= size}). The elements on the shorter side move by one position:
     * {@code index} element writes if it is nearer the head, {@code size - index} if nearer the
     * tail.
     */
    public void insert(long index, byte[] value) {
        if (index < 0 || index > size) {
            throw new IndexOutOfBoundsException("insert at " + index + " of " + size);
        }
        if (index <= size - index) {
            move(0, index, -1); // [0, index) one to the left, the head with them
            head--;
        } else {
            move(index, size, 1); // [index, size) one to the right
        }
        txn.put(elementKey(head + index), value);
        size++;
        dirty = true;
    }

    /**
     * Removes the elements at the given 0-based indexes ({@code indexes[0 .. count)}, ascending,
     * distinct) and closes the gaps. The gaps left of a split point are closed by moving the
     * elements before them towards the tail, the gaps right of it by moving the elements after
     * them towards the head; the split is chosen to move the fewest elements (for one index
     * {@code i}: {@code min(i, size - 1 - i)} element writes). Plus one delete per removed
     * element, at the ends the moves vacate.
     */
    public void removeAt(long[] indexes, int count) {
        if (count == 0) {
            return;
        }
        if (count == size) {
            // the list is deleted by store(): its version is retired, no element is touched
            head += size;
            size = 0;
            dirty = true;
            return;
        }
        // cost(j): elements moved when the first j gaps are closed from the left and the rest
        // from the right; non-removed elements left of indexes[j-1] plus right of indexes[j]
        int best = 0;
        long bestCost = Long.MAX_VALUE;
        for (int j = 0; j <= count; j++) {
            long leftCost = j == 0 ? 0 : indexes[j - 1] - (j - 1);
            long rightCost = j == count ? 0 : (size - 1 - indexes[j]) - (count - j - 1);
            if (leftCost + rightCost < bestCost) {
                bestCost = leftCost + rightCost;
                best = j;
            }
        }
        // left part: the segment before removed index m (0-based m < best) moves right by best - m
        for (int m = best - 1; m >= 0; m--) {
            long segmentStart = m == 0 ? 0 : indexes[m - 1] + 1;
            move(segmentStart, indexes[m], best - m);
        }
        // right part: the segment after removed index m (m >= best) moves left by m - best + 1
        for (int m = best; m < count; m++) {
            long segmentEnd = m + 1 < count ? indexes[m + 1] : size;
            move(indexes[m] + 1, segmentEnd, -(m - best + 1));
        }
        // vacated: best positions at the head, count - best at the tail
        deletePositions(head, head + best);
        deletePositions(head + size - (count - best), head + size);
        head += best;
        size -= count;
        dirty = true;
    }

    /**
     * Keeps only the elements with {@code from <= index < to} (an empty range empties the
     * list). Elements beyond are deleted: with point deletes when few, a range delete otherwise.
     */
    public void trim(long from, long to) {
        long lo = Math.max(0, Math.min(from, size));
        long hi = Math.max(lo, Math.min(to, size));
        if (lo == 0 && hi == size) {
            return;
        }
        if (lo == hi) {
            // the list is deleted by store(): its version is retired, no element is touched
            head += size;
            size = 0;
            dirty = true;
            return;
        }
        deletePositions(head, head + lo);
        deletePositions(head + hi, head + size);
        head += lo;
        size = hi - lo;
        dirty = true;
    }

    /**
     * Writes the metadata of a changed list, or deletes the key if the list is empty (retiring
     * its version: the remaining element entries go to the sweeper). Returns whether the key was
     * deleted. An unchanged list writes nothing.
     */
    public boolean store() {
        if (!dirty) {
            return false;
        }
        dirty = false;
        if (size == 0) {
            ks.delete(key);
            return true;
        }
        ks.put(key, KeyMeta.list(expireAt, version, size, head));
        return false;
    }

    // ---- positions and element keys ----

    /** The element key of absolute position {@code position}. */
    private byte[] elementKey(long position) {
        byte[] out = new byte[prefix.length + 8];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        KeyCodec.putLong(out, prefix.length, position ^ Long.MIN_VALUE);
        return out;
    }

    /** The absolute position of an element key of this list. */
    private long positionOf(byte[] elementKey) {
        return KeyCodec.getLong(elementKey, prefix.length) ^ Long.MIN_VALUE;
    }

    /** The 8-byte sub-key of absolute position {@code position} (for tests and tools). */
    public static byte[] subKey(long position) {
        byte[] out = new byte[8];
        KeyCodec.putLong(out, 0, position ^ Long.MIN_VALUE);
        return out;
    }

    /**
     * Moves the elements at 0-based indexes {@code [from, to)} by {@code delta} positions,
     * leaving head and size alone. Works in batches of {@link #MOVE_BATCH}, starting at the end
     * the elements move towards, so a batch never reads a position an earlier batch wrote.
     */
    private void move(long from, long to, long delta) {
        if (from >= to || delta == 0) {
            return;
        }
        List<byte[]> batch = new ArrayList<>((int) Math.min(MOVE_BATCH, to - from));
        long lo = from;
        long hi = to;
        while (lo < hi) {
            long start = delta > 0 ? Math.max(lo, hi - MOVE_BATCH) : lo;
            long end = delta > 0 ? hi : Math.min(hi, lo + MOVE_BATCH);
            batch.clear();
            scan(start, end, false, (index, value) -> batch.add(value.clone()));
            for (int k = 0; k < batch.size(); k++) {
                txn.put(elementKey(head + start + k + delta), batch.get(k));
            }
            if (delta > 0) {
                hi = start;
            } else {
                lo = end;
            }
        }
    }

    /** Deletes the element entries at absolute positions {@code [from, to)}. */
    private void deletePositions(long from, long to) {
        if (from >= to) {
            return;
        }
        if (to - from <= POINT_DELETE_LIMIT) {
            for (long p = from; p < to; p++) {
                txn.delete(elementKey(p));
            }
        } else {
            txn.deleteRange(elementKey(from), elementKey(to));
        }
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
    }

    private TransactionConflictException inconsistent() {
        // The metadata read promised elements the engine did not show: the transaction raced
        // with a commit (its metadata read will fail validation); retrying it is the remedy.
        return new TransactionConflictException("list elements changed during the command");
    }
}
