package io.respkv.server.keyspace;

import io.respkv.api.ReplySink;
import java.util.Arrays;

/**
 * The metadata entry of one user key: its type, expiry, and either the string value inline or,
 * for collections, the version its elements live under and the element count.
 *
 * <pre>
 * string:      format:u8=1 | type:u8=0 | expire-at ms:i64 | value bytes...
 * collection:  format:u8=1 | type:u8   | expire-at ms:i64 | version:u64 | size:u64
 * list:        format:u8=1 | type:u8=2 | expire-at ms:i64 | version:u64 | size:u64 | head:i64
 * </pre>
 *
 * {@code expire-at} is a Unix time in milliseconds, 0 for no expiry. The leading format byte lets
 * a later layout be told apart from this one. A list adds its head position: its elements sit at
 * positions {@code head .. head + size - 1} (see {@link RedisList}); a list entry written without
 * the field (none exists today) would read as head 0.
 */
public final class KeyMeta {

    /** The layout format this code writes. */
    public static final byte FORMAT = 1;
    /** No expiry. */
    public static final long NO_EXPIRY = 0;

    private static final int HEADER = 10;
    private static final int COLLECTION_LENGTH = HEADER + 16;
    private static final int LIST_LENGTH = COLLECTION_LENGTH + 8;

    private final RedisType type;
    private final long expireAt;
    private final long version;
    private final long size;
    /** A list's head position; 0 for other types. */
    private final long head;
    /** A string's value; for a decoded string, null until {@link #value()} first copies it out of {@link #encoded}. */
    private byte[] value;
    /**
     * The encoded string entry this was decoded from, or null; when set, it holds the value (after
     * the header): many readers of a string's metadata want only its type and deadline (SET,
     * EXISTS, TTL...), so the value is not copied out until asked for.
     */
    private final byte[] encoded;

    private KeyMeta(RedisType type, long expireAt, long version, long size, byte[] value) {
        this(type, expireAt, version, size, 0, value, null);
    }

    private KeyMeta(RedisType type, long expireAt, long version, long size, long head, byte[] value, byte[] encoded) {
        this.type = type;
        this.expireAt = expireAt;
        this.version = version;
        this.size = size;
        this.head = head;
        this.value = value;
        this.encoded = encoded;
    }

    public static KeyMeta string(byte[] value, long expireAt) {
        return new KeyMeta(RedisType.STRING, expireAt, 0, 0, value);
    }

    public static KeyMeta collection(RedisType type, long expireAt, long version, long size) {
        if (!type.isCollection()) {
            throw new IllegalArgumentException(type + " is not a collection");
        }
        return new KeyMeta(type, expireAt, version, size, null);
    }

    /**
     * The metadata of a list: its elements are at positions {@code head .. head + size - 1} under
     * {@code version} (see {@link RedisList} for the element layout).
     */
    public static KeyMeta list(long expireAt, long version, long size, long head) {
        return new KeyMeta(RedisType.LIST, expireAt, version, size, head, null, null);
    }

    public RedisType type() {
        return type;
    }

    /** Unix ms deadline, or {@link #NO_EXPIRY}. */
    public long expireAt() {
        return expireAt;
    }

    public boolean hasExpiry() {
        return expireAt != NO_EXPIRY;
    }

    /** Whether the key is logically gone at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        return expireAt != NO_EXPIRY && expireAt <= nowMillis;
    }

    /** The element version of a collection. */
    public long version() {
        return version;
    }

    /** The element count of a collection. */
    public long size() {
        return size;
    }

    /** The position of a list's first element (0 for other types). */
    public long listHead() {
        return head;
    }

    /** The value of a string key (shared, do not modify). */
    public byte[] value() {
        if (value == null && encoded != null) {
            value = Arrays.copyOfRange(encoded, HEADER, encoded.length);
        }
        return value;
    }

    /** The length of a string's value, without copying it out. */
    public int valueLength() {
        return encoded != null ? encoded.length - HEADER : value.length;
    }

    /** Replies a string's value as a bulk string, straight from the decoded entry (no copy). */
    public void replyValue(ReplySink reply) {
        if (encoded != null) {
            reply.bulk(encoded, HEADER, encoded.length - HEADER);
        } else {
            reply.bulk(value);
        }
    }

    public KeyMeta withExpireAt(long newExpireAt) {
        return new KeyMeta(type, newExpireAt, version, size, head, value, encoded);
    }

    public KeyMeta withSize(long newSize) {
        return new KeyMeta(type, expireAt, version, newSize, head, value, encoded);
    }

    /** The same collection metadata (size, expiry, a list's head) under another element version. */
    public KeyMeta withVersion(long newVersion) {
        if (type == RedisType.STRING) {
            throw new IllegalStateException("a string has no version");
        }
        return new KeyMeta(type, expireAt, newVersion, size, head, value, encoded);
    }

    public byte[] encode() {
        byte[] out;
        if (encoded != null) {
            out = encoded.clone(); // the string as decoded, the header rewritten below
        } else if (type == RedisType.STRING) {
            out = new byte[HEADER + value.length];
            System.arraycopy(value, 0, out, HEADER, value.length);
        } else {
            out = new byte[type == RedisType.LIST ? LIST_LENGTH : COLLECTION_LENGTH];
            KeyCodec.putLong(out, HEADER, version);
            KeyCodec.putLong(out, HEADER + 8, size);
            if (type == RedisType.LIST) {
                KeyCodec.putLong(out, COLLECTION_LENGTH, head);
            }
        }
        out[0] = FORMAT;
        out[1] = type.code();
        KeyCodec.putLong(out, 2, expireAt);
        return out;
    }

    public static KeyMeta decode(byte[] raw) {
        if (raw.length < HEADER || raw[0] != FORMAT) {
            throw new IllegalStateException("unknown metadata format " + (raw.length == 0 ? "(empty)" : raw[0]));
        }
        RedisType type = RedisType.ofCode(raw[1]);
        long expireAt = KeyCodec.getLong(raw, 2);
        if (type == RedisType.STRING) {
            return new KeyMeta(type, expireAt, 0, 0, 0, null, raw);
        }
        long head = type == RedisType.LIST && raw.length >= LIST_LENGTH ? KeyCodec.getLong(raw, COLLECTION_LENGTH) : 0;
        return new KeyMeta(type, expireAt, KeyCodec.getLong(raw, HEADER), KeyCodec.getLong(raw, HEADER + 8), head, null, null);
    }

    /**
     * The first bytes of every encoded string without expiry (format, type, deadline 0), and of
     * nothing else. A key absent or holding such an entry can be replaced by a string without
     * touching anything else: no expiry-index entry to remove, no collection version to retire,
     * nothing expired to count (see {@link Keyspace#overwriteString}).
     */
    public static byte[] persistentStringHeader() {
        return string(new byte[0], NO_EXPIRY).encode();
    }

    /** The expiry of an encoded entry without decoding the rest. */
    public static long expireAtOf(byte[] raw) {
        return KeyCodec.getLong(raw, 2);
    }

    /** The type of an encoded entry without decoding the rest. */
    public static RedisType typeOf(byte[] raw) {
        return RedisType.ofCode(raw[1]);
    }
}
