package io.respkv.server.util;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Number parsing and formatting with Redis 7.0.15's exact rules, on bytes.
 *
 * <ul>
 *   <li>Integers: {@code string2ll} (util.c), used by every command that takes an integer
 *       argument or reads an integer value: optional {@code -}, no {@code +}, no leading zeros
 *       (except "0" itself), no spaces, at most 20 bytes, 64-bit signed range.</li>
 *   <li>Doubles: {@code string2d} (util.c), used by {@code getDoubleFromObject} (object.c):
 *       C {@code strtod} over the whole argument, so decimal and hexadecimal ({@code 0x1p3})
 *       floats and {@code inf}/{@code infinity} with a sign are accepted; "nan", any
 *       whitespace, trailing bytes, overflow to infinity and underflow to zero are rejected.
 *       Long doubles ({@code string2ld}, INCRBYFLOAT) are in {@link LongDouble}.</li>
 *   <li>Formatting: {@code ll2string} for integers, {@code "%.17g"} for doubles (the format of
 *       {@code addReplyDouble}).</li>
 * </ul>
 *
 * <p>The non-throwing parsers return {@code boolean} and write the value into a one-element
 * array supplied by the caller: every {@code long} is a valid result, so no sentinel value can
 * signal failure, and a caller-owned {@code long[1]} (kept per connection or per command) lets
 * the hot path parse without allocating or throwing. The throwing variants are for cold paths.
 */
public final class RedisNumbers {

    /** Redis' LONG_STR_SIZE: strings of this length or longer are never integers. */
    public static final int LONG_STR_SIZE = 21;

    /** Largest double-precision power of ten that is exact: 10^22. */
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

    private static final byte[] INF = {'i', 'n', 'f'};
    private static final byte[] NEG_INF = {'-', 'i', 'n', 'f'};

    private RedisNumbers() {
    }

    // ---------------------------------------------------------------- integers

