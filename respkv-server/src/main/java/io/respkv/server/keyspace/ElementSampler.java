package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws random elements of one collection version (the element range {@code E|db|key|version
 * ...}) without scanning the range: a few cursor seeks and at most {@value #SMOOTHING} steps per
 * draw, whatever the collection's size. SPOP and SRANDMEMBER use it for large sets; the other
 * collection types can draw their elements the same way.
 *
 * <h2>How a draw works</h2>
 * The first and last elements are read once (one forward and one reverse seek). Their engine keys
 * share a common prefix (at least the element prefix); the 7 bytes after it, read as a number
 * (zero-padded past a key's end), are the element's <em>position</em> {@code p}. A draw picks a
 * <em>landing</em> element, then walks a uniform number {@code s} in {@code [0, min(16, n))} of
 * elements further in key order, wrapping from the last element to the first:
 * <ul>
 *   <li>with weight {@code p(last) - p(first)} it draws a probe position {@code v} uniformly in
 *       {@code (p(first), p(last)]} and lands on the first element at or after the probe key
 *       (the last element if the probe sorts after it);</li>
 *   <li>with weight {@code (p(last) - p(first)) / (n - 1)} — the mean gap between neighbours —
 *       it lands on the first element, which no probe reaches.</li>
 * </ul>
 *
 * <h2>Bias</h2>
 * An element's chance of being the landing is proportional to the <em>gap</em> before it (its
 * position minus its predecessor's; the first element counts the mean gap), and the walk spreads
 * each landing over the 16 elements from it, so an element is drawn with a probability
 * proportional to the mean of the gaps before it and its 15 predecessors (cyclically). Elements
 * spread evenly over the byte range — random ids, hashes, UUIDs, fixed-width counters — are drawn
 * close to uniformly; clustered elements are not: with decimal strings of different lengths
 * ({@code "1" ... "1000"}) the elements after a wide gap ({@code "2"} after {@code "199"}) and
 * their 15 successors are drawn far more often than the rest, and an element with the same
 * position as its predecessor (they agree on those 7 bytes) is only reached by the walk. Callers
 * that need every element reachable, or an exact uniform draw, read small collections whole (see
 * {@link RedisSet#SMALL_SET}) and bound their retries.
 *
 * <p>The range must not change while the sampler is used: read-only, or delete the drawn
 * elements after the last draw.
 */
public final class ElementSampler {

    /** The walk after the landing covers up to this many elements. */
    public static final int SMOOTHING = 16;

    private static final int POSITION_BYTES = 7;

    private final ReadView view;
    private final byte[] low;
    private final byte[] high;
    private final long size;

    private byte[] first;
    private byte[] last;
    private int common;
    private long firstPosition;
    private long span;

    /**
     * A sampler over the {@code size} elements (from the collection's metadata, at least 1) whose
     * engine keys start with {@code prefix} (see {@link KeyCodec#elementPrefix}).
     */
    public ElementSampler(ReadView view, byte[] prefix, long size) {
        if (size < 1) {
            throw new IllegalArgumentException("no elements to sample: " + size);
        }
        this.view = view;
        this.low = prefix;
        this.high = KeyCodec.prefixEnd(prefix);
        this.size = size;
    }

    /** A random element's engine key (see the class comment for its distribution). */
    public byte[] draw(RandomGenerator random) {
        if (first == null) {
            first = edge(false);
            last = edge(true);
            if (first == null) {
                throw new IllegalStateException("the element range is empty but its metadata counts " + size);
            }
            int at = Arrays.mismatch(first, last);
            common = at < 0 ? first.length : at;
            firstPosition = position(first, common);
            span = position(last, common) - firstPosition;
        }
        int steps = random.nextInt((int) Math.min(SMOOTHING, size));
        byte[] landing = first;
        if (span > 0 && size > 1) {
            long firstWeight = Math.max(1, span / (size - 1));
            long u = random.nextLong(span + firstWeight);
            if (u < span) {
                byte[] probe = probeKey(firstPosition + 1 + u);
                landing = Arrays.compareUnsigned(probe, last) > 0 ? last : probe;
            }
        }
        try (KvCursor c = view.scan(landing, high, false)) {
            while (c.next()) {
                if (steps-- == 0) {
                    return c.key().clone();
                }
            }
        }
        // Walked past the last element: go on from the first.
        try (KvCursor c = view.scan(low, high, false)) {
            while (c.next()) {
                if (steps-- == 0) {
                    return c.key().clone();
                }
            }
        }
        return first; // only if the range shrank under the sampler, which callers rule out
    }

    /** The first or last engine key of the range. */
    private byte[] edge(boolean reverse) {
        try (KvCursor c = view.scan(low, high, reverse)) {
            return c.next() ? c.key().clone() : null;
        }
    }

    /** The key made of the common prefix and the 7 bytes of {@code position}. */
    private byte[] probeKey(long position) {
        byte[] probe = Arrays.copyOf(first, common + POSITION_BYTES);
        for (int i = POSITION_BYTES - 1; i >= 0; i--) {
            probe[common + i] = (byte) position;
            position >>>= 8;
        }
        return probe;
    }

    /** The 7 bytes of {@code key} from {@code at} as a number, zero-padded past its end. */
    static long position(byte[] key, int at) {
        long v = 0;
        for (int i = 0; i < POSITION_BYTES; i++) {
            v = (v << 8) | (at + i < key.length ? key[at + i] & 0xff : 0);
        }
        return v;
    }
}
