package io.respkv.server.command;

import io.respkv.server.util.LongDouble;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The timeout argument of the blocking commands, parsed as Redis 7.0's
 * {@code getTimeoutFromObjectOrReply(..., UNIT_SECONDS)} does: a {@code long double} in seconds
 * ({@code string2ld}: decimal or hexadecimal, "inf" accepted, NaN and spaces refused), times
 * 1000, rounded up ({@code ceill}) and converted to {@code long long} milliseconds. So "0.0001"
 * waits 1 ms, "-0.0001" rounds to 0 and waits forever, and values whose millisecond count does
 * not fit a {@code long long} (1e300, inf) convert to its minimum, hence "timeout is negative".
 */
final class BlockingTimeout {

    private static final BigInteger FIVE = BigInteger.valueOf(5);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    /** ceil(x) for 0 < |x| < 0.5 is 1 or 0 whatever the rounding to 64 bits: no exact work needed. */
    private static final BigDecimal HALF = new BigDecimal("0.5");
    /** Millisecond counts from 2^64 up overflow whatever the rounding. */
    private static final BigDecimal TWO_POW_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

    private BlockingTimeout() {
    }

    /**
     * Argument {@code i} of the request as a timeout in milliseconds, 0 for none (block
     * forever); on an error replies it and returns -1.
     */
    static long parse(ExecutionContext ctx, int i) {
        LongDouble seconds = LongDouble.parse(ctx.args().bytes(i));
        if (seconds == null) {
            ctx.reply().error(Errors.TIMEOUT_NOT_A_FLOAT);
            return -1;
        }
        long millis = millis(seconds);
        if (millis < 0) {
            ctx.reply().error(Errors.TIMEOUT_NEGATIVE);
            return -1;
        }
        return millis;
    }

    /**
     * The wait to pass to {@link ExecutionContext#block} for a parsed {@code timeout}: a timeout
     * whose deadline ({@code now + timeout}) overflows blocks forever in Redis 7.0 (the wrapped
     * deadline is never reached), so it becomes 0, respkv's "no timeout".
     */
    static long forBlock(ExecutionContext ctx, long timeout) {
        return timeout > Long.MAX_VALUE - ctx.nowMillis() ? 0 : timeout;
    }

    /**
     * {@code (long long) ceill(seconds * 1000.0)} on x86-64: the product rounded once to a 64-bit
     * significand (to nearest, ties to even), rounded up to an integer, and converted with the
     * x87 rule that an out-of-range value becomes {@link Long#MIN_VALUE}.
     */
    static long millis(LongDouble seconds) {
        if (!seconds.isFinite()) {
            return Long.MIN_VALUE; // inf and -inf; NaN never parses
        }
        BigDecimal product = seconds.toBigDecimal().multiply(THOUSAND);
        int sign = product.signum();
        if (sign == 0) {
            return 0;
        }
        BigDecimal magnitude = product.abs();
        if (magnitude.compareTo(HALF) < 0) {
            return sign > 0 ? 1 : 0; // ceil of a small positive value is 1, of a negative one -0
        }
        if (magnitude.compareTo(TWO_POW_64) >= 0) {
            return Long.MIN_VALUE;
        }
        // The product is a dyadic rational: unscaled * 10^-scale = (unscaled / 5^scale) * 2^-scale.
        BigInteger unscaled = magnitude.unscaledValue();
        int scale = magnitude.scale();
        BigInteger significand;
        int exponent;
        if (scale <= 0) {
            significand = unscaled.multiply(BigInteger.TEN.pow(-scale));
            exponent = 0;
        } else {
            significand = unscaled.divide(FIVE.pow(scale));
            exponent = -scale;
        }
        int excess = significand.bitLength() - 64;
        if (excess > 0) {
            BigInteger kept = significand.shiftRight(excess);
            BigInteger rest = significand.subtract(kept.shiftLeft(excess));
            int vsHalf = rest.compareTo(BigInteger.ONE.shiftLeft(excess - 1));
            if (vsHalf > 0 || (vsHalf == 0 && kept.testBit(0))) {
                kept = kept.add(BigInteger.ONE);
            }
            significand = kept;
            exponent += excess;
        }
        // ceil(x) = floor + 1 for x > 0 not an integer; ceil(-x) = -floor(x)
        BigInteger floor = exponent >= 0 ? significand.shiftLeft(exponent) : significand.shiftRight(-exponent);
        boolean integral = exponent >= 0 || floor.shiftLeft(-exponent).equals(significand);
        BigInteger result = sign > 0 ? (integral ? floor : floor.add(BigInteger.ONE)) : floor.negate();
        return result.bitLength() > 63 ? Long.MIN_VALUE : result.longValue();
    }
}
