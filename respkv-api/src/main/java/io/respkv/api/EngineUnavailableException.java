package io.respkv.api;

/**
 * The engine's store cannot be reached now (its database is down, restarting or unreachable).
 * Nothing of a call that failed with it before committing became visible; a
 * {@link Transaction#commit() commit} that failed with it may or may not have been applied (the
 * connection broke while it ran). The server answers the command with
 * {@code -ERR engine unavailable: <message>}; the same command may succeed once the store is
 * back, which engines notice by themselves.
 */
public class EngineUnavailableException extends RuntimeException {

    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
