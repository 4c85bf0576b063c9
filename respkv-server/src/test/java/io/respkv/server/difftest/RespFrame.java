package io.respkv.server.difftest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One complete reply frame as read from the wire: its type, its exact bytes and, for
 * aggregates, its elements (a map's keys and values alternate: {@code k1, v1, k2, v2...}).
 *
 * <p>A RESP3 attribute ({@code |}) is not a reply by itself: it is kept in
 * {@link #attribute()} of the frame that follows it, and {@link #raw()} covers both.
 */
public final class RespFrame {

    private final RespType type;
    private final byte[] raw;
    private final byte[] payload;
    private final List<RespFrame> elements;
    private final RespFrame attribute;
    private final boolean nullValue;

    RespFrame(RespType type, byte[] raw, byte[] payload, List<RespFrame> elements, RespFrame attribute,
            boolean nullValue) {
        this.type = type;
        this.nullValue = nullValue;
        this.raw = raw;
        this.payload = payload;
        this.elements = elements;
        this.attribute = attribute;
    }

    /** The frame's type. */
    public RespType type() {
        return type;
    }

    /** Every byte of the frame, as the server wrote it (a copy). */
    public byte[] raw() {
        return raw.clone();
    }

    /**
     * The content: the line of a simple string, error, integer, double, boolean or big number,
     * or the data of a bulk string, blob error or verbatim string (with its {@code txt:}
     * prefix); {@code null} for nulls and aggregates. A copy.
     */
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }

    /** The content as a string (UTF-8), or {@code null}; convenient for assertions on text. */
    public String text() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The elements of an aggregate (a map's keys and values alternate); empty for scalars and
     * a null array. Immutable.
     */
    public List<RespFrame> elements() {
        return elements;
    }

    /** The attribute that preceded this frame, or {@code null}. */
    public RespFrame attribute() {
        return attribute;
    }

    /** True for RESP3 {@code _}, RESP2 null bulk {@code $-1} and null array {@code *-1}. */
    public boolean isNull() {
        return nullValue;
    }

    /** True for {@code -} and {@code !} errors. */
    public boolean isError() {
        return type == RespType.ERROR || type == RespType.BLOB_ERROR;
    }

    /** The value of an integer frame. */
    public long integer() {
        if (type != RespType.INTEGER) {
            throw new IllegalStateException("not an integer reply: " + this);
        }
        return Long.parseLong(text());
    }

    /**
     * The reply's structure without its content: types, nullness and aggregate sizes, e.g.
     * {@code *2[$,$]} for TIME. Errors keep their full text, since error lines are deterministic.
     */
    public String shape() {
        String prefix = attribute == null ? "" : attribute.shape() + " ";
        if (isError()) {
            return prefix + toString();
        }
        if (type == RespType.NULL) {
            return prefix + "_";
        }
        if (isNull()) {
            return prefix + type.marker() + "null";
        }
        if (!type.isAggregate()) {
            return prefix + type.marker();
        }
        int count = type == RespType.MAP || type == RespType.ATTRIBUTE ? elements.size() / 2 : elements.size();
        return prefix + type.marker() + count
                + elements.stream().map(RespFrame::shape).collect(Collectors.joining(",", "[", "]"));
    }

    /** The raw bytes, quoted and escaped (see {@link BytesFormat}). */
    @Override
    public String toString() {
        return BytesFormat.quote(raw, BytesFormat.DEFAULT_LIMIT);
    }
}
