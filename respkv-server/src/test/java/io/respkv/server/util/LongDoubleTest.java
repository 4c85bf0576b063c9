package io.respkv.server.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LongDoubleTest {

    private static LongDouble ld(String s) {
        LongDouble v = LongDouble.parse(s.getBytes(StandardCharsets.US_ASCII));
        assertNotNull(v, s);
        return v;
    }

    private static String human(LongDouble v) {
        return new String(v.toHumanBytes(), StandardCharsets.US_ASCII);
    }

    /** value + incr as INCRBYFLOAT replies it, or its error text. */
    private static String incrByFloat(String value, String incr) {
        LongDouble v = LongDouble.parse(value.getBytes(StandardCharsets.US_ASCII));
        LongDouble i = LongDouble.parse(incr.getBytes(StandardCharsets.US_ASCII));
        if (v == null || i == null) {
            return "ERR value is not a valid float";
        }
        LongDouble sum = v.add(i);
        return sum.isFinite() ? human(sum) : "ERR increment would produce NaN or Infinity";
    }

    /** Replies of redis-server 7.0.15 (SET k value; INCRBYFLOAT k incr), recorded by hand. */
    @Test
    void incrByFloatRepliesOfRedis() {
        assertEquals("10.6", incrByFloat("10.50", "0.1"));
        assertEquals("5200", incrByFloat("5.0e3", "2.0e2"));
        assertEquals("4.1", incrByFloat("3", "1.1"));
        assertEquals("0", incrByFloat("0", "1e-20"));
        assertEquals("-5.25", incrByFloat("-5", "-0.25"));
        assertEquals("123001", incrByFloat("1.23e5", "1"));
        assertEquals("0.00000381469726562", incrByFloat("0", "0.000003814697265625")); // tie to even
        assertEquals("0", incrByFloat("0", "-0"));
        assertEquals("0", incrByFloat("-0", "-0"));
        assertEquals("8", incrByFloat("0", "0x1p3"));
        assertEquals("ERR increment would produce NaN or Infinity", incrByFloat("0", "inf"));
        assertEquals("ERR increment would produce NaN or Infinity", incrByFloat("1e4932", "1e4932"));
        assertEquals("0", incrByFloat("0", "1e-4950"));
        assertEquals("ERR value is not a valid float", incrByFloat("0", "1e-5000"));
        assertEquals("0", incrByFloat("0", "3.5e-4951"));
        assertEquals("0.1", incrByFloat("0", "0.1"));
        assertEquals("1.00000000000000001", incrByFloat("1", "1e-17"));
        assertEquals("0", incrByFloat("0", "-1e-18"));
        String big = incrByFloat("1e300", "1");
        assertEquals(301, big.length());
        assertTrue(big.startsWith("10000000000000000000089973240795591938705239442732907479382600823212656465961809357558491520837504971903503725086142748359035925561846729839130962605207486462873271356418436532940842551076060167897266"), big);
        String max = incrByFloat("0", "1e4932");
        assertEquals(4933, max.length());
        assertTrue(max.startsWith("10000000000000000000060189493879638913238377742545331147737850413525330194866087224075333277794331427736665255636662776820618609064404603366234161649310975421086536237399472378242736077556462820773377"), max);
    }

    @Test
    void parseRules() {
        String[] rejected = {"", " 1", "1 ", "nan", "-nan", "1e-5000", "1e5000", "0x1p16384", "abc", "1e",
            "0x", "inf ", "0x1p-16447"};
        for (String r : rejected) {
            assertNull(LongDouble.parse(r.getBytes(StandardCharsets.US_ASCII)), r);
        }
        assertTrue(ld("inf").isInfinite());
        assertTrue(ld("-Infinity").isNegative());
        assertTrue(ld("0x1p-16445").isFinite());
        // string2ld's buffer: 5119 bytes is the longest accepted input.
        assertNotNull(LongDouble.parse(("1." + "0".repeat(5117)).getBytes(StandardCharsets.US_ASCII)));
        assertNull(LongDouble.parse(("1." + "0".repeat(5118)).getBytes(StandardCharsets.US_ASCII)));
        byte[] buf = "xx2.5yy".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ld("2.5"), LongDouble.parse(buf, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> LongDouble.parse(buf, 5, 3));
    }

    @Test
    void conversionsAreExact() {
        assertEquals(ld("9223372036854775807"), LongDouble.valueOf(Long.MAX_VALUE));
        assertEquals(ld("-9223372036854775808"), LongDouble.valueOf(Long.MIN_VALUE));
        assertEquals("-9223372036854775808", human(LongDouble.valueOf(Long.MIN_VALUE)));
        assertEquals(LongDouble.ZERO, LongDouble.valueOf(0L));
        assertEquals(new BigDecimal(0.1), LongDouble.valueOf(0.1).toBigDecimal());
        assertEquals(new BigDecimal(Double.MIN_VALUE), LongDouble.valueOf(Double.MIN_VALUE).toBigDecimal());
        assertEquals(new BigDecimal("-2.5"), ld("-2.5").toBigDecimal());
        assertTrue(LongDouble.valueOf(Double.NaN).isNaN());
        assertThrows(ArithmeticException.class, () -> LongDouble.POSITIVE_INFINITY.toBigDecimal());
        // 0.1 as a long double is not 0.1 as a double: 64 bits of significand, not 53.
        assertFalse(ld("0.1").equals(LongDouble.valueOf(0.1)));
        assertEquals("0.10000000000000001", new String(LongDouble.valueOf(0.1).toAutoBytes(), StandardCharsets.US_ASCII));
        assertEquals("0.1", new String(ld("0.1").toAutoBytes(), StandardCharsets.US_ASCII));
        assertEquals("0.1", human(ld("0.1")));
    }

    @Test
    void nonFiniteArithmetic() {
        LongDouble inf = LongDouble.POSITIVE_INFINITY;
        LongDouble nan = inf.add(LongDouble.NEGATIVE_INFINITY);
        assertTrue(nan.isNaN());
        assertFalse(nan.isFinite());
        assertEquals("-nan", human(nan));
        assertEquals("inf", human(inf.add(ld("-1e4000"))));
        assertEquals("-inf", human(LongDouble.NEGATIVE_INFINITY));
        assertTrue(nan.add(ld("1")).isNaN());
        assertTrue(ld("1").add(nan).isNaN());
    }

    /** numbers.txt "L" lines: string2ld acceptance, the 80-bit encoding, LD_STR_HUMAN and LD_STR_AUTO. */
    @Test
    void generatedParseCases() {
        int lines = 0;
        int accepted = 0;
        for (String line : Fixtures.lines("numbers.txt")) {
            if (!line.startsWith("L ")) {
                continue;
            }
            lines++;
            String[] f = line.split(" ");
            byte[] in = Fixtures.input(f[1]);
            LongDouble v = LongDouble.parse(in, 0, in.length);
            assertEquals(f[2].equals("1"), v != null, line);
            if (v != null) {
                accepted++;
                assertEquals(f[3], String.format("%016x", v.encodedSignificand()), line);
                assertEquals(f[4], String.format("%04x", v.encodedSignExponent()), line);
                assertEquals(f[5], Fixtures.text(v.toHumanBytes()), line);
                assertEquals(f[6], Fixtures.text(v.toAutoBytes()), line);
            }
        }
        assertEquals(1953, lines);
        assertEquals(1724, accepted);
    }

    /** numbers.txt "A" lines: the x87 sum's encoding and its LD_STR_HUMAN text. */
    @Test
    void generatedAdditionCases() {
        int lines = 0;
        for (String line : Fixtures.lines("numbers.txt")) {
            if (!line.startsWith("A ")) {
                continue;
            }
            lines++;
            String[] f = line.split(" ");
            byte[] a = Fixtures.input(f[1]);
            byte[] b = Fixtures.input(f[2]);
            LongDouble sum = LongDouble.parse(a).add(LongDouble.parse(b));
            assertEquals(f[3], String.format("%016x", sum.encodedSignificand()), line);
            assertEquals(f[4], String.format("%04x", sum.encodedSignExponent()), line);
            assertEquals(f[5], Fixtures.text(sum.toHumanBytes()), line);
            // Addition commutes exactly.
            assertEquals(sum, LongDouble.parse(b).add(LongDouble.parse(a)), line);
        }
        assertEquals(748, lines);
    }
}
