package io.respkv.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespDoublesTest {

    /** Outputs of glibc's printf("%.17g") (Debian 12, gcc 12). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.1|1.1000000000000001",
            "0.1|0.10000000000000001",
            "0.3|0.29999999999999999",
            "1e20|1e+20",
            "123|123",
            "1.5|1.5",
            "2.5|2.5",
            "-0.0|-0",
            "0.0|0",
            "3.0e-5|3.0000000000000001e-05",
            "0.5e-4|5.0000000000000002e-05",
            "0.0001|0.0001",
            "0.00001|1.0000000000000001e-05",
            "1e16|10000000000000000",
            "1e17|1e+17",
            "99999999999999999|1e+17",
            "123456789012345678|1.2345678901234568e+17",
            "1e23|9.9999999999999992e+22",
            "1e-300|1e-300",
            "4.9e-324|4.9406564584124654e-324",
            "1.7976931348623157e308|1.7976931348623157e+308",
            "-1.5|-1.5",
            "-123.456|-123.456",
            "3.14159|3.1415899999999999",
    })
    void formatsLikeC(double d, String expected) {
        assertEquals(expected, RespDoubles.format(d));
    }

    @Test
    void specialValues() {
        assertEquals("inf", RespDoubles.format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", RespDoubles.format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", RespDoubles.format(Double.NaN));
        assertEquals("-nan", RespDoubles.format(Double.longBitsToDouble(0xfff8000000000000L)));
    }

    /**
     * Several thousand doubles (random bit patterns, random decimals, powers of ten and two,
     * boundary values) with what glibc's {@code printf("%.17g")} printed for them; the resource
     * names the program that generated it.
     */
    @Test
    void matchesGlibcOnGeneratedSamples() throws IOException {
        int checked = 0;
        try (InputStream in = RespDoublesTest.class.getResourceAsStream("doubles-printf-17g.txt")) {
            assertNotNull(in, "doubles-printf-17g.txt");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int space = line.indexOf(' ');
                long bits = Long.parseUnsignedLong(line.substring(0, space), 16);
                String expected = line.substring(space + 1);
                assertEquals(expected, RespDoubles.format(Double.longBitsToDouble(bits)), line);
                checked++;
            }
        }
        assertTrue(checked > 5000, "samples: " + checked);
    }
}
