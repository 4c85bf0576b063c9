package io.respkv.server.util;

import java.util.Arrays;
import java.util.Objects;

/**
 * Redis glob-style pattern matching, byte for byte the semantics of {@code stringmatchlen} in
 * Redis 7.0.15's {@code src/util.c}, including the recursion-depth limit of CVE-2024-31228
 * (a {@code *} nested more than 1000 deep never matches). That limit is in Debian's 7.0.15 and
 * in Redis 6.2.16, 7.2.6 and later, but not in the upstream 7.0.15 tarball (nor in the
 * embedded-redis binary built from it), which recurses without bound instead.
 *
 * <p>Syntax: {@code *} any run of bytes, {@code ?} any one byte, {@code [abc]} a class,
 * {@code [^abc]} a negated class, {@code [a-z]} a range (reversed ranges {@code [z-a]} work too),
 * {@code \x} the literal byte {@code x} (inside and outside classes). An unterminated class
 * {@code [abc} behaves as if closed at the end of the pattern. Case folding ({@code nocase}) is
 * glibc's {@code tolower} in the "C" locale. Bytes are compared as C {@code char}, which is
 * signed on x86-64 and so in Redis, so a range such as {@code [a-\xff]} is the signed range
 * {@code -1..'a'}, exactly as in Redis.
 *
 * <p>Quirks kept on purpose because Redis has them: {@code "*"} does <em>not</em> match the empty
 * subject (KEYS and SCAN special-case the exact pattern {@code "*"}, see {@link #isStar()});
 * the empty pattern matches only the empty subject.
 *
 * <p>Two ways to use it: the static {@link #matches(byte[], byte[], boolean)} for one-off
 * matches, or {@link #compile(byte[])} once per command for many subjects (KEYS, SCAN MATCH,
 * PSUBSCRIBE). Neither allocates per match. Instances are immutable and thread-safe.
 */
public final class GlobMatcher {

    /** Redis' protection against abusive patterns: a '*' deeper than this never matches. */
    static final int MAX_NESTING = 1000;

    // impl() results. ABORT is Redis' "skipLongerMatches": once some '*' has tried every start
    // position in vain, no caller further up can succeed either, so everything unwinds.
    private static final int NO_MATCH = 0;
    private static final int MATCH = 1;
    private static final int ABORT = -1;

    private enum Kind { STAR, LITERAL, GENERAL }

    private final byte[] pattern;
    private final boolean nocase;
    private final Kind kind;
    /** The unescaped bytes every matching subject starts with. */
    private final byte[] prefix;
    /** Index in {@link #pattern} where the part after {@link #prefix} starts. */
    private final int restStart;
    /** True when the pattern after the prefix is only '*' bytes (possibly none). */
    private final boolean restAllStars;

    private GlobMatcher(byte[] pattern, boolean nocase) {
        this.pattern = pattern;
        this.nocase = nocase;
        int n = pattern.length;
        byte[] lit = new byte[n];
        int litLen = 0;
        int i = 0;
        // Walk the literal prefix with stringmatchlen's own tokenization: "\x" is x when at
        // least two bytes remain, a lone trailing '\' is itself; '*', '?' and '[' end it.
        while (i < n) {
            byte c = pattern[i];
            if (c == '*' || c == '?' || c == '[') {
                break;
            }
            if (c == '\\' && n - i >= 2) {
                i++;
                c = pattern[i];
            }
            lit[litLen++] = c;
            i++;
        }
        this.prefix = Arrays.copyOf(lit, litLen);
        this.restStart = i;
        boolean allStars = true;
        for (int j = i; j < n; j++) {
            if (pattern[j] != '*') {
                allStars = false;
                break;
            }
        }
        this.restAllStars = allStars;
        if (n > 0 && i == 0 && allStars) {
            kind = Kind.STAR; // only '*' bytes: every non-empty subject
        } else if (i == n) {
            kind = Kind.LITERAL;
        } else {
            kind = Kind.GENERAL;
        }
    }

    /** Compiles a case-sensitive pattern (the mode of KEYS, SCAN, PSUBSCRIBE). */
    public static GlobMatcher compile(byte[] pattern) {
        return compile(pattern, false);
    }

