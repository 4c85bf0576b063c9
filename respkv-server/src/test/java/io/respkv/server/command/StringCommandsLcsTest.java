package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Lcs}: the subsequence and ranges Redis 7.0 reports, including which of several equally
 * long subsequences its backtracking picks.
 */
class StringCommandsLcsTest {

    @Test
    void redisDocumentationExample() {
        Lcs l = Lcs.compute(b("ohmytext"), b("mynewtext"), true, 0);
        assertEquals(6, l.length());
        assertArrayEquals(b("mytext"), l.subsequence());
        assertEquals(List.of(List.of(4, 7, 5, 8), List.of(2, 3, 0, 1)), ranges(l));
    }

    @Test
    void minMatchLenFiltersShortRanges() {
        Lcs l = Lcs.compute(b("ohmytext"), b("mynewtext"), true, 4);
        assertEquals(6, l.length());
        assertEquals(List.of(List.of(4, 7, 5, 8)), ranges(l));
    }

    @Test
    void lengthOnlySkipsTheWalk() {
        Lcs l = Lcs.compute(b("ohmytext"), b("mynewtext"), false, 0);
        assertEquals(6, l.length());
        assertNull(l.subsequence());
        assertEquals(0, l.rangeCount());
    }

    @Test
    void emptyInputs() {
        assertEquals(0, Lcs.compute(new byte[0], b("abc"), true, 0).length());
        assertArrayEquals(new byte[0], Lcs.compute(b("abc"), new byte[0], true, 0).subsequence());
        assertEquals(0, Lcs.compute(new byte[0], new byte[0], true, 0).rangeCount());
    }

    @Test
    void tiesAreBrokenLikeRedis() {
        // "ab" vs "ba": "a" and "b" are both longest; Redis steps back in the second string on
        // ties, so it answers "b" (and "a" the other way round), as redis-server 7.0.15 does.
        assertArrayEquals(b("b"), Lcs.compute(b("ab"), b("ba"), true, 0).subsequence());
        assertArrayEquals(b("a"), Lcs.compute(b("ba"), b("ab"), true, 0).subsequence());
    }

    @Test
    void matchesTheFullTableAlgorithmOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 400; round++) {
            byte[] a = randomBytes(random, random.nextInt(0, 40), 1 + round % 4);
            byte[] c = randomBytes(random, random.nextInt(0, 40), 1 + round % 4);
            long min = random.nextInt(0, 4);
            Lcs actual = Lcs.compute(a, c, true, min);
            Reference expected = Reference.compute(a, c, min);
            assertEquals(expected.length, actual.length(), "length, round " + round);
            assertArrayEquals(expected.result, actual.subsequence(), "subsequence, round " + round);
            assertEquals(expected.ranges, ranges(actual), "ranges, round " + round);
        }
    }

    private static byte[] randomBytes(SplittableRandom random, int n, int alphabet) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ('a' + random.nextInt(alphabet));
        }
        return out;
    }

    private static List<List<Integer>> ranges(Lcs l) {
        List<List<Integer>> out = new ArrayList<>();
        for (int r = 0; r < l.rangeCount(); r++) {
            out.add(List.of(l.aStart(r), l.aEnd(r), l.bStart(r), l.bEnd(r)));
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Redis 7.0's lcsCommand with its full (alen+1) x (blen+1) table, for comparison. */
    private record Reference(int length, byte[] result, List<List<Integer>> ranges) {
        static Reference compute(byte[] a, byte[] b, long minMatchLen) {
            int alen = a.length;
            int blen = b.length;
            int[][] lcs = new int[alen + 1][blen + 1];
            for (int i = 1; i <= alen; i++) {
                for (int j = 1; j <= blen; j++) {
                    lcs[i][j] = a[i - 1] == b[j - 1] ? lcs[i - 1][j - 1] + 1 : Math.max(lcs[i - 1][j], lcs[i][j - 1]);
                }
            }
            int idx = lcs[alen][blen];
            byte[] result = new byte[idx];
            List<List<Integer>> ranges = new ArrayList<>();
            int aStart = alen;
            int aEnd = 0;
            int bStart = 0;
            int bEnd = 0;
            int i = alen;
            int j = blen;
            while (i > 0 && j > 0) {
                boolean emit = false;
                if (a[i - 1] == b[j - 1]) {
                    result[idx - 1] = a[i - 1];
                    if (aStart == alen) {
                        aStart = i - 1;
                        aEnd = i - 1;
                        bStart = j - 1;
                        bEnd = j - 1;
                    } else if (aStart == i && bStart == j) {
                        aStart--;
                        bStart--;
                    } else {
                        emit = true;
                    }
                    if (aStart == 0 || bStart == 0) {
                        emit = true;
                    }
                    idx--;
                    i--;
                    j--;
                } else {
                    if (lcs[i - 1][j] > lcs[i][j - 1]) {
                        i--;
                    } else {
                        j--;
                    }
                    if (aStart != alen) {
                        emit = true;
                    }
                }
                if (emit) {
                    int matchLen = aEnd - aStart + 1;
                    if (minMatchLen == 0 || matchLen >= minMatchLen) {
                        ranges.add(List.of(aStart, aEnd, bStart, bEnd));
                    }
                    aStart = alen;
                }
            }
            return new Reference(lcs[alen][blen], result, ranges);
        }
    }
}
