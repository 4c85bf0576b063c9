package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws random elements of one collection version (the element range {@code E|db|key|version
 * ...}) without scanning the range: about a hundred entries read for the first draw and a few
 * dozen for each further one, whatever the collection's size. SPOP and SRANDMEMBER use it for
 * large sets; other collection types can draw their elements the same way. {@link ElementSampler}
 * is the exact alternative: uniform, but it walks up to the whole range per call.
 *
 * <p>An ordered key space has no rank index, so a draw cannot ask for "the i-th element". It
 * picks a <em>position</em> in the range and takes the element found there, then corrects for how
 * unevenly the elements fill the positions:
 *
 * <ol>
 *   <li><b>Ends.</b> The first and last {@value #EDGE} elements are read once per sampler and
 *       drawn from exactly, each with probability 1/n; the positions below cover the
 *       <em>inner</em> elements between them, so a few odd elements at either end (an
 *       {@code "admin"} before a thousand {@code "user:..."}) do not stretch the range.</li>
 *   <li><b>Positions.</b> The bytes the edge elements hold after the common prefix of the first
 *       and last inner element make the <em>alphabet</em>. An element's position is where its
 *       bytes after that prefix fall when every alphabet symbol (and the end of the element,
 *       which sorts first) gets an equal share of the interval at each byte, as arithmetic
 *       coding places a message; a byte outside the alphabet keeps a sliver, so positions keep
 *       the key order. Equal shares matter: text members (decimal ids, hex, words) use a few
 *       dozen of the 256 byte values, and positions in base 256 would leave most of the range
 *       empty, giving the elements after the empty stretches most of the draws.</li>
 *   <li><b>Landing.</b> A uniform position between the first and the last inner element's gives
 *       a probe key; the first element at or after it is the landing (the first inner element,
 *       which no probe passes, lands with the weight of {@value #WINDOW} mean gaps). An element
 *       lands with probability proportional to its <em>gap</em>: its position minus its
 *       predecessor's.</li>
 *   <li><b>Walk.</b> The draw takes the element a uniform 0 to {@value #WINDOW}-1 steps after the
 *       landing (a walk past the last inner element draws again), so an element's chance is
 *       proportional to {@code G}, the sum of the {@value #WINDOW} gaps ending at it.</li>
 *   <li><b>Rejection.</b> The draw is kept with probability {@code min(1, C / G)} with
 *       {@code C} half the mean of {@code G}, else drawn again; after {@value #MAX_ATTEMPTS}
 *       rejections the candidate with the smallest {@code G} is kept. Elements behind a wide gap
 *       would be drawn far too often; this evens them out.</li>
 * </ol>
 *
 * <h2>Bias</h2>
 * An inner element is drawn with a probability proportional to {@code min(G, C)}. Elements that
 * fill the positions evenly are drawn as if uniformly: over 10,000 elements and a million draws
 * the distance to uniform (total variation, 0 = uniform) is at the level of the counting noise
 * (0.04) for random 12-byte ids, the decimal strings {@code "0" ... "9999"}, fixed-width ids
 * {@code "user:00000000"...}, UUID strings and random lower-case strings of 1 to 30 letters
 * ({@code PositionSamplerTest} keeps the first four below 0.06). Elements that do not fill the
 * positions evenly are drawn less evenly: an element in a stretch denser than {@code C} is drawn
 * less often than the others, in proportion. That happens with skewed symbols (words, whose
 * letters are far from equally frequent: distance about 0.4) and with clusters (several groups
 * far apart in byte order, each dense: a few groups take most draws). Bytes that the edge
 * elements do not hold get a sliver of the interval, so elements that differ from their
 * neighbours only in such bytes land rarely and are reached mostly through the walk. Callers
 * that need every element equally likely read small collections whole (see
 * {@link RedisSet#SMALL_SET}).
 *
 * <p>The range must hold exactly {@code size} elements and not change while the sampler is used:
 * read-only, or delete the drawn elements after the last draw. Not thread-safe.
 *
 * <h2>Reuse across commands</h2>
 * Learning reads about {@value #EDGE} entries at each end of the range, most of a draw's cost. A
 * sampler may be kept and {@linkplain #reuse reused} by later commands on the same collection
 * version (see {@link SampledSets}) while its size stays near the one it learned at. The model is
 * then a little stale (elements added or removed since), which only shifts the distribution a
 * little: inner draws are read from the current range, and a draw that would return an element
 * the sampler remembers (an edge element, the first or last inner one) checks that it still
 * exists, and returns null (relearn) if not.
 */
public final class PositionSampler {

    /** How many elements share their gaps in the walk. */
    public static final int WINDOW = 8;
    /** How many elements at each end of the range are drawn from exactly (and teach the alphabet). */
    public static final int EDGE = 32;
    /** Draws rejected in a row before the least favoured candidate is kept. */
    public static final int MAX_ATTEMPTS = 8;
    /** A draw is kept with probability min(1, CAP * mean / G). */
    private static final double CAP = 0.5;
    /** Positions lie in [0, 2^46): times a model weight (below 2^16) they stay below 2^62. */
    private static final long ROOT = 1L << 46;
    /** The model's weights add up to at most this. */
    private static final long MODEL_TOTAL = 1L << 16;
    /** The end of an element and the 256 byte values. */
    private static final int SYMBOLS = 257;
    /** More distinct bytes than this in the edges: binary elements, every byte value used. */
    private static final int TEXT_SYMBOLS = 64;
    /** Probe keys stop after this many bytes past the common prefix. */
    private static final int MAX_PROBE_BYTES = 64;

    /** Draws between two learns of a reused sampler at most (and at least this many). */
    private static final int MIN_REUSE_DRAWS = 256;

    private ReadView view;
    private final byte[] low;
    private final byte[] high;
    private long size;
    /** The size when the model was learned. */
    private long learnedSize;
    /** Draws since the model was learned. */
    private long draws;
    /** Reused: remembered elements may be gone, check before returning them. */
    private boolean verify;

    /** The edge elements, drawn from exactly; every element when the range is small. */
    private List<byte[]> edges;
    private long innerSize;
    /** The first and last inner element, and the bounds of the inner range. */
    private byte[] first;
    private byte[] last;
    private byte[] innerLow;
    private byte[] innerHigh;
    private int common;
    /** The byte model: symbol s (0 = the end, b + 1 = byte b) has weight cumulative[s + 1] - cumulative[s]. */
    private final long[] cumulative = new long[SYMBOLS + 1];
    private long firstPosition;
    private long lastPosition;
    /** The landing weight of the first inner element: {@value #WINDOW} mean gaps. */
    private long firstWeight;
    /** The mean distance between the positions of neighbouring inner elements, when learned. */
    private double meanGap;
    /** Windows wider than this are kept with probability cap / width. */
    private double cap;

    /**
     * A sampler over the {@code size} elements (from the collection's metadata, at least 1) whose
     * engine keys start with {@code prefix} (see {@link KeyCodec#elementPrefix}).
     */
    public PositionSampler(ReadView view, byte[] prefix, long size) {
        if (size < 1) {
            throw new IllegalArgumentException("no elements to sample: " + size);
        }
        this.view = view;
        this.low = prefix;
        this.high = KeyCodec.prefixEnd(prefix);
        this.size = size;
    }

    /**
     * Rebinds this sampler to a later command's view of the same collection version, now of
     * {@code size} elements. False if the model should be learned afresh instead (the size moved
     * by more than a quarter, too many draws since, or a small range read whole): then do not use
     * this sampler.
     */
    public boolean reuse(ReadView view, long size) {
        if (edges == null || innerSize <= 0 || size <= 2L * EDGE + 1
                || size * 4 < learnedSize * 3 || size * 3 > learnedSize * 4
                || draws > Math.max(MIN_REUSE_DRAWS, learnedSize / 4)) {
            return false;
        }
        this.view = view;
        this.size = size;
        this.innerSize = size - 2L * EDGE;
        this.verify = true;
        return true;
    }

    /**
     * Tells a sampler that will be reused that the element with engine key {@code key} was
     * removed, so it is not drawn from the remembered edges.
     */
    public void removed(byte[] key) {
        if (edges != null && edges.removeIf(e -> Arrays.equals(e, key)) && edges.isEmpty()) {
            edges = null;
        }
    }

    /** A random element's engine key (see the class comment for its distribution). */
    public byte[] draw(RandomGenerator random) {
        if (edges == null) {
            learn();
        }
        draws++;
        if (innerSize <= 0 || random.nextLong(size) < edges.size()) {
            return checked(edges.get(random.nextInt(edges.size())), random);
        }
        if (lastPosition <= firstPosition) {
            return checked(first, random); // one inner element
        }
        byte[] fallback = null;
        long fallbackWindow = Long.MAX_VALUE;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long u = random.nextLong(firstWeight + (lastPosition - firstPosition));
            long probe = u < firstWeight ? firstPosition : firstPosition + 1 + (u - firstWeight);
            byte[] landing = u < firstWeight ? first : probeKey(probe);
            if (Arrays.compareUnsigned(landing, last) > 0) {
                landing = last;
            }
            int step = random.nextInt(WINDOW);
            // G: the landing weights of the WINDOW elements ending at the chosen one. Positions
            // telescope: the chosen position minus that of the element WINDOW before it, or,
            // when the first inner element is among them, its weight counts instead.
            Walk walk = walk(probe, landing, step);
            if (walk == null) {
                continue; // walked past the last inner element
            }
            byte[] chosen = walk.chosen;
            long window = walk.windowStart != null
                    ? position(chosen) - position(walk.windowStart)
                    : position(chosen) - firstPosition + firstWeight;
            if (window <= cap || random.nextDouble() * window < cap) {
                return chosen;
            }
            if (window < fallbackWindow) {
                fallback = chosen;
                fallbackWindow = window;
            }
        }
        // Every attempt rejected (rare unless the elements are very uneven): the candidate in
        // the densest stretch is the least favoured one.
        return fallback != null ? fallback : checked(last, random);
    }

    /**
     * A run keeps an element with probability min(1, RUN_CAP * mean / G). Higher than a draw's
     * {@link #CAP}: a sum of a run's many gaps strays less from its mean than a draw's
     * {@value #WINDOW}, so a higher cap still flattens it, and keeps more of what was read.
     */
    private static final double RUN_CAP = 0.7;
    /** The longest run {@link #drawRun} reads. */
    public static final int MAX_RUN = 256;

    /**
     * Random elements to pop from later ({@link PopPool}), drawn with chances like
     * {@link #draw}'s but read together: the {@code length} inner elements from one landing, each
     * kept with probability {@code min(1, C / G)}, where {@code G} is now the sum of the
     * {@code length} gaps ending at the element and {@code C} {@value #RUN_CAP} of its mean; plus
     * for about two in three places a random edge element with probability edges / n, so the
     * edges keep their share. Reads the run and about one and a half runs before the landing; for
     * elements that fill the positions evenly about two thirds of the run are kept, so about four
     * entries are read per element returned, where a draw reads a dozen or two (and opens a
     * cursor or two) for one.
     *
     * <p>Why the chances match: element {@code e} is in the run when the landing is one of the
     * {@code length} elements ending at {@code e}; landings weigh their gaps, so {@code e} is in a
     * run with probability proportional to {@code G} (the landing weight of the first inner
     * element, {@code length} mean gaps here, makes up for the landings that precede the first
     * elements). Kept with probability {@code min(1, C / G)}, it is returned with probability
     * proportional to {@code min(G, C)}: the same for every element whose {@code length} gaps add
     * up to at least {@code C}, which a sum of many gaps mostly does for evenly filled positions.
     * The elements of one run are neighbours: a caller mixes many runs (see {@link PopPool}).
     * Elements may repeat across runs, and a run may return an element removed since the model
     * was learned: the caller checks.
     */
    public List<byte[]> drawRun(RandomGenerator random, int length) {
        if (length < 1 || length > MAX_RUN) {
            throw new IllegalArgumentException("run length must be 1 to " + MAX_RUN + ": " + length);
        }
        if (edges == null) {
            learn();
        }
        int expectedKept = (int) Math.ceil(length * RUN_CAP);
        draws += expectedKept;
        List<byte[]> kept = new ArrayList<>(length);
        for (int i = 0; i < expectedKept; i++) {
            if (random.nextLong(size) < edges.size()) {
                kept.add(edges.get(random.nextInt(edges.size())));
            }
        }
        if (innerSize <= 0) {
            return kept;
        }
        if (lastPosition <= firstPosition) {
            kept.add(first); // one inner element
            return kept;
        }
        // The mean gap now: a reused model's elements may have thinned out since it was learned
        // (a set being popped), and a window scaled to the learned gap would then read too few
        // elements behind the landing and reject too many.
        double gap = innerSize > 1 ? Math.max(meanGap, (lastPosition - firstPosition) / (double) (innerSize - 1)) : meanGap;
        long runFirstWeight = Math.max(1, (long) (length * gap));
        double runCap = RUN_CAP * length * gap;
        long u = random.nextLong(runFirstWeight + (lastPosition - firstPosition));
        long probe = u < runFirstWeight ? firstPosition : firstPosition + 1 + (u - runFirstWeight);
        byte[] landing = u < runFirstWeight ? first : probeKey(probe);
        if (Arrays.compareUnsigned(landing, last) > 0) {
            landing = last;
        }
        // One forward read from before the probe, as in walk(): the `length` elements before the
        // landing give the first run elements their G. Starting half a run further back than
        // needed makes a second, reverse read rare.
        long back = (long) ((length + length / 2 + 4) * gap);
        boolean fromStart = probe - back <= firstPosition || Arrays.compareUnsigned(landing, innerLow) <= 0;
        byte[] from = fromStart ? innerLow : probeKey(probe - back);
        if (Arrays.compareUnsigned(from, innerLow) <= 0) {
            from = innerLow;
            fromStart = true;
        } else if (Arrays.compareUnsigned(from, landing) > 0) {
            from = landing;
        }
        int budget = runBehindBudget(length);
        ArrayDeque<byte[]> behind = new ArrayDeque<>(length + 1);
        int before = 0;
        List<byte[]> run = new ArrayList<>(length);
        boolean overBudget = false;
        try (KvCursor c = view.scan(from, innerHigh, false)) {
            while (run.size() < length && c.next()) {
                byte[] k = c.key();
                if (run.isEmpty() && Arrays.compareUnsigned(k, landing) < 0) {
                    if (++before > budget) {
                        overBudget = true;
                        break;
                    }
                    behind.addLast(k.clone());
                    if (behind.size() > length) {
                        behind.removeFirst();
                    }
                } else {
                    run.add(k.clone());
                }
            }
        }
        boolean reachesFirst = fromStart;
        if (overBudget || (behind.size() < length && !fromStart)) {
            if (overBudget) {
                run = read(landing, innerHigh, false, length);
                behind.clear();
            }
            // The rest of the window lies before what was read.
            byte[] readFrom = !behind.isEmpty() ? behind.peekFirst() : !run.isEmpty() ? run.get(0) : landing;
            List<byte[]> earlier = read(innerLow, readFrom, true, length - behind.size());
            reachesFirst = earlier.size() < length - behind.size();
            earlier.forEach(behind::addFirst);
        }
        long[] positions = new long[behind.size() + run.size()];
        int n = 0;
        for (byte[] k : behind) {
            positions[n++] = position(k);
        }
        for (byte[] k : run) {
            positions[n++] = position(k);
        }
        for (int j = 0; j < run.size(); j++) {
            int at = behind.size() + j;
            // Fewer than `length` elements before this one only when they reach the first.
            long windowStart = at >= length ? positions[at - length] : firstPosition - runFirstWeight;
            long window = positions[at] - windowStart;
            if (window <= runCap || random.nextDouble() * window < runCap) {
                kept.add(run.get(j));
            }
        }
        return kept;
    }

    /** Elements a run of {@code length} reads before its landing at most, in its forward read. */
    private static int runBehindBudget(int length) {
        return 4 * length;
    }

    /**
     * A remembered element; if this sampler is reused and the element is gone, a draw from a
     * model learned afresh.
     */
    private byte[] checked(byte[] key, RandomGenerator random) {
        if (verify && view.get(key) == null) {
            edges = null;
            verify = false;
            draws = 0;
            return draw(random);
        }
        return key;
    }

    /** A walk's chosen element and the element {@value #WINDOW} before it (null: the first inner element is among them). */
    private record Walk(byte[] chosen, byte[] windowStart) {
    }

    /** Elements read before the landing, at most, in one forward read (else two reads, one reverse). */
    private static final int BEHIND_BUDGET = 4 * WINDOW;
    /** Entries one attempt of a draw reads at most. */
    public static final int MOST_READ_PER_ATTEMPT = BEHIND_BUDGET + 1 + 2 * WINDOW;

    /** Entries a run of {@code length} reads at most: those before the landing, the run, and the window of its first element. */
    static int mostReadPerRun(int length) {
        return runBehindBudget(length) + 1 + 2 * length;
    }

    /**
     * The element {@code step} after the landing (the first element at or after {@code landing},
     * whose probe sat at {@code probe}) and the element {@value #WINDOW} before it, or null if the
     * walk passes the last inner element.
     *
     * <p>One forward read from a few mean gaps before the probe, through the landing: an ordered
     * store steps forward cheaply, while stepping back (a reverse scan) costs a search per entry
     * in RocksDB's memtable, and more for every deleted element it passes, which is what a set
     * popped one member at a time is full of. Only if that start was not early enough (the
     * elements there are denser than the mean, or there were too few) is the rest read backwards.
     */
    private Walk walk(long probe, byte[] landing, int step) {
        int need = WINDOW - step; // elements wanted before the landing
        long back = (long) ((2L * need + 2) * meanGap);
        boolean fromStart = probe - back <= firstPosition || Arrays.compareUnsigned(landing, innerLow) <= 0;
        byte[] from = fromStart ? innerLow : probeKey(probe - back);
        if (Arrays.compareUnsigned(from, innerLow) <= 0) {
            from = innerLow; // never among the edge elements before the inner range
            fromStart = true;
        } else if (Arrays.compareUnsigned(from, landing) > 0) {
            from = landing;
        }
        byte[][] ring = new byte[need][];
        int before = 0;
        List<byte[]> ahead = new ArrayList<>(step + 1);
        boolean overBudget = false;
        try (KvCursor c = view.scan(from, innerHigh, false)) {
            while (ahead.size() <= step && c.next()) {
                byte[] k = c.key();
                if (ahead.isEmpty() && Arrays.compareUnsigned(k, landing) < 0) {
                    if (++before > BEHIND_BUDGET) {
                        overBudget = true;
                        break;
                    }
                    ring[(before - 1) % need] = k.clone();
                } else {
                    ahead.add(k.clone());
                }
            }
        }
        if (overBudget) {
            ahead = read(landing, innerHigh, false, step + 1);
            if (ahead.size() <= step) {
                return null;
            }
            List<byte[]> behind = read(innerLow, landing, true, need);
            return new Walk(ahead.get(step), behind.size() == need ? behind.get(need - 1) : null);
        }
        if (ahead.size() <= step) {
            return null;
        }
        byte[] chosen = ahead.get(step);
        if (before >= need) {
            return new Walk(chosen, ring[before % need]); // the oldest of the last `need`
        }
        if (fromStart) {
            return new Walk(chosen, null);
        }
        // Not early enough: the rest of the window lies before `from`.
        List<byte[]> behind = read(innerLow, from, true, need - before);
        return new Walk(chosen, behind.size() == need - before ? behind.get(behind.size() - 1) : null);
    }

    /** Reads the edges, fits the byte model to the inner range, and the constants of the positions. */
    private void learn() {
        learnedSize = size;
        draws = 0;
        List<byte[]> head = read(low, high, false, EDGE + 1);
        List<byte[]> tail = read(low, high, true, EDGE + 1);
        if (head.isEmpty()) {
            throw new IllegalStateException("the element range is empty but its metadata counts " + size);
        }
        if (size <= 2L * EDGE + 1 || head.size() <= EDGE || Arrays.compareUnsigned(head.get(EDGE), tail.get(EDGE)) > 0) {
            // Small: the two reads hold every element.
            edges = new ArrayList<>(head);
            for (int i = tail.size() - 1; i >= 0; i--) {
                if (Arrays.compareUnsigned(tail.get(i), head.get(head.size() - 1)) > 0) {
                    edges.add(tail.get(i));
                }
            }
            innerSize = 0;
            return;
        }
        edges = new ArrayList<>(head.subList(0, EDGE));
        edges.addAll(tail.subList(0, EDGE));
        innerSize = size - 2L * EDGE;
        first = head.get(EDGE);
        last = tail.get(EDGE);
        innerLow = head.get(EDGE); // inclusive
        innerHigh = Arrays.copyOf(last, last.length + 1); // the least key after the last inner element
        int at = Arrays.mismatch(first, last);
        common = at < 0 ? first.length : at;

        // The alphabet: every symbol the edges hold after the inner prefix.
        boolean[] seen = new boolean[SYMBOLS];
        seen[0] = true;
        int distinct = 0;
        for (List<byte[]> sample : List.of(head, tail)) {
            for (byte[] key : sample) {
                if (key.length < common || Arrays.mismatch(key, 0, common, first, 0, common) >= 0) {
                    continue; // outside the inner prefix: says nothing about the inner bytes
                }
                for (int i = common; i < key.length; i++) {
                    int symbol = (key[i] & 0xff) + 1;
                    if (!seen[symbol]) {
                        seen[symbol] = true;
                        distinct++;
                    }
                }
            }
        }
        if (distinct > TEXT_SYMBOLS) {
            Arrays.fill(seen, true); // binary: the edges cannot have shown every byte value
        }
        int used = 0;
        for (boolean s : seen) {
            used += s ? 1 : 0;
        }
        long weight = (MODEL_TOTAL - SYMBOLS) / used;
        for (int s = 0; s < SYMBOLS; s++) {
            cumulative[s + 1] = cumulative[s] + (seen[s] ? weight : 1);
        }
        firstPosition = position(first);
        lastPosition = position(last);
        meanGap = innerSize > 1 ? (lastPosition - firstPosition) / (double) (innerSize - 1) : 1;
        double meanWindow = WINDOW * meanGap;
        cap = CAP * meanWindow;
        firstWeight = Math.max(1, (long) meanWindow);
    }

    /** Up to {@code limit} engine keys of {@code [from, to)}, ascending or descending. */
    private List<byte[]> read(byte[] from, byte[] to, boolean reverse, int limit) {
        List<byte[]> out = new ArrayList<>(Math.min(limit, 64));
        if (limit <= 0) {
            return out;
        }
        try (KvCursor c = view.scan(from, to, reverse)) {
            while (out.size() < limit && c.next()) {
                out.add(c.key().clone());
            }
        }
        return out;
    }

    /**
     * The position of an engine key of the inner range: where its bytes after the common prefix
     * fall in the byte model, as arithmetic coding places a message.
     */
    long position(byte[] key) {
        long lo = 0;
        long width = ROOT;
        long total = cumulative[SYMBOLS];
        for (int depth = common; ; depth++) {
            int symbol = depth < key.length ? (key[depth] & 0xff) + 1 : 0;
            long from = width * cumulative[symbol] / total;
            long to = width * cumulative[symbol + 1] / total;
            lo += from;
            width = to - from;
            if (symbol == 0 || width < total) {
                return lo;
            }
        }
    }

    /** The least key at or after {@code position} in the model (arithmetic decoding), cut short. */
    private byte[] probeKey(long position) {
        byte[] suffix = new byte[MAX_PROBE_BYTES + 1];
        int length = 0;
        long lo = 0;
        long width = ROOT;
        long total = cumulative[SYMBOLS];
        while (length < MAX_PROBE_BYTES) {
            long target = position - lo;
            // The greatest symbol whose interval starts at or before the target.
            int a = 0;
            int b = SYMBOLS - 1;
            while (a < b) {
                int mid = (a + b + 1) >>> 1;
                if (width * cumulative[mid] / total <= target) {
                    a = mid;
                } else {
                    b = mid - 1;
                }
            }
            if (a == 0) {
                // The end of an element: only the element equal to the bytes so far sits at the
                // interval's start; past it comes the first element after them.
                if (target > 0) {
                    suffix[length++] = 0;
                }
                break;
            }
            suffix[length++] = (byte) (a - 1);
            long from = width * cumulative[a] / total;
            long to = width * cumulative[a + 1] / total;
            lo += from;
            width = to - from;
            if (width < total) {
                break;
            }
        }
        byte[] probe = Arrays.copyOf(first, common + length);
        System.arraycopy(suffix, 0, probe, common, length);
        return probe;
    }
}
