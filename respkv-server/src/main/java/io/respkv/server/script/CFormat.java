package io.respkv.server.script;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * C's printf conversions of doubles, as Lua 5.1 (and Redis) print numbers: {@code %.14g} for
 * {@code tostring}, {@code %.17g} for command arguments, and the {@code %e/%f/%g} of
 * {@code string.format}. Java's own {@code %g} differs from C's (no trailing-zero removal, other
 * switch to exponent form), hence this.
 */
final class CFormat {

    private CFormat() {
    }

    /** Lua 5.1's number-to-string ({@code LUAI_NUMFFORMAT "%.14g"}). */
    static String number(double d) {
        return g(d, 14, false, false);
    }

    /** C's {@code %.<precision>g} ({@code alt}: the '#' flag keeps trailing zeros; {@code upper}: %G). */
    static String g(double d, int precision, boolean alt, boolean upper) {
        if (Double.isNaN(d)) {
            return upper ? (isNegativeNan(d) ? "-NAN" : "NAN") : (isNegativeNan(d) ? "-nan" : "nan");
        }
        if (Double.isInfinite(d)) {
            String s = d > 0 ? "inf" : "-inf";
            return upper ? s.toUpperCase(Locale.ROOT) : s;
        }
        int p = precision == 0 ? 1 : precision;
        if (d == 0) {
            String zero = (1 / d < 0) ? "-0" : "0";
            if (alt) {
                zero += "." + "0".repeat(p - 1);
            }
            return zero;
        }
        BigDecimal bd = new BigDecimal(d).round(new MathContext(p, RoundingMode.HALF_EVEN));
        int exponent = bd.precision() - bd.scale() - 1;
        String out;
        if (exponent < -4 || exponent >= p) {
            out = e(d, p - 1, alt, upper);
            if (!alt) {
                int ePos = out.indexOf(upper ? 'E' : 'e');
                out = io.respkv.server.util.DecimalFormatting.trimFraction(out.substring(0, ePos)) + out.substring(ePos);
            }
        } else {
            out = f(d, p - 1 - exponent, alt);
            if (!alt) {
                out = io.respkv.server.util.DecimalFormatting.trimFraction(out);
            }
        }
        return out;
    }

    /** C's {@code %.<precision>e}. */
    static String e(double d, int precision, boolean alt, boolean upper) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return g(d, 1, false, upper);
        }
        String s;
        if (d == 0) {
            s = ((1 / d < 0) ? "-" : "") + "0" + (precision > 0 || alt ? "." + "0".repeat(precision) : "") + "e+00";
        } else {
            BigDecimal bd = new BigDecimal(d).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            int exponent = bd.precision() - bd.scale() - 1;
            String digits = bd.unscaledValue().abs().toString();
            while (digits.length() < precision + 1) {
                digits += "0";
            }
            digits = digits.substring(0, precision + 1);
            StringBuilder b = new StringBuilder();
            if (d < 0) {
                b.append('-');
            }
            b.append(digits.charAt(0));
            if (precision > 0 || alt) {
                b.append('.');
            }
            b.append(digits, 1, digits.length());
            b.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                b.append('0');
            }
            b.append(abs);
            s = b.toString();
        }
        return upper ? s.toUpperCase(Locale.ROOT) : s;
    }

    /** C's {@code %.<precision>f}. */
    static String f(double d, int precision, boolean alt) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return g(d, 1, false, false);
        }
        String s = new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        if (d < 0 || (d == 0 && 1 / d < 0)) {
            if (!s.startsWith("-")) {
                s = "-" + s;
            }
        }
        if (alt && precision == 0) {
            s += ".";
        }
        return s;
    }

    private static boolean isNegativeNan(double d) {
        return (Double.doubleToRawLongBits(d) & Long.MIN_VALUE) != 0;
    }
}
