package io.respkv.server.keyspace;

/** A command met a key holding another type; replies Redis's WRONGTYPE error. */
public final class WrongTypeException extends RuntimeException {

    public static final String MESSAGE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    public static final WrongTypeException INSTANCE = new WrongTypeException();

    private WrongTypeException() {
        super(MESSAGE, null, false, false);
    }
}
