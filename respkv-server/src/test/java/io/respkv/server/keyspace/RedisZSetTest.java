package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.RedisZSet.Entry;
import io.respkv.server.keyspace.RedisZSet.IndexCursor;
import io.respkv.server.keyspace.RedisZSet.LexBound;
import io.respkv.server.keyspace.RedisZSet.LexRange;
import io.respkv.server.keyspace.RedisZSet.ScoreRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link RedisZSet} on the memory engine: the score encoding, the layout and the cost of reads. */
class RedisZSetTest {

    private static final long NOW = 1_700_000_000_000L;

    private final MemoryEngine engine = new MemoryEngine();

    // ---------------------------------------------------------------- score encoding

    /** Doubles that stress the encoding: signed zeros, infinities, subnormals, extremes, neighbours. */
    private static List<Double> specialDoubles() {
        List<Double> out = new ArrayList<>(List.of(0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, -Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, 1.0, -1.0, Math.nextUp(1.0), Math.nextDown(1.0), Math.nextUp(-1.0),
                Math.nextDown(Double.MIN_NORMAL), -Math.nextDown(Double.MIN_NORMAL), 2 * Double.MIN_VALUE,
                1e-320, -1e-320, 0.1, -0.1, 1e308, -1e308, (double) Long.MAX_VALUE, (double) Long.MIN_VALUE));
        return out;
    }