    /** Compiles a pattern; {@code nocase} folds ASCII letters as Redis' nocase flag does. */
    public static GlobMatcher compile(byte[] pattern, boolean nocase) {
        Objects.requireNonNull(pattern, "pattern");
        return new GlobMatcher(pattern.clone(), nocase);
    }

    /** Compiles {@code pattern[off, off+len)}. */
    public static GlobMatcher compile(byte[] pattern, int off, int len, boolean nocase) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.checkFromIndexSize(off, len, pattern.length);
        return new GlobMatcher(Arrays.copyOfRange(pattern, off, off + len), nocase);
    }

    /** Whether the whole subject matches this pattern; same result as {@code stringmatchlen}. */
    public boolean matches(byte[] subject) {
        return matches(subject, 0, subject.length);
    }

    /** Whether {@code subject[off, off+len)} matches this pattern. */
    public boolean matches(byte[] subject, int off, int len) {
        Objects.checkFromIndexSize(off, len, subject.length);
        switch (kind) {
            case STAR:
                return len > 0;
            case LITERAL:
                return len == prefix.length && regionEquals(subject, off, prefix, nocase);
            default:
                int pl = prefix.length;
                if (len < pl || !regionEquals(subject, off, prefix, nocase)) {
                    return false;
                }
                if (len == pl) {
                    // stringmatchlen: when the subject runs out it skips trailing '*'s and
                    // matches iff nothing else is left of the pattern.
                    return restAllStars;
                }
                return impl(pattern, pattern.length, restStart, pattern.length - restStart,
                        subject, off + pl, len - pl, nocase, 0) == MATCH;
        }
    }

    /**
     * True iff the pattern is exactly {@code "*"}. Redis' KEYS and SCAN skip matching for that
     * pattern, so there (and only there) it also returns the empty key; {@link #matches} follows
     * {@code stringmatchlen}, for which {@code "*"} does not match an empty subject.
     */
    public boolean isStar() {
        return pattern.length == 1 && pattern[0] == '*';
    }

    /** True iff the pattern has no wildcard or class, i.e. it matches one subject only
     * (or, with nocase, its ASCII case variants). */
    public boolean isLiteral() {
        return kind == Kind.LITERAL;
    }

    /**
     * The unescaped bytes that every matching subject starts with (compared ASCII
     * case-insensitively when the matcher is nocase). KEYS and SCAN on an ordered keyspace can
     * bound their range scan to keys with this prefix. Empty when the pattern starts with a
     * wildcard. For a literal pattern it is the whole subject. Returns a copy.
     */
    public byte[] literalPrefix() {
        return prefix.clone();
    }

    /** Whether this matcher folds ASCII case. */
    public boolean nocase() {
        return nocase;
    }

    /** The pattern bytes (a copy). */
    public byte[] pattern() {
        return pattern.clone();
    }

    /** {@code stringmatchlen(pattern, subject, nocase)}. */
    public static boolean matches(byte[] pattern, byte[] subject, boolean nocase) {
        return matches(pattern, 0, pattern.length, subject, 0, subject.length, nocase);
    }

    /** {@code stringmatchlen} over {@code pattern[pOff, pOff+pLen)} and {@code subject[sOff, sOff+sLen)}. */
    public static boolean matches(byte[] pattern, int pOff, int pLen,
                                  byte[] subject, int sOff, int sLen, boolean nocase) {
        Objects.checkFromIndexSize(pOff, pLen, pattern.length);
        Objects.checkFromIndexSize(sOff, sLen, subject.length);
        // The C code sometimes reads the byte just past the pattern, which in Redis is always
        // the sds NUL terminator; impl() gets the slice's end so such reads see 0 rather than
        // the caller's neighbouring bytes.
        return impl(pattern, pOff + pLen, pOff, pLen, subject, sOff, sLen, nocase, 0) == MATCH;
    }

    private static int at(byte[] p, int end, int i) {
        return i < end ? p[i] : 0;
    }

    /** A line-by-line port of stringmatchlen_impl; pi/pLen and si/sLen mirror the C
     * pointer/length pairs so the control flow can be checked against the original. */
    private static int impl(byte[] p, int end, int pi, int pLen, byte[] s, int si, int sLen,
                            boolean nocase, int nesting) {
        if (nesting > MAX_NESTING) {
            return NO_MATCH;
        }
        while (pLen != 0 && sLen != 0) {
            switch (at(p, end, pi)) {
                case '*': {
                    while (pLen != 0 && at(p, end, pi + 1) == '*') {
                        pi++;
                        pLen--;
                    }
                    if (pLen == 1) {
                        return MATCH;
                    }
                    while (sLen != 0) {
                        int r = impl(p, end, pi + 1, pLen - 1, s, si, sLen, nocase, nesting + 1);
                        if (r == MATCH) {
                            return MATCH;
                        }
                        if (r == ABORT) {
                            return ABORT;
                        }
                        si++;
                        sLen--;
                    }
                    return ABORT;
                }
                case '?':
                    si++;
                    sLen--;
                    break;
                case '[': {
                    pi++;
                    pLen--;
                    boolean not = at(p, end, pi) == '^';
                    if (not) {
                        pi++;
                        pLen--;
                    }
                    boolean match = false;
                    int sc = s[si];
                    while (true) {
                        int pc = at(p, end, pi);
                        if (pc == '\\' && pLen >= 2) {
                            pi++;
                            pLen--;
                            if (at(p, end, pi) == sc) {
                                match = true;
                            }
                        } else if (pc == ']') {
                            break;
                        } else if (pLen == 0) {
                            pi--;
                            pLen++;
                            break;
                        } else if (pLen >= 3 && at(p, end, pi + 1) == '-') {
                            int start = pc;
                            int stop = at(p, end, pi + 2);
                            int c = sc;
                            if (start > stop) {
                                int t = start;
                                start = stop;
                                stop = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                stop = lower(stop);
                                c = lower(c);
                            }
                            pi += 2;
                            pLen -= 2;
                            if (c >= start && c <= stop) {
                                match = true;
                            }
                        } else if (!nocase) {
                            if (pc == sc) {
                                match = true;
                            }
                        } else if (lower(pc) == lower(sc)) {
                            match = true;
                        }
                        pi++;
                        pLen--;
                    }
                    if (not) {
                        match = !match;
                    }
                    if (!match) {
                        return NO_MATCH;
                    }
                    si++;
                    sLen--;
                    break;
                }
                default: {
                    // case '\\' falls through to default in C: an escape takes the next byte
                    // literally, unless it is the pattern's last byte.
                    if (at(p, end, pi) == '\\' && pLen >= 2) {
                        pi++;
                        pLen--;
                    }
                    int pc = at(p, end, pi);
                    int sc = s[si];
                    if (!nocase ? pc != sc : lower(pc) != lower(sc)) {
                        return NO_MATCH;
                    }
                    si++;
                    sLen--;
                    break;
                }
            }
            pi++;
            pLen--;
            if (sLen == 0) {
                while (at(p, end, pi) == '*') {
                    pi++;
                    pLen--;
                }
                break;
            }
        }
        return pLen == 0 && sLen == 0 ? MATCH : NO_MATCH;
    }

    /**
     * glibc's {@code tolower} in the "C" locale applied to a signed char value, as Redis calls
     * it: ASCII letters fold, and glibc's table maps the negative values -128..-2 to 128..254
     * (only -1, which is EOF, maps to itself). This matters only for nocase ranges with bytes
     * 0x80 and above; musl builds of Redis (the static embedded-redis binaries) keep those
     * negative instead.
     */
    private static int lower(int c) {
        if (c >= 'A' && c <= 'Z') {
            return c + ('a' - 'A');
        }
        return c < -1 ? c + 256 : c;
    }

    private static boolean regionEquals(byte[] s, int off, byte[] lit, boolean nocase) {
        if (!nocase) {
            return Arrays.equals(s, off, off + lit.length, lit, 0, lit.length);
        }
        for (int i = 0; i < lit.length; i++) {
            if (lower(s[off + i]) != lower(lit[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GlobMatcher[");
        for (byte b : pattern) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append(nocase ? ", nocase]" : "]").toString();
    }
}
