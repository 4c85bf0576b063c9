package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.elements;
import static io.respkv.server.keyspace.Layout.marked;
import static io.respkv.server.keyspace.Layout.run;
import static io.respkv.server.keyspace.Layout.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RedisHash} on the memory engine: results, the stored layout, and the engine operations it costs. */
class RedisHashTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] KEY = b("h");

    private final RecordingEngine engine = new RecordingEngine(new MemoryEngine());
    private final SplittableRandom random = new SplittableRandom(7);

    @AfterEach
    void close() {
        engine.close();
    }

    private <T> T in(long now, Function<Keyspace, T> body) {
        return engine.transact(txn -> body.apply(new Keyspace(txn, 0, now)));
    }

    private <T> T in(Function<Keyspace, T> body) {
        return in(NOW, body);
    }

    private long num(Function<Keyspace, Long> body) {
        return in(NOW, body);
    }

    private boolean yes(Function<Keyspace, Boolean> body) {
        return in(NOW, body);
    }

    private boolean yesAt(long now, Function<Keyspace, Boolean> body) {
        return in(now, body);
    }

    private String str(Function<Keyspace, String> body) {
        return in(NOW, body);
    }

    private long version() {
        return in(ks -> ks.meta(KEY).version());
    }

    @Test
    void setCreatesTheHashUnderAFreshVersionAndCountsNewFields() {
        assertEquals(2L, num(ks -> RedisHash.at(ks, KEY).setAll(List.of(b("a"), b("1"), b("b"), b("2"),
                b("a"), b("3")), random)));
        KeyMeta meta = in(ks -> ks.meta(KEY));
        assertEquals(RedisType.HASH, meta.type());
        assertEquals(2, meta.size());
        assertEquals(KeyMeta.NO_EXPIRY, meta.expireAt());
        assertEquals(NOW, meta.version() >>> Keyspace.VERSION_RANDOM_BITS, "version from the command's time");
        assertEquals(2, elements(engine, 0, KEY, meta.version()));
        assertEquals("3", str(ks -> s(RedisHash.at(ks, KEY).get(b("a")))), "a later value of a field wins");
        assertFalse(yes(ks -> RedisHash.at(ks, KEY).set(b("a"), b("4"), random)));
        assertTrue(yes(ks -> RedisHash.at(ks, KEY).set(b("c"), b("5"), random)));
        assertEquals(3L, num(ks -> RedisHash.at(ks, KEY).size()));
        assertEquals(meta.version(), version(), "updates keep the version");
    }

    @Test
    void getIsOneMetadataReadAndOnePointRead() {
        in(ks -> RedisHash.at(ks, KEY).setAll(List.of(b("a"), b("1"), b("b"), b("2")), random));
        long version = version();
        engine.clear();
        assertEquals("2", str(ks -> s(RedisHash.at(ks, KEY).get(b("b")))));
        RecordingEngine.Log log = engine.logs().get(0);
        assertEquals(2, log.gets.size());
        assertArrayEquals(KeyCodec.metaKey(0, KEY), log.gets.get(0));
        assertArrayEquals(KeyCodec.elementKey(0, KEY, version, b("b")), log.gets.get(1));
        assertEquals(0, log.writes());

        engine.clear();
        assertEquals(2L, num(ks -> RedisHash.at(ks, KEY).size()));
        assertEquals(1, engine.logs().get(0).gets.size(), "the size is in the metadata");

        engine.clear();
        assertNull(in(ks -> RedisHash.at(ks, b("nokey")).get(b("a"))));
        assertEquals(1, engine.logs().get(0).gets.size(), "no element read for a missing hash");
    }

    @Test
    void updatingAFieldWritesOnlyTheElement() {
        in(ks -> RedisHash.at(ks, KEY).set(b("a"), b("1"), random));
        long version = version();
        engine.clear();
        in(ks -> RedisHash.at(ks, KEY).set(b("a"), b("2"), random));
        RecordingEngine.Log log = engine.logs().get(0);
        assertEquals(1, log.puts.size());
        assertArrayEquals(KeyCodec.elementKey(0, KEY, version, b("a")), log.puts.get(0));
        assertEquals(0, log.deletes.size());

        engine.clear();
        in(ks -> RedisHash.at(ks, KEY).set(b("b"), b("2"), random));
        log = engine.logs().get(0);
        assertEquals(2, log.puts.size(), "the element and the metadata (size)");
        assertArrayEquals(KeyCodec.metaKey(0, KEY), log.puts.get(1));
    }

    @Test
    void setIfAbsent() {
        assertTrue(yes(ks -> RedisHash.at(ks, KEY).setIfAbsent(b("a"), b("1"), random)));
        assertFalse(yes(ks -> RedisHash.at(ks, KEY).setIfAbsent(b("a"), b("2"), random)));
        assertEquals("1", str(ks -> s(RedisHash.at(ks, KEY).get(b("a")))));
        assertEquals(1L, num(ks -> RedisHash.at(ks, KEY).size()));
    }

    @Test
    void deletingTheLastFieldDeletesTheKeyAndRetiresItsVersion() {
        in(ks -> RedisHash.at(ks, KEY).setAll(List.of(b("a"), b("1"), b("b"), b("2")), random));
        long version = version();
        assertEquals(1L, num(ks -> RedisHash.at(ks, KEY).delete(List.of(b("a"), b("zz"), b("a")))));
        assertEquals(1L, num(ks -> RedisHash.at(ks, KEY).size()));
        assertEquals(1, elements(engine, 0, KEY, version));
        assertEquals(1L, num(ks -> RedisHash.at(ks, KEY).delete(List.of(b("b"), b("c")))));
        assertNull(in(ks -> ks.meta(KEY)), "an empty hash does not exist");
        assertTrue(marked(engine, 0, KEY, version), "its version is retired for the sweeper");
        assertEquals(0L, num(ks -> RedisHash.at(ks, KEY).delete(List.of(b("b")))));
        assertFalse(yes(ks -> RedisHash.at(ks, KEY).exists()));
    }

    @Test
    void writesKeepTheExpiry() {
        long deadline = NOW + 10_000;
        in(ks -> RedisHash.at(ks, KEY).set(b("a"), b("1"), random));
        in(ks -> {
            ks.setExpireAt(KEY, ks.meta(KEY), deadline);
            return null;
        });
        in(ks -> RedisHash.at(ks, KEY).set(b("b"), b("2"), random));
        in(ks -> RedisHash.at(ks, KEY).delete(List.of(b("a"))));
        assertEquals(deadline, in(ks -> ks.meta(KEY)).expireAt());
        assertEquals(1, Layout.keys(engine, KeyCodec.EXPIRY, 0).size(), "one expiry-index entry");
    }

    @Test
    void anExpiredHashIsReplacedByANewVersion() {
        in(ks -> RedisHash.at(ks, KEY).setAll(List.of(b("a"), b("1"), b("b"), b("2")), random));
        in(ks -> {
            ks.setExpireAt(KEY, ks.meta(KEY), NOW + 10);
            return null;
        });
        long old = version();
        long later = NOW + 100;
        assertFalse(yesAt(later, ks -> RedisHash.at(ks, KEY).exists()));
        assertNull(in(later, ks -> RedisHash.at(ks, KEY).get(b("a"))));
        AtomicLong expired = new AtomicLong();
        assertTrue(yesAt(later, ks -> {
            boolean created = RedisHash.at(ks, KEY).set(b("c"), b("3"), random);
            expired.set(ks.expiredRemoved());
            return created;
        }));
        assertEquals(1, expired.get(), "the stale hash counts as expired");
        KeyMeta meta = in(later, ks -> ks.meta(KEY));
        assertNotEquals(old, meta.version());
        assertEquals(1, meta.size());
        assertEquals(KeyMeta.NO_EXPIRY, meta.expireAt());
        assertTrue(marked(engine, 0, KEY, old));
        assertNull(in(later, ks -> RedisHash.at(ks, KEY).get(b("a"))), "old fields are gone");
        assertEquals(List.of("c=3"), in(later, ks -> dump(RedisHash.at(ks, KEY), null, null)));
    }

    @Test
    void anotherTypeIsWrongType() {
        in(ks -> {
            ks.putString(KEY, b("v"), KeyMeta.NO_EXPIRY);
            return null;
        });
        assertThrows(WrongTypeException.class, () -> in(ks -> RedisHash.at(ks, KEY)));
    }

    @Test
    void fieldsInByteOrderWithinBounds() {
        List<byte[]> pairs = new ArrayList<>();
        for (String f : new String[] {"b", "a", "ab", "", "\u00ff", "a\u0000", "c"}) {
            pairs.add(b(f));
            pairs.add(b("v" + f));
        }
        in(ks -> RedisHash.at(ks, KEY).setAll(pairs, random));
        // Another key sharing the prefix must not leak into the range.
        in(ks -> RedisHash.at(ks, b("hh")).set(b("x"), b("y"), random));
        assertEquals(List.of("=v", "a=va", "a\u0000=va\u0000", "ab=vab", "b=vb", "c=vc", "\u00ff=v\u00ff"),
                in(ks -> dump(RedisHash.at(ks, KEY), null, null)));
        assertEquals(List.of("ab=vab", "b=vb"), in(ks -> dump(RedisHash.at(ks, KEY), b("ab"), b("c"))));
        assertEquals(List.of("c=vc", "\u00ff=v\u00ff"), in(ks -> dump(RedisHash.at(ks, KEY), b("bb"), null)));
        assertEquals(List.of(), in(ks -> dump(RedisHash.at(ks, KEY), b("c"), b("b"))));
        assertEquals(List.of(), in(ks -> dump(RedisHash.at(ks, KEY), null, b(""))));
        assertEquals(List.of(), in(ks -> dump(RedisHash.at(ks, b("nokey")), null, null)));
    }

    private static List<String> dump(RedisHash hash, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        try (RedisHash.FieldCursor c = hash.fields(from, to)) {
            while (c.next()) {
                out.add(s(c.field()) + "=" + s(c.value()));
            }
        }
        return out;
    }

    @Test
    void oddFieldValueListsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> in(ks -> RedisHash.at(ks, KEY).setAll(List.of(b("a")), random)));
        assertEquals(0L, num(ks -> RedisHash.at(ks, KEY).setAll(List.of(), random)));
        assertNull(in(ks -> ks.meta(KEY)), "nothing set, nothing created");
    }
}
