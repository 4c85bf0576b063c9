package io.respkv.server.util;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Parses a whole byte slice the way C's {@code strtod}/{@code strtold} parse it (glibc and musl
 * agree on all of this in the "C" locale) and rounds the exact value once, to nearest with ties
 * to even, into a binary floating-point format: IEEE binary64 for {@code double}, or x87 80-bit
 * extended for {@code long double}.
 *
 * <p>Grammar accepted (the slice must be consumed entirely, since Redis rejects any leftover):
 * an optional sign, then {@code inf} or {@code infinity} (any case), or a hexadecimal float
 * {@code 0x[hex digits][.hex digits][p[+-]digits]}, or a decimal
 * {@code [digits][.digits][e[+-]digits]}, with at least one mantissa digit. "nan" in any form
 * is rejected because every Redis caller rejects NaN. Whitespace is rejected anywhere.
 *
 * <p>The outcome mirrors what Redis sees from the C library: a finite value, an exact zero, an
 * infinity spelled out, or {@link #OVERFLOW} / {@link #UNDERFLOW} where the C library sets
 * {@code ERANGE} and returns a huge value or zero (Redis rejects both).
 */
final class StrtodParser {

    static final int INVALID = 0;
    /** The input denotes exactly zero ("0", "-0.0e99", "0x0p1"). */
    static final int ZERO = 1;
    static final int FINITE = 2;
    /** "inf" / "infinity" spelled out: no ERANGE, Redis accepts it. */
    static final int INFINITE = 3;
    /** Nonzero value whose rounded magnitude is beyond the format: C returns HUGE_VAL, ERANGE. */
    static final int OVERFLOW = 4;
    /** Nonzero value that rounds to zero: C returns 0 with ERANGE. */
    static final int UNDERFLOW = 5;

    /** A binary floating-point format: value = mantissa * 2^exponent, mantissa < 2^precision. */
    static final class Format {
        final int precision;
        /** Exponent of the least significant bit of the smallest subnormal. */
        final int minExp;
        /** Values of 2^maxBits or more overflow. */
        final int maxBits;
        /** Significant decimal digits kept exactly; more only contribute a sticky digit. Must
         * exceed the digit count of any midpoint between two values of the format. */
        final int maxDigits;
        /** A decimal with leading digit at 10^k, k at least this, surely overflows. */
        final int overflowDecimalExp;
        /** A decimal below 10^k, k at most this, surely rounds to zero. */
        final int underflowDecimalExp;

        Format(int precision, int minExp, int maxBits, int maxDigits, int overflowDecimalExp,
               int underflowDecimalExp) {
            this.precision = precision;
            this.minExp = minExp;
            this.maxBits = maxBits;
            this.maxDigits = maxDigits;
            this.overflowDecimalExp = overflowDecimalExp;
            this.underflowDecimalExp = underflowDecimalExp;
        }
    }

    /** IEEE binary64: DBL_MAX ~ 1.8e308, smallest subnormal 2^-1074 ~ 4.9e-324. */
    static final Format BINARY64 = new Format(53, -1074, 1024, 800, 309, -324);
    /** x87 extended: LDBL_MAX ~ 1.19e4932, smallest subnormal 2^-16445 ~ 3.6e-4951. */
    static final Format X87 = new Format(64, -16445, 16384, 12000, 4933, -4951);

    /** Parsed outcome: status plus, for FINITE, mantissa (unsigned) and exponent. */
    int status;
    boolean negative;
    long mantissa;
    int exponent;

    /** Exponents are clamped here while parsing; anything this large is over/underflow anyway. */
    private static final long EXP_CLAMP = 1_000_000_000L;

    /** Parses {@code b[off, off+len)} for {@code format}; returns {@link #status}. */
    int parse(byte[] b, int off, int len, Format format) {
        status = INVALID;
        negative = false;
        mantissa = 0;
        exponent = 0;
        int i = off;
        int end = off + len;
        if (i == end) {
            return status;
        }
        if (b[i] == '+' || b[i] == '-') {
            negative = b[i] == '-';
            i++;
        }
        if (i == end) {
            return status;
        }
        int c = b[i] | 0x20;
        if (c == 'i') {
            if (equalsIgnoreCase(b, i, end, "inf") || equalsIgnoreCase(b, i, end, "infinity")) {
                status = INFINITE;
            }
            return status;
        }
        if (b[i] == '0' && end - i >= 2 && (b[i + 1] | 0x20) == 'x'
                && (isHex(b, i + 2, end) || (i + 3 < end && b[i + 2] == '.' && isHex(b, i + 3, end)))) {
            return parseHex(b, i + 2, end, format);
        }
        return parseDecimal(b, i, end, format);
    }

    private int parseDecimal(byte[] b, int i, int end, Format format) {
        // Significant digits (leading zeros skipped) go to `digits`, at most maxDigits of them.
        int start = i;
        int sigCount = 0;
        boolean sawDigit = false;
        boolean sticky = false;
        long decExp = 0; // value = digits * 10^decExp
        byte[] digits = null;
        long small = 0; // the first 18 significant digits, for the common short case
        boolean afterPoint = false;
        for (; i < end; i++) {
            int d = b[i];
            if (d == '.') {
                if (afterPoint) {
                    return INVALID;
                }
                afterPoint = true;
                continue;
            }
            if (d < '0' || d > '9') {
                break;
            }
            sawDigit = true;
            if (sigCount == 0 && d == '0') {
                if (afterPoint) {
                    decExp--;
                }
                continue;
            }
            if (sigCount < format.maxDigits) {
                if (sigCount < 18) {
                    small = small * 10 + (d - '0');
                } else {
                    if (digits == null) {
                        digits = new byte[Math.min(format.maxDigits, end - start)];
                        fill(digits, small, 18);
                    }
                    digits[sigCount] = (byte) (d - '0');
                }
                sigCount++;
                if (afterPoint) {
                    decExp--;
                }
            } else {
                if (d != '0') {
                    sticky = true;
                }
                if (!afterPoint) {
                    decExp++;
                }
            }
        }
        if (!sawDigit) {
            return INVALID;
        }
        if (i < end) {
            if ((b[i] | 0x20) != 'e') {
                return INVALID;
            }
            long e = parseExponent(b, i + 1, end);
            if (e == Long.MIN_VALUE) {
                return INVALID;
            }
            decExp += e;
        }
        if (sigCount == 0) {
            return status = ZERO;
        }
        // Magnitude is in [10^(decExp+n-1), 10^(decExp+n)), n significant digits.
        long lead = decExp + sigCount - 1;
        if (lead >= format.overflowDecimalExp) {
            return status = OVERFLOW;
        }
        if (lead + 1 <= format.underflowDecimalExp) {
            return status = UNDERFLOW;
        }
        BigInteger s;
        if (digits == null) {
            s = BigInteger.valueOf(small);
        } else {
            s = new BigInteger(toAscii(digits, sigCount));
        }
        if (sticky) {
            // Dropped digits were not all zero: a trailing 1 keeps the value strictly between
            // the same two neighbouring midpoints, which is all rounding needs.
            s = s.multiply(BigInteger.TEN).add(BigInteger.ONE);
            decExp--;
        }
        int e10 = (int) decExp;
        if (e10 >= 0) {
            return round(s.multiply(BigInteger.TEN.pow(e10)), BigInteger.ONE, 0, format);
        }
        return round(s, BigInteger.TEN.pow(-e10), 0, format);
    }

    private int parseHex(byte[] b, int i, int end, Format format) {
        // Keep up to 32 significant hex digits (128 bits) exactly, the rest as a sticky bit.
        final int maxHex = 32;
        BigInteger h = BigInteger.ZERO;
        long acc = 0;
        int accDigits = 0;
        int sig = 0;
        boolean sticky = false;
        long exp2 = 0; // value = h * 2^exp2
        boolean afterPoint = false;
        for (; i < end; i++) {
            int d = b[i];
            if (d == '.') {
                if (afterPoint) {
                    return INVALID;
                }
                afterPoint = true;
                continue;
            }
            int v = hexValue(d);
            if (v < 0) {
                break;
            }
            if (sig == 0 && v == 0) {
                if (afterPoint) {
                    exp2 -= 4;
                }
                continue;
            }
            if (sig < maxHex) {
                acc = (acc << 4) | v;
                accDigits++;
                if (accDigits == 15) {
                    h = h.shiftLeft(60).or(BigInteger.valueOf(acc));
                    acc = 0;
                    accDigits = 0;
                }
                sig++;
                if (afterPoint) {
                    exp2 -= 4;
                }
            } else {
                if (v != 0) {
                    sticky = true;
                }
                if (!afterPoint) {
                    exp2 += 4;
                }
            }
        }
        h = h.shiftLeft(4 * accDigits).or(BigInteger.valueOf(acc));
        if (i < end) {
            if ((b[i] | 0x20) != 'p') {
                return INVALID;
            }
            long e = parseExponent(b, i + 1, end);
            if (e == Long.MIN_VALUE) {
                return INVALID;
            }
            exp2 += e;
        }
        if (sig == 0) {
            return status = ZERO;
        }
        if (sticky) {
            h = h.shiftLeft(1).or(BigInteger.ONE);
            exp2--;
        }
        long top = h.bitLength() + exp2; // value < 2^top
        if (top > format.maxBits + 1L) {
            return status = OVERFLOW;
        }
        if (top < format.minExp - 1L) {
            return status = UNDERFLOW; // below half the smallest subnormal
        }
        return round(h, BigInteger.ONE, (int) exp2, format);
    }

    /**
     * Rounds num * 2^k / den (all positive) to the format, to nearest, ties to even, and
     * records the outcome in this parser.
     */
    int round(BigInteger num, BigInteger den, int k, Format format) {
        int p = format.precision;
        // A first guess at the exponent giving a p-bit quotient; it may come out one too small.
        long guess = (long) num.bitLength() - den.bitLength() + k - p;
        int e = (int) Math.max(guess, format.minExp);
        BigInteger n = num;
        BigInteger d = den;
        int shift = k - e;
        if (shift >= 0) {
            n = n.shiftLeft(shift);
        } else {
            d = d.shiftLeft(-shift);
        }
        BigInteger[] qr = n.divideAndRemainder(d);
        BigInteger q = qr[0];
        BigInteger r = qr[1];
        int cmpHalf; // remainder versus half a unit: -1 below, 0 tie, 1 above
        if (q.bitLength() > p) {
            boolean low = q.testBit(0);
            q = q.shiftRight(1);
            e++;
            cmpHalf = !low ? -1 : (r.signum() == 0 ? 0 : 1);
        } else {
            cmpHalf = r.shiftLeft(1).compareTo(d);
        }
        long m = q.longValue(); // at most 64 bits: unsigned
        if (cmpHalf > 0 || (cmpHalf == 0 && (m & 1) != 0)) {
            m++;
            if (p < 64 ? m == 1L << p : m == 0) {
                m = 1L << (p - 1);
                e++;
            }
        }
        if (m == 0) {
            return status = UNDERFLOW;
        }
        int bits = 64 - Long.numberOfLeadingZeros(m);
        if ((long) bits + e > format.maxBits) {
            return status = OVERFLOW;
        }
        mantissa = m;
        exponent = e;
        return status = FINITE;
    }

    /** Parses "[+-]digits" to the end of the slice; Long.MIN_VALUE if malformed. Clamped. */
    private static long parseExponent(byte[] b, int i, int end) {
        boolean neg = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (i == end) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i];
            if (d < '0' || d > '9') {
                return Long.MIN_VALUE;
            }
            if (v < EXP_CLAMP) {
                v = v * 10 + (d - '0');
            }
        }
        return neg ? -v : v;
    }

    private static boolean isHex(byte[] b, int i, int end) {
        return i < end && hexValue(b[i]) >= 0;
    }

    private static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int l = c | 0x20;
        if (l >= 'a' && l <= 'f') {
            return l - 'a' + 10;
        }
        return -1;
    }

    private static boolean equalsIgnoreCase(byte[] b, int i, int end, String word) {
        if (end - i != word.length()) {
            return false;
        }
        for (int j = 0; j < word.length(); j++) {
            if ((b[i + j] | 0x20) != word.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private static void fill(byte[] digits, long value, int count) {
        for (int j = count - 1; j >= 0; j--) {
            digits[j] = (byte) (value % 10);
            value /= 10;
        }
    }

    private static String toAscii(byte[] digits, int count) {
        byte[] ascii = new byte[count];
        for (int j = 0; j < count; j++) {
            ascii[j] = (byte) ('0' + digits[j]);
        }
        return new String(ascii, StandardCharsets.US_ASCII);
    }
}
