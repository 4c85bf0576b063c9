package io.respkv.server.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobMatcherTest {

    private static byte[] b(String s) {
        // Latin-1 so "\u0080".."\u00ff" in the tables below are the single bytes 0x80..0xff.
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Hand-picked edge cases: nocase, pattern, subject, stringmatchlen's answer. Every row was
     * checked against Redis 7.0.15's stringmatchlen compiled with glibc.
     */
    private static final Object[][] CASES = {
            {false, "*", "", false},
            {false, "", "", true},
            {false, "", "a", false},
            {false, "**", "a", true},
            {false, "a*", "a", true},
            {false, "a**", "a", true},
            {false, "?", "", false},
            {false, "?", "a", true},
            {false, "??", "a", false},
            {false, "[abc]", "b", true},
            {false, "[abc]", "d", false},
            {false, "[^abc]", "d", true},
            {false, "[^abc]", "a", false},
            {false, "[a-c]", "b", true},
            {false, "[c-a]", "b", true},
            {false, "[a-c]", "d", false},
            {false, "[\\]]", "]", true},
            {false, "[\\-]", "-", true},
            {false, "[a\\-z]", "b", false},
            {false, "[a\\-z]", "-", true},
            {false, "[a\\-z]", "z", true},
            {false, "\\*", "*", true},
            {false, "\\*", "a", false},
            {false, "\\", "\\", true},
            {false, "a\\", "a\\", true},
            {false, "\\\\", "\\", true},
            {false, "\\a", "a", true},
            {false, "[abc", "a", true},
            {false, "[abc", "ab", false},
            {false, "[", "a", false},
            {false, "[^", "a", true},
            {false, "[]", "a", false},
            {false, "[]]", "]", false},
            {false, "[^]", "a", true},
            {false, "[a-]", "-", false},
            {false, "[a-]", "_", true},
            {false, "[a-]]", "]", true},
            {false, "[\\", "\\", true},
            {false, "[\\", "a", false},
            {false, "[^\\", "a", true},
            {true, "HELLO", "hello", true},
            {false, "HELLO", "hello", false},
            {true, "[A-Z]", "q", true},
            {true, "[a-z]", "Q", true},
            {false, "[Z-a]", "_", true},
            {true, "[Z-a]", "_", false},
            {true, "[abc]", "B", true},
            {true, "[^abc]", "B", false},
            {false, "[a-\u00ff]", "\u0000", true},
            {false, "[a-\u00ff]", "\u00fe", false},
            {false, "[a-\u00ff]", "\u00ff", true},
            {false, "[\u0080-\u00ff]", "\u0090", true},
            {false, "[\u0080-\u00ff]", "a", false},
            {true, "[\u0080-\u00ff]", "\u0090", false},
            {true, "[\u0080-a]", "\u0000", false},
            {true, "[\u0080-a]", "\u0090", false},
            {false, "[\u0080-a]", "\u0000", true},
            {true, "[\u0080-\u00fe]", "\u00ff", false},
            {false, "*a", "aaaa", true},
            {false, "*b", "aaaa", false},
            {false, "a*b*c", "axxbyyc", true},
            {false, "a*b*c", "axxbyy", false},
            {false, "a*b*c", "axxbyycc", true},
            {false, "a*b*c*", "axxbyycd", true},
            {false, "a\u0000b", "a\u0000b", true},
            {false, "a\u0000b", "a\u0000c", false},
            {false, "*\u0000", "abc\u0000", true},
            {false, "h?llo", "hello", true},
            {false, "h?llo", "hllo", false},
            {false, "h*llo", "hllo", true},
            {false, "h[ae]llo", "hallo", true},
            {false, "h[^e]llo", "hello", false},
            {false, "h[a-b]llo", "hbllo", true},
            {false, "foo*", "foo", true},
            {false, "foo*", "fo", false},
            {false, "*foo", "foo", true},
            {false, "*?*", "a", true},
            {false, "*?*", "", false},
            {false, "?*", "ab", true},
            {false, "a?", "a", false},
            {false, "a[", "a", false},
            {false, "a[b", "ab", true},
            {false, "*[", "a", false},
            {false, "*[^", "a", true},
            {false, "**?", "ab", true},
    };

    @Test
    void handPickedCasesMatchStringmatchlen() {
        for (Object[] c : CASES) {
            boolean nocase = (Boolean) c[0];
            byte[] p = b((String) c[1]);
            byte[] s = b((String) c[2]);
            boolean expected = (Boolean) c[3];
            String what = Arrays.toString(c);
            assertEquals(expected, GlobMatcher.matches(p, s, nocase), what);
            assertEquals(expected, GlobMatcher.compile(p, nocase).matches(s), what);
        }
    }

    @Test
    void generatedCasesMatchStringmatchlen() {
        List<String> lines = Fixtures.lines("glob.txt");
        assertEquals(3000, lines.size());
        int matches = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            boolean nocase = f[0].equals("1");
            byte[] p = Fixtures.hexOrEmpty(f[1]);
            byte[] s = Fixtures.hexOrEmpty(f[2]);
            boolean expected = f[3].equals("1");
            assertEquals(expected, GlobMatcher.matches(p, s, nocase), line);
            GlobMatcher m = GlobMatcher.compile(p, nocase);
            assertEquals(expected, m.matches(s), line);
            // Slices inside larger arrays: the neighbouring bytes must not be read as pattern
            // (the C code reads one byte past the pattern, its NUL terminator).
            byte[] pp = pad(p, (byte) '*');
            byte[] ss = pad(s, (byte) 'a');
            assertEquals(expected, GlobMatcher.matches(pp, 1, p.length, ss, 1, s.length, nocase), line);
            assertEquals(expected, GlobMatcher.compile(pp, 1, p.length, nocase).matches(ss, 1, s.length), line);
            if (expected) {
                matches++;
                byte[] prefix = m.literalPrefix();
                assertTrue(s.length >= prefix.length, line);
                if (!nocase) {
                    assertArrayEquals(prefix, Arrays.copyOf(s, prefix.length), line);
                }
            }
        }
        assertEquals(449, matches);
    }

    private static byte[] pad(byte[] a, byte around) {
        byte[] r = new byte[a.length + 2];
        r[0] = around;
        System.arraycopy(a, 0, r, 1, a.length);
        r[a.length + 1] = around;
        return r;
    }

    /** tests/unit/keyspace.tcl "KEYS with pattern" and scan.tcl "SCAN MATCH". */
    @Test
    void redisTestSuitePatterns() {
        List<String> keys = List.of("key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c");
        assertEquals(List.of("foo_a", "foo_b", "foo_c"), filter("foo*", keys));
        List<String> numbered = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            numbered.add("key:" + i);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 100; i < 200; i++) {
            expected.add("key:" + i);
        }
        assertEquals(expected, filter("key:1??", numbered));
        assertEquals(numbered, filter("key:*", numbered));
        // sscan/hscan: MATCH *a* and *1* over mixed members.
        assertEquals(List.of("a", "ab", "ba", "1a"), filter("*a*", List.of("a", "ab", "ba", "b", "1a", "1")));
        assertEquals(List.of("1a", "1"), filter("*1*", List.of("a", "ab", "ba", "b", "1a", "1")));
    }

    private static List<String> filter(String pattern, List<String> keys) {
        GlobMatcher m = GlobMatcher.compile(b(pattern));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (m.matches(b(k))) {
                out.add(k);
            }
        }
        return out;
    }

    /** keyspace.tcl "Regression for pattern matching long nested loops". */
    @Test
    void skipLongerMatchesKeepsNestedStarsLinear() {
        byte[] key = b("a".repeat(40));
        byte[] pattern = b("a*".repeat(20) + "b");
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertFalse(GlobMatcher.matches(pattern, key, false));
            assertFalse(GlobMatcher.compile(pattern).matches(key));
        });
    }

    /** keyspace.tcl "Regression for pattern matching very long nested loops" (CVE-2024-31228). */
    @Test
    void nestingLimitStopsVeryLongPatterns() {
        byte[] key = b("a".repeat(50000));
        byte[] pattern = b("*?".repeat(50000));
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertFalse(GlobMatcher.matches(pattern, key, false));
            assertFalse(GlobMatcher.compile(pattern).matches(key));
        });
    }

    /**
     * The exact edge of the nesting limit, as the patched stringmatchlen answers (checked with
     * the C function and with Debian's redis-server 7.0.15 KEYS): a '*' 1000 levels deep still
     * recurses, one more level never matches, and a final '*' matches without recursing.
     */
    @Test
    void nestingLimitEdge() {
        byte[] a1000 = b("a".repeat(1000));
        byte[] a6000 = b("a".repeat(6000));
        String[] units = {"*?", "a*", "*a", "?*", "*[a]", "*\\a"};
        // Results for 999, 1000, 1001, 1002, 5000 repetitions, against 1000 and 6000 'a's.
        boolean[][][] expected = {
            {{true, true}, {true, true}, {false, false}, {false, false}, {false, false}},
            {{true, true}, {true, true}, {false, true}, {false, false}, {false, false}},
            {{true, true}, {true, true}, {false, false}, {false, false}, {false, false}},
            {{true, true}, {true, true}, {false, true}, {false, false}, {false, false}},
            {{true, true}, {true, true}, {false, false}, {false, false}, {false, false}},
            {{true, true}, {true, true}, {false, false}, {false, false}, {false, false}},
        };
        int[] reps = {999, 1000, 1001, 1002, 5000};
        for (int u = 0; u < units.length; u++) {
            for (int r = 0; r < reps.length; r++) {
                byte[] p = b(units[u].repeat(reps[r]));
                GlobMatcher m = GlobMatcher.compile(p);
                String what = units[u] + " x" + reps[r];
                assertEquals(expected[u][r][0], GlobMatcher.matches(p, a1000, false), what + " vs 1000");
                assertEquals(expected[u][r][1], GlobMatcher.matches(p, a6000, false), what + " vs 6000");
                assertEquals(expected[u][r][0], m.matches(a1000), what + " vs 1000");
                assertEquals(expected[u][r][1], m.matches(a6000), what + " vs 6000");
            }
        }
    }

    @Test
    void compiledFormClassifiesPatterns() {
        GlobMatcher star = GlobMatcher.compile(b("*"));
        assertTrue(star.isStar());
        assertFalse(star.isLiteral());
        assertArrayEquals(new byte[0], star.literalPrefix());
        assertTrue(star.matches(b("anything")));
        assertFalse(star.matches(new byte[0])); // stringmatchlen("*", "") is 0; KEYS special-cases "*"

        GlobMatcher stars = GlobMatcher.compile(b("***"));
        assertFalse(stars.isStar());
        assertTrue(stars.matches(b("x")));
        assertFalse(stars.matches(new byte[0]));

        GlobMatcher literal = GlobMatcher.compile(b("user:1000"));
        assertTrue(literal.isLiteral());
        assertArrayEquals(b("user:1000"), literal.literalPrefix());
        assertTrue(literal.matches(b("user:1000")));
        assertFalse(literal.matches(b("user:10000")));
        assertFalse(literal.matches(b("user:100")));

        GlobMatcher escaped = GlobMatcher.compile(b("a\\*b\\?\\[c"));
        assertTrue(escaped.isLiteral());
        assertArrayEquals(b("a*b?[c"), escaped.literalPrefix());
        assertTrue(escaped.matches(b("a*b?[c")));
        assertFalse(escaped.matches(b("axb?[c")));

        GlobMatcher trailingBackslash = GlobMatcher.compile(b("ab\\"));
        assertTrue(trailingBackslash.isLiteral());
        assertArrayEquals(b("ab\\"), trailingBackslash.literalPrefix());
        assertTrue(trailingBackslash.matches(b("ab\\")));

        GlobMatcher prefixed = GlobMatcher.compile(b("user:*:name"));
        assertFalse(prefixed.isLiteral());
        assertArrayEquals(b("user:"), prefixed.literalPrefix());
        assertTrue(prefixed.matches(b("user:42:name")));
        assertTrue(prefixed.matches(b("user::name")));
        assertFalse(prefixed.matches(b("user:")));
        assertFalse(prefixed.matches(b("users:1:name")));

        GlobMatcher prefixStar = GlobMatcher.compile(b("ab**"));
        assertArrayEquals(b("ab"), prefixStar.literalPrefix());
        assertTrue(prefixStar.matches(b("ab"))); // trailing stars match the empty rest
        assertTrue(prefixStar.matches(b("abc")));
        assertFalse(prefixStar.matches(b("a")));

        GlobMatcher prefixQuestion = GlobMatcher.compile(b("ab?"));
        assertArrayEquals(b("ab"), prefixQuestion.literalPrefix());
        assertFalse(prefixQuestion.matches(b("ab")));
        assertTrue(prefixQuestion.matches(b("abc")));

        assertArrayEquals(new byte[0], GlobMatcher.compile(b("[ab]c")).literalPrefix());
        assertArrayEquals(b("x"), GlobMatcher.compile(b("x[ab]c")).literalPrefix());

        GlobMatcher nocase = GlobMatcher.compile(b("User:*"), true);
        assertTrue(nocase.nocase());
        assertArrayEquals(b("User:"), nocase.literalPrefix());
        assertTrue(nocase.matches(b("USER:1")));
        assertTrue(nocase.matches(b("user:1")));
        assertFalse(GlobMatcher.compile(b("User:*")).matches(b("user:1")));
        assertTrue(GlobMatcher.compile(b("HeLLo"), true).matches(b("hello")));

        GlobMatcher empty = GlobMatcher.compile(new byte[0]);
        assertTrue(empty.isLiteral());
        assertTrue(empty.matches(new byte[0]));
        assertFalse(empty.matches(b("a")));
    }

    @Test
    void compiledFormCopiesItsInputAndChecksBounds() {
        byte[] p = b("a*");
        GlobMatcher m = GlobMatcher.compile(p);
        p[0] = 'b';
        assertTrue(m.matches(b("abc")));
        assertArrayEquals(b("a*"), m.pattern());
        byte[] s = b("xxabcxx");
        assertTrue(m.matches(s, 2, 3));
        assertFalse(m.matches(s, 1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matches(s, 5, 3));
        assertThrows(IndexOutOfBoundsException.class,
                () -> GlobMatcher.matches(b("a"), 0, 2, s, 0, 1, false));
        assertThrows(NullPointerException.class, () -> GlobMatcher.compile(null));
    }
}
