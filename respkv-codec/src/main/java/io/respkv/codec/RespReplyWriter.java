package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.respkv.api.ProtocolVersion;
import io.respkv.api.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes replies into a {@link ByteBuf} for one connection, in RESP3 or downgraded to RESP2
 * exactly as Redis 7.0 does (see {@link ReplySink}). Integers and lengths are written as digits in
 * place; the most common replies and small headers are pre-encoded constants.
 *
 * <p>Redis never lets a CR or LF inside a status or error line break the protocol: here both are
 * written as spaces.
 *
 * <p>Not thread-safe; one per connection.
 */
public final class RespReplyWriter implements ReplySink {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] RESP3_NULL = ascii("_\r\n");
    private static final byte[] RESP3_TRUE = ascii("#t\r\n");
    private static final byte[] RESP3_FALSE = ascii("#f\r\n");
    private static final byte[] RESP2_INF = ascii("$3\r\ninf\r\n");
    private static final byte[] RESP2_NEG_INF = ascii("$4\r\n-inf\r\n");
    private static final byte[] RESP3_INF = ascii(",inf\r\n");
    private static final byte[] RESP3_NEG_INF = ascii(",-inf\r\n");

    /** Pre-encoded {@code :n\r\n} for n in [{@link #MIN_CACHED_INTEGER}, {@link #MAX_CACHED}). */
    private static final int MIN_CACHED_INTEGER = -1;
    private static final int MAX_CACHED = 128;
    private static final byte[][] INTEGERS = new byte[MAX_CACHED - MIN_CACHED_INTEGER][];
    /** Pre-encoded {@code $n\r\n} and {@code *n\r\n} for n in [0, {@link #MAX_CACHED}). */
    private static final byte[][] BULK_HEADERS = new byte[MAX_CACHED][];
    private static final byte[][] ARRAY_HEADERS = new byte[MAX_CACHED][];

    static {
        for (int i = MIN_CACHED_INTEGER; i < MAX_CACHED; i++) {
            INTEGERS[i - MIN_CACHED_INTEGER] = ascii(":" + i + "\r\n");
        }
        for (int i = 0; i < MAX_CACHED; i++) {
            BULK_HEADERS[i] = ascii("$" + i + "\r\n");
            ARRAY_HEADERS[i] = ascii("*" + i + "\r\n");
        }
    }

    private ByteBuf out;
    private ProtocolVersion protocol = ProtocolVersion.RESP2;

    /** A writer for RESP2 with no target yet: call {@link #target(ByteBuf)} before writing. */
    public RespReplyWriter() {
    }

    /** Sets where subsequent replies are written. */
    public void target(ByteBuf out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Where replies are written, or {@code null} before {@link #target(ByteBuf)}. */
    public ByteBuf target() {
        return out;
    }

    /** Sets the protocol subsequent replies are encoded for (RESP2 until {@code HELLO 3}). */
    public void protocol(ProtocolVersion version) {
        this.protocol = Objects.requireNonNull(version, "version");
    }

    @Override
    public ProtocolVersion protocol() {
        return protocol;
    }

    /** Writes already encoded RESP bytes as they are. */
    public void raw(byte[] encoded) {
        out.writeBytes(encoded);
    }

    @Override
    public void ok() {
        out.writeBytes(OK);
    }

    @Override
    public void simple(String text) {
        if ("OK".equals(text)) {
            out.writeBytes(OK);
            return;
        }
        line('+', text);
    }

    @Override
    public void error(String line) {
        line('-', line);
    }

    /** {@code type}, the UTF-8 of {@code text} with CR and LF as spaces, CRLF. */
    private void line(char type, String text) {
        out.writeByte(type);
        int from = out.writerIndex();
        ByteBufUtil.writeUtf8(out, text);
        int to = out.writerIndex();
        for (int i = from; i < to; i++) {
            byte b = out.getByte(i);
            if (b == '\r' || b == '\n') {
                out.setByte(i, ' ');
            }
        }
        out.writeBytes(CRLF);
    }

    @Override
    public void integer(long value) {
        if (value >= MIN_CACHED_INTEGER && value < MAX_CACHED) {
            out.writeBytes(INTEGERS[(int) value - MIN_CACHED_INTEGER]);
        } else {
            header(':', value);
        }
    }

    @Override
    public void bulk(byte[] value) {
        if (value == null) {
            nullBulk();
            return;
        }
        bulk(value, 0, value.length);
    }

    @Override
    public void bulk(byte[] value, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, value.length);
        bulkHeader(length);
        out.ensureWritable(length + 2);
        out.writeBytes(value, offset, length);
        out.writeBytes(CRLF);
    }

    /** A bulk string of {@code length} bytes of {@code src} from {@code index} (reader index untouched). */
    public void bulk(ByteBuf src, int index, int length) {
        bulkHeader(length);
        out.ensureWritable(length + 2);
        out.writeBytes(src, index, length);
        out.writeBytes(CRLF);
    }

    @Override
    public void bulk(String text) {
        if (text == null) {
            nullBulk();
            return;
        }
        int length = ByteBufUtil.utf8Bytes(text);
        bulkHeader(length);
        out.ensureWritable(length + 2);
        ByteBufUtil.writeUtf8(out, text);
        out.writeBytes(CRLF);
    }

    private void bulkHeader(int length) {
        if (length < MAX_CACHED) {
            out.writeBytes(BULK_HEADERS[length]);
        } else {
            header('$', length);
        }
    }

    @Override
    public void nullBulk() {
        out.writeBytes(protocol == ProtocolVersion.RESP3 ? RESP3_NULL : NULL_BULK);
    }

    @Override
    public void nullArray() {
        out.writeBytes(protocol == ProtocolVersion.RESP3 ? RESP3_NULL : NULL_ARRAY);
    }

    @Override
    public void array(int count) {
        arrayHeader(count);
    }

    private void arrayHeader(long count) {
        if (count >= 0 && count < MAX_CACHED) {
            out.writeBytes(ARRAY_HEADERS[(int) count]);
        } else {
            header('*', count);
        }
    }

    @Override
    public void map(int entries) {
        if (protocol == ProtocolVersion.RESP3) {
            header('%', entries);
        } else {
            arrayHeader(2L * entries);
        }
    }

    @Override
    public void set(int count) {
        if (protocol == ProtocolVersion.RESP3) {
            header('~', count);
        } else {
            arrayHeader(count);
        }
    }

    @Override
    public void push(int count) {
        if (protocol == ProtocolVersion.RESP3) {
            header('>', count);
        } else {
            arrayHeader(count);
        }
    }

    @Override
    public void doubleValue(double value) {
        boolean resp3 = protocol == ProtocolVersion.RESP3;
        if (Double.isInfinite(value)) {
            // Redis special-cases infinities rather than trusting libc's spelling.
            if (resp3) {
                out.writeBytes(value > 0 ? RESP3_INF : RESP3_NEG_INF);
            } else {
                out.writeBytes(value > 0 ? RESP2_INF : RESP2_NEG_INF);
            }
            return;
        }
        String text = RespDoubles.format(value);
        if (resp3) {
            out.writeByte(',');
        } else {
            bulkHeader(text.length());
        }
        out.writeCharSequence(text, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
    }

    @Override
    public void bool(boolean value) {
        if (protocol == ProtocolVersion.RESP3) {
            out.writeBytes(value ? RESP3_TRUE : RESP3_FALSE);
        } else {
            integer(value ? 1 : 0);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code format} is not three ASCII characters
     */
    @Override
    public void verbatim(String format, byte[] text) {
        if (format.length() != 3 || ByteBufUtil.utf8Bytes(format) != 3) {
            throw new IllegalArgumentException("verbatim format must be 3 ASCII characters: " + format);
        }
        Objects.requireNonNull(text, "text");
        if (protocol != ProtocolVersion.RESP3) {
            bulk(text);
            return;
        }
        header('=', text.length + 4L);
        out.ensureWritable(text.length + 6);
        out.writeCharSequence(format, StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeBytes(text);
        out.writeBytes(CRLF);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code digits} is not an optional {@code -} followed by decimal digits
     */
    @Override
    public void bigNumber(String digits) {
        int n = digits.length();
        int first = n > 0 && digits.charAt(0) == '-' ? 1 : 0;
        if (first == n) {
            throw new IllegalArgumentException("not a big number: " + digits);
        }
        for (int i = first; i < n; i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a big number: " + digits);
            }
        }
        if (protocol == ProtocolVersion.RESP3) {
            out.writeByte('(');
        } else {
            bulkHeader(n);
        }
        out.writeCharSequence(digits, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
    }

    /** {@code type}, the digits of {@code value}, CRLF, written in place. */
    private void header(char type, long value) {
        int len = RespNumbers.decimalLength(value);
        out.ensureWritable(len + 3);
        int w = out.writerIndex();
        out.setByte(w, type);
        int end = RespNumbers.setLong(out, w + 1, value);
        out.setByte(end, '\r');
        out.setByte(end + 1, '\n');
        out.writerIndex(end + 2);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