    @Test
    void sortableOrderIsNumericOrder() {
        SplittableRandom random = new SplittableRandom(42);
        List<Double> values = specialDoubles();
        for (int i = 0; i < 20_000; i++) {
            double d = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong()); // any bit pattern, NaN excluded below
                case 1 -> random.nextDouble(-1e6, 1e6);
                case 2 -> Double.longBitsToDouble(random.nextLong(1L << 52)) * (random.nextBoolean() ? 1 : -1);
                default -> (double) random.nextLong(-1000, 1000);
            };
            if (!Double.isNaN(d)) {
                values.add(d);
            }
        }
        for (int i = 0; i < values.size(); i++) {
            double a = values.get(i);
            double b = values.get((i * 7 + 3) % values.size());
            assertEquals(Integer.signum(numericCompare(a, b)),
                    Integer.signum(Long.compareUnsigned(RedisZSet.sortable(a), RedisZSet.sortable(b))), a + " vs " + b);
            assertEquals(Integer.signum(numericCompare(a, b)), Integer.signum(Arrays.compareUnsigned(
                    bytes(RedisZSet.sortable(a)), bytes(RedisZSet.sortable(b)))), a + " vs " + b + " as bytes");
        }
        // Sorting by the encoding sorts numerically.
        List<Double> byEncoding = new ArrayList<>(values);
        byEncoding.sort((x, y) -> Long.compareUnsigned(RedisZSet.sortable(x), RedisZSet.sortable(y)));
        for (int i = 1; i < byEncoding.size(); i++) {
            assertTrue(byEncoding.get(i - 1) <= byEncoding.get(i), byEncoding.get(i - 1) + " before " + byEncoding.get(i));
        }
    }

    @Test
    void sortableRoundTripsAndFoldsNegativeZero() {
        for (double d : specialDoubles()) {
            double back = RedisZSet.fromSortable(RedisZSet.sortable(d));
            if (d == 0) {
                assertEquals(0L, Double.doubleToRawLongBits(back), "-0 and 0 share one encoding, that of 0");
            } else {
                assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(back), Double.toString(d));
            }
        }
        assertEquals(RedisZSet.sortable(0.0), RedisZSet.sortable(-0.0));
        assertEquals(0x8000000000000000L, RedisZSet.sortable(0.0));
        assertEquals(0xFFF0000000000000L, RedisZSet.sortable(Double.POSITIVE_INFINITY));
        assertEquals(0x000FFFFFFFFFFFFFL, RedisZSet.sortable(Double.NEGATIVE_INFINITY));
    }

    private static int numericCompare(double a, double b) {
        return a < b ? -1 : a > b ? 1 : 0; // -0 == 0, as C compares
    }

    private static byte[] bytes(long v) {
        byte[] out = new byte[8];
        KeyCodec.putLong(out, 0, v);
        return out;
    }

    // ---------------------------------------------------------------- layout and point operations

    @Test
    void membersAndIndexStayInStep() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(1));
            z.insert(b("a"), 2);
            z.insert(b("b"), 1);
            z.insert(b("c"), 2);
            z.update(b("a"), 2, -5);
            z.update(b("c"), 2, 2); // same score: nothing written
            z.save();
        });
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(3, z.size());
            assertEquals(-5.0, z.score(b("a")));
            assertNull(z.score(b("nope")));
            assertEquals(List.of("a:-5.0", "b:1.0", "c:2.0"), texts(z.all(false)));
            assertEquals(List.of("c:2.0", "b:1.0", "a:-5.0"), texts(z.all(true)));
            assertTrue(z.remove(b("b")));
            assertFalse(z.remove(b("b")));
            z.save();
        });
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(2, z.size());
            // Exactly one member entry and one index entry per member, plus nothing else.
            assertEquals(4, elementCount(ks, b("z")));
            z.remove(b("a"));
            z.remove(b("c"));
            z.save();
        });
        run(ks -> {
            assertNull(RedisZSet.find(ks, b("z")), "an empty set is deleted");
            assertFalse(ks.exists(b("z")));
        });
    }

    @Test
    void entriesAreTheDocumentedBytes() {
        long[] version = new long[1];
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("board"), new SplittableRandom(12));
            z.insert(b("ann"), 1.5);
            z.insert(b("x".repeat(65)), -0.0); // a skiplist keeps -0
            z.save();
            version[0] = ks.meta(b("board")).version();
        });
        run(ks -> {
            byte[] prefix = KeyCodec.elementPrefix(0, b("board"), version[0]);
            assertEquals(0x45, prefix[0]);
            List<String> entries = new ArrayList<>();
            try (KvCursor c = ks.txn().scan(prefix, KeyCodec.prefixEnd(prefix), false)) {
                while (c.next()) {
                    byte[] k = c.key();
                    entries.add(HexFormat.of().formatHex(k, prefix.length, k.length) + " -> "
                            + HexFormat.of().formatHex(c.value()));
                }
            }
            String longMember = "78".repeat(65);
            assertEquals(List.of(
                    "65 -> ",
                    "6d616e6e -> 3ff8000000000000",
                    "6d" + longMember + " -> 8000000000000000",
                    "738000000000000000" + longMember + " -> 2d",
                    "73bff8000000000000616e6e -> "), entries);
        });
    }

    @Test
    void wrongTypeAndMissingKeys() {
        run(ks -> {
            ks.putString(b("s"), b("v"), KeyMeta.NO_EXPIRY);
            assertThrows(WrongTypeException.class, () -> RedisZSet.find(ks, b("s")));
            assertNull(RedisZSet.find(ks, b("missing")));
            assertNull(RedisZSet.pop(ks, b("missing"), false, 1));
        });
    }

    @Test
    void popTakesFromEitherEndAndDeletesTheEmptySet() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(2));
            for (int i = 0; i < 5; i++) {
                z.insert(b("m" + i), i);
            }
            z.save();
        });
        run(ks -> {
            List<Entry> min = RedisZSet.pop(ks, b("z"), false, 2);
            assertEquals(List.of("m0:0.0", "m1:1.0"), texts(min));
            List<Entry> max = RedisZSet.pop(ks, b("z"), true, 1);
            assertEquals(List.of("m4:4.0"), texts(max));
            assertEquals(2, RedisZSet.find(ks, b("z")).size());
            assertEquals(List.of("m3:3.0", "m2:2.0"), texts(RedisZSet.pop(ks, b("z"), true, 10)));
            assertFalse(ks.exists(b("z")));
        });
    }

    // ---------------------------------------------------------------- encodings

    @Test
    void negativeZeroIsKeptOnlyInASkiplist() {
        run(ks -> {
            RedisZSet small = RedisZSet.create(ks, b("small"), new SplittableRandom(3));
            assertEquals(0L, Double.doubleToRawLongBits(small.insert(b("a"), -0.0)));
            assertFalse(small.isSkiplist());
            small.save();
            RedisZSet big = RedisZSet.create(ks, b("big"), new SplittableRandom(4));
            big.insert(b("x".repeat(65)), 1);
            assertTrue(big.isSkiplist(), "a member over 64 bytes converts");
            big.insert(b("a"), -0.0);
            big.save();
        });
        run(ks -> {
            assertEquals(0L, Double.doubleToRawLongBits(RedisZSet.find(ks, b("small")).score(b("a"))));
            RedisZSet big = RedisZSet.find(ks, b("big"));
            assertTrue(big.isSkiplist(), "the mark persists");
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(big.score(b("a"))));
            try (IndexCursor c = big.all(false)) {
                assertTrue(c.next());
                assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(c.score()),
                        "the index entry carries the sign of -0");
            }
            big.update(b("a"), -0.0, 0.0); // equal: unchanged, as Redis
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(big.score(b("a"))));
        });
    }

    @Test
    void growingPast128MembersMakesASkiplistForGood() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(5));
            for (int i = 0; i < 128; i++) {
                z.insert(b("m" + i), i);
            }
            assertFalse(z.isSkiplist());
            z.insert(b("m128"), 128);
            assertTrue(z.isSkiplist());
            z.save();
        });
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            z.pop(false, 100);
            z.save();
        });
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(29, z.size());
            assertTrue(z.isSkiplist(), "Redis never converts back");
            assertEquals("skiplist", z.encodingName());
        });
    }

    // ---------------------------------------------------------------- ranges, ranks

    @Test
    void rangesAndRanksMatchASortedList() {
        SplittableRandom random = new SplittableRandom(7);
        List<Entry> expected = new ArrayList<>();
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), random);
            for (int i = 0; i < 400; i++) {
                byte[] m = b("m" + random.nextInt(100_000));
                if (z.score(m) != null) {
                    continue;
                }
                double s = random.nextInt(50) - 25 + (random.nextBoolean() ? 0.5 : 0);
                z.insert(m, s);
                expected.add(new Entry(m, s));
            }
            z.save();
        });
        expected.sort(Comparator.comparingDouble(Entry::score).thenComparing(Entry::member, Arrays::compareUnsigned));
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(expected.size(), z.size());
            for (int i = 0; i < expected.size(); i++) {
                Entry e = expected.get(i);
                assertEquals(i, z.rank(e.member(), e.score()));
            }
            for (int t = 0; t < 200; t++) {
                int from = random.nextInt(expected.size());
                int to = from + random.nextInt(expected.size() - from);
                assertEquals(texts(expected.subList(from, to + 1)), texts(z.byRank(from, to)));
            }
            for (int t = 0; t < 200; t++) {
                double min = random.nextInt(60) - 30 + (random.nextBoolean() ? 0.5 : 0);
                double max = min + random.nextInt(20) - 3;
                ScoreRange r = new ScoreRange(min, random.nextBoolean(), max, random.nextBoolean());
                List<Entry> want = expected.stream().filter(e -> !r.isEmpty() && r.aboveMin(e.score())
                        && r.belowMax(e.score())).toList();
                assertEquals(texts(want), texts(z.scores(r, false)), r.toString());
                List<Entry> reversed = new ArrayList<>(want);
                Collections.reverse(reversed);
                assertEquals(texts(reversed), texts(z.scores(r, true)), r.toString());
            }
        });
    }

    @Test
    void lexRangesSeekWhenScoresAreEqual() {
        List<String> members = List.of("", "a", "aa", "ab", "b", "ba", "c", "\u00ff");
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(8));
            for (String m : members) {
                z.insert(b(m), 0);
            }
            z.save();
        });
        List<LexBound> bounds = new ArrayList<>(List.of(LexBound.MIN, LexBound.MAX));
        for (String m : List.of("", "a", "aa", "b", "bb", "c", "d")) {
            bounds.add(LexBound.of(b(m)));
        }
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            for (LexBound lo : bounds) {
                for (LexBound hi : bounds) {
                    for (int ex = 0; ex < 4; ex++) {
                        LexRange r = new LexRange(lo, (ex & 1) != 0 || lo.kind() != 0, hi, (ex & 2) != 0 || hi.kind() != 0);
                        List<String> want = r.isEmpty() ? List.of()
                                : members.stream().filter(m -> r.aboveMin(b(m)) && r.belowMax(b(m))).toList();
                        assertEquals(want, members(z.lex(r, false)), r.toString());
                        List<String> reversed = new ArrayList<>(want);
                        Collections.reverse(reversed);
                        assertEquals(reversed, members(z.lex(r, true)), r.toString());
                    }
                }
            }
        });
    }

    @Test
    void lexRangesOverMixedScoresWalkLikeAListpack() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(9));
            String[] order = {"b", "a", "d", "c", "f", "e"}; // scores 1..6
            for (int i = 0; i < order.length; i++) {
                z.insert(b(order[i]), i + 1);
            }
            z.save();
        });
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            // [b, d]: from the lowest score, skip to the first member >= b (b itself), then take
            // while <= d: b, a, d, c; stop at f.
            assertEquals(List.of("b", "a", "d", "c"), members(z.lex(incl("b", "d"), false)));
            // Reversed: from the highest, skip to the first <= d (c), take while >= b: c, d; stop at a.
            assertEquals(List.of("c", "d"), members(z.lex(incl("b", "d"), true)));
            // The last entry (e) is below min g: nothing, although no walk would find one anyway.
            assertEquals(List.of(), members(z.lex(incl("g", "z"), false)));
            // [a, a]: the first entry >= a is b, above the max: nothing.
            assertEquals(List.of(), members(z.lex(incl("a", "a"), false)));
        });
    }

    private static LexRange incl(String min, String max) {
        return new LexRange(LexBound.of(b(min)), false, LexBound.of(b(max)), false);
    }

    // ---------------------------------------------------------------- concurrent writers

    @Test
    void aWriterThatScannedConflictsWithAScoreChangeCommittedMeanwhile() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(11));
            for (int i = 0; i < 10; i++) {
                z.insert(b("m" + i), i);
            }
            z.save();
        });
        // A removes the scores 2..5 it found by scanning the index (index scans are not in the
        // read set); B moves m3 out of that range and commits first. A must not commit: it would
        // delete m3's member entry and leave B's new index entry behind.
        try (Transaction a = engine.begin()) {
            RedisZSet za = RedisZSet.find(new Keyspace(a, 0, NOW), b("z"));
            List<Entry> doomed = new ArrayList<>();
            try (IndexCursor c = za.scores(new ScoreRange(2, false, 5, false), false)) {
                while (c.next()) {
                    doomed.add(c.entry());
                }
            }
            run(ks -> {
                RedisZSet zb = RedisZSet.find(ks, b("z"));
                zb.update(b("m3"), 3, 100);
                zb.save(); // the size is unchanged, the metadata is rewritten all the same
            });
            for (Entry e : doomed) {
                za.remove(e.member(), e.score());
            }
            za.save();
            assertThrows(TransactionConflictException.class, a::commit);
        }
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(10, z.size());
            assertEquals(100.0, z.score(b("m3")));
            assertEquals(20, elementCount(ks, b("z")));
        });
    }

    @Test
    void whereReadsLockAScoreUpdateLeavesTheMetadataAlone() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(12));
            z.insert(b("a"), 1);
            z.insert(b("b"), 2);
            z.save();
        });
        byte[] metaKey = KeyCodec.metaKey(0, b("z"));
        for (boolean lockingReads : new boolean[] {false, true}) {
            try (CountingTransaction txn = new CountingTransaction(engine.begin())) {
                Keyspace ks = new Keyspace(txn, 0, NOW).lockingReads(lockingReads);
                RedisZSet z = RedisZSet.find(ks, b("z"));
                z.update(b("a"), 1, 5);
                z.save();
                long metaWrites = txn.written.stream().filter(k -> Arrays.equals(k, metaKey)).count();
                // member entry, old and new score index entries; the metadata only where reads do not lock
                assertEquals(lockingReads ? 3 : 4, txn.written.size(), "writes with lockingReads " + lockingReads);
                assertEquals(lockingReads ? 0 : 1, metaWrites, "metadata writes with lockingReads " + lockingReads);
                txn.commit();
            }
        }
        // a change of size still writes it
        try (CountingTransaction txn = new CountingTransaction(engine.begin())) {
            Keyspace ks = new Keyspace(txn, 0, NOW).lockingReads(true);
            RedisZSet z = RedisZSet.find(ks, b("z"));
            z.insert(b("c"), 3);
            z.save();
            assertEquals(1, txn.written.stream().filter(k -> Arrays.equals(k, metaKey)).count());
            txn.commit();
        }
        run(ks -> {
            RedisZSet z = RedisZSet.find(ks, b("z"));
            assertEquals(3, z.size());
            assertEquals(5.0, z.score(b("a")));
            List<String> byScore = new ArrayList<>();
            for (Entry e : z.byRank(0, 2)) {
                byScore.add(new String(e.member(), java.nio.charset.StandardCharsets.UTF_8));
            }
            assertEquals(List.of("b", "c", "a"), byScore, "the score index follows the updates");
        });
    }

    // ---------------------------------------------------------------- cost of reads

    @Test
    void rankRangesReadOnlyWhatTheyReturnFromTheNearerEnd() {
        run(ks -> {
            RedisZSet z = RedisZSet.create(ks, b("z"), new SplittableRandom(10));
            for (int i = 0; i < 1000; i++) {
                z.insert(b(String.format("m%04d", i)), i);
            }
            z.save();
        });
        assertEquals(11, advancesOf(z -> assertEquals(11, z.byRank(0, 10).size())), "ZRANGE 0 10");
        assertEquals(11, advancesOf(z -> assertEquals(11, z.byRank(989, 999).size())), "ZRANGE -11 -1");
        assertEquals(600, advancesOf(z -> z.byRank(400, 599)), "a middle range from the nearer end");
        assertEquals(5, advancesOf(z -> assertEquals(2, z.rank(b("m0002"), 2))), "rank near the head");
        assertEquals(4, advancesOf(z -> assertEquals(998, z.rank(b("m0998"), 998))), "rank near the tail");
        assertEquals(3, advancesOf(z -> assertEquals(3, z.pop(false, 3).size())), "pop");
        assertEquals(5, advancesOf(z -> {
            try (IndexCursor c = z.scores(new ScoreRange(500, false, 1e9, false), false)) {
                for (int i = 0; i < 5; i++) {
                    assertTrue(c.next());
                }
            }
        }), "a score range reads from its start");
    }

    /** How many cursor steps {@code body} takes on set "z", in a transaction that is rolled back. */
    private int advancesOf(Consumer<RedisZSet> body) {
        try (CountingTransaction txn = new CountingTransaction(engine.begin())) {
            body.accept(RedisZSet.find(new Keyspace(txn, 0, NOW), b("z")));
            return (int) txn.scanned;
        }
    }

    // ---------------------------------------------------------------- helpers

    private void run(Consumer<Keyspace> body) {
        Layout.run(engine, 0, NOW, body);
    }

    private static long elementCount(Keyspace ks, byte[] key) {
        KeyMeta meta = ks.meta(key);
        byte[] prefix = KeyCodec.elementPrefix(0, key, meta.version());
        long n = 0;
        try (KvCursor c = ks.txn().scan(prefix, KeyCodec.prefixEnd(prefix), false)) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    private static List<String> texts(IndexCursor c) {
        List<String> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(Layout.s(c.member()) + ":" + c.score());
            }
        }
        return out;
    }

    private static List<String> texts(List<Entry> entries) {
        return entries.stream().map(e -> Layout.s(e.member()) + ":" + e.score()).toList();
    }

    private static List<String> members(IndexCursor c) {
        List<String> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(Layout.s(c.member()));
            }
        }
        return out;
    }
}
