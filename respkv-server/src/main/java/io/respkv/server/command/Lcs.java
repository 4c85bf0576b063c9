package io.respkv.server.command;

import java.util.Arrays;

/**
 * The longest common subsequence of two byte strings, found exactly as Redis 7.0's
 * {@code lcsCommand} finds it, so that the subsequence and the match ranges it reports are the
 * same ones (among several equally long subsequences, Redis's backtracking picks one in
 * particular).
 *
 * <p>Redis fills an {@code (alen+1) x (blen+1)} table of 32-bit lengths and walks it back from the
 * end: on equal bytes it takes the byte and moves diagonally, otherwise it moves up if
 * {@code LCS(i-1,j) > LCS(i,j-1)} and left if not. Only that one comparison per mismatching cell
 * matters to the walk, so this class keeps two rows of lengths and one bit per cell (the
 * direction), 1/32 of Redis's memory for the same result.
 *
 * <p>Ranges are reported from the end of the strings backwards, as Redis emits them, and only
 * those at least {@code minMatchLen} long (0: all).
 */
final class Lcs {

    private final int length;
    private final byte[] subsequence;
    /** Per range: aStart, aEnd, bStart, bEnd. */
    private final int[] ranges;
    private final int rangeCount;

    private Lcs(int length, byte[] subsequence, int[] ranges, int rangeCount) {
        this.length = length;
        this.subsequence = subsequence;
        this.ranges = ranges;
        this.rangeCount = rangeCount;
    }

    /**
     * Computes the LCS of {@code a} and {@code b}: its length always, and the subsequence and
     * match ranges if {@code walk} (Redis's {@code computelcs}: IDX, or neither LEN nor IDX).
     */
    static Lcs compute(byte[] a, byte[] b, boolean walk, long minMatchLen) {
        int alen = a.length;
        int blen = b.length;
        int[] prev = new int[blen + 1];
        int[] cur = new int[blen + 1];
        long[] up = walk ? new long[(int) (((long) alen * blen + 63) >>> 6)] : null;
        for (int i = 1; i <= alen; i++) {
            byte ai = a[i - 1];
            long rowBase = (long) (i - 1) * blen;
            cur[0] = 0;
            for (int j = 1; j <= blen; j++) {
                if (ai == b[j - 1]) {
                    cur[j] = prev[j - 1] + 1;
                } else {
                    int lcs1 = prev[j];
                    int lcs2 = cur[j - 1];
                    if (lcs1 > lcs2) {
                        cur[j] = lcs1;
                        if (up != null) {
                            long bit = rowBase + j - 1;
                            up[(int) (bit >>> 6)] |= 1L << bit;
                        }
                    } else {
                        cur[j] = lcs2;
                    }
                }
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        int length = prev[blen];
        if (!walk) {
            return new Lcs(length, null, null, 0);
        }

        byte[] result = new byte[length];
        int[] ranges = new int[16];
        int count = 0;
        int idx = length;
        // alen means "no range open", as in Redis.
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
                long bit = (long) (i - 1) * blen + j - 1;
                if ((up[(int) (bit >>> 6)] & (1L << bit)) != 0) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                long matchLen = (long) aEnd - aStart + 1;
                if (minMatchLen == 0 || matchLen >= minMatchLen) {
                    if (4 * count + 4 > ranges.length) {
                        ranges = Arrays.copyOf(ranges, ranges.length * 2);
                    }
                    ranges[4 * count] = aStart;
                    ranges[4 * count + 1] = aEnd;
                    ranges[4 * count + 2] = bStart;
                    ranges[4 * count + 3] = bEnd;
                    count++;
                }
                aStart = alen;
            }
        }
        return new Lcs(length, result, ranges, count);
    }

    /** The length of the longest common subsequence. */
    int length() {
        return length;
    }

    /** The subsequence (only when computed with {@code walk}). */
    byte[] subsequence() {
        return subsequence;
    }

    /** The number of match ranges reported. */
    int rangeCount() {
        return rangeCount;
    }

    int aStart(int r) {
        return ranges[4 * r];
    }

    int aEnd(int r) {
        return ranges[4 * r + 1];
    }

    int bStart(int r) {
        return ranges[4 * r + 2];
    }

    int bEnd(int r) {
        return ranges[4 * r + 3];
    }
}
