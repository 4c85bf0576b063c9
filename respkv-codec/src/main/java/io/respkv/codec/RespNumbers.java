package io.respkv.codec;

import io.netty.buffer.ByteBuf;

/** Decimal parsing and printing in place on a {@link ByteBuf}, with Redis's rules. */
final class RespNumbers {

    /** Redis's {@code LONG_STR_SIZE}: strings this long or longer are never a valid long. */
    private static final int LONG_STR_SIZE = 21;

    private static final byte[] LONG_MIN_DIGITS = Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RespNumbers() {
    }

    /**
     * Parses bytes {@code [from, to)} of {@code buf} exactly as Redis's {@code string2ll} (util.c):
     * optional {@code -}, then {@code 0} alone or a digit 1-9 followed by digits, at most 20 bytes,
     * within the signed 64-bit range. {@code -0}, {@code +1}, {@code 01}, {@code " 1"} are rejected.
     *
     * @throws NumberFormatException if the bytes are not such a number
     */
    static long string2ll(ByteBuf buf, int from, int to) {
        int len = to - from;
        if (len <= 0 || len >= LONG_STR_SIZE) {
            throw notANumber();
        }
        int p = from;
        byte b = buf.getByte(p);
        if (len == 1 && b == '0') {
            return 0;
        }
        boolean negative = b == '-';
        if (negative) {
            if (++p == to) {
                throw notANumber();
            }
            b = buf.getByte(p);
        }
        if (b < '1' || b > '9') {
            throw notANumber();
        }
        // Accumulate negatively so that Long.MIN_VALUE is reachable, as Long.parseLong does.
        long acc = -(b - '0');
        for (p++; p < to; p++) {
            b = buf.getByte(p);
            if (b < '0' || b > '9') {
                throw notANumber();
            }
            if (acc < Long.MIN_VALUE / 10) {
                throw notANumber();
            }
            acc *= 10;
            int digit = b - '0';
            if (acc < Long.MIN_VALUE + digit) {
                throw notANumber();
            }
            acc -= digit;
        }
        if (negative) {
            return acc;
        }
        if (acc == Long.MIN_VALUE) {
            throw notANumber();
        }
        return -acc;
    }

    private static NumberFormatException notANumber() {
        return new NumberFormatException("value is not an integer or out of range");
    }

    /** The number of bytes {@link #writeLong} writes for {@code v}. */
    static int decimalLength(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return LONG_MIN_DIGITS.length;
            }
            return 1 + positiveLength(-v);
        }
        return positiveLength(v);
    }

    private static int positiveLength(long v) {
        long p = 10;
        for (int i = 1; i < 19; i++) {
            if (v < p) {
                return i;
            }
            p *= 10;
        }
        return 19;
    }

    /** Writes the decimal digits of {@code v} at {@code index} (which must have room), returning the index after them. */
    static int setLong(ByteBuf buf, int index, long v) {
        if (v == Long.MIN_VALUE) {
            buf.setBytes(index, LONG_MIN_DIGITS);
            return index + LONG_MIN_DIGITS.length;
        }
        int len = decimalLength(v);
        int end = index + len;
        if (v < 0) {
            buf.setByte(index, '-');
            v = -v;
        }
        int p = end;
        do {
            long q = v / 10;
            buf.setByte(--p, (int) ('0' + (v - q * 10)));
            v = q;
        } while (v != 0);
        return end;
    }
}
