package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Uniformly random elements of one collection version (the element range
 * {@code E|db|keylen|key|version}), for HRANDFIELD and the other random-member commands.
 *
 * <p>Draws are exactly uniform, as Redis's are for small collections (listpack) and nearly are
 * for large ones. The price: an ordered key space has no "k-th element" lookup, so a draw is a
 * uniform rank in {@code [0, size)} ({@code size} from the metadata) found by walking the
 * elements, O(size) in the worst case where Redis is O(count):
 * <ul>
 * <li>{@link #one}: walks from the nearer end, at most size/2 elements.</li>
 * <li>{@link #withRepeats}: sorts the drawn ranks and collects them in one pass, up to the
 *     highest rank drawn.</li>
 * <li>{@link #distinct}: one pass of reservoir sampling over every element.</li>
 * </ul>
 * Cheaper probing (a random point of the key range and its neighbour, as
 * {@link Keyspace#randomKey} does) was tried and rejected: its bias follows the spacing of the
 * keys, and for sequential field names ({@code user:0 ... user:1999}) 200 draws reached only 31
 * distinct fields. A random-member command that keeps returning the same few members is wrong,
 * not slow, so exactness wins here.
 *
 * <p>Elements are read with scans, which do not join the transaction's read set: callers that
 * only reply (HRANDFIELD) need no more. A {@code size} larger than the stored elements (it never
 * is, the metadata is kept in step) yields fewer elements, never invented ones.
 */
public final class ElementSampler {

    /** One element: its sub key (the bytes after the element prefix) and its value. */
    public record Element(byte[] subKey, byte[] value) {
    }

    private final Transaction txn;
    private final byte[] prefix;
    private final byte[] end;

    /** Samples the elements whose engine keys start with {@code elementPrefix}. */
    public ElementSampler(Transaction txn, byte[] elementPrefix) {
        this.txn = txn;
        this.prefix = elementPrefix.clone();
        this.end = KeyCodec.prefixEnd(elementPrefix);
    }

    /** One element drawn uniformly from {@code size} elements, or null if there is none. */
    public Element one(long size, RandomGenerator random) {
        if (size <= 0) {
            return null;
        }
        long rank = random.nextLong(size);
        boolean fromEnd = rank >= size / 2;
        long skip = fromEnd ? size - 1 - rank : rank;
        try (KvCursor c = txn.scan(prefix, end, fromEnd)) {
            for (long i = 0; c.next(); i++) {
                if (i == skip) {
                    return element(c);
                }
            }
        }
        return null;
    }

    /**
     * {@code count} elements drawn independently and uniformly from {@code size} (repeats
     * allowed), in random order; empty if there are none.
     */
    public List<Element> withRepeats(int count, long size, RandomGenerator random) {
        List<Element> out = new ArrayList<>(Math.max(0, Math.min(count, 1 << 16)));
        if (size <= 0 || count <= 0) {
            return out;
        }
        if (count >= size) {
            // Holding every element costs no more than the reply.
            List<Element> all = all();
            for (int i = 0; i < count && !all.isEmpty(); i++) {
                out.add(all.get(random.nextInt(all.size())));
            }
            return out;
        }
        // Independent draws are exchangeable: drawing the ranks, collecting them in rank order
        // in one pass and shuffling gives the same distribution as drawing one by one.
        long[] ranks = new long[count];
        for (int i = 0; i < count; i++) {
            ranks[i] = random.nextLong(size);
        }
        Arrays.sort(ranks);
        int next = 0;
        try (KvCursor c = txn.scan(prefix, end, false)) {
            for (long rank = 0; next < count && c.next(); rank++) {
                if (ranks[next] != rank) {
                    continue;
                }
                Element e = element(c);
                while (next < count && ranks[next] == rank) {
                    out.add(e);
                    next++;
                }
            }
        }
        shuffle(out, random);
        return out;
    }

    /**
     * {@code min(count, n)} distinct elements chosen uniformly among the {@code n} stored, in
     * random order (reservoir sampling: one pass over every element).
     */
    public List<Element> distinct(int count, RandomGenerator random) {
        List<Element> out = new ArrayList<>(Math.max(0, Math.min(count, 1 << 16)));
        if (count <= 0) {
            return out;
        }
        long seen = 0;
        try (KvCursor c = txn.scan(prefix, end, false)) {
            while (c.next()) {
                seen++;
                if (out.size() < count) {
                    out.add(element(c));
                } else {
                    long j = random.nextLong(seen);
                    if (j < count) {
                        out.set((int) j, element(c));
                    }
                }
            }
        }
        shuffle(out, random);
        return out;
    }

    /** Fisher-Yates with the command's random source. */
    private static void shuffle(List<Element> list, RandomGenerator random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    /** Every element, in order. */
    public List<Element> all() {
        List<Element> out = new ArrayList<>();
        try (KvCursor c = txn.scan(prefix, end, false)) {
            while (c.next()) {
                out.add(element(c));
            }
        }
        return out;
    }

    private Element element(KvCursor c) {
        byte[] k = c.key();
        return new Element(Arrays.copyOfRange(k, prefix.length, k.length), c.value().clone());
    }
}
