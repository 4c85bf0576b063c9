package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RedisSet} on the memory engine: results, the stored layout, and what each operation reads. */
class RedisSetTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] KEY = b("set");

    private final MemoryEngine engine = new MemoryEngine();
    private final SplittableRandom random = new SplittableRandom(42);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Runs {@code body} in one committed transaction on database 0, with read counting. */
    private void run(BiConsumer<RedisSet, CountingTransaction> body) {
        try (Transaction txn = engine.begin()) {
            CountingTransaction counting = new CountingTransaction(txn);
            Keyspace ks = new Keyspace(counting, 0, NOW);
            body.accept(new RedisSet(ks), counting);
            txn.commit();
        }
    }

    private void runKs(java.util.function.Consumer<Keyspace> body) {
        Layout.run(engine, 0, NOW, body);
    }

    private static List<byte[]> members(String... members) {
        List<byte[]> out = new ArrayList<>();
        for (String m : members) {
            out.add(b(m));
        }
        return out;
    }

    private static List<String> strings(List<byte[]> members) {
        return members.stream().map(Layout::s).collect(Collectors.toList());
    }

    /** Members "0" .. size-1 (decimal strings: clustered in byte space). */
    private void addNumbers(byte[] key, int size) {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(b(Integer.toString(i)));
        }
        run((sets, txn) -> assertEquals(size, sets.add(key, all, random)));
    }

    private KeyMeta meta(byte[] key) {
        KeyMeta[] out = new KeyMeta[1];
        runKs(ks -> out[0] = ks.meta(key));
        return out[0];
    }

    @Test
    void addCountsNewMembersAndKeepsTheSizeInTheMetadata() {
        run((sets, txn) -> assertEquals(3, sets.add(KEY, members("a", "b", "a", "c", "b"), random)));
        KeyMeta created = meta(KEY);
        assertEquals(RedisType.SET, created.type());
        assertEquals(3, created.size());
        assertFalse(created.hasExpiry());
        assertEquals(3, Layout.elements(engine, 0, KEY, created.version()), "one entry per member");
        run((sets, txn) -> assertEquals(1, sets.add(KEY, members("c", "d", "d", "a"), random)));
        assertEquals(4, meta(KEY).size());
        assertEquals(created.version(), meta(KEY).version(), "adding keeps the version");
        run((sets, txn) -> assertEquals(0, sets.add(KEY, members("a"), random)));
        assertEquals(4, meta(KEY).size());
    }

    @Test
    void addKeepsTheDeadlineAndAnExpiredSetStartsOver() {
        run((sets, txn) -> sets.add(KEY, members("a", "b"), random));
        long deadline = NOW + 1_000;
        runKs(ks -> ks.setExpireAt(KEY, ks.meta(KEY), deadline));
        run((sets, txn) -> sets.add(KEY, members("c"), random));
        assertEquals(deadline, meta(KEY).expireAt());
        long oldVersion = meta(KEY).version();

        Layout.run(engine, 0, deadline, ks -> {
            RedisSet sets = new RedisSet(ks);
            assertNull(sets.meta(KEY), "expired");
            assertEquals(1, sets.add(KEY, members("z"), random));
            KeyMeta fresh = ks.meta(KEY);
            assertEquals(1, fresh.size());
            assertFalse(fresh.hasExpiry());
            assertNotEquals(oldVersion, fresh.version());
            assertEquals(List.of("z"), strings(sets.members(KEY, fresh)));
        });
        assertTrue(Layout.marked(engine, 0, KEY, oldVersion), "the expired set's version is retired");
    }

    @Test
    void removeDeletesTheKeyWhenTheSetEmpties() {
        run((sets, txn) -> sets.add(KEY, members("a", "b", "c"), random));
        long version = meta(KEY).version();
        run((sets, txn) -> assertEquals(0, sets.remove(KEY, members("x", "y"))));
        run((sets, txn) -> assertEquals(2, sets.remove(KEY, members("a", "x", "b", "a"))));
        assertEquals(1, meta(KEY).size());
        assertEquals(1, Layout.elements(engine, 0, KEY, version));
        run((sets, txn) -> assertEquals(1, sets.remove(KEY, members("c"))));
        assertNull(meta(KEY));
        assertEquals(0, Layout.elements(engine, 0, KEY, version));
        run((sets, txn) -> assertEquals(0, sets.remove(KEY, members("c"))));
    }

    @Test
    void membershipIsOneMetadataReadAndOnePointRead() {
        addNumbers(KEY, 10_000);
        run((sets, txn) -> {
            txn.reset();
            KeyMeta meta = sets.meta(KEY);
            assertTrue(sets.contains(KEY, meta, b("9999")));
            assertEquals(2, txn.gets);
            assertEquals(0, txn.scans);
            assertFalse(sets.contains(KEY, meta, b("10000")));
            assertEquals(3, txn.gets);
            assertEquals(0, txn.scans);
        });
    }

    @Test
    void cardinalityIsOneMetadataRead() {
        addNumbers(KEY, 10_000);
        run((sets, txn) -> {
            txn.reset();
            assertEquals(10_000, sets.meta(KEY).size());
            assertEquals(1, txn.gets);
            assertEquals(0, txn.scans);
        });
    }

    @Test
    void membersComeInByteOrderAndAreBinarySafe() {
        byte[][] odd = {new byte[0], {0}, {(byte) 0xff}, {'\r', '\n'}, {0, (byte) 0xff, 0}, b("m")};
        run((sets, txn) -> {
            assertEquals(odd.length, sets.add(KEY, Arrays.asList(odd), random));
            List<byte[]> all = sets.members(KEY, sets.meta(KEY));
            byte[][] sorted = odd.clone();
            Arrays.sort(sorted, Arrays::compareUnsigned);
            assertEquals(sorted.length, all.size());
            for (int i = 0; i < sorted.length; i++) {
                assertArrayEquals(sorted[i], all.get(i));
            }
            assertTrue(sets.contains(KEY, sets.meta(KEY), new byte[0]));
        });
    }

    @Test
    void otherTypesAreWrongType() {
        runKs(ks -> ks.putString(KEY, b("v"), KeyMeta.NO_EXPIRY));
        run((sets, txn) -> {
            assertThrows(WrongTypeException.class, () -> sets.meta(KEY));
            assertThrows(WrongTypeException.class, () -> sets.add(KEY, members("a"), random));
            assertThrows(WrongTypeException.class, () -> sets.remove(KEY, members("a")));
            assertThrows(WrongTypeException.class, () -> sets.move(KEY, b("other"), b("a"), random));
        });
    }

    @Test
    void moveTransfersOneMember() {
        run((sets, txn) -> sets.add(KEY, members("a", "b"), random));
        byte[] dst = b("dst");
        run((sets, txn) -> {
            assertFalse(sets.move(b("missing"), dst, b("a"), random));
            assertFalse(sets.move(KEY, dst, b("zz"), random));
            assertNull(sets.meta(dst));
            assertTrue(sets.move(KEY, KEY, b("a"), random), "same key: a member stays");
            assertFalse(sets.move(KEY, KEY, b("zz"), random));
            assertTrue(sets.move(KEY, dst, b("a"), random));
            assertEquals(1, sets.meta(KEY).size());
            assertEquals(List.of("a"), strings(sets.members(dst, sets.meta(dst))));
        });
        run((sets, txn) -> {
            sets.add(dst, members("b"), random);
            assertTrue(sets.move(KEY, dst, b("b"), random), "already in dst: removed from src only");
            assertNull(sets.meta(KEY), "the emptied source is deleted");
            assertEquals(2, sets.meta(dst).size());
        });
        runKs(ks -> ks.putString(b("str"), b("v"), KeyMeta.NO_EXPIRY));
        run((sets, txn) -> {
            assertThrows(WrongTypeException.class, () -> sets.move(dst, b("str"), b("a"), random));
            assertFalse(sets.move(b("missing"), b("str"), b("a"), random), "dst is not checked without src");
        });
    }

    @Test
    void randomMembersOfASmallSetAreUniform() {
        run((sets, txn) -> sets.add(KEY, members("a", "b", "c", "d", "e"), random));
        Map<String, Integer> counts = new HashMap<>();
        run((sets, txn) -> {
            KeyMeta meta = sets.meta(KEY);
            for (int i = 0; i < 5_000; i++) {
                counts.merge(s(sets.randomMember(KEY, meta, random)), 1, Integer::sum);
            }
        });
        assertEquals(Set.of("a", "b", "c", "d", "e"), counts.keySet());
        counts.values().forEach(n -> assertTrue(n > 850 && n < 1150, counts.toString()));
    }

    @Test
    void aRandomMemberOfALargeSetReadsAFewEntries() {
        addNumbers(KEY, 20_000);
        run((sets, txn) -> {
            KeyMeta meta = sets.meta(KEY);
            for (int i = 0; i < 100; i++) {
                txn.reset();
                byte[] member = sets.randomMember(KEY, meta, random);
                assertTrue(sets.contains(KEY, meta, member));
                // both ends of the range once, then one to three short reads per attempt: none grows with the set
                assertTrue(txn.scans <= 2 + 3 * PositionSampler.MAX_ATTEMPTS, "cursors: " + txn.scans);
                assertTrue(txn.scanned <= 2 * (PositionSampler.EDGE + 1)
                        + PositionSampler.MAX_ATTEMPTS * PositionSampler.MOST_READ_PER_ATTEMPT, "entries read: " + txn.scanned);
            }
        });
    }

    @Test
    void distinctDrawsAndPopsOfAClusteredSetStayCorrect() {
        // Decimal strings crowd the byte range unevenly: the sampler is biased, results still right.
        addNumbers(KEY, 1_000);
        run((sets, txn) -> {
            KeyMeta meta = sets.meta(KEY);
            List<byte[]> drawn = sets.randomDistinctMembers(KEY, meta, 300, random);
            assertEquals(300, new TreeSet<>(strings(drawn)).size());
            drawn.forEach(m -> assertTrue(sets.contains(KEY, meta, m)));
            List<byte[]> repeats = sets.randomMembersWithRepeats(KEY, meta, 500, random);
            assertEquals(500, repeats.size());
            repeats.forEach(m -> assertTrue(sets.contains(KEY, meta, m)));
        });
        Set<String> popped = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            run((sets, txn) -> {
                KeyMeta meta = sets.meta(KEY);
                assertTrue(popped.add(s(sets.pop(KEY, meta, random))), "popped twice");
            });
        }
        assertEquals(1_000, popped.size());
        assertNull(meta(KEY), "the emptied set is deleted");
    }

    @Test
    void poppingMostOfASetRewritesTheRestUnderANewVersion() {
        addNumbers(KEY, 300);
        long deadline = NOW + 60_000;
        runKs(ks -> ks.setExpireAt(KEY, ks.meta(KEY), deadline));
        long version = meta(KEY).version();
        List<String> popped = new ArrayList<>();
        run((sets, txn) -> popped.addAll(strings(sets.pop(KEY, sets.meta(KEY), 280, random))));
        assertEquals(280, new HashSet<>(popped).size());
        KeyMeta after = meta(KEY);
        assertEquals(20, after.size());
        assertEquals(deadline, after.expireAt(), "the deadline stays");
        assertNotEquals(version, after.version(), "the 20 that stay were rewritten");
        assertTrue(Layout.marked(engine, 0, KEY, version), "the old version is retired in O(1)");
        assertEquals(20, Layout.elements(engine, 0, KEY, after.version()));
        Set<String> rest = new HashSet<>();
        run((sets, txn) -> rest.addAll(strings(sets.members(KEY, sets.meta(KEY)))));
        assertEquals(20, rest.size());
        rest.forEach(m -> assertFalse(popped.contains(m)));

        // Popping a few deletes them in place.
        run((sets, txn) -> assertEquals(5, sets.pop(KEY, sets.meta(KEY), 5, random).size()));
        assertEquals(after.version(), meta(KEY).version());
        assertEquals(15, meta(KEY).size());
        assertEquals(15, Layout.elements(engine, 0, KEY, after.version()));
    }

    @Test
    void intersectionIteratesTheSmallestSetAndPointReadsTheOthers() {
        addNumbers(KEY, 5_000);
        byte[] small = b("small");
        run((sets, txn) -> sets.add(small, members("1", "17", "x", "4999"), random));
        run((sets, txn) -> {
            List<RedisSet.Handle> handles = List.of(new RedisSet.Handle(KEY, sets.meta(KEY)),
                    new RedisSet.Handle(small, sets.meta(small)));
            txn.reset();
            assertEquals(List.of("1", "17", "4999"), strings(sets.intersection(handles, 0)));
            assertEquals(4, txn.scanned, "the small set only");
            assertEquals(4, txn.gets, "one point read per member of the small set");
            txn.reset();
            assertEquals(List.of("1", "17"), strings(sets.intersection(handles, 2)));
            assertTrue(txn.scanned <= 2, "stops at the limit");
        });
    }

    @Test
    void setAlgebraMatchesJavaSets() {
        SplittableRandom data = new SplittableRandom(42);
        List<Set<String>> expected = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        int[] sizes = {0, 1, 5, 40, 200, 200};
        for (int k = 0; k < sizes.length; k++) {
            Set<String> content = new TreeSet<>();
            while (content.size() < sizes[k]) {
                content.add(Integer.toString(data.nextInt(400)));
            }
            expected.add(content);
            byte[] key = b("k" + k);
            keys.add(key);
            if (!content.isEmpty()) {
                List<byte[]> bytes = content.stream().map(Layout::b).collect(Collectors.toList());
                run((sets, txn) -> sets.add(key, bytes, random));
            }
        }
        int[][] combos = {{1}, {2, 3}, {3, 2}, {4, 5}, {5, 4, 3}, {3, 4, 5, 2}, {4, 0}, {0, 4}, {4, 4}, {4, 5, 4},
            {5, 1}, {2, 2, 3}};
        run((sets, txn) -> {
            for (int[] combo : combos) {
                List<RedisSet.Handle> handles = new ArrayList<>();
                for (int k : combo) {
                    handles.add(new RedisSet.Handle(keys.get(k), sets.meta(keys.get(k))));
                }
                String name = Arrays.toString(combo);
                Set<String> union = new TreeSet<>();
                Set<String> inter = new TreeSet<>(expected.get(combo[0]));
                Set<String> diff = new TreeSet<>(expected.get(combo[0]));
                for (int i = 0; i < combo.length; i++) {
                    union.addAll(expected.get(combo[i]));
                    inter.retainAll(expected.get(combo[i]));
                    if (i > 0) {
                        diff.removeAll(expected.get(combo[i]));
                    }
                }
                assertEquals(new ArrayList<>(union), strings(sets.union(handles)), "union " + name);
                assertEquals(new ArrayList<>(diff), strings(sets.difference(handles)), "difference " + name);
                if (handles.stream().allMatch(h -> h.meta() != null)) {
                    assertEquals(inter, new TreeSet<>(strings(sets.intersection(handles, 0))), "intersection " + name);
                }
            }
        });
    }

    @Test
    void storeReplacesAnyValueAndAnEmptyResultDeletes() {
        byte[] dst = b("dst");
        runKs(ks -> ks.putString(dst, b("string"), NOW + 60_000));
        run((sets, txn) -> assertEquals(2, sets.store(dst, members("a", "b"), random)));
        KeyMeta stored = meta(dst);
        assertEquals(RedisType.SET, stored.type());
        assertEquals(2, stored.size());
        assertFalse(stored.hasExpiry(), "the destination's deadline goes");
        assertEquals(List.of(), Layout.keys(engine, KeyCodec.EXPIRY, 0));

        run((sets, txn) -> {
            // The destination as a source: its members are read before it is replaced.
            List<byte[]> union = sets.union(List.of(new RedisSet.Handle(dst, sets.meta(dst))));
            union.add(b("c"));
            assertEquals(3, sets.store(dst, union, random));
        });
        assertNotEquals(stored.version(), meta(dst).version());
        assertTrue(Layout.marked(engine, 0, dst, stored.version()));
        run((sets, txn) -> assertEquals(List.of("a", "b", "c"), strings(sets.members(dst, sets.meta(dst)))));

        run((sets, txn) -> assertEquals(0, sets.store(dst, List.of(), random)));
        assertNull(meta(dst));
    }

    @Test
    void scanStepsThroughTheMembersInOrder() {
        run((sets, txn) -> sets.add(KEY, members("a1", "a2", "b1", "b2", "b3", "c"), random));
        run((sets, txn) -> {
            KeyMeta meta = sets.meta(KEY);
            RedisSet.ScanStep first = sets.scan(KEY, meta, null, null, 2, m -> true);
            assertEquals(List.of("a1", "a2"), strings(first.matched()));
            assertEquals("a2", s(first.last()));
            assertEquals("b1", s(first.next()));
            RedisSet.ScanStep filtered = sets.scan(KEY, meta, b("a2"), null, 3, m -> m[0] == 'b');
            assertEquals(List.of("b1", "b2"), strings(filtered.matched()));
            assertEquals("b3", s(filtered.next()));
            RedisSet.ScanStep bounded = sets.scan(KEY, meta, b("b"), b("c"), 10, m -> true);
            assertEquals(List.of("b1", "b2", "b3"), strings(bounded.matched()));
            assertNull(bounded.next(), "the range ends before c");
            RedisSet.ScanStep exact = sets.scan(KEY, meta, b("b3"), null, 2, m -> true);
            assertEquals(List.of("b3", "c"), strings(exact.matched()));
            assertNull(exact.next());
        });
    }

    /** Runs {@code body} like {@link #run}, with the server's memory of sampled sets. */
    private void runSampled(SampledSets sampled, BiConsumer<RedisSet, CountingTransaction> body) {
        try (Transaction txn = engine.begin()) {
            CountingTransaction counting = new CountingTransaction(txn);
            Keyspace ks = new Keyspace(counting, 0, NOW).sampledSets(sampled);
            body.accept(new RedisSet(ks), counting);
            txn.commit();
        }
    }

    @Test
    void poppingOneByOneWithRememberedSamplersDrainsEveryMemberOnceAndRewritesTheDrainedSet() {
        int size = 3_000;
        // Members as redis-benchmark's SADD writes them: "element:" and a random 12-digit number.
        Set<String> distinct = new TreeSet<>();
        while (distinct.size() < size) {
            distinct.add(String.format("element:%012d", random.nextInt(100_000)));
        }
        List<byte[]> all = new ArrayList<>();
        distinct.forEach(m -> all.add(b(m)));
        run((sets, txn) -> assertEquals(size, sets.add(KEY, all, random)));
        long firstVersion = meta(KEY).version();
        SampledSets sampled = new SampledSets();
        Set<String> popped = new HashSet<>();
        Set<Long> versions = new HashSet<>();
        long scannedTotal = 0;
        long sampledPops = 0;
        for (int i = 0; i < size; i++) {
            String[] out = new String[1];
            long[] scanned = new long[1];
            int left = size - i;
            runSampled(sampled, (sets, txn) -> {
                KeyMeta meta = sets.meta(KEY);
                assertEquals(left, meta.size());
                versions.add(meta.version());
                out[0] = s(sets.pop(KEY, meta, random));
                KeyMeta after = sets.meta(KEY);
                boolean rewritten = after != null && after.version() != meta.version();
                scanned[0] = rewritten ? 0 : txn.scanned; // a rewrite reads the whole set once
            });
            assertTrue(popped.add(out[0]), "popped twice: " + out[0]);
            if (left > RedisSet.SMALL_SET && left < size - 1 && i % 64 != 0) {
                scannedTotal += scanned[0];
                sampledPops++;
            }
            // SREM and SADD between pops change the set behind the remembered sampler.
            if (i % 97 == 0 && left > 2) {
                runSampled(sampled, (sets, txn) -> {
                    List<byte[]> some = sets.members(KEY, sets.meta(KEY)).subList(0, 1);
                    assertEquals(1, sets.remove(KEY, List.of(some.get(0))));
                    assertEquals(1, sets.add(KEY, List.of(some.get(0)), random));
                });
            }
        }
        assertNull(meta(KEY));
        assertEquals(size, popped.size());
        assertTrue(versions.size() > 2, "drained set rewritten: " + versions.size() + " versions");
        assertTrue(versions.contains(firstVersion));
        // A remembered sampler does not relearn the edges on every pop (that alone reads 66).
        double mean = scannedTotal / (double) sampledPops;
        assertTrue(mean < 2 * PositionSampler.EDGE, "a pop read " + mean + " entries on average");
    }

    @Test
    void singlePopsOfASetNotHeldWholeComeFromAPoolOfRunsAndOpenACursorEveryFewPops() {
        int size = RedisSet.POOLED_POP_MIN + 5_000; // stays pooled through the pops below
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(b(String.format("element:%012d", i * 7)));
        }
        run((sets, txn) -> assertEquals(size, sets.add(KEY, all, random)));
        List<String> order = strings(all); // sorted: fixed-width numbers
        SampledSets sampled = new SampledSets(0); // no room to hold a set whole: runs
        Set<String> popped = new HashSet<>();
        List<Integer> ranks = new ArrayList<>();
        long scannedTotal = 0;
        long cursorsTotal = 0;
        int pops = 4_000;
        for (int i = 0; i < pops; i++) {
            String[] out = new String[1];
            long[] scanned = new long[2];
            boolean removeSome = i % 500 == 0;
            runSampled(sampled, (sets, txn) -> {
                out[0] = s(sets.pop(KEY, sets.meta(KEY), random));
                scanned[0] = txn.scanned;
                scanned[1] = txn.scans;
                if (removeSome) {
                    // Removed behind the pool's back: never popped afterwards.
                    List<byte[]> first = sets.members(KEY, sets.meta(KEY)).subList(0, 3);
                    first.forEach(m -> assertTrue(popped.add(s(m))));
                    assertEquals(3, sets.remove(KEY, first));
                }
            });
            assertTrue(popped.add(out[0]), "popped twice or after its removal: " + out[0]);
            ranks.add(java.util.Collections.binarySearch(order, out[0]));
            scannedTotal += scanned[0];
            cursorsTotal += scanned[1];
        }
        assertEquals(size - pops - 3 * (pops / 500), meta(KEY).size());
        // A run (a cursor reading about 80 entries) keeps about 16 members, and the sampler
        // learns anew now and then; a draw per pop opened a cursor or two and read 20 to 40.
        double perPop = scannedTotal / (double) pops;
        assertTrue(perPop < 8, "a pop read " + perPop + " entries on average");
        double cursorsPerPop = cursorsTotal / (double) pops;
        assertTrue(cursorsPerPop < 0.15, "a pop opened " + cursorsPerPop + " cursors on average");
        // Runs are mixed: the next pop is rarely the neighbour of the last one.
        int neighbours = 0;
        for (int i = 1; i < ranks.size(); i++) {
            neighbours += Math.abs(ranks.get(i) - ranks.get(i - 1)) == 1 ? 1 : 0;
        }
        assertTrue(neighbours < pops / 50, neighbours + " pops were the neighbour of the one before");
        // And they come from the whole set: each tenth of it gives about a tenth of the pops
        // (some 25 runs each: about 20% apart by chance; PositionSamplerTest measures the chances).
        int[] tenths = new int[10];
        ranks.forEach(r -> tenths[r * 10 / size]++);
        for (int n : tenths) {
            assertTrue(n > pops / 10 * 0.6 && n < pops / 10 * 1.4, "pops per tenth " + Arrays.toString(tenths));
        }
    }

    @Test
    void singlePopsOfASetBelowThePoolSizeReadItOnceAndDrawExactly() {
        int size = 1_000;
        addNumbers(KEY, size);
        SampledSets sampled = new SampledSets();
        long[] scanned = new long[1];
        Set<String> popped = new HashSet<>();
        // 200 pops: no rewrite yet (that needs twice as many popped as left).
        for (int i = 0; i < 200; i++) {
            runSampled(sampled, (sets, txn) -> {
                popped.add(s(sets.pop(KEY, sets.meta(KEY), random)));
                scanned[0] += txn.scanned;
            });
        }
        assertEquals(200, popped.size());
        assertEquals(size, scanned[0], "the set is read once for the whole stream of pops");

        // Exact: a pop from the pool of a set just above SMALL_SET (rolled back each time, so
        // every trial pops from the same members) takes each member about equally often.
        int members = RedisSet.SMALL_SET + 10;
        byte[] key = b("fresh");
        addNumbers(key, members);
        int[] counts = new int[members];
        int trials = 20_000;
        for (int t = 0; t < trials; t++) {
            try (Transaction txn = engine.begin()) { // never committed
                Keyspace ks = new Keyspace(txn, 0, NOW).sampledSets(new SampledSets());
                RedisSet sets = new RedisSet(ks);
                counts[Integer.parseInt(s(sets.pop(key, sets.meta(key), random)))]++;
            }
        }
        double expected = trials / (double) members;
        for (int c : counts) {
            assertTrue(Math.abs(c - expected) < 6 * Math.sqrt(expected), "counts " + Arrays.toString(counts));
        }
    }

    @Test
    void aSetFilledBetweenPopsIsReadAgainOnlyEveryFewPops() {
        int size = 1_500;
        addNumbers(KEY, size);
        SampledSets sampled = new SampledSets();
        long scanned = 0;
        int pops = 400;
        Set<String> live = new HashSet<>();
        run((sets, txn) -> sets.members(KEY, sets.meta(KEY)).forEach(m -> live.add(s(m))));
        for (int i = 0; i < pops; i++) {
            long[] n = new long[1];
            String[] out = new String[1];
            runSampled(sampled, (sets, txn) -> {
                out[0] = s(sets.pop(KEY, sets.meta(KEY), random));
                n[0] = txn.scanned;
            });
            assertTrue(live.remove(out[0]), "not a member: " + out[0]);
            scanned += n[0];
            // A producer adds a member after every pop: the size never matches the pool's.
            String added = "new:" + i;
            run((sets, txn) -> assertEquals(1, sets.add(KEY, List.of(b(added)), random)));
            live.add(added);
        }
        // Without the rule every pop would read the whole set (1,500 entries).
        double perPop = scanned / (double) pops;
        assertTrue(perPop < 2 * (size / RedisSet.WHOLE_READ_PER_POP + PositionSampler.EDGE),
                "a pop read " + perPop + " entries on average");
        assertEquals(size, meta(KEY).size());
    }

    @Test
    void singlePopsOfALargeSetReadItWholeAChunkAPopAndThenOnlyTheMemberTaken() {
        int size = 3 * RedisSet.WHOLE_READ_CHUNK + 500; // read whole over four pops
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(b(String.format("element:%012d", i * 7)));
        }
        run((sets, txn) -> assertEquals(size, sets.add(KEY, all, random)));
        List<String> order = strings(all); // sorted: fixed-width numbers
        SampledSets sampled = new SampledSets();
        Set<String> popped = new HashSet<>();
        List<Integer> ranks = new ArrayList<>();
        int pops = 3_000;
        long scannedWhileReading = 0;
        for (int i = 0; i < pops; i++) {
            String[] out = new String[1];
            long[] read = new long[2];
            runSampled(sampled, (sets, txn) -> {
                out[0] = s(sets.pop(KEY, sets.meta(KEY), random));
                read[0] = txn.scanned;
                read[1] = txn.scans;
            });
            assertTrue(popped.add(out[0]), "popped twice: " + out[0]);
            if (i < 4) {
                // a chunk of the whole read, and runs for the pop itself meanwhile
                assertTrue(read[0] <= RedisSet.WHOLE_READ_CHUNK + PopPool.RUNS_PER_POP * 3 * PopPool.RUN, "pop " + i + " read " + read[0]);
                scannedWhileReading += read[0];
            } else {
                assertEquals(0, read[1], "pop " + i + " opened a cursor: the pool holds the whole set");
                ranks.add(java.util.Collections.binarySearch(order, out[0]));
            }
        }
        assertTrue(scannedWhileReading >= size, "the set was read whole: " + scannedWhileReading);
        assertEquals(size - pops, meta(KEY).size());
        // Exact draws from all of it: each tenth of the set gives about a tenth of the pops.
        int[] tenths = new int[10];
        ranks.forEach(r -> tenths[r * 10 / size]++);
        for (int n : tenths) {
            assertTrue(Math.abs(n - ranks.size() / 10.0) < 5 * Math.sqrt(ranks.size() / 10.0), "pops per tenth " + Arrays.toString(tenths));
        }
    }

    @Test
    void aSetIsHeldWholeOnlyWhileItFitsTheBudgetOfAllPools() {
        byte[] first = b("first");
        byte[] second = b("second");
        addNumbers(first, 3_000);
        addNumbers(second, 3_000);
        SampledSets sampled = new SampledSets(5_000);
        long[] cursors = new long[2];
        for (int i = 0; i < 200; i++) {
            for (int k = 0; k < 2; k++) {
                byte[] key = k == 0 ? first : second;
                int which = k;
                runSampled(sampled, (sets, txn) -> {
                    sets.pop(key, sets.meta(key), random);
                    if (which == 0 || txn.scans > 0) {
                        cursors[which] += txn.scans;
                    }
                });
            }
        }
        assertEquals(1, cursors[0], "the first set is read whole once");
        assertTrue(cursors[1] > 5, "the second set did not fit beside it and pops from runs: " + cursors[1] + " cursors");
        assertEquals(2_800, meta(first).size());
        assertEquals(2_800, meta(second).size());
    }

    @Test
    void aSetChangedWhileItIsReadWholeIsNeverPoppedWrong() {
        int size = 3 * RedisSet.WHOLE_READ_CHUNK;
        addNumbers(KEY, size);
        Set<String> live = new HashSet<>();
        run((sets, txn) -> sets.members(KEY, sets.meta(KEY)).forEach(m -> live.add(s(m))));
        SampledSets sampled = new SampledSets();
        int pops = 2_000;
        for (int i = 0; i < pops; i++) {
            String[] out = new String[1];
            runSampled(sampled, (sets, txn) -> out[0] = s(sets.pop(KEY, sets.meta(KEY), random)));
            assertTrue(live.remove(out[0]), "not a member: " + out[0]);
            if (i % 2 == 0 && i < 10 || i % 300 == 0) {
                // during the whole read and later: one member removed, two added, behind the pool's back
                String gone = live.iterator().next();
                String added = "new:" + i;
                run((sets, txn) -> {
                    assertEquals(1, sets.remove(KEY, List.of(b(gone))));
                    assertEquals(2, sets.add(KEY, List.of(b(added), b(added + "+")), random));
                });
                live.remove(gone);
                live.add(added);
                live.add(added + "+");
            }
        }
        assertEquals(live.size(), meta(KEY).size());
        Set<String> stored = new HashSet<>();
        run((sets, txn) -> sets.members(KEY, sets.meta(KEY)).forEach(m -> stored.add(s(m))));
        assertEquals(live, stored);
    }

    @Test
    void aRememberedSamplerNeverReturnsARemovedEdgeMember() {
        int size = 1_000;
        addNumbers(KEY, size);
        SampledSets sampled = new SampledSets();
        runSampled(sampled, (sets, txn) -> sets.randomMember(KEY, sets.meta(KEY), random));
        // Remove the first and last members (the remembered edges) behind the sampler's back.
        run((sets, txn) -> {
            List<byte[]> all = sets.members(KEY, sets.meta(KEY));
            List<byte[]> gone = new ArrayList<>(all.subList(0, PositionSampler.EDGE));
            gone.addAll(all.subList(all.size() - PositionSampler.EDGE, all.size()));
            assertEquals(gone.size(), sets.remove(KEY, gone));
        });
        Set<String> left = new HashSet<>();
        run((sets, txn) -> sets.members(KEY, sets.meta(KEY)).forEach(m -> left.add(s(m))));
        for (int i = 0; i < 2_000; i++) {
            runSampled(sampled, (sets, txn) -> {
                String m = s(sets.randomMember(KEY, sets.meta(KEY), random));
                assertTrue(left.contains(m), "not a member: " + m);
            });
        }
    }
}
