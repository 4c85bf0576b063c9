package io.respkv.server.command.meta;

import io.respkv.api.ProtocolVersion;
import io.respkv.api.ReplySink;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;

/**
 * A test-only {@link ReplySink} that encodes into a byte array, RESP2 or RESP3, with Redis 7's
 * downgrades for RESP2. It exists so this package can pin wire bytes without the codec module.
 */
final class BytesReplySink implements ReplySink {

    private final ProtocolVersion protocol;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    BytesReplySink(ProtocolVersion protocol) {
        this.protocol = protocol;
    }

    /** The bytes written so far. */
    byte[] bytes() {
        return out.toByteArray();
    }

    /** The bytes written so far, as ISO-8859-1 text (one char per byte) for readable assertions. */
    String text() {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private boolean resp3() {
        return protocol == ProtocolVersion.RESP3;
    }

    private void line(char type, String body) {
        out.write(type);
        out.writeBytes(body.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    @Override
    public ProtocolVersion protocol() {
        return protocol;
    }

    @Override
    public void simple(String text) {
        line('+', text);
    }

    @Override
    public void error(String line) {
        line('-', line);
    }

    @Override
    public void integer(long value) {
        line(':', Long.toString(value));
    }

    @Override
    public void bulk(byte[] value) {
        if (value == null) {
            nullBulk();
        } else {
            bulk(value, 0, value.length);
        }
    }

    @Override
    public void bulk(byte[] value, int offset, int length) {
        line('$', Integer.toString(length));
        out.write(value, offset, length);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void bulk(String text) {
        bulk(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void nullBulk() {
        out.writeBytes(resp3() ? "_\r\n".getBytes(StandardCharsets.US_ASCII) : "$-1\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void nullArray() {
        out.writeBytes(resp3() ? "_\r\n".getBytes(StandardCharsets.US_ASCII) : "*-1\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void array(int count) {
        line('*', Integer.toString(count));
    }

    @Override
    public void map(int entries) {
        if (resp3()) {
            line('%', Integer.toString(entries));
        } else {
            line('*', Integer.toString(2 * entries));
        }
    }

    @Override
    public void set(int count) {
        line(resp3() ? '~' : '*', Integer.toString(count));
    }

    @Override
    public void push(int count) {
        line(resp3() ? '>' : '*', Integer.toString(count));
    }

    @Override
    public void doubleValue(double value) {
        String text = redisDouble(value);
        if (resp3()) {
            line(',', text);
        } else {
            bulk(text);
        }
    }

    /** Redis 7.0's {@code %.17g} rendering, with {@code inf}, {@code -inf} and {@code nan}. */
    static String redisDouble(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(17));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.scale() <= 0 ? mantissa.toBigInteger().toString() : mantissa.toPlainString();
            String e = Integer.toString(Math.abs(exponent));
            return m + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        BigDecimal plain = rounded.stripTrailingZeros();
        return plain.scale() <= 0 ? plain.toBigInteger().toString() : plain.toPlainString();
    }

    @Override
    public void bool(boolean value) {
        if (resp3()) {
            line('#', value ? "t" : "f");
        } else {
            integer(value ? 1 : 0);
        }
    }

    @Override
    public void verbatim(String format, byte[] text) {
        if (!resp3()) {
            bulk(text);
            return;
        }
        byte[] prefix = (format + ":").getBytes(StandardCharsets.US_ASCII);
        line('=', Integer.toString(prefix.length + text.length));
        out.writeBytes(prefix);
        out.writeBytes(text);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void bigNumber(String digits) {
        if (resp3()) {
            line('(', digits);
        } else {
            bulk(digits);
        }
    }
}
