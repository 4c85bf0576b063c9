package io.respkv.server.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * C {@code printf} conversions of an exact binary value, as glibc and musl print them: from the
 * exact decimal expansion, rounded once to nearest with ties to even.
 */
final class DecimalFormatting {

    private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);

    private DecimalFormatting() {
    }

    /**
     * {@code "%.17g"} of a finite value given as sign and exact magnitude. With no '#' flag,
     * %g drops trailing fraction zeros and a bare point.
     */
    static byte[] formatG17(boolean negative, BigDecimal abs) {
        StringBuilder sb = new StringBuilder(32);
        if (negative) {
            sb.append('-');
        }
        if (abs.signum() == 0) {
            return sb.append('0').toString().getBytes(StandardCharsets.US_ASCII);
        }
        BigDecimal r = abs.round(SEVENTEEN);
        // X: the decimal exponent of the value rounded to 17 significant digits.
        int x = r.precision() - r.scale() - 1;
        if (x >= -4 && x < 17) {
            String fixed = r.setScale(16 - x, RoundingMode.UNNECESSARY).toPlainString();
            sb.append(trimFraction(fixed));
        } else {
            String digits = stripTrailingZeros(r.unscaledValue().toString());
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
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
     * {@code ld2string(LD_STR_HUMAN)}: {@code "%.17Lf"}, then trailing fraction zeros and a bare
     * point removed, and "-0" turned into "0".
     */
    static byte[] formatHuman(boolean negative, BigDecimal abs) {
        String fixed = trimFraction(abs.setScale(17, RoundingMode.HALF_EVEN).toPlainString());
        if (fixed.equals("0") || !negative) {
            return fixed.getBytes(StandardCharsets.US_ASCII);
        }
        return ("-" + fixed).getBytes(StandardCharsets.US_ASCII);
    }

    /** Drops trailing zeros after a decimal point, and the point if nothing follows it. */
    private static String trimFraction(String s) {
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
