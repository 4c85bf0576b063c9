package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link RedisList} on the memory engine: behaviour against a reference list, layout and costs. */
class RedisListTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] KEY = b("list");

    private final MemoryEngine engine = new MemoryEngine();

    private <T> T inTxn(KeyspaceEngine e, Function<Keyspace, T> body) {
        return e.transact(txn -> body.apply(new Keyspace(txn, 0, NOW)));
    }

    private <T> T inTxn(Function<Keyspace, T> body) {
        return inTxn(engine, body);
    }

    private List<String> contents(byte[] key) {
        return inTxn(ks -> {
            RedisList list = RedisList.open(ks, key);
            List<String> out = new ArrayList<>();
            if (list != null) {
                list.scan(0, list.size(), false, (i, v) -> out.add(s(v)));
            }
            return out;
        });
    }

    private void pushAll(byte[] key, boolean left, String... values) {
        inTxn(ks -> {
            RedisList list = RedisList.openOrCreate(ks, key, new SplittableRandom(1));
            for (String v : values) {
                list.push(b(v), left);
            }
            list.store();
            return null;
        });
    }

    private static String[] range(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = Integer.toString(i);
        }
        return out;
    }

    @Test
    void pushesAtBothEndsKeepOrderAndMoveTheHead() {
        pushAll(KEY, false, "c", "d");
        pushAll(KEY, true, "b", "a");
        assertEquals(List.of("a", "b", "c", "d"), contents(KEY));
        KeyMeta meta = inTxn(ks -> ks.meta(KEY));
        assertEquals(RedisType.LIST, meta.type());
        assertEquals(4, meta.size());
        assertEquals(-2, meta.listHead());
        // element i lives at position head + i, sign-flipped big-endian after the element prefix
        byte[] prefix = KeyCodec.elementPrefix(0, KEY, meta.version());
        List<Long> positions = new ArrayList<>();
        try (var snapshot = engine.snapshot(); KvCursor c = snapshot.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                byte[] sub = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                assertEquals(8, sub.length);
                positions.add(KeyCodec.getLong(sub, 0) ^ Long.MIN_VALUE);
            }
        }
        assertEquals(List.of(-2L, -1L, 0L, 1L), positions);
        assertArrayEquals(new byte[] {(byte) 0x7f, -1, -1, -1, -1, -1, -1, -2}, RedisList.subKey(-2));
        assertArrayEquals(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, RedisList.subKey(0));
    }

    @Test
    void metadataRoundTripKeepsTheHead() {
        KeyMeta list = KeyMeta.list(123, 456, 7, -89);
        byte[] encoded = list.encode();
        assertEquals(34, encoded.length);
        KeyMeta back = KeyMeta.decode(encoded);
        assertEquals(RedisType.LIST, back.type());
        assertEquals(123, back.expireAt());
        assertEquals(456, back.version());
        assertEquals(7, back.size());
        assertEquals(-89, back.listHead());
        assertEquals(-89, back.withSize(8).withExpireAt(0).withVersion(9).listHead());
        // the other collections keep their 26-byte layout
        assertEquals(26, KeyMeta.collection(RedisType.HASH, 0, 1, 2).encode().length);
    }

    @Test
    void indexAndSetAreOnePointOperation() {
        RecordingEngine recording = new RecordingEngine(engine);
        pushAll(KEY, false, range(1000));
        pushAll(KEY, true, "first");
        recording.clear();
        String value = inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            return s(list.get(list.normalize(-300)));
        });
        assertEquals("700", value);
        RecordingEngine.Log read = recording.logs().get(0);
        assertEquals(2, read.gets.size(), "metadata + one element");
        assertEquals(0, read.writes());

        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.set(500, b("five hundred"));
            list.store();
            return null;
        });
        RecordingEngine.Log set = recording.logs().get(0);
        assertEquals(1, set.gets.size());
        assertEquals(2, set.puts.size(), "the element, and the metadata (rewritten so writers conflict)");
        assertEquals("five hundred", contents(KEY).get(500));
    }

    @Test
    void pushAndPopTouchOneElement() {
        RecordingEngine recording = new RecordingEngine(engine);
        pushAll(KEY, false, range(500));
        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.push(b("x"), true);
            list.store();
            return null;
        });
        assertEquals(2, recording.logs().get(0).puts.size());
        recording.clear();
        String popped = inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            byte[] v = list.pop(false);
            list.store();
            return s(v);
        });
        assertEquals("499", popped);
        RecordingEngine.Log pop = recording.logs().get(0);
        assertEquals(2, pop.gets.size());
        assertEquals(1, pop.deletes.size());
        assertEquals(1, pop.puts.size());
    }

    @Test
    void insertMovesTheShorterSide() {
        RecordingEngine recording = new RecordingEngine(engine);
        pushAll(KEY, false, range(1000));
        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.insert(3, b("near head"));
            list.store();
            return null;
        });
        assertEquals(3 + 1 + 1, recording.logs().get(0).puts.size(), "3 moved, the new element, the metadata");
        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.insert(list.size() - 2, b("near tail"));
            list.store();
            return null;
        });
        assertEquals(2 + 1 + 1, recording.logs().get(0).puts.size(), "2 moved, the new element, the metadata");
        List<String> expected = new ArrayList<>(List.of(range(1000)));
        expected.add(3, "near head");
        expected.add(expected.size() - 2, "near tail");
        assertEquals(expected, contents(KEY));
    }

    @Test
    void removalClosesGapsFromTheCheaperSide() {
        RecordingEngine recording = new RecordingEngine(engine);
        pushAll(KEY, false, range(1000));
        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.removeAt(new long[] {2, 5, 990}, 3);
            list.store();
            return null;
        });
        RecordingEngine.Log log = recording.logs().get(0);
        // gaps at 2 and 5 closed from the head (4 elements move), 990 from the tail (9 move)
        assertEquals(4 + 9 + 1, log.puts.size());
        assertEquals(3, log.deletes.size(), "the vacated positions");
        List<String> expected = new ArrayList<>(List.of(range(1000)));
        expected.remove("990");
        expected.remove("5");
        expected.remove("2");
        assertEquals(expected, contents(KEY));
        assertElementsContiguous(KEY);
    }

    @Test
    void movesLongerThanABatch() {
        int n = 3 * RedisList.MOVE_BATCH + 17;
        pushAll(KEY, false, range(n));
        inTxn(ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.insert(n / 2, b("middle"));
            list.insert(n / 2 - 5, b("left of middle"));
            list.removeAt(new long[] {10, n / 2 + 100, n - 10}, 3);
            list.store();
            return null;
        });
        List<String> expected = new ArrayList<>(List.of(range(n)));
        expected.add(n / 2, "middle");
        expected.add(n / 2 - 5, "left of middle");
        expected.remove(n - 10);
        expected.remove(n / 2 + 100);
        expected.remove(10);
        assertEquals(expected, contents(KEY));
        assertElementsContiguous(KEY);
    }

    @Test
    void trimUsesRangeDeletesForLargeCuts() {
        RecordingEngine recording = new RecordingEngine(engine);
        pushAll(KEY, false, range(1000));
        recording.clear();
        inTxn(recording, ks -> {
            RedisList list = RedisList.open(ks, KEY);
            list.trim(3, 900);
            list.store();
            return null;
        });
        RecordingEngine.Log log = recording.logs().get(0);
        assertEquals(3, log.deletes.size(), "few at the head: point deletes");
        assertEquals(1, log.rangeDeletes.size(), "many at the tail: one range delete");
        List<String> contents = contents(KEY);
        assertEquals(897, contents.size());
        assertEquals("3", contents.get(0));
        assertEquals("899", contents.get(896));
        assertElementsContiguous(KEY);
    }

    @Test
    void emptiedListIsDeletedAndItsVersionRetired() {
        pushAll(KEY, false, "a", "b", "c");
        long version = inTxn(ks -> ks.meta(KEY).version());
        boolean deleted = inTxn(ks -> {
            RedisList list = RedisList.open(ks, KEY);
            assertEquals(List.of("a", "b", "c"), list.pop(true, 10).stream().map(Layout::s).toList());
            return list.store();
        });
        assertTrue(deleted);
        assertNull(inTxn(ks -> ks.meta(KEY)));
        boolean retired = inTxn(ks -> ks.versionInUse(KEY, version));
        assertTrue(retired, "the sweeper owns the elements now");
        // a new, empty list is never stored
        inTxn(ks -> {
            RedisList list = RedisList.create(ks, KEY, new SplittableRandom(2));
            assertFalse(list.store());
            return null;
        });
        assertNull(inTxn(ks -> ks.meta(KEY)));
    }

    @Test
    void wrongTypeAndMissingKeys() {
        inTxn(ks -> {
            ks.putString(b("s"), b("v"), 0);
            return null;
        });
        assertThrows(WrongTypeException.class, () -> inTxn(ks -> RedisList.open(ks, b("s"))));
        assertNull(inTxn(ks -> RedisList.open(ks, b("missing"))));
    }

    @Test
    void copyKeepsTheHead() {
        pushAll(KEY, true, "c", "b", "a");
        inTxn(ks -> ks.copyTo(KEY, ks, b("copy")));
        assertEquals(List.of("a", "b", "c"), contents(b("copy")));
        String last = inTxn(ks -> s(RedisList.open(ks, b("copy")).get(2)));
        assertEquals("c", last);
    }

    @Test
    void matchesAReferenceListUnderRandomOperations() {
        SplittableRandom random = new SplittableRandom(42);
        List<String> model = new ArrayList<>();
        int counter = 0;
        for (int step = 0; step < 2_000; step++) {
            int op = random.nextInt(9);
            String value = "v" + counter++;
            inTxn(ks -> {
                RedisList list = RedisList.openOrCreate(ks, KEY, random);
                assertEquals(model.size(), list.size());
                switch (op) {
                    case 0, 1 -> {
                        list.push(b(value), op == 0);
                        if (op == 0) {
                            model.add(0, value);
                        } else {
                            model.add(value);
                        }
                    }
                    case 2 -> {
                        boolean left = random.nextBoolean();
                        byte[] v = list.pop(left);
                        String expected = model.isEmpty() ? null : model.remove(left ? 0 : model.size() - 1);
                        assertEquals(expected, v == null ? null : s(v));
                    }
                    case 3 -> {
                        boolean left = random.nextBoolean();
                        int count = random.nextInt(5);
                        List<String> got = list.pop(left, count).stream().map(Layout::s).toList();
                        List<String> expected = new ArrayList<>();
                        for (int i = 0; i < count && !model.isEmpty(); i++) {
                            expected.add(model.remove(left ? 0 : model.size() - 1));
                        }
                        assertEquals(expected, got);
                    }
                    case 4 -> {
                        if (!model.isEmpty()) {
                            int i = random.nextInt(model.size());
                            list.set(i, b(value));
                            model.set(i, value);
                        }
                    }
                    case 5, 6 -> {
                        int i = random.nextInt(model.size() + 1);
                        list.insert(i, b(value));
                        model.add(i, value);
                    }
                    case 7 -> {
                        if (!model.isEmpty()) {
                            TreeSet<Long> picked = new TreeSet<>();
                            int k = 1 + random.nextInt(Math.min(4, model.size()));
                            while (picked.size() < k) {
                                picked.add((long) random.nextInt(model.size()));
                            }
                            long[] indexes = picked.stream().mapToLong(Long::longValue).toArray();
                            list.removeAt(indexes, indexes.length);
                            for (int j = indexes.length - 1; j >= 0; j--) {
                                model.remove((int) indexes[j]);
                            }
                        }
                    }
                    default -> {
                        if (model.size() > 30 || random.nextInt(10) == 0) {
                            int from = random.nextInt(model.size() + 1);
                            int to = from + random.nextInt(model.size() - from + 1);
                            list.trim(from, to);
                            List<String> kept = new ArrayList<>(model.subList(from, to));
                            model.clear();
                            model.addAll(kept);
                        }
                    }
                }
                list.store();
                return null;
            });
            if (step % 50 == 0 || model.size() < 3) {
                assertEquals(model, contents(KEY), "after step " + step);
                if (!model.isEmpty()) {
                    assertElementsContiguous(KEY);
                    int i = random.nextInt(model.size());
                    assertEquals(model.get(i), inTxn(ks -> s(RedisList.open(ks, KEY).get(i))));
                }
            }
        }
        assertEquals(model, contents(KEY));
    }

    /** The current version holds exactly the entries at head .. head + size - 1. */
    private void assertElementsContiguous(byte[] key) {
        KeyMeta meta = inTxn(ks -> ks.meta(key));
        byte[] prefix = KeyCodec.elementPrefix(0, key, meta.version());
        long expected = meta.listHead();
        try (var snapshot = engine.snapshot(); KvCursor c = snapshot.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                assertEquals(expected, KeyCodec.getLong(c.key(), prefix.length) ^ Long.MIN_VALUE);
                expected++;
            }
        }
        assertEquals(meta.listHead() + meta.size(), expected, "element count");
    }
}
