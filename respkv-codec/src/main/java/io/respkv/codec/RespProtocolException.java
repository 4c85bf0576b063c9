package io.respkv.codec;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Malformed RESP input. {@link #errorLine()} is the reply Redis sends before closing the
 * connection, e.g. {@code ERR Protocol error: invalid bulk length}.
 */
public final class RespProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorLine;

    /** @param errorLine the error reply without the leading {@code -} and without CRLF */
    public RespProtocolException(String errorLine) {
        // No stack trace: this signals bad client input, not a bug, and clients can trigger it at will.
        super(Objects.requireNonNull(errorLine, "errorLine"), null, false, false);
        this.errorLine = errorLine;
    }

    /**
     * The error reply without the leading {@code -} and without CRLF, e.g.
     * {@code ERR Protocol error: invalid bulk length}. A raw input byte quoted in the message
     * ({@code expected '$', got '%c'}) appears as the ISO-8859-1 char of that byte.
     */
    public String errorLine() {
        return errorLine;
    }

    /**
     * The whole error reply as Redis puts it on the wire, {@code -<errorLine>\r\n}, with a quoted
     * input byte as that raw byte (writing {@link #errorLine()} as UTF-8 would differ from Redis
     * for bytes 0x80-0xFF).
     */
    public byte[] encoded() {
        return ("-" + errorLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
