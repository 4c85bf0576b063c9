package io.respkv.server.command;

import io.respkv.codec.RespRequest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** SCAN cursors ({@link ScanCursors}) and SCAN steps ({@link KeyCommands#scanPage}) over the memory engine. */
class KeyCommandsScanTest {

    private static final long NOW = 1_700_000_000_000L;

    // ---- cursor syntax: Redis's strtoul rules ----

    @Test
    void parsesCursorsAsRedisDoes() {
        assertEquals(0, parse(""));
        assertEquals(0, parse("0"));
        assertEquals(0, parse("000"));
        assertEquals(0, parse("+0"));
        assertEquals(0, parse("-0"));
        assertEquals(17, parse("+17"));
        assertEquals(-1L, parse("-1"), "strtoul negates modulo 2^64");
        assertEquals(-1L, parse("18446744073709551615"));
        assertEquals(1L, parse("-18446744073709551615"));
        assertEquals(Long.MIN_VALUE, parse("9223372036854775808"));
        assertEquals(5, parse(new byte[] {'5', 0, 'x'}), "a C string ends at NUL");
        assertEquals(0, parse(new byte[] {0, '7'}));
        for (String bad : List.of(" 1", "\t1", "\n1", "1 ", "x", "1x", "+", "-", "+-1", "1.0", "0x10",
                "18446744073709551616", "99999999999999999999", "184467440737095516150")) {
            assertThrows(NumberFormatException.class, () -> parse(bad), bad);
        }
        assertEquals("18446744073709551615", ScanCursors.format(-1L));
        assertEquals("0", ScanCursors.format(0));
    }

    // ---- cursor forms ----

    @Test
    void shortResumeKeysAreCarriedInTheCursor() {
        ScanCursors cursors = new ScanCursors(4, 1 << 20);
        SplittableRandom random = new SplittableRandom(1);
        long c = cursors.cursorAfter(b("a"), b("b"), random);
        assertTrue(c > 0 && c < (1L << 62), Long.toString(c));
        assertArrayEquals(b("b"), cursors.resumeKey(c));
        // The separator is as short as possible: "user:1" < "user:2" < "user:2000".
        long c2 = cursors.cursorAfter(b("user:1999"), b("user:2000"), random);
        assertArrayEquals(b("user:2"), cursors.resumeKey(c2));
        long c3 = cursors.cursorAfter(new byte[] {0, 0, (byte) 0xff}, new byte[] {0, 0, (byte) 0xff, 0}, random);
        assertArrayEquals(new byte[] {0, 0, (byte) 0xff, 0}, cursors.resumeKey(c3), "trailing zero bytes kept");
        assertEquals(0, cursors.size(), "direct cursors need no table");
        // A fresh instance (a restarted server) reads them the same way.
        assertArrayEquals(b("user:2"), new ScanCursors(1, 1).resumeKey(c2));
        assertNull(cursors.resumeKey(0));
    }

    @Test
    void longResumeKeysGoThroughTheTableAndFallBackToTheirPrefix() {
        ScanCursors cursors = new ScanCursors(2, 1 << 20);
        SplittableRandom random = new SplittableRandom(2);
        long c1 = cursors.cursorAfter(b("session:0001"), b("session:0002"), random);
        assertTrue(c1 >= (1L << 62) && c1 > 0, "table form below 2^63: " + c1);
        assertArrayEquals(b("session:0002"), cursors.resumeKey(c1));
        assertEquals(1, cursors.size());
        cursors.cursorAfter(b("session:0003"), b("session:0004"), random);
        cursors.cursorAfter(b("session:0005"), b("session:0006"), random);
        assertEquals(2, cursors.size(), "bounded by entry count");
        // c1 was evicted: resume at its first 4 bytes, never after the real position.
        byte[] fallback = cursors.resumeKey(c1);
        assertArrayEquals(b("sess"), fallback);
        assertTrue(Arrays.compareUnsigned(fallback, b("session:0002")) <= 0);
        assertArrayEquals(b("sess"), new ScanCursors(1, 1).resumeKey(c1), "after a restart too");
    }

    @Test
    void tableIsBoundedByBytes() {
        ScanCursors cursors = new ScanCursors(1000, 64);
        SplittableRandom random = new SplittableRandom(3);
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] last = b(String.format("prefix-long-key-%04d", 2 * i));
            byte[] next = b(String.format("prefix-long-key-%04d", 2 * i + 1));
            made.add(cursors.cursorAfter(last, next, random));
        }
        assertTrue(cursors.size() <= 3, "resume keys of 20 bytes within 64 bytes: " + cursors.size());
        long newest = made.get(made.size() - 1);
        assertArrayEquals(b("prefix-long-key-0039"), cursors.resumeKey(newest));
    }

    @Test
    void separatorIsBetweenItsKeys() {
        assertArrayEquals(b("b"), ScanCursors.separator(b("a"), b("bcd")));
        assertArrayEquals(b("ab"), ScanCursors.separator(b("a"), b("abc")));
        assertArrayEquals(new byte[] {'a', 0}, ScanCursors.separator(b("a"), new byte[] {'a', 0}));
        assertArrayEquals(b("x"), ScanCursors.separator(new byte[0], b("xyz")));
        assertThrows(IllegalArgumentException.class, () -> ScanCursors.separator(b("b"), b("a")));
        assertThrows(IllegalArgumentException.class, () -> ScanCursors.separator(b("ab"), b("a")));
        assertThrows(IllegalArgumentException.class, () -> ScanCursors.separator(b("a"), b("a")));
    }

    // ---- SCAN steps over the memory engine ----

    @Test
    void fullIterationReturnsEveryKeyOnceAtEveryCount() {
        try (MemoryEngine engine = new MemoryEngine()) {
            List<byte[]> keys = sampleKeys();
            write(engine, keys);
            TreeSet<String> expected = hexSet(keys);
            for (long count : new long[] {1, 2, 3, 7, 64, 10_000}) {
                List<String> got = iterate(engine, new ScanCursors(16, 1 << 20), count, null, null, 0);
                assertEquals(expected.size(), got.size(), "count " + count + ": duplicates or misses");
                assertEquals(expected, new TreeSet<>(got), "count " + count);
            }
        }
    }

    @Test
    void matchBoundsTheScanToTheLiteralPrefix() {
        try (MemoryEngine engine = new MemoryEngine()) {
            write(engine, sampleKeys());
            ScanCursors cursors = new ScanCursors(16, 1 << 20);
            // COUNT 1: the first step already lands inside the "user:" range.
            KeyCommands.ScanPage page = scan(engine, cursors, 0, 1, b("user:*"), null);
            assertEquals(1, page.keys().size());
            assertTrue(new String(page.keys().get(0), StandardCharsets.ISO_8859_1).startsWith("user:"));
            List<String> got = iterate(engine, cursors, 3, b("user:1*"), null, 0);
            TreeSet<String> expected = new TreeSet<>();
            for (byte[] k : sampleKeys()) {
                if (new String(k, StandardCharsets.ISO_8859_1).startsWith("user:1")) {
                    expected.add(HexFormat.of().formatHex(k));
                }
            }
            assertEquals(expected, new TreeSet<>(got));
            assertEquals(expected.size(), got.size());
            assertEquals(0, scan(engine, cursors, 0, 10, b("zzz*"), null).next(), "nothing after the prefix");
        }
    }

    @Test
    void iterationSurvivesLosingTheCursorTable() {
        try (MemoryEngine engine = new MemoryEngine()) {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                keys.add(b(String.format("shared-long-prefix:%04d", i)));
            }
            write(engine, keys);
            // A new table after step 20, as if the server restarted: the next step resumes at the
            // cursor's first 4 bytes, so keys repeat, but none is missed and the iteration ends.
            List<String> got = iterate(engine, new ScanCursors(16, 1 << 20), 5, null, null, 20);
            assertEquals(hexSet(keys), new TreeSet<>(got));
            assertTrue(got.size() > keys.size(), "keys before the lost position came again");
        }
    }

    @Test
    void typeFilterAndExpiredKeys() {
        try (MemoryEngine engine = new MemoryEngine()) {
            try (Transaction txn = engine.begin()) {
                Keyspace ks = new Keyspace(txn, 0, NOW);
                ks.putString(b("live"), b("v"), KeyMeta.NO_EXPIRY);
                ks.putString(b("expired"), b("v"), NOW - 1);
                ks.putString(b("later"), b("v"), NOW + 10_000);
                txn.commit();
            }
            ScanCursors cursors = new ScanCursors(16, 1 << 20);
            assertEquals(List.of("later", "live"), strings(scan(engine, cursors, 0, 10, null, null).keys()));
            assertEquals(List.of("later", "live"), strings(scan(engine, cursors, 0, 10, null, b("STRING")).keys()));
            assertEquals(List.of("later", "live"),
                    strings(scan(engine, cursors, 0, 10, null, new byte[] {'s', 't', 'r', 'i', 'n', 'g', 0, 'x'}).keys()));
            assertEquals(List.of(), scan(engine, cursors, 0, 10, null, b("none")).keys());
            assertEquals(List.of(), scan(engine, cursors, 0, 10, null, b("strin")).keys());
        }
    }

    // ---- helpers ----

    /** Keys of many shapes: short, long with shared prefixes, binary, the empty key. */
    private static List<byte[]> sampleKeys() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            keys.add(b("user:" + i));
        }
        for (int i = 0; i < 60; i++) {
            keys.add(b("very:long:shared:prefix:" + i));
        }
        keys.add(new byte[0]);
        keys.add(new byte[] {0});
        keys.add(new byte[] {0, 0});
        keys.add(new byte[] {(byte) 0xff});
        keys.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff});
        keys.add(b("a"));
        keys.add(b("ab"));
        keys.add(b("abcdefgh"));
        keys.add(b("abcdefgi"));
        return keys;
    }

    private static void write(MemoryEngine engine, List<byte[]> keys) {
        try (Transaction txn = engine.begin()) {
            Keyspace ks = new Keyspace(txn, 0, NOW);
            for (byte[] k : keys) {
                ks.putString(k, b("v"), KeyMeta.NO_EXPIRY);
            }
            txn.commit();
        }
    }

    private static KeyCommands.ScanPage scan(MemoryEngine engine, ScanCursors cursors, long cursor, long count,
            byte[] pattern, byte[] type) {
        try (Transaction txn = engine.begin()) {
            return KeyCommands.scanPage(new Keyspace(txn, 0, NOW), cursors, cursor, count, pattern, type,
                    new SplittableRandom(cursor));
        }
    }

    /** A full iteration; with {@code resetAt > 0} the cursor table is replaced after that step. */
    private static List<String> iterate(MemoryEngine engine, ScanCursors cursors, long count, byte[] pattern,
            byte[] type, int resetAt) {
        List<String> out = new ArrayList<>();
        long cursor = 0;
        for (int step = 1; step <= 100_000; step++) {
            KeyCommands.ScanPage page = scan(engine, cursors, cursor, count, pattern, type);
            for (byte[] k : page.keys()) {
                out.add(HexFormat.of().formatHex(k));
            }
            cursor = page.next();
            if (cursor == 0) {
                return out;
            }
            assertFalse(cursor < 0, "cursor below 2^63");
            if (step == resetAt) {
                cursors = new ScanCursors(16, 1 << 20);
            }
        }
        fail("iteration did not end");
        return out;
    }

    private static TreeSet<String> hexSet(List<byte[]> keys) {
        TreeSet<String> out = new TreeSet<>();
        for (byte[] k : keys) {
            out.add(HexFormat.of().formatHex(k));
        }
        return out;
    }

    private static List<String> strings(List<byte[]> keys) {
        List<String> out = new ArrayList<>();
        for (byte[] k : keys) {
            out.add(new String(k, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static long parse(String s) {
        return parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static long parse(byte[] arg) {
        return ScanCursors.parse(RespRequest.of(b("SCAN"), arg), 1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
