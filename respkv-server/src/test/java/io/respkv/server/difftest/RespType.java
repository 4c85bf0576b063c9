package io.respkv.server.difftest;

/** The RESP2 and RESP3 reply types, each with the byte that starts its frame on the wire. */
public enum RespType {
    SIMPLE_STRING('+', false),
    ERROR('-', false),
    INTEGER(':', false),
    BULK_STRING('$', false),
    ARRAY('*', true),
    NULL('_', false),
    DOUBLE(',', false),
    BOOLEAN('#', false),
    BLOB_ERROR('!', false),
    VERBATIM_STRING('=', false),
    BIG_NUMBER('(', false),
    MAP('%', true),
    SET('~', true),
    PUSH('>', true),
    ATTRIBUTE('|', true);

    private static final RespType[] BY_MARKER = new RespType[128];

    static {
        for (RespType type : values()) {
            BY_MARKER[type.marker] = type;
        }
    }

    private final char marker;
    private final boolean aggregate;

    RespType(char marker, boolean aggregate) {
        this.marker = marker;
        this.aggregate = aggregate;
    }

    /** The first byte of a frame of this type. */
    public char marker() {
        return marker;
    }

    /** Whether frames of this type contain other frames. */
    public boolean isAggregate() {
        return aggregate;
    }

    /** The type a frame starting with {@code b} has, or {@code null} if no type starts so. */
    public static RespType ofMarker(int b) {
        return b >= 0 && b < BY_MARKER.length ? BY_MARKER[b] : null;
    }
}
