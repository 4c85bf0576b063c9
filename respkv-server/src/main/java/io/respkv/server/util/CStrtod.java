package io.respkv.server.util;

/**
 * C's {@code strtod} applied to a Redis argument as a C string, requiring the whole string to be
 * consumed: the number parsing of Redis 7.0's {@code zslParseRange} (ZRANGEBYSCORE, ZCOUNT,
 * ZREMRANGEBYSCORE... min and max), which calls {@code strtod(arg, &end)} and accepts when
 * {@code *end == '\0'} and the value is not NaN.
 *
 * <p>That is looser than {@code string2d} ({@link RedisNumbers#tryParseDouble}): the argument
 * ends at its first NUL byte; the empty string is 0 (no conversion leaves {@code end} at the
 * terminator); leading whitespace is skipped; a value too large is {@code ±inf} and one too small
 * is {@code ±0} (C's {@code HUGE_VAL} and zero, with {@code ERANGE} that nobody checks).
 */
public final class CStrtod {

    private CStrtod() {
    }

    /**
     * Parses {@code b} as described above. On success stores the value in {@code out[0]} and
     * returns true; returns false where Redis replies "min or max is not a float".
     */
    public static boolean parseWhole(byte[] b, double[] out) {
        int len = 0;
        while (len < b.length && b[len] != 0) {
            len++;
        }
        if (len == 0) {
            out[0] = 0.0;
            return true;
        }
        int i = 0;
        while (i < len && isSpace(b[i])) {
            i++;
        }
        if (i == len) {
            return false; // only whitespace: no conversion, end stays at the first space
        }
        if (RedisNumbers.tryParseDouble(b, i, len - i, out)) {
            return true;
        }
        StrtodParser p = new StrtodParser();
        switch (p.parse(b, i, len - i, StrtodParser.BINARY64)) {
            case StrtodParser.OVERFLOW:
                out[0] = p.negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                return true;
            case StrtodParser.UNDERFLOW:
                out[0] = p.negative ? -0.0 : 0.0;
                return true;
            default:
                return false;
        }
    }

    /** C's {@code isspace} in the "C" locale. */
    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
