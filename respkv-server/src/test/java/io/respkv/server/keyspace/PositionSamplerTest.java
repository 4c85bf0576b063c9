package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PositionSampler}: draws stay inside the range, read a bounded number of entries, and
 * come out close to uniform for elements that fill the byte range evenly (the distributions its
 * Javadoc names), measured as the total variation distance from uniform.
 */
class PositionSamplerTest {

    private static final int ELEMENTS = 1_000;
    /** 100 draws per element: the counting noise alone gives a distance of about 0.04. */
    private static final int DRAWS = 100_000;

    private final MemoryEngine engine = new MemoryEngine();
    private final SplittableRandom random = new SplittableRandom(11);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Stores {@code count} elements under {@code prefix}, plus neighbours just outside it. */
    private byte[] store(int count, IntFunction<byte[]> element) {
        byte[] prefix = KeyCodec.elementPrefix(0, b("k"), 77);
        engine.transact(txn -> {
            for (int i = 0; i < count; i++) {
                txn.put(concat(prefix, element.apply(i)), new byte[0]);
            }
            // Elements of the neighbouring versions must never come out.
            txn.put(KeyCodec.elementPrefix(0, b("k"), 76), new byte[0]);
            txn.put(concat(KeyCodec.elementPrefix(0, b("k"), 76), new byte[] {(byte) 0xff}), new byte[0]);
            txn.put(KeyCodec.elementPrefix(0, b("k"), 78), new byte[0]);
            return null;
        });
        return prefix;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Draws {@code draws} times with one sampler over the {@code size} elements under {@code prefix}. */
    private Map<ByteBuffer, Integer> drawCounts(byte[] prefix, int size, int draws) {
        Map<ByteBuffer, Integer> counts = new HashMap<>();
        try (Transaction txn = engine.begin()) {
            PositionSampler sampler = new PositionSampler(txn, prefix, size);
            for (int i = 0; i < draws; i++) {
                byte[] key = sampler.draw(random);
                assertTrue(startsWith(key, prefix) && txn.get(key) != null, "drew a key outside the range");
                counts.merge(ByteBuffer.wrap(key), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Draws {@link #DRAWS} times with one sampler; returns the distance from uniform. */
    private double distanceFromUniform(IntFunction<byte[]> element) {
        return distanceFromUniform(drawCounts(store(ELEMENTS, element), ELEMENTS, DRAWS), DRAWS);
    }

    /** The total variation distance between {@code counts} (of {@code total}) and uniform over {@link #ELEMENTS}. */
    private static double distanceFromUniform(Map<ByteBuffer, Integer> counts, long total) {
        double distance = (ELEMENTS - counts.size()) / (double) ELEMENTS;
        for (int n : counts.values()) {
            distance += Math.abs(n / (double) total - 1.0 / ELEMENTS);
        }
        return distance / 2;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** {@link #ELEMENTS} random 12-byte ids. */
    private static List<byte[]> randomIds(long seed) {
        SplittableRandom ids = new SplittableRandom(seed);
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < ELEMENTS; i++) {
            byte[] id = new byte[12];
            ids.nextBytes(id);
            all.add(id);
        }
        return all;
    }

    @Test
    void randomBinaryIds() {
        double d = distanceFromUniform(randomIds(1)::get);
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void decimalStrings() {
        double d = distanceFromUniform(i -> b(Integer.toString(i)));
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void fixedWidthIds() {
        double d = distanceFromUniform(i -> b(String.format("user:%08d", i * 7)));
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void uuidStrings() {
        double d = distanceFromUniform(i -> b(UUID.nameUUIDFromBytes(b("id" + i)).toString()));
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void oddElementsAtTheEndsDoNotStretchTheRange() {
        // "admin" and "zz-top" sort far from the thousand user ids: drawn exactly, as edges.
        double d = distanceFromUniform(i -> i == 0 ? b("admin") : i == 1 ? b("zz-top") : b("user:" + i));
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void theEdgesAreDrawnExactlyEvenWhenTheRestIsClustered() {
        // Three dense groups far apart in byte order: inner draws are biased (see the Javadoc),
        // but each of the 32 first and 32 last elements keeps its exact chance, 1/n.
        byte[] prefix = store(ELEMENTS, i -> ByteBuffer.allocate(8).putLong((long) (i % 3) << 60 | i).array());
        int draws = 20_000;
        Map<ByteBuffer, Integer> counts = drawCounts(prefix, ELEMENTS, draws);
        List<ByteBuffer> sorted = new ArrayList<>(counts.keySet());
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < ELEMENTS; i++) {
            all.add(concat(prefix, ByteBuffer.allocate(8).putLong((long) (i % 3) << 60 | i).array()));
        }
        all.sort(java.util.Arrays::compareUnsigned);
        int edgeDraws = 0;
        for (int i = 0; i < PositionSampler.EDGE; i++) {
            edgeDraws += counts.getOrDefault(ByteBuffer.wrap(all.get(i)), 0);
            edgeDraws += counts.getOrDefault(ByteBuffer.wrap(all.get(ELEMENTS - 1 - i)), 0);
        }
        double expected = draws * 2.0 * PositionSampler.EDGE / ELEMENTS; // 1280, sd about 35
        assertTrue(Math.abs(edgeDraws - expected) < 200, "edge draws " + edgeDraws + ", expected " + expected);
        assertTrue(sorted.size() > 2 * PositionSampler.EDGE, "inner elements drawn too");
    }

    @Test
    void smallRangesAreDrawnExactly() {
        Map<ByteBuffer, Integer> counts = drawCounts(store(40, i -> b("m" + i)), 40, 40_000);
        assertEquals(40, counts.size());
        counts.values().forEach(n -> assertTrue(n > 800 && n < 1200, "count " + n));
    }

    @Test
    void aDrawReadsAFewEntriesWhateverTheSize() {
        byte[] prefix = store(50_000, i -> b(Integer.toString(i)));
        try (Transaction txn = engine.begin()) {
            CountingTransaction counting = new CountingTransaction(txn);
            PositionSampler sampler = new PositionSampler(counting, prefix, 50_000);
            sampler.draw(random);
            long firstDraw = counting.scanned;
            assertTrue(firstDraw <= 2 * (PositionSampler.EDGE + 1) + (long) PositionSampler.MAX_ATTEMPTS * PositionSampler.MOST_READ_PER_ATTEMPT,
                    "first draw read " + firstDraw);
            long most = 0;
            for (int i = 0; i < 1_000; i++) {
                counting.reset();
                sampler.draw(random);
                most = Math.max(most, counting.scanned);
            }
            assertTrue(most <= (long) PositionSampler.MAX_ATTEMPTS * PositionSampler.MOST_READ_PER_ATTEMPT, "a draw read " + most);
        }
    }

    /** Runs of 16 that return each element about 100 times (about two thirds of a run are kept), like DRAWS draws. */
    private static final int RUNS_OF_16 = 3 * DRAWS / 2 / 16;

    /** How often each element is in a run, over {@code runs} runs of {@code length}: the distance from uniform. */
    private double runDistanceFromUniform(IntFunction<byte[]> element, int length, int runs) {
        byte[] prefix = store(ELEMENTS, element);
        Map<ByteBuffer, Integer> counts = new HashMap<>();
        long total = 0;
        try (Transaction txn = engine.begin()) {
            PositionSampler sampler = new PositionSampler(txn, prefix, ELEMENTS);
            for (int i = 0; i < runs; i++) {
                for (byte[] key : sampler.drawRun(random, length)) {
                    assertTrue(startsWith(key, prefix) && txn.get(key) != null, "drew a key outside the range");
                    counts.merge(ByteBuffer.wrap(key), 1, Integer::sum);
                    total++;
                }
            }
        }
        return distanceFromUniform(counts, total);
    }

    @Test
    void runsCoverDecimalStringsEvenlyIncludingTheFirstAndTheEdges() {
        double d = runDistanceFromUniform(i -> b(Integer.toString(i)), 16, RUNS_OF_16);
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void runsCoverRandomBinaryIdsEvenly() {
        double d = runDistanceFromUniform(randomIds(3)::get, 16, RUNS_OF_16);
        assertTrue(d < 0.06, "distance " + d);
    }

    @Test
    void aRunReadsAboutItsLength() {
        int size = 50_000;
        byte[] prefix = store(size, i -> b(String.format("id:%08d", i * 13)));
        try (Transaction txn = engine.begin()) {
            CountingTransaction counting = new CountingTransaction(txn);
            PositionSampler sampler = new PositionSampler(counting, prefix, size);
            sampler.draw(random); // learns
            long scanned = 0;
            long returned = 0;
            int runs = 200;
            for (int i = 0; i < runs; i++) {
                counting.reset();
                List<byte[]> run = sampler.drawRun(random, 64);
                assertTrue(run.size() <= 64 + 32, "run of " + run.size());
                returned += run.size();
                scanned += counting.scanned;
                assertTrue(counting.scanned <= PositionSampler.mostReadPerRun(64),
                        "a run read " + counting.scanned);
            }
            // Evenly spread elements: about two thirds of the run kept.
            assertTrue(returned > runs * 64 * 0.5 && returned < runs * 64 * 0.9, "runs returned " + returned);
            // The run and about one and a half runs before its landing.
            assertTrue(scanned < runs * 64 * 3, "runs read " + scanned);
        }
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PositionSampler(null, b("p"), 0));
        byte[] prefix = KeyCodec.elementPrefix(0, b("none"), 1);
        try (Transaction txn = engine.begin()) {
            PositionSampler sampler = new PositionSampler(txn, prefix, 5);
            assertThrows(IllegalStateException.class, () -> sampler.draw(random));
        }
    }
}
