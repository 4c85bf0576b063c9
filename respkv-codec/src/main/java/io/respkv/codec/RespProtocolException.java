package io.respkv.codec;

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

    /** The error reply without the leading {@code -} and without CRLF, e.g. {@code ERR Protocol error: invalid bulk length}. */
    public String errorLine() {
        return errorLine;
    }
}
