package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Random elements of one collection version (the element range {@code E|db|keylen|key|version}),
 * for HRANDFIELD and the other random-member commands, without reading the whole collection
 * when it is large.
 *
 * <p>An ordered key space has no "k-th element" lookup, so a uniform draw from a large
 * collection would cost a scan. Two methods are used:
 * <ul>
 * <li><b>exact</b>: scan the elements and draw uniformly. Used when the collection has at most
 *     {@link #SMALL} elements, or when the answer costs as much as a scan anyway (a count close
 *     to the size). Uniform, like Redis's listpack encoding.</li>
 * <li><b>probe</b>: as {@link Keyspace#randomKey}, draw a probe uniformly in the 7 bytes that
 *     follow the common prefix of the first and last element and take, on a coin flip, the
 *     element at or after it or the one at or before it (wrapping around). One seek per draw.
 *     Biased: an element's chance grows with the gap beside it, and of a run of elements that
 *     agree on those 7 bytes only the first and the last are reachable. Redis's own
 *     {@code dictGetFairRandomKey} for large hashes is not exactly uniform either.</li>
 * </ul>
 * Distinct draws by probing ({@link #distinct}) give up after a bounded number of probes and
 * finish with an exact draw, so unreachable elements can slow a call but never stall it.
 *
 * <p>Elements are read with scans, which do not join the transaction's read set: callers that
 * only reply (HRANDFIELD) need no more.
 */
public final class ElementSampler {

    /** Collections up to this size are sampled exactly (Redis's hash-max-listpack-entries). */
    public static final long SMALL = 128;
    private static final int PROBE_BYTES = 7;

    /** One element: its sub key (the bytes after the element prefix) and its value. */
    public record Element(byte[] subKey, byte[] value) {
    }

    private final Transaction txn;
    private final byte[] prefix;
    private final byte[] end;
    private byte[] first;
    private byte[] last;

    /** Samples the elements whose engine keys start with {@code elementPrefix}. */
    public ElementSampler(Transaction txn, byte[] elementPrefix) {
        this.txn = txn;
        this.prefix = elementPrefix.clone();
        this.end = KeyCodec.prefixEnd(elementPrefix);
    }

    /** One element drawn at random, or null if there is none; {@code size} is the element count. */
    public Element one(long size, RandomGenerator random) {
        if (size <= SMALL) {
            List<Element> all = all();
            return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
        }
        return probe(random);
    }

    /**
     * {@code count} elements drawn independently (repeats allowed), in draw order; empty if the
     * collection is. {@code size} is the element count.
     */
    public List<Element> withRepeats(int count, long size, RandomGenerator random) {
        List<Element> out = new ArrayList<>(Math.min(count, 1 << 16));
        if (size <= SMALL || count >= size) {
            // Reading every element costs no more than the draws themselves.
            List<Element> all = all();
            if (!all.isEmpty()) {
                for (int i = 0; i < count; i++) {
                    out.add(all.get(random.nextInt(all.size())));
                }
            }
            return out;
        }
        for (int i = 0; i < count; i++) {
            Element e = probe(random);
            if (e == null) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /**
     * {@code min(count, size)} distinct elements in no particular order. {@code size} is the
     * element count. Exact when the collection is small or {@code count} is more than a third of
     * it (the scan then costs at most 3 * count); otherwise by probes, falling back to an exact
     * draw if {@code 4 * count + 64} probes did not find enough distinct elements.
     */
    public List<Element> distinct(int count, long size, RandomGenerator random) {
        if (size <= SMALL || (long) count * 3 > size) {
            return reservoir(count, random);
        }
        Set<ByteBuffer> seen = new HashSet<>();
        List<Element> out = new ArrayList<>(count);
        long budget = 4L * count + 64;
        for (long probes = 0; probes < budget && out.size() < count; probes++) {
            Element e = probe(random);
            if (e == null) {
                return out;
            }
            if (seen.add(ByteBuffer.wrap(e.subKey()))) {
                out.add(e);
            }
        }
        return out.size() == count ? out : reservoir(count, random);
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

    /** A uniform sample of {@code min(count, n)} elements in one pass (Vitter's algorithm R). */
    private List<Element> reservoir(int count, RandomGenerator random) {
        List<Element> out = new ArrayList<>(Math.min(count, 1 << 16));
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
        return out;
    }

    /** One element by probing (see the class comment), or null if there is none. */
    private Element probe(RandomGenerator random) {
        if (first == null) {
            first = edge(false);
            if (first == null) {
                return null;
            }
            last = edge(true);
        }
        byte[] probe = probeBetween(first, last, random);
        byte[] afterProbe = Arrays.copyOf(probe, probe.length + 1); // the least key > probe
        if (random.nextBoolean()) {
            Element e = firstIn(probe, end, false);
            return e != null ? e : firstIn(prefix, probe, false);
        }
        Element e = firstIn(prefix, afterProbe, true);
        return e != null ? e : firstIn(afterProbe, end, true);
    }

    private Element firstIn(byte[] low, byte[] high, boolean reverse) {
        try (KvCursor c = txn.scan(low, high, reverse)) {
            return c.next() ? element(c) : null;
        }
    }

    private byte[] edge(boolean reverse) {
        try (KvCursor c = txn.scan(prefix, end, reverse)) {
            return c.next() ? c.key().clone() : null;
        }
    }

    private Element element(KvCursor c) {
        byte[] k = c.key();
        return new Element(Arrays.copyOfRange(k, prefix.length, k.length), c.value().clone());
    }

    /** A key {@code p} with {@code a <= p <= b}, drawn uniformly in 7 bytes after their common prefix. */
    private static byte[] probeBetween(byte[] a, byte[] b, RandomGenerator random) {
        int common = Arrays.mismatch(a, b);
        if (common < 0) {
            return a.clone();
        }
        long ua = window(a, common);
        long ub = window(b, common);
        long u = ub > ua ? ua + random.nextLong(ub - ua + 1) : ua;
        byte[] probe = Arrays.copyOf(a, common + PROBE_BYTES);
        for (int i = PROBE_BYTES - 1; i >= 0; i--) {
            probe[common + i] = (byte) u;
            u >>>= 8;
        }
        return probe;
    }

    /** The 7 bytes of {@code k} from {@code at} as a number, zero-padded past the end. */
    private static long window(byte[] k, int at) {
        long v = 0;
        for (int i = 0; i < PROBE_BYTES; i++) {
            v = (v << 8) | (at + i < k.length ? k[at + i] & 0xff : 0);
        }
        return v;
    }
}
