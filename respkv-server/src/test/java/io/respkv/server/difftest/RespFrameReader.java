package io.respkv.server.difftest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads exactly one reply frame (RESP2 or RESP3) from a stream and keeps the bytes it
 * consumed, so replies can be compared byte for byte.
 *
 * <p>Strict on purpose: every line must end in CRLF, lengths and integers must be canonical
 * numbers, booleans {@code t}/{@code f}, the RESP3 null line empty. A server under test that
 * writes anything else gets an {@link IOException} naming the problem and the bytes read so
 * far, instead of a reply that happens to compare equal. Streamed RESP3 types
 * ({@code $?}, {@code *?}) are rejected: Redis 7.0 never writes them.
 */
public final class RespFrameReader {

    /** Largest bulk accepted; bigger lengths are taken as garbage, not allocated. */
    public static final int MAX_BULK_LENGTH = 64 << 20;
    /** Longest line accepted (simple strings, errors, numbers). */
    public static final int MAX_LINE_LENGTH = 1 << 20;
    /** Deepest nesting accepted. */
    public static final int MAX_DEPTH = 128;

    private final InputStream in;
    private byte[] buf = new byte[256];
    private int len;

    /** Reads from {@code in}; pass a buffered stream, frames are read a byte at a time. */
    public RespFrameReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next complete frame.
     *
     * @throws EOFException if the stream ends before the frame is complete
     * @throws IOException if the bytes are not a valid frame, or the stream fails (a
     *     {@link java.net.SocketTimeoutException} for a read timeout); the message shows the
     *     bytes consumed
     */
    public RespFrame read() throws IOException {
        len = 0;
        try {
            return readFrame(0);
        } catch (MalformedReply e) {
            throw new IOException("malformed reply: " + e.getMessage() + "; bytes read: " + consumedQuoted());
        } catch (EOFException e) {
            EOFException eof = new EOFException("connection closed mid-reply; bytes read: " + consumedQuoted());
            eof.initCause(e);
            throw eof;
        } catch (SocketTimeoutException e) {
            if (len == 0) {
                throw e;
            }
            SocketTimeoutException timeout = new SocketTimeoutException(
                    e.getMessage() + "; incomplete reply, bytes read: " + consumedQuoted());
            timeout.initCause(e);
            throw timeout;
        } catch (IOException e) {
            if (len == 0) {
                throw e;
            }
            throw new IOException(e.getMessage() + "; bytes read: " + consumedQuoted(), e);
        }
    }

    private String consumedQuoted() {
        return BytesFormat.quote(Arrays.copyOf(buf, len), BytesFormat.DEFAULT_LIMIT);
    }

