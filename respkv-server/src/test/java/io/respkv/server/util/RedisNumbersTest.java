package io.respkv.server.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedisNumbersTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** util.c test_string2ll, plus the length limit (LONG_STR_SIZE) and more malformed input. */
    @Test
    void string2llRules() {
        String[] rejected = {"+1", " 1", "1 ", "01", "", "-", "-0", "00", "-01", "1a", "a1",
            "-9223372036854775809", "9223372036854775808", "18446744073709551616",
            "99999999999999999999", "-99999999999999999999", "1.0", "1e3", "0x10", "\u00001",
            "1\u0000", "000000000000000000001", "--1", "\u0661"};
        for (String r : rejected) {
            long[] out = {42};
            assertFalse(RedisNumbers.tryParseLong(b(r), 0, b(r).length, out), r);
            assertEquals(42, out[0], r);
            assertFalse(RedisNumbers.isLong(b(r), 0, b(r).length), r);
            assertThrows(NumberFormatException.class, () -> RedisNumbers.parseLong(b(r)), r);
        }
        Object[][] accepted = {
            {"-1", -1L}, {"0", 0L}, {"1", 1L}, {"99", 99L}, {"-99", -99L},
            {"-9223372036854775808", Long.MIN_VALUE}, {"9223372036854775807", Long.MAX_VALUE},
            {"1000000", 1_000_000L}, {"-1000000000000000000", -1_000_000_000_000_000_000L},
        };
        for (Object[] a : accepted) {
            byte[] in = b((String) a[0]);
            long[] out = new long[1];
            assertTrue(RedisNumbers.tryParseLong(in, out), (String) a[0]);
            assertEquals(a[1], out[0]);
            assertEquals(a[1], RedisNumbers.parseLong(in));
            assertTrue(RedisNumbers.tryParseLong(in, 0, in.length, null));
        }
        // A slice of a larger buffer.
        byte[] buf = b("xx-12345yy");
        assertEquals(-12345, RedisNumbers.parseLong(buf, 2, 6));
        assertEquals(234, RedisNumbers.parseLong(buf, 4, 3));
    }

    @Test
    void longFormattingMatchesLl2string() {
        long[] values = {0, 1, -1, 9, 10, -10, 99, 100, 123456789, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
            -999_999_999_999_999_999L, -1_000_000_000_000_000_000L};
        for (long v : values) {
            assertEquals(Long.toString(v), s(RedisNumbers.formatLong(v)));
            assertEquals(Long.toString(v).length(), RedisNumbers.longLength(v));
        }
        Random r = new Random(7);
        for (int i = 0; i < 20000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertEquals(Long.toString(v), s(RedisNumbers.formatLong(v)));
            long[] out = new long[1];
            assertTrue(RedisNumbers.tryParseLong(RedisNumbers.formatLong(v), out));
            assertEquals(v, out[0]);
        }
        byte[] dst = b("[....................]");
        int end = RedisNumbers.appendLong(dst, 1, -42);
        assertEquals(4, end);
        assertEquals("[-42.................]", s(dst));
        assertThrows(IndexOutOfBoundsException.class, () -> RedisNumbers.appendLong(new byte[3], 1, 100));
    }

    @Test
    void string2dRules() {
        Object[][] accepted = {
            {"1", 1.0}, {"-1.5", -1.5}, {"+.5", 0.5}, {"5.", 5.0}, {"1e3", 1000.0}, {"1E-3", 0.001},
            {"0x1p3", 8.0}, {"0X10", 16.0}, {"-0x.8", -0.5}, {"inf", Double.POSITIVE_INFINITY},
            {"-Infinity", Double.NEGATIVE_INFINITY}, {"+INF", Double.POSITIVE_INFINITY},
            {"4e-320", 4e-320}, {"1.7976931348623157e308", Double.MAX_VALUE}, {"0e999999", 0.0},
            {"0.1", 0.1}, {"9007199254740993", 9007199254740992.0}, {"123456789012345678901234567890", 1.2345678901234568e29},
        };
        for (Object[] a : accepted) {
            double[] out = new double[1];
            assertTrue(RedisNumbers.tryParseDouble(b((String) a[0]), out), (String) a[0]);
            assertEquals(Double.doubleToRawLongBits((Double) a[1]), Double.doubleToRawLongBits(out[0]), (String) a[0]);
            assertEquals((Double) a[1], RedisNumbers.parseDouble(b((String) a[0])));
        }
        double[] out = new double[1];
        assertTrue(RedisNumbers.tryParseDouble(b("-0"), out));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(out[0]));
        String[] rejected = {"", " 1", "1 ", "\t1", "nan", "NaN", "-nan", "1e400", "-1e400", "1e-400",
            "0x", "1e", "1e+", ".", "-", "1.2.3", "1,5", "0x1p", "infinit", "1\u0000", "1d", "1f",
            "0x1.8p1x", "Infinityy", "1_0"};
        for (String r : rejected) {
            double[] o = {42};
            assertFalse(RedisNumbers.tryParseDouble(b(r), o), r);
            assertEquals(42, o[0], r);
            assertThrows(NumberFormatException.class, () -> RedisNumbers.parseDouble(b(r)), r);
        }
        byte[] buf = b("x3.25y");
        assertEquals(3.25, RedisNumbers.parseDouble(buf, 1, 4));
    }

    @Test
    void percentG17() {
        Object[][] cases = {
            {0.0, "0"}, {-0.0, "-0"}, {1.0, "1"}, {-1.5, "-1.5"}, {0.1, "0.10000000000000001"},
            {1e16, "10000000000000000"}, {1e17, "1e+17"}, {123456789012345678.0, "1.2345678901234568e+17"},
            {1e-4, "0.0001"}, {1e-5, "1.0000000000000001e-05"}, {1.5e-5, "1.5e-05"},
            {Double.MAX_VALUE, "1.7976931348623157e+308"}, {Double.MIN_VALUE, "4.9406564584124654e-324"},
            {Double.POSITIVE_INFINITY, "inf"}, {Double.NEGATIVE_INFINITY, "-inf"}, {Double.NaN, "nan"},
            {3.0, "3"}, {2.5, "2.5"}, {1e100, "1e+100"}, {12345.678, "12345.678"},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], s(RedisNumbers.formatDouble((Double) c[0])), String.valueOf(c[0]));
        }
    }

    /**
     * Correct rounding when the deciding digit is far away: exact midpoints between
     * neighbouring doubles round to even, and a 1 after 900 zeros (past the 800 digits kept
     * exactly) tips them up.
     */
    @Test
    void longInputsRoundCorrectly() {
        Random r = new Random(99);
        double[] out = new double[1];
        for (int i = 0; i < 300; i++) {
            double lo = Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
            if (i % 3 == 0) {
                lo = Math.scalb((double) (r.nextLong() >>> 11), -1074 + r.nextInt(80)); // small and subnormal
            }
            double hi = Math.nextUp(lo);
            if (Double.isInfinite(hi)) {
                continue;
            }
            java.math.BigDecimal mid = new java.math.BigDecimal(lo).add(new java.math.BigDecimal(hi))
                    .divide(java.math.BigDecimal.valueOf(2));
            String plain = mid.toPlainString();
            if (!plain.contains(".")) {
                plain += ".";
            }
            double even = (Double.doubleToRawLongBits(lo) & 1) == 0 ? lo : hi;
            if (lo == 0) {
                // Half the smallest subnormal: glibc rounds it to zero, which is ERANGE.
                assertFalse(RedisNumbers.tryParseDouble(b(plain), out), plain);
                continue;
            }
            assertTrue(RedisNumbers.tryParseDouble(b(plain), out), plain);
            assertEquals(even, out[0], plain);
            assertTrue(RedisNumbers.tryParseDouble(b(plain + "0".repeat(900)), out));
            assertEquals(even, out[0], plain);
            assertTrue(RedisNumbers.tryParseDouble(b(plain + "0".repeat(900) + "1"), out));
            assertEquals(hi, out[0], plain);
        }
    }

    /** numbers.txt "D" lines: string2d acceptance, the parsed bits, and "%.17g" (see fixtures/README.md). */
    @Test
    void generatedDoubleCases() {
        int accepted = 0;
        int lines = 0;
        for (String line : Fixtures.lines("numbers.txt")) {
            if (!line.startsWith("D ")) {
                continue;
            }
            lines++;
            String[] f = line.split(" ");
            byte[] in = Fixtures.input(f[1]);
            double[] out = new double[1];
            boolean ok = RedisNumbers.tryParseDouble(in, 0, in.length, out);
            assertEquals(f[2].equals("1"), ok, line);
            if (ok) {
                accepted++;
                assertEquals(f[3], String.format("%016x", Double.doubleToRawLongBits(out[0])), line);
                assertEquals(f[4], s(RedisNumbers.formatDouble(out[0])), line);
            }
        }
        assertEquals(1953, lines);
        assertEquals(1340, accepted);
    }
}
