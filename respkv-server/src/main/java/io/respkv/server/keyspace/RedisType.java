package io.respkv.server.keyspace;

/**
 * The Redis data types and their persisted type codes. The codes are part of the on-disk format
 * (docs/encoding.md) and never change; new types take new codes.
 */
public enum RedisType {
    STRING(0, "string"),
    HASH(1, "hash"),
    LIST(2, "list"),
    SET(3, "set"),
    ZSET(4, "zset");

    private static final RedisType[] BY_CODE = {STRING, HASH, LIST, SET, ZSET};

    private final byte code;
    private final String typeName;

    RedisType(int code, String typeName) {
        this.code = (byte) code;
        this.typeName = typeName;
    }

    /** The persisted type code. */
    public byte code() {
        return code;
    }

    /** The name TYPE replies with, and SCAN's TYPE option takes. */
    public String typeName() {
        return typeName;
    }

    /** Whether values of this type are stored as element entries under a version. */
    public boolean isCollection() {
        return this != STRING;
    }

    public static RedisType ofCode(byte code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalStateException("unknown type code " + code + " (data written by a newer respkv?)");
        }
        return BY_CODE[code];
    }

    /** The type named {@code name} (as TYPE prints it), or null. */
    public static RedisType ofName(String name) {
        for (RedisType t : BY_CODE) {
            if (t.typeName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