    private RespFrame readFrame(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new MalformedReply("nesting deeper than " + MAX_DEPTH);
        }
        int start = len;
        int marker = readByte();
        RespType type = RespType.ofMarker(marker);
        if (type == null) {
            throw new MalformedReply("unknown type byte " + BytesFormat.quote(new byte[] {(byte) marker}));
        }
        byte[] line = readLine();
        switch (type) {
            case SIMPLE_STRING, ERROR:
                return frame(type, start, line, List.of(), null, false);
            case INTEGER:
                parseLong(line, "integer");
                return frame(type, start, line, List.of(), null, false);
            case DOUBLE:
                checkDouble(line);
                return frame(type, start, line, List.of(), null, false);
            case BIG_NUMBER:
                checkBigNumber(line);
                return frame(type, start, line, List.of(), null, false);
            case BOOLEAN:
                if (line.length != 1 || (line[0] != 't' && line[0] != 'f')) {
                    throw new MalformedReply("boolean must be t or f");
                }
                return frame(type, start, line, List.of(), null, false);
            case NULL:
                if (line.length != 0) {
                    throw new MalformedReply("null frame must be \"_\\r\\n\"");
                }
                return frame(type, start, null, List.of(), null, true);
            case BULK_STRING, BLOB_ERROR, VERBATIM_STRING: {
                long n = parseLength(line, type == RespType.BULK_STRING);
                if (n < 0) {
                    return frame(type, start, null, List.of(), null, true);
                }
                if (n > MAX_BULK_LENGTH) {
                    throw new MalformedReply("bulk length " + n + " > " + MAX_BULK_LENGTH);
                }
                byte[] data = readExactly((int) n);
                expectCrlf();
                if (type == RespType.VERBATIM_STRING && (data.length < 4 || data[3] != ':')) {
                    throw new MalformedReply("verbatim string must start with a 3-byte format and ':'");
                }
                return frame(type, start, data, List.of(), null, false);
            }
            case ARRAY, SET, PUSH, MAP, ATTRIBUTE: {
                long n = parseLength(line, type == RespType.ARRAY);
                if (n < 0) {
                    return frame(type, start, null, List.of(), null, true);
                }
                boolean pairs = type == RespType.MAP || type == RespType.ATTRIBUTE;
                if (n > (pairs ? Integer.MAX_VALUE / 2 : Integer.MAX_VALUE - 8)) {
                    throw new MalformedReply("aggregate size " + n + " too large");
                }
                long count = pairs ? 2 * n : n;
                // Grow as elements arrive: a bogus huge count must not allocate up front.
                List<RespFrame> elements = new ArrayList<>((int) Math.min(count, 1024));
                for (long i = 0; i < count; i++) {
                    elements.add(readFrame(depth + 1));
                }
                if (type != RespType.ATTRIBUTE) {
                    return frame(type, start, null, List.copyOf(elements), null, false);
                }
                RespFrame attribute = frame(type, start, null, List.copyOf(elements), null, false);
                RespFrame value = readFrame(depth);
                return new RespFrame(value.type(), Arrays.copyOfRange(buf, start, len), value.payload(),
                        value.elements(), attribute, value.isNull());
            }
            default:
                throw new AssertionError(type);
        }
    }

    private RespFrame frame(RespType type, int start, byte[] payload, List<RespFrame> elements,
            RespFrame attribute, boolean nullValue) {
        return new RespFrame(type, Arrays.copyOfRange(buf, start, len), payload, elements, attribute, nullValue);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("end of stream");
        }
        append((byte) b);
        return b;
    }

    /** The line up to CRLF (both consumed, not returned). */
    private byte[] readLine() throws IOException {
        int start = len;
        while (true) {
            int b = readByte();
            if (b == '\r') {
                expectByte('\n');
                return Arrays.copyOfRange(buf, start, len - 2);
            }
            if (b == '\n') {
                throw new MalformedReply("line feed without carriage return");
            }
            if (len - start > MAX_LINE_LENGTH) {
                throw new MalformedReply("line longer than " + MAX_LINE_LENGTH);
            }
        }
    }

    private byte[] readExactly(int n) throws IOException {
        ensure(n);
        int start = len;
        while (len - start < n) {
            int r = in.read(buf, len, n - (len - start));
            if (r < 0) {
                throw new EOFException("end of stream");
            }
            len += r;
        }
        return Arrays.copyOfRange(buf, start, len);
    }

    private void expectCrlf() throws IOException {
        expectByte('\r');
        expectByte('\n');
    }

    private void expectByte(int expected) throws IOException {
        int b = readByte();
        if (b != expected) {
            throw new MalformedReply("expected " + (expected == '\r' ? "\\r" : "\\n") + " but got "
                    + BytesFormat.quote(new byte[] {(byte) b}));
        }
    }

    private static long parseLength(byte[] line, boolean nullAllowed) {
        long n = parseLong(line, "length");
        if (n == -1 && nullAllowed) {
            return -1;
        }
        if (n < 0) {
            throw new MalformedReply("negative length " + n);
        }
        return n;
    }

    /** A canonical decimal: optional '-', digits, no leading zero, no '+', fits 64 bits. */
    private static long parseLong(byte[] line, String what) {
        String s = new String(line, StandardCharsets.US_ASCII);
        boolean canonical = s.matches("0|-?[1-9][0-9]*");
        try {
            if (canonical) {
                return Long.parseLong(s);
            }
        } catch (NumberFormatException e) {
            // out of range, reported below
        }
        throw new MalformedReply("bad " + what + " " + BytesFormat.quote(line));
    }

    private static void checkDouble(byte[] line) {
        String s = new String(line, StandardCharsets.US_ASCII);
        if (!s.matches("-?(inf|nan|[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)")) {
            throw new MalformedReply("bad double " + BytesFormat.quote(line));
        }
    }

    private static void checkBigNumber(byte[] line) {
        if (!new String(line, StandardCharsets.US_ASCII).matches("-?[0-9]+")) {
            throw new MalformedReply("bad big number " + BytesFormat.quote(line));
        }
    }

    private void append(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (buf.length - len < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    /** A violation of the wire format; turned into an IOException with the bytes read. */
    private static final class MalformedReply extends RuntimeException {
        MalformedReply(String message) {
            super(message, null, false, false);
        }
    }
}
