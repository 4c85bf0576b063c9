package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ElementSampler}: membership, distinctness, and uniform draws whatever the spacing of the keys. */
class ElementSamplerTest {

    private static final byte[] KEY = b("k");
    private static final long VERSION = 5;

    private final MemoryEngine engine = new MemoryEngine();
    private final SplittableRandom random = new SplittableRandom(11);

    @AfterEach
    void close() {
        engine.close();
    }

    private void store(List<String> subKeys) {
        engine.transact(txn -> {
            for (String k : subKeys) {
                txn.put(KeyCodec.elementKey(0, KEY, VERSION, b(k)), b("v:" + k));
            }
            // Neighbours (other versions, another key) must never be drawn.
            txn.put(KeyCodec.elementKey(0, KEY, VERSION - 1, b("older-version")), b("x"));
            txn.put(KeyCodec.elementKey(0, KEY, VERSION + 1, b("newer-version")), b("x"));
            txn.put(KeyCodec.elementKey(0, b("k2"), VERSION, b("other-key")), b("x"));
            return null;
        });
    }

    private <T> T sample(Function<ElementSampler, T> body) {
        try (Transaction txn = engine.begin()) {
            return body.apply(new ElementSampler(txn, KeyCodec.elementPrefix(0, KEY, VERSION)));
        }
    }

    /** Sequential names, the spacing that defeats probing a random point of the key range. */
    private static List<String> names(int n, String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static void assertMembers(Set<String> members, List<ElementSampler.Element> drawn) {
        for (ElementSampler.Element e : drawn) {
            String k = s(e.subKey());
            assertTrue(members.contains(k), k);
            assertEquals("v:" + k, s(e.value()));
        }
    }

    /** Asserts every member was drawn close to {@code draws / n} times (within 6 standard deviations). */
    private static void assertUniform(List<String> members, Map<String, Integer> counts, int draws) {
        assertEquals(Set.copyOf(members), counts.keySet());
        double p = 1.0 / members.size();
        double mean = draws * p;
        double sd = Math.sqrt(draws * p * (1 - p));
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            assertTrue(Math.abs(c.getValue() - mean) < 6 * sd, c + " far from " + mean);
        }
    }

    @Test
    void anEmptyCollectionHasNothingToDraw() {
        store(List.of());
        assertNull(sample(sm -> sm.one(0, random)));
        assertNull(sample(sm -> sm.one(1000, random)), "a stale size does not invent elements");
        assertEquals(List.of(), sample(sm -> sm.withRepeats(5, 1000, random)));
        assertEquals(List.of(), sample(sm -> sm.withRepeats(5, 0, random)));
        assertEquals(List.of(), sample(sm -> sm.distinct(5, random)));
        assertEquals(List.of(), sample(sm -> sm.all()));
    }

    @Test
    void oneIsUniform() {
        List<String> members = names(12, "m");
        store(members);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 12_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(s(sample(sm -> sm.one(12, random)).subKey()), 1, Integer::sum);
        }
        assertUniform(members, counts, draws);
    }

    @Test
    void withRepeatsIsUniformAndInRandomOrder() {
        List<String> members = names(300, "user:");
        store(members);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 0;
        for (int round = 0; round < 100; round++) {
            List<ElementSampler.Element> drawn = sample(sm -> sm.withRepeats(250, 300, random));
            assertEquals(250, drawn.size());
            assertMembers(Set.copyOf(members), drawn);
            for (ElementSampler.Element e : drawn) {
                counts.merge(s(e.subKey()), 1, Integer::sum);
            }
            draws += drawn.size();
        }
        assertUniform(members, counts, draws);
        List<String> order = sample(sm -> sm.withRepeats(250, 300, random)).stream().map(e -> s(e.subKey())).toList();
        assertTrue(!order.equals(order.stream().sorted().toList()), "not in key order");
        // A count at or above the size draws from every element held at once.
        List<ElementSampler.Element> many = sample(sm -> sm.withRepeats(900, 300, random));
        assertEquals(900, many.size());
        assertMembers(Set.copyOf(members), many);
    }

    @Test
    void distinctIsUniformAndDistinct() {
        List<String> members = names(200, "session:");
        store(members);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 0;
        for (int round = 0; round < 300; round++) {
            List<ElementSampler.Element> drawn = sample(sm -> sm.distinct(20, random));
            assertEquals(20, drawn.size());
            assertEquals(20, drawn.stream().map(e -> s(e.subKey())).distinct().count());
            assertMembers(Set.copyOf(members), drawn);
            for (ElementSampler.Element e : drawn) {
                counts.merge(s(e.subKey()), 1, Integer::sum);
            }
            draws += drawn.size();
        }
        assertUniform(members, counts, draws);
        assertEquals(200, sample(sm -> sm.distinct(500, random)).size(), "at most every element");
        Set<String> all = new HashSet<>();
        sample(sm -> sm.distinct(200, random)).forEach(e -> all.add(s(e.subKey())));
        assertEquals(Set.copyOf(members), all);
    }

    @Test
    void allReturnsEveryElementInOrder() {
        store(List.of("b", "a", "", "\u00ff"));
        List<String> keys = sample(sm -> sm.all().stream().map(e -> s(e.subKey())).toList());
        assertEquals(List.of("", "a", "b", "\u00ff"), keys);
    }
}
