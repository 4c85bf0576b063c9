package io.respkv.server.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link GlobMatcher} (Jazzer): for any pattern and subject it
 * throws nothing, answers within a time bound (no exponential backtracking), the compiled
 * matcher agrees with the static one, and for short inputs both agree with
 * {@link ReferenceGlob}, a separate implementation of stringmatchlen's semantics (pattern cut
 * into tokens once, then a dynamic-programming match). Seeds:
 * {@code src/test/resources/io/respkv/server/util/GlobMatcherFuzzTestInputs/match/}.
 */
class GlobMatcherFuzzTest {

    /** A match of inputs of at most a few KB must take far less than this, even on a loaded machine. */
    private static final long MAX_NANOS = 2_000_000_000L;

    @FuzzTest(maxDuration = "5s")
    void match(FuzzedDataProvider data) {
        boolean nocase = data.consumeBoolean();
        byte[] pattern = data.consumeBytes(data.consumeInt(0, 2048));
        byte[] subject = data.consumeRemainingAsBytes();
        long start = System.nanoTime();
        boolean fast = GlobMatcher.matches(pattern, subject, nocase);
        boolean compiled = GlobMatcher.compile(pattern, nocase).matches(subject);
        long took = System.nanoTime() - start;
        assertTrue(took < MAX_NANOS, "matching took " + took / 1_000_000 + " ms");
        assertEquals(fast, compiled, "compiled and static matchers disagree");
        if (pattern.length <= 40 && subject.length <= 40 && stars(pattern) < GlobMatcher.MAX_NESTING) {
            assertEquals(ReferenceGlob.matches(pattern, subject, nocase), fast, "differs from the reference");
        }
    }

    private static int stars(byte[] p) {
        int n = 0;
        for (byte b : p) {
            n += b == '*' ? 1 : 0;
        }
        return n;
    }

    /**
     * stringmatchlen's semantics written differently: the pattern is cut into tokens (any run,
     * any byte, a class, a literal) with the same tokenization rules (escapes, ranges, an
     * unterminated class closed at the end, signed bytes), then matched by dynamic programming.
     * An empty subject matches only the empty pattern (Redis's loop never runs then).
     */
    static final class ReferenceGlob {

        private record Token(int kind, boolean[] set, int literal) {
        }

        private static final int STAR = 0;
        private static final int ANY = 1;
        private static final int SET = 2;
        private static final int LITERAL = 3;

        static boolean matches(byte[] p, byte[] s, boolean nocase) {
            if (s.length == 0) {
                return p.length == 0;
            }
            List<Token> t = tokens(p, nocase);
            int k = t.size();
            int m = s.length;
            boolean[][] dp = new boolean[k + 1][m + 1];
            dp[k][m] = true;
            for (int i = k - 1; i >= 0; i--) {
                dp[i][m] = t.get(i).kind == STAR && dp[i + 1][m];
                for (int j = m - 1; j >= 0; j--) {
                    Token tok = t.get(i);
                    dp[i][j] = switch (tok.kind) {
                        case STAR -> dp[i + 1][j] || dp[i][j + 1];
                        case ANY -> dp[i + 1][j + 1];
                        case SET -> tok.set[s[j] & 0xff] && dp[i + 1][j + 1];
                        default -> equal(tok.literal, s[j], nocase) && dp[i + 1][j + 1];
                    };
                }
            }
            return dp[0][0];
        }

        private static boolean equal(int pc, byte sc, boolean nocase) {
            return nocase ? lower(pc) == lower(sc) : pc == sc;
        }

        private static List<Token> tokens(byte[] p, boolean nocase) {
            List<Token> out = new ArrayList<>();
            int n = p.length;
            int i = 0;
            while (i < n) {
                byte c = p[i];
                if (c == '*') {
                    out.add(new Token(STAR, null, 0));
                    i++;
                } else if (c == '?') {
                    out.add(new Token(ANY, null, 0));
                    i++;
                } else if (c == '[') {
                    i++;
                    boolean not = i < n && p[i] == '^';
                    if (not) {
                        i++;
                    }
                    boolean[] set = new boolean[256];
                    while (i < n && p[i] != ']') {
                        if (p[i] == '\\' && i + 1 < n) {
                            set[p[i + 1] & 0xff] = true; // escaped: compared exactly, even nocase
                            i += 2;
                        } else if (i + 2 < n && p[i + 1] == '-') {
                            int lo = Math.min(p[i], p[i + 2]);
                            int hi = Math.max(p[i], p[i + 2]);
                            for (int b = -128; b < 128; b++) {
                                int v = nocase ? lower(b) : b;
                                int l = nocase ? lower(lo) : lo;
                                int h = nocase ? lower(hi) : hi;
                                if (v >= l && v <= h) {
                                    set[b & 0xff] = true;
                                }
                            }
                            i += 3;
                        } else {
                            for (int b = -128; b < 128; b++) {
                                if (equal(p[i], (byte) b, nocase)) {
                                    set[b & 0xff] = true;
                                }
                            }
                            i++;
                        }
                    }
                    i++; // the ']' (or past the end of an unterminated class)
                    if (not) {
                        for (int b = 0; b < 256; b++) {
                            set[b] = !set[b];
                        }
                    }
                    out.add(new Token(SET, set, 0));
                } else {
                    if (c == '\\' && i + 1 < n) {
                        i++;
                        c = p[i];
                    }
                    out.add(new Token(LITERAL, null, c));
                    i++;
                }
            }
            return out;
        }

        /** glibc's tolower on a signed char, as GlobMatcher documents it. */
        private static int lower(int c) {
            if (c >= 'A' && c <= 'Z') {
                return c + ('a' - 'A');
            }
            return c < -1 ? c + 256 : c;
        }

        private ReferenceGlob() {
        }
    }

    @org.junit.jupiter.api.Test
    void referenceAgreesOnKnownCases() {
        String[][] cases = {{"*", "", "0"}, {"*", "a", "1"}, {"", "", "1"}, {"a*", "a", "1"}, {"h?llo", "hello", "1"},
                {"h[ae]llo", "hallo", "1"}, {"h[^e]llo", "hello", "0"}, {"h[a-b]llo", "hbllo", "1"},
                {"[z-a]", "m", "1"}, {"[abc", "b", "1"}, {"\\*", "*", "1"}, {"a\\", "a\\", "1"}, {"[^", "x", "1"},
                {"[", "x", "0"}, {"*a*", "a", "1"}};
        for (String[] c : cases) {
            byte[] p = c[0].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] s = c[1].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            boolean want = c[2].equals("1");
            assertEquals(want, ReferenceGlob.matches(p, s, false), Arrays.toString(c));
            assertEquals(want, GlobMatcher.matches(p, s, false), Arrays.toString(c));
        }
    }
}
