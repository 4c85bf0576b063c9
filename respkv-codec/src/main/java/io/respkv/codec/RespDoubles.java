package io.respkv.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles as Redis 7.0's {@code addReplyDouble} does: C's {@code printf("%.17g")}
 * (17 significant digits, correctly rounded half-even from the exact binary value, trailing zeros
 * removed, exponent form {@code d.ddde+XX} when the exponent is below -4 or at least 17), and
 * {@code inf} / {@code -inf} for infinities. NaN prints as glibc does: {@code nan}, or
 * {@code -nan} when its sign bit is set.
 */
public final class RespDoubles {

    private static final int PRECISION = 17;
    private static final MathContext SEVENTEEN_DIGITS = new MathContext(PRECISION, RoundingMode.HALF_EVEN);
    /** Integral doubles below this print as the plain integer under %.17g. */
    private static final double PLAIN_INTEGER_BOUND = 1e17;

    private RespDoubles() {
    }

    /** {@code d} as Redis 7.0 prints it in a double reply, e.g. {@code 1.1 -> "1.1000000000000001"}, {@code 1e20 -> "1e+20"}. */
    public static String format(double d) {
        if (Double.isNaN(d)) {
            return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
        }
        if (Math.abs(d) < PLAIN_INTEGER_BOUND && d == Math.rint(d)) {
            // Exactly representable with at most 17 digits and no fraction: %.17g prints the integer.
            return Long.toString((long) d);
        }
        BigDecimal rounded = new BigDecimal(d).round(SEVENTEEN_DIGITS);
        String digits = rounded.unscaledValue().abs().toString();
        // The decimal exponent of the rounded value, as %e would print it.
        int exponent = digits.length() - 1 - rounded.scale();
        int significant = digits.length();
        while (significant > 1 && digits.charAt(significant - 1) == '0') {
            significant--;
        }
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= PRECISION) {
            sb.append(digits.charAt(0));
            if (significant > 1) {
                sb.append('.').append(digits, 1, significant);
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else if (exponent < 0) {
            sb.append("0.");
            for (int i = -1; i > exponent; i--) {
                sb.append('0');
            }
            sb.append(digits, 0, significant);
        } else {
            int integerDigits = exponent + 1;
            if (significant <= integerDigits) {
                sb.append(digits, 0, significant);
                for (int i = significant; i < integerDigits; i++) {
                    sb.append('0');
                }
            } else {
                sb.append(digits, 0, integerDigits).append('.').append(digits, integerDigits, significant);
            }
        }
        return sb.toString();
    }
}
