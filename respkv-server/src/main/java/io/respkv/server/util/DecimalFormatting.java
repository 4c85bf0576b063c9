package io.respkv.server.util;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * C {@code printf} conversions of an exact binary value {@code m * 2^e2}, as glibc and musl
 * print them: from the exact decimal expansion, rounded once to nearest with ties to even.
 * Works with scaled integers (a power of ten times m, over a power of two) so that values
 * near the ends of the x87 range cost one big multiplication or division, not a 16000-digit
 * decimal expansion.
 */
public final class DecimalFormatting {

    private static final BigInteger TEN17 = BigInteger.TEN.pow(17);
    private static final double LOG10_2 = 0.30102999566398120;

    private DecimalFormatting() {
    }

    /**
     * {@code "%.17g"} of {@code (negative ? -1 : 1) * m * 2^e2}, m positive or zero. With no
     * '#' flag, %g drops trailing fraction zeros and a bare point.
     */
    static byte[] formatG17(boolean negative, BigInteger m, int e2) {
        StringBuilder sb = new StringBuilder(32);
        if (negative) {
            sb.append('-');
        }
        if (m.signum() == 0) {
            return sb.append('0').toString().getBytes(StandardCharsets.US_ASCII);
        }
        // q: the value rounded to 17 significant digits, as an integer in [10^16, 10^17),
        // with value ~ q * 10^(x - 16).
        long k = (long) Math.floor((m.bitLength() - 1 + (long) e2) * LOG10_2);
        int s = (int) (16 - k); // scale so that the value has 17 digits before the point
        BigInteger num = m;
        BigInteger den = BigInteger.ONE;
        if (s >= 0) {
            num = num.multiply(BigInteger.TEN.pow(s));
        } else {
            den = BigInteger.TEN.pow(-s);
        }
        int shift = 0; // den is further multiplied by 2^shift
        if (e2 >= 0) {
            num = num.shiftLeft(e2);
        } else {
            shift = -e2;
        }
        BigInteger[] qr = divide(num, den, shift);
        BigInteger q = qr[0];
        int cmp = compareHalf(qr[1], den, shift);
        int x = (int) k;
        if (q.compareTo(TEN17) >= 0) {
            // The estimate was one digit short: drop one more digit into the rounding.
            BigInteger[] q10 = q.divideAndRemainder(BigInteger.TEN);
            q = q10[0];
            int d = q10[1].intValue();
            cmp = d > 5 ? 1 : d < 5 ? -1 : (qr[1].signum() == 0 ? 0 : 1);
            x++;
        }
        long digits = q.longValueExact();
        if (cmp > 0 || (cmp == 0 && (digits & 1) != 0)) {
            digits++;
            if (digits == 100_000_000_000_000_000L) {
                digits = 10_000_000_000_000_000L;
                x++;
            }
        }
        String d17 = Long.toString(digits); // exactly 17 digits
        if (x >= -4 && x < 17) {
            String fixed;
            if (x >= 0) {
                fixed = d17.substring(0, x + 1) + "." + d17.substring(x + 1);
            } else {
                fixed = "0." + "0".repeat(-x - 1) + d17;
            }
            sb.append(trimFraction(fixed));
        } else {
            String stripped = stripTrailingZeros(d17);
            sb.append(stripped.charAt(0));
            if (stripped.length() > 1) {
                sb.append('.').append(stripped, 1, stripped.length());
            }
            sb.append('e').append(x < 0 ? '-' : '+');
            int ax = Math.abs(x);
            if (ax < 10) {
                sb.append('0');
            }
            sb.append(ax);
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code ld2string(LD_STR_HUMAN)} of {@code (negative ? -1 : 1) * m * 2^e2}:
     * {@code "%.17Lf"}, then trailing fraction zeros and a bare point removed, and "-0" turned
     * into "0".
     */
    static byte[] formatHuman(boolean negative, BigInteger m, int e2) {
        String fixed;
        if (e2 >= 0) {
            fixed = m.shiftLeft(e2).toString(); // an integer: the fraction is all zeros
        } else {
            // round(value * 10^17) = round(m * 10^17 / 2^-e2), ties to even.
            int shift = -e2;
            BigInteger[] qr = divide(m.multiply(TEN17), BigInteger.ONE, shift);
            BigInteger q = qr[0];
            int cmp = compareHalf(qr[1], BigInteger.ONE, shift);
            if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
                q = q.add(BigInteger.ONE);
            }
            String digits = q.toString();
            if (digits.length() <= 17) {
                digits = "0".repeat(18 - digits.length()) + digits;
            }
            int point = digits.length() - 17;
            fixed = trimFraction(digits.substring(0, point) + "." + digits.substring(point));
        }
        if (fixed.equals("0") || !negative) {
            return fixed.getBytes(StandardCharsets.US_ASCII);
        }
        return ("-" + fixed).getBytes(StandardCharsets.US_ASCII);
    }

    /** num / (den * 2^shift): quotient and remainder. */
    private static BigInteger[] divide(BigInteger num, BigInteger den, int shift) {
        if (den.equals(BigInteger.ONE)) {
            BigInteger q = num.shiftRight(shift);
            return new BigInteger[] {q, num.subtract(q.shiftLeft(shift))};
        }
        return num.divideAndRemainder(den.shiftLeft(shift));
    }

    /** Remainder r against half of den * 2^shift: -1 below, 0 equal, 1 above. */
    private static int compareHalf(BigInteger r, BigInteger den, int shift) {
        return r.shiftLeft(1).compareTo(den.shiftLeft(shift));
    }

    /** Drops trailing zeros after a decimal point, and the point if nothing follows it. */
    public static String trimFraction(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }

    private static String stripTrailingZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return digits.substring(0, end);
    }
}
