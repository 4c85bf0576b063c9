package io.respkv.server.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An x87 80-bit extended-precision value: C's {@code long double} on x86-64 Linux, the type
 * Redis 7.0 uses for INCRBYFLOAT and HINCRBYFLOAT. Java has no such type, so the value is kept
 * exactly (sign, 64-bit significand, binary exponent) and every operation Redis performs is
 * redone exactly and rounded once, to nearest with ties to even, as the FPU does:
 *
 * <pre>{@code
 * LongDouble value = LongDouble.parse(current);   // string2ld: null if "not a valid float"
 * LongDouble incr  = LongDouble.parse(argument);
 * LongDouble sum   = value.add(incr);             // value += incr
 * if (!sum.isFinite()) -> "ERR increment would produce NaN or Infinity"
 * byte[] reply = sum.toHumanBytes();              // ld2string(..., LD_STR_HUMAN)
 * }</pre>
 *
 * <p>A missing key or field is {@link #ZERO}; an integer-encoded value is {@link #valueOf(long)}
 * (both exact, as in Redis). HINCRBYFLOAT additionally rejects an infinite increment up front
 * with "ERR value is NaN or Infinity". Instances are immutable.
 */
public final class LongDouble {

    private static final int FINITE = 0;
    private static final int INFINITE = 1;
    private static final int NAN = 2;

    /** Bias of the x87 extended exponent field. */
    private static final int BIAS = 16383;
    /** Redis' MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs of this length or longer. */
    static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;

    /** Positive zero. */
    public static final LongDouble ZERO = new LongDouble(FINITE, false, 0, 0);
    public static final LongDouble POSITIVE_INFINITY = new LongDouble(INFINITE, false, 0, 0);
    public static final LongDouble NEGATIVE_INFINITY = new LongDouble(INFINITE, true, 0, 0);
    /** The x87 "real indefinite" NaN that inf + -inf produces (sign bit set). */
    private static final LongDouble DEFAULT_NAN = new LongDouble(NAN, true, 0, 0);

    private final int kind;
    private final boolean negative;
    /** Unsigned significand: value = mantissa * 2^exponent (for finite values). */
    private final long mantissa;
    private final int exponent;

    private LongDouble(int kind, boolean negative, long mantissa, int exponent) {
        this.kind = kind;
        this.negative = negative;
        this.mantissa = mantissa;
        this.exponent = exponent;
    }

    private static LongDouble finite(boolean negative, long mantissa, int exponent) {
        if (mantissa == 0) {
            return negative ? new LongDouble(FINITE, true, 0, 0) : ZERO;
        }
        // Keep a canonical form (odd significand) so equal values compare equal.
        int tz = Long.numberOfTrailingZeros(mantissa);
        return new LongDouble(FINITE, negative, mantissa >>> tz, exponent + tz);
    }

    /**
     * Parses {@code b[off, off+len)} with Redis' {@code string2ld} rules (util.c, used by
     * {@code getLongDoubleFromObject}): C {@code strtold} over the whole slice, shorter than
     * 5120 bytes, no leading whitespace or trailing bytes, decimal or hexadecimal, "inf" and
     * "infinity" accepted, NaN rejected, overflow to infinity and underflow to zero rejected.
     *
     * @return the value, or null where Redis answers "value is not a valid float"
     */
    public static LongDouble parse(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0 || len >= MAX_LONG_DOUBLE_CHARS) {
            return null;
        }
        StrtodParser p = new StrtodParser();
        switch (p.parse(b, off, len, StrtodParser.X87)) {
            case StrtodParser.ZERO:
                return p.negative ? new LongDouble(FINITE, true, 0, 0) : ZERO;
            case StrtodParser.FINITE:
                return finite(p.negative, p.mantissa, p.exponent);
            case StrtodParser.INFINITE:
                return p.negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
            default:
                return null;
        }
    }

    /** {@link #parse(byte[], int, int)} over a whole array. */
    public static LongDouble parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    /** {@code (long double) v}: exact, since 64 significand bits hold every long. */
    public static LongDouble valueOf(long v) {
        if (v == 0) {
            return ZERO;
        }
        if (v == Long.MIN_VALUE) {
            return finite(true, 1, 63);
        }
        return finite(v < 0, Math.abs(v), 0);
    }

    /** {@code (long double) d}: exact, a widening conversion. */
    public static LongDouble valueOf(double d) {
        boolean neg = Double.doubleToRawLongBits(d) < 0;
        if (Double.isNaN(d)) {
            return new LongDouble(NAN, neg, 0, 0);
        }
        if (Double.isInfinite(d)) {
            return neg ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        long bits = Double.doubleToRawLongBits(d);
        int biased = (int) ((bits >>> 52) & 0x7ff);
        long frac = bits & ((1L << 52) - 1);
        if (biased == 0) {
            return finite(neg, frac, -1074);
        }
        return finite(neg, frac | (1L << 52), biased - 1075);
    }

    /**
     * {@code this + other} as the x87 FPU computes it in 64-bit precision: exact sum rounded
     * once to nearest-even into the extended format (subnormals included); a finite sum too
     * large becomes infinity; inf + -inf is NaN; an exact zero sum is +0 unless both operands
     * are -0.
     */
    public LongDouble add(LongDouble other) {
        Objects.requireNonNull(other, "other");
        if (kind == NAN) {
            return this;
        }
        if (other.kind == NAN) {
            return other;
        }
        if (kind == INFINITE || other.kind == INFINITE) {
            if (kind == INFINITE && other.kind == INFINITE && negative != other.negative) {
                return DEFAULT_NAN;
            }
            return kind == INFINITE ? this : other;
        }
        if (mantissa == 0 && other.mantissa == 0) {
            return negative && other.negative ? this : ZERO;
        }
        if (mantissa == 0) {
            return other;
        }
        if (other.mantissa == 0) {
            return this;
        }
        int e0 = Math.min(exponent, other.exponent);
        BigInteger a = unsigned(mantissa).shiftLeft(exponent - e0);
        BigInteger b = unsigned(other.mantissa).shiftLeft(other.exponent - e0);
        BigInteger sum = (negative ? a.negate() : a).add(other.negative ? b.negate() : b);
        if (sum.signum() == 0) {
            return ZERO;
        }
        StrtodParser r = new StrtodParser();
        int status = r.round(sum.abs(), BigInteger.ONE, e0, StrtodParser.X87);
        boolean neg = sum.signum() < 0;
        if (status == StrtodParser.OVERFLOW) {
            return neg ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        // An exact sum of two values on the extended grid never rounds to zero.
        return finite(neg, r.mantissa, r.exponent);
    }

    /** Neither infinite nor NaN (what INCRBYFLOAT and HINCRBYFLOAT require of a result). */
    public boolean isFinite() {
        return kind == FINITE;
    }

    public boolean isInfinite() {
        return kind == INFINITE;
    }

    public boolean isNaN() {
        return kind == NAN;
    }

    /** The sign bit (true for -0, -inf, and the NaN of inf + -inf). */
    public boolean isNegative() {
        return negative;
    }

    /**
     * The exact value.
     *
     * @throws ArithmeticException if not finite
     */
    public BigDecimal toBigDecimal() {
        if (kind != FINITE) {
            throw new ArithmeticException("not finite: " + this);
        }
        BigDecimal abs = exactAbs();
        return negative ? abs.negate() : abs;
    }

    private BigDecimal exactAbs() {
        BigInteger m = unsigned(mantissa);
        if (exponent >= 0) {
            return new BigDecimal(m.shiftLeft(exponent));
        }
        // m * 2^-k = m * 5^k / 10^k
        return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
    }

    /**
     * The bytes of {@code ld2string(value, LD_STR_HUMAN)}: {@code "%.17Lf"} with trailing
     * fraction zeros and a bare point removed, and "-0" as "0". This is the reply and stored
     * value of INCRBYFLOAT and HINCRBYFLOAT. Infinities are "inf"/"-inf", NaN "nan"/"-nan".
     */
    public byte[] toHumanBytes() {
        if (kind != FINITE) {
            return nonFinite();
        }
        if (mantissa == 0) {
            return new byte[] {'0'};
        }
        int bits = 64 - Long.numberOfLeadingZeros(mantissa);
        if (exponent >= 0 && bits + exponent <= 63) {
            long v = mantissa << exponent;
            return RedisNumbers.formatLong(negative ? -v : v);
        }
        if (bits + exponent <= -58) {
            // Below 2^-58 < 0.5e-17: prints as 0.00000000000000000, or -0... which Redis
            // turns into "0".
            return new byte[] {'0'};
        }
        return DecimalFormatting.formatHuman(negative, unsigned(mantissa), exponent);
    }

    /**
     * The bytes of {@code ld2string(value, LD_STR_AUTO)}, i.e. {@code "%.17Lg"} (inf as
     * "inf"/"-inf").
     */
    public byte[] toAutoBytes() {
        if (kind != FINITE) {
            return nonFinite();
        }
        return DecimalFormatting.formatG17(negative, unsigned(mantissa), exponent);
    }

    private byte[] nonFinite() {
        String s = kind == INFINITE ? "inf" : "nan";
        return ((negative ? "-" : "") + s).getBytes(StandardCharsets.US_ASCII);
    }

    /** The 64-bit significand of the 80-bit encoding (explicit integer bit), for tests. */
    long encodedSignificand() {
        if (kind == INFINITE) {
            return Long.MIN_VALUE;
        }
        if (kind == NAN) {
            return 0xC000000000000000L;
        }
        if (mantissa == 0) {
            return 0;
        }
        int shift = Long.numberOfLeadingZeros(mantissa);
        int e = exponent - shift; // significand normalised to bit 63
        int unbiased = e + 63;
        if (unbiased < 1 - BIAS) {
            return mantissa << (shift - (1 - BIAS - unbiased));
        }
        return mantissa << shift;
    }

    /** The 16-bit sign-and-exponent word of the 80-bit encoding, for tests. */
    int encodedSignExponent() {
        int sign = negative ? 0x8000 : 0;
        if (kind != FINITE) {
            return sign | 0x7fff;
        }
        if (mantissa == 0) {
            return sign;
        }
        int shift = Long.numberOfLeadingZeros(mantissa);
        int unbiased = exponent - shift + 63;
        if (unbiased < 1 - BIAS) {
            return sign; // subnormal
        }
        return sign | (unbiased + BIAS);
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LongDouble)) {
            return false;
        }
        LongDouble x = (LongDouble) o;
        return kind == x.kind && negative == x.negative && mantissa == x.mantissa && exponent == x.exponent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, negative, mantissa, exponent);
    }

    /** The {@code %.17Lg} text, for diagnostics. */
    @Override
    public String toString() {
        return new String(toAutoBytes(), StandardCharsets.US_ASCII);
    }
}
