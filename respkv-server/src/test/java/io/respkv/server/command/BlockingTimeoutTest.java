package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.respkv.server.util.LongDouble;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The timeout conversion of the blocking commands, {@code (long long) ceill(seconds * 1000.0)}
 * in x87 extended precision. The cases where that differs from decimal arithmetic were checked
 * against redis-server 7.0.15: "-0.001" blocks forever (the long double nearest 0.001, times
 * 1000, is 1 - 2^-64, so the ceiling of its negation is -0), "1e-10" times out at once, "1e300"
 * and "inf" are "timeout is negative".
 */
class BlockingTimeoutTest {

    private static long millis(String seconds) {
        LongDouble value = LongDouble.parse(seconds.getBytes(StandardCharsets.US_ASCII));
        return BlockingTimeout.millis(value);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "-0, 0",
        "0.0, 0",
        "1, 1000",
        "0.2, 200",
        "0.1, 100",
        "1.5, 1500",
        "0.001, 1",
        "0.0009, 1",
        "0.0011, 2",
        "1e-10, 1",
        "1e-4000, 1",
        "-0.0001, 0",
        "-0.001, 0",
        "-0.0011, -1",
        "-1, -1000",
        "0x10, 16000",
        "1.5e3, 1500000",
        "9223372036854775.807, 9223372036854775807",
        "9223372036854775.808, -9223372036854775808",
        "9223372036854775807, -9223372036854775808",
        "1e16, -9223372036854775808",
        "1e300, -9223372036854775808",
        "-1e300, -9223372036854775808",
        "inf, -9223372036854775808",
        "-inf, -9223372036854775808",
    })
    void millisAsRedisComputesThem(String seconds, long expected) {
        assertEquals(expected, millis(seconds));
    }

    @ParameterizedTest
    @CsvSource({"nan", "abc", "' 1'", "'1 '", "''", "'1,5'", "1e"})
    void notAFloat(String seconds) {
        assertNull(LongDouble.parse(seconds.getBytes(StandardCharsets.US_ASCII)));
    }
}