    /**
     * Parses {@code b[off, off+len)} with Redis' {@code string2ll} rules. On success stores the
     * value in {@code out[0]} (when {@code out} is not null) and returns true; otherwise returns
     * false and leaves {@code out} untouched.
     */
    public static boolean tryParseLong(byte[] b, int off, int len, long[] out) {
        if (len == 0 || len >= LONG_STR_SIZE) {
            return false;
        }
        int i = off;
        int end = off + len;
        if (len == 1 && b[i] == '0') {
            if (out != null) {
                out[0] = 0;
            }
            return true;
        }
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
            if (i == end) {
                return false;
            }
        }
        int d = b[i] - '0';
        if (d < 1 || d > 9) {
            return false;
        }
        // Accumulate as a negative number: its range reaches Long.MIN_VALUE.
        long v = -d;
        for (i++; i < end; i++) {
            d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (v < Long.MIN_VALUE / 10) {
                return false;
            }
            v *= 10;
            if (v < Long.MIN_VALUE + d) {
                return false;
            }
            v -= d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return false;
            }
            v = -v;
        }
        if (out != null) {
            out[0] = v;
        }
        return true;
    }

    /** {@link #tryParseLong(byte[], int, int, long[])} over a whole array. */
    public static boolean tryParseLong(byte[] b, long[] out) {
        return tryParseLong(b, 0, b.length, out);
    }

    /** Whether {@code b[off, off+len)} is an integer by {@code string2ll} rules. */
    public static boolean isLong(byte[] b, int off, int len) {
        return tryParseLong(b, off, len, null);
    }

    /**
     * Parses {@code b[off, off+len)} with {@code string2ll} rules.
     *
     * @throws NumberFormatException if it is not a valid 64-bit integer by those rules
     */
    public static long parseLong(byte[] b, int off, int len) {
        long[] out = new long[1];
        if (!tryParseLong(b, off, len, out)) {
            throw new NumberFormatException("not a Redis integer");
        }
        return out[0];
    }

    /** {@link #parseLong(byte[], int, int)} over a whole array. */
    public static long parseLong(byte[] b) {
        return parseLong(b, 0, b.length);
    }

    /** Number of bytes {@code ll2string} writes for {@code v}, sign included. */
    public static int longLength(long v) {
        if (v < 0) {
            return v == Long.MIN_VALUE ? 20 : 1 + digits(-v);
        }
        return digits(v);
    }

    private static int digits(long v) {
        int n = 1;
        long p = 10;
        while (n < 19 && v >= p) {
            n++;
            p *= 10;
        }
        return n;
    }

    /** The decimal bytes of {@code v}, as Redis' {@code ll2string}. */
    public static byte[] formatLong(long v) {
        byte[] out = new byte[longLength(v)];
        appendLong(out, 0, v);
        return out;
    }

    /**
     * Writes the decimal bytes of {@code v} into {@code dst} at {@code off} and returns the
     * offset just past them. {@code dst} needs {@link #longLength(long)} bytes of room.
     *
     * @throws IndexOutOfBoundsException if it does not fit
     */
    public static int appendLong(byte[] dst, int off, long v) {
        int n = longLength(v);
        Objects.checkFromIndexSize(off, n, dst.length);
        int pos = off + n;
        // Work on the negative value so Long.MIN_VALUE needs no special case.
        long q = v < 0 ? v : -v;
        do {
            dst[--pos] = (byte) ('0' - (q % 10));
            q /= 10;
        } while (q != 0);
        if (v < 0) {
            dst[--pos] = '-';
        }
        return off + n;
    }

    // ---------------------------------------------------------------- doubles

    /**
     * Parses {@code b[off, off+len)} with Redis' {@code string2d} rules (see the class comment).
     * On success stores the value in {@code out[0]} (when not null) and returns true.
     * Infinity is a success ("inf", "-infinity"); NaN never is.
     */
    public static boolean tryParseDouble(byte[] b, int off, int len, double[] out) {
        Objects.checkFromIndexSize(off, len, b.length);
        // Fast path, no allocation: up to 18 significant digits, decimal exponent within the
        // range where one IEEE multiplication or division rounds correctly (Clinger).
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long mant = 0;
        int sig = 0;
        int exp10 = 0;
        boolean digit = false;
        boolean point = false;
        boolean fast = true;
        for (; i < end; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                digit = true;
                if (sig == 0 && c == '0') {
                    if (point) {
                        exp10--;
                    }
                    continue;
                }
                if (sig == 18) {
                    fast = false;
                    break;
                }
                mant = mant * 10 + (c - '0');
                sig++;
                if (point) {
                    exp10--;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (fast && digit && i < end && (b[i] == 'e' || b[i] == 'E')) {
            int j = i + 1;
            boolean eneg = false;
            if (j < end && (b[j] == '-' || b[j] == '+')) {
                eneg = b[j] == '-';
                j++;
            }
            int e = 0;
            int start = j;
            for (; j < end && j - start < 4; j++) {
                int c = b[j];
                if (c < '0' || c > '9') {
                    break;
                }
                e = e * 10 + (c - '0');
            }
            if (j == start || j < end) {
                fast = false; // malformed, or an exponent of 4+ digits: the general path decides
            } else {
                exp10 += eneg ? -e : e;
                i = end;
            }
        }
        if (fast && digit && i == end) {
            double v;
            if (mant == 0) {
                v = 0.0;
            } else if (mant < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
                v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
            } else {
                return slowParseDouble(b, off, len, out);
            }
            if (out != null) {
                out[0] = negative ? -v : v;
            }
            return true;
        }
        return slowParseDouble(b, off, len, out);
    }

    private static boolean slowParseDouble(byte[] b, int off, int len, double[] out) {
        StrtodParser p = new StrtodParser();
        double v;
        switch (p.parse(b, off, len, StrtodParser.BINARY64)) {
            case StrtodParser.ZERO:
                v = 0.0;
                break;
            case StrtodParser.INFINITE:
                v = Double.POSITIVE_INFINITY;
                break;
            case StrtodParser.FINITE:
                v = toDouble(p.mantissa, p.exponent);
                break;
            default:
                return false;
        }
        if (out != null) {
            out[0] = p.negative ? -v : v;
        }
        return true;
    }

    /** m * 2^e for a 53-bit-or-less m whose product is exactly a double. */
    private static double toDouble(long m, int e) {
        if (m < (1L << 52)) {
            // Subnormal (only ever produced with the minimum exponent).
            return Double.longBitsToDouble(m << (e + 1074));
        }
        long bits = ((long) (e + 1075) << 52) | (m & ((1L << 52) - 1));
        return Double.longBitsToDouble(bits);
    }

    /** {@link #tryParseDouble(byte[], int, int, double[])} over a whole array. */
    public static boolean tryParseDouble(byte[] b, double[] out) {
        return tryParseDouble(b, 0, b.length, out);
    }

    /**
     * Parses with {@code string2d} rules.
     *
     * @throws NumberFormatException if Redis would reject it ("value is not a valid float")
     */
    public static double parseDouble(byte[] b, int off, int len) {
        double[] out = new double[1];
        if (!tryParseDouble(b, off, len, out)) {
            throw new NumberFormatException("not a Redis float");
        }
        return out[0];
    }

    /** {@link #parseDouble(byte[], int, int)} over a whole array. */
    public static double parseDouble(byte[] b) {
        return parseDouble(b, 0, b.length);
    }

    /**
     * {@code d} as C's {@code printf("%.17g")}: the text of Redis' {@code addReplyDouble}
     * (ZSCORE, ZINCRBY...) and, since a double widens exactly, of {@code ld2string}'s
     * {@code LD_STR_AUTO} mode for a double (ZSCAN scores). Infinities are "inf" / "-inf",
     * NaN is "nan" or "-nan" by its sign bit (glibc).
     */
    public static byte[] formatDouble(double d) {
        if (Double.isNaN(d)) {
            return (Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan").getBytes(StandardCharsets.US_ASCII);
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? INF.clone() : NEG_INF.clone();
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            // An integer below 10^17 prints as its digits: %.17g uses fixed notation for
            // exponents below 17 and drops the zero fraction.
            if (d == 0) {
                return 1 / d < 0 ? new byte[] {'-', '0'} : new byte[] {'0'};
            }
            return formatLong((long) d);
        }
        long bits = Double.doubleToRawLongBits(d);
        int biased = (int) ((bits >>> 52) & 0x7ff);
        long significand = bits & ((1L << 52) - 1);
        int e2 = biased == 0 ? -1074 : biased - 1075;
        if (biased != 0) {
            significand |= 1L << 52;
        }
        return DecimalFormatting.formatG17(bits < 0, BigInteger.valueOf(significand), e2);
    }
}
