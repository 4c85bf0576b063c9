package io.respkv.engine.tikv;

import java.util.Arrays;

/**
 * How respkv's key space is laid out in TiKV, under the engine's key prefix {@code P}:
 *
 * <ul>
 *   <li>{@code P 'd' key} holds the value of respkv key {@code key}, stored as {@code 0x00 value}:
 *       the leading byte lets an empty value exist (tikv-client-java's committer turns an empty
 *       value into a delete) and leaves room for a format change;</li>
 *   <li>{@code P 'm' ...} holds the engine's own metadata (the background leases).</li>
 * </ul>
 * Everything respkv writes is under {@code P}, so a cluster shared with other users (or several
 * respkv deployments with different prefixes) is safe as long as the prefixes do not overlap.
 */
final class TikvKeys {

    static final byte DATA = 'd';
    static final byte META = 'm';
    private static final byte VALUE_FORMAT = 0;

    private final byte[] dataPrefix;
    /** The first key after every data key: the prefix's successor. Null when unbounded. */
    private final byte[] dataEnd;
    private final byte[] metaPrefix;

    TikvKeys(byte[] prefix) {
        this.dataPrefix = concat(prefix, new byte[] {DATA});
        this.dataEnd = concat(prefix, new byte[] {DATA + 1});
        this.metaPrefix = concat(prefix, new byte[] {META});
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The TiKV key of respkv key {@code key}. */
    byte[] data(byte[] key) {
        return concat(dataPrefix, key);
    }

    /** The TiKV key of the lower bound {@code low} (null: the first data key). */
    byte[] low(byte[] low) {
        return low == null ? dataPrefix.clone() : data(low);
    }

    /** The TiKV key of the exclusive upper bound {@code high} (null: past the last data key). */
    byte[] high(byte[] high) {
        return high == null ? dataEnd.clone() : data(high);
    }

    /** The respkv key of data key {@code stored}. */
    byte[] userKey(byte[] stored) {
        return Arrays.copyOfRange(stored, dataPrefix.length, stored.length);
    }

    /** The TiKV key of engine metadata {@code name}. */
    byte[] meta(byte[] name) {
        return concat(metaPrefix, name);
    }

    /** The stored form of {@code value}: never empty. */
    static byte[] encodeValue(byte[] value) {
        byte[] out = new byte[value.length + 1];
        out[0] = VALUE_FORMAT;
        System.arraycopy(value, 0, out, 1, value.length);
        return out;
    }

    static byte[] decodeValue(byte[] stored) {
        if (stored.length == 0 || stored[0] != VALUE_FORMAT) {
            throw new IllegalStateException("not a respkv value (format byte " + (stored.length == 0 ? "missing"
                    : Integer.toString(stored[0] & 0xff)) + "): is the key prefix shared with another application?");
        }
        return Arrays.copyOfRange(stored, 1, stored.length);
    }
}
