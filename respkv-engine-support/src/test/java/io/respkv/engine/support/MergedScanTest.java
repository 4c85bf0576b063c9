package io.respkv.engine.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link MergedScan} over an in-memory base without native bounds (as LevelDB's iterator). */
class MergedScanTest {

    private static final byte[] TOMBSTONE = new byte[0];

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** A base over a sorted map, positioned like a store iterator; bounds by seeks, as LevelDB's cursor does. */
    private static class MapBase implements MergedScan.Base {
        private final List<byte[]> keys;
        private final byte[] low;
        private final byte[] high;
        private int pos = -1;
        int seeks;
        int values;
        int steps;

        MapBase(NavigableMap<byte[], byte[]> data, byte[] low, byte[] high) {
            this.keys = new ArrayList<>(data.keySet());
            this.low = low;
            this.high = high;
        }

        @Override
        public boolean valid() {
            return pos >= 0 && pos < keys.size();
        }

        @Override
        public byte[] key() {
            return keys.get(pos);
        }

        @Override
        public byte[] value() {
            values++;
            return key();
        }

        @Override
        public void next() {
            steps++;
            pos++;
        }

        @Override
        public void prev() {
            pos--;
        }

        @Override
        public void seek(byte[] key) {
            seeks++;
            pos = 0;
            while (pos < keys.size() && Arrays.compareUnsigned(keys.get(pos), key) < 0) {
                pos++;
            }
        }

        @Override
        public void seekBefore(byte[] key) {
            seek(key);
            pos--;
        }

        @Override
        public void seekToFirst() {
            if (low == null) {
                pos = 0;
            } else {
                seek(low);
            }
        }

        @Override
        public void seekToLast() {
            if (high == null) {
                pos = keys.size() - 1;
            } else {
                seekBefore(high);
            }
        }
    }

    private static NavigableMap<byte[], byte[]> map(String... keys) {
        NavigableMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
        for (String k : keys) {
            m.put(b(k), b(k));
        }
        return m;
    }

    private static List<String> run(MergedScan scan, MergedScan.Base base) {
        scan.start(base);
        List<String> out = new ArrayList<>();
        while (scan.next()) {
            out.add(new String(scan.key(), UTF_8) + "=" + new String(scan.value(), UTF_8));
        }
        return out;
    }

    @Test
    void ownWritesShadowAndTombstonesHideCommittedEntriesBothWays() {
        NavigableMap<byte[], byte[]> committed = map("a", "c", "e", "g");
        NavigableMap<byte[], byte[]> own = new TreeMap<>(Arrays::compareUnsigned);
        own.put(b("b"), b("B"));
        own.put(b("c"), b("C"));
        own.put(b("e"), TOMBSTONE);
        own.put(b("h"), b("H")); // outside [a, h)
        assertEquals(List.of("a=a", "b=B", "c=C", "g=g"),
                run(new MergedScan(b("a"), b("h"), false, own, TOMBSTONE, List.of()), new MapBase(committed, b("a"), b("h"))));
        assertEquals(List.of("g=g", "c=C", "b=B", "a=a"),
                run(new MergedScan(b("a"), b("h"), true, own, TOMBSTONE, List.of()), new MapBase(committed, b("a"), b("h"))));
    }

    @Test
    void deletedRangesAreSkippedWithOneSeekEach() {
        NavigableMap<byte[], byte[]> committed = new TreeMap<>(Arrays::compareUnsigned);
        for (int i = 0; i < 100; i++) {
            committed.put(b(String.format("k%03d", i)), b("v"));
        }
        List<byte[][]> ranges = List.<byte[][]>of(new byte[][] {b("k010"), b("k090")});
        MapBase forward = new MapBase(committed, null, null);
        List<String> f = run(new MergedScan(null, null, false, null, TOMBSTONE, ranges), forward);
        assertEquals(20, f.size());
        assertEquals("k009=k009", f.get(9));
        assertEquals("k090=k090", f.get(10));
        assertEquals(1, forward.seeks, "the deleted range is jumped over, not stepped through");
        MapBase reverse = new MapBase(committed, null, null);
        List<String> r = run(new MergedScan(null, null, true, null, TOMBSTONE, ranges), reverse);
        assertEquals(20, r.size());
        assertEquals("k090=k090", r.get(9));
        assertEquals("k009=k009", r.get(10));
        assertEquals(1, reverse.seeks);
        // an unbounded deleted range ends a forward scan
        List<byte[][]> tail = List.<byte[][]>of(new byte[][] {b("k050"), null});
        assertEquals(50, run(new MergedScan(null, null, false, null, TOMBSTONE, tail), new MapBase(committed, null, null)).size());
    }

    @Test
    void anEmptyRangeNeedsNoBase() {
        MergedScan scan = new MergedScan(b("b"), b("a"), false, map("a"), TOMBSTONE, List.of());
        assertEquals(true, scan.empty());
        assertEquals(List.of(), run(scan, null));
    }

    @Test
    void entriesPastTheBoundsAreNotReturned() {
        NavigableMap<byte[], byte[]> committed = map("a", "b", "c", "d");
        // a base that ignores the bounds (as LevelDB's iterator): the scan stops by itself
        MergedScan.Base unbounded = new MapBase(committed, null, null) {
            @Override
            public void seekToFirst() {
                seek(b("b"));
            }

            @Override
            public void seekToLast() {
                seekBefore(b("d"));
            }
        };
        assertEquals(List.of("b=b", "c=c"), run(new MergedScan(b("b"), b("d"), false, null, TOMBSTONE, List.of()), unbounded));
    }

    @Test
    void committedValuesAreReadOnlyWhenAskedForAndTheBaseDoesNotReadAhead() {
        NavigableMap<byte[], byte[]> committed = map("a", "b", "c", "d", "e");
        NavigableMap<byte[], byte[]> own = new TreeMap<>(Arrays::compareUnsigned);
        own.put(b("b"), b("B"));
        MapBase base = new MapBase(committed, null, null);
        MergedScan scan = new MergedScan(null, null, false, own, TOMBSTONE, List.of());
        scan.start(base);
        assertEquals(true, scan.next());
        assertEquals("a", new String(scan.key(), UTF_8));
        assertEquals(0, base.steps, "the base stays on the entry it returned");
        assertEquals(true, scan.next()); // b: the own write shadows the committed b
        assertEquals("B", new String(scan.value(), UTF_8));
        assertEquals(true, scan.next());
        assertEquals("c", new String(scan.key(), UTF_8));
        assertEquals("c", new String(scan.value(), UTF_8));
        assertEquals("c", new String(scan.value(), UTF_8));
        assertEquals(1, base.values, "only c's value was read, once");
        assertEquals(2, base.steps, "a and b stepped over, c not yet");
        // a key-only scan of the whole range reads no value at all
        MapBase keysOnly = new MapBase(committed, null, null);
        MergedScan all = new MergedScan(null, null, true, null, TOMBSTONE, List.of());
        all.start(keysOnly);
        int n = 0;
        while (all.next()) {
            n++;
        }
        assertEquals(5, n);
        assertEquals(0, keysOnly.values);
    }
}
