package io.respkv.engine.support;

import java.util.Locale;

/**
 * Parses byte sizes written the way redis.conf writes them: a non-negative integer with an
 * optional unit, case-insensitive: {@code b}, {@code k} = 1000, {@code kb} = 1024, {@code m} =
 * 1000², {@code mb} = 1024², {@code g} = 1000³, {@code gb} = 1024³. So {@code 64mb} is 67108864.
 * Shared by the engines' ServiceLoader providers for their size options.
 */
public final class ByteSizes {

    private ByteSizes() {
    }

    /**
     * Parses {@code value}.
     *
     * @throws IllegalArgumentException naming {@code option} if the value is not a size
     */
    public static long parse(String option, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < v.length() && Character.isDigit(v.charAt(digits))) {
            digits++;
        }
        long multiplier = switch (v.substring(digits)) {
            case "", "b" -> 1L;
            case "k" -> 1000L;
            case "kb" -> 1024L;
            case "m" -> 1000L * 1000;
            case "mb" -> 1024L * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> -1L;
        };
        if (digits == 0 || multiplier < 0) {
            throw new IllegalArgumentException(option + " needs a size in bytes such as 67108864, 64mb or 1gb, got '"
                    + value + "'");
        }
        try {
            return Math.multiplyExact(Long.parseLong(v.substring(0, digits)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(option + " is too large: '" + value + "'");
        }
    }
}
