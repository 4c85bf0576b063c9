package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.CommandArgs;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One decoded request, reused from request to request: argument {@code i} is the slice
 * {@code [offset(i), offset(i) + length(i))} of {@link #buffer()}. For a multibulk request that
 * buffer is the receive buffer given to {@link RespRequestDecoder#decode}; for an inline request
 * (whose arguments may be unescaped) it is a scratch buffer owned by this object; for one made by
 * {@link #of}, the arguments side by side in a buffer of its own, never reused. The views of a
 * decoded request are valid only until the next {@code decode} into this object or until the receive
 * buffer is released, discarded or compacted: copy with {@link #bytes(int)} what must outlive that.
 *
 * <p>Not thread-safe; one per connection.
 */
public final class RespRequest implements CommandArgs {

    private static final int INITIAL_CAPACITY = 16;

    private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
    /** Offsets of the arguments relative to {@link #base}. */
    private int[] offsets = new int[INITIAL_CAPACITY];
    private int[] lengths = new int[INITIAL_CAPACITY];
    private int base;
    private int count;
    /** Where inline arguments are unescaped to; created on the first inline request. */
    private ByteBuf scratch;
    /** Made by {@link #of}: its buffer is its own and nothing decodes into it again. */
    private boolean detached;

    /**
     * A request holding {@code args} (argument 0 the command name), as if decoded from the wire:
     * for replaying a logged command, tests and tools. Not for the receive path.
     */
    public static RespRequest of(byte[]... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a request needs at least the command name");
        }
        int size = 0;
        for (byte[] a : args) {
            size += a.length;
        }
        ByteBuf own = Unpooled.buffer(size, size);
        int[] offsets = new int[args.length];
        int[] lengths = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            offsets[i] = own.writerIndex();
            lengths[i] = args[i].length;
            own.writeBytes(args[i]);
        }
        RespRequest request = new RespRequest();
        request.publish(own, 0, offsets, lengths, args.length);
        request.detached = true;
        return request;
    }

    /** {@link #of(byte[]...)} with each argument's UTF-8 bytes. */
    public static RespRequest of(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return of(raw);
    }

    /** An empty request (no arguments), to decode into. */
    public RespRequest() {
    }

    /** The buffer the arguments point into. */
    public ByteBuf buffer() {
        return buffer;
    }

    /** The absolute index in {@link #buffer()} of the first byte of argument {@code index}. */
    public int offset(int index) {
        Objects.checkIndex(index, count);
        return base + offsets[index];
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int length(int index) {
        Objects.checkIndex(index, count);
        return lengths[index];
    }

    @Override
    public byte byteAt(int index, int offset) {
        Objects.checkIndex(offset, length(index));
        return buffer.getByte(base + offsets[index] + offset);
    }

    @Override
    public byte[] bytes(int index) {
        byte[] copy = new byte[length(index)];
        buffer.getBytes(base + offsets[index], copy);
        return copy;
    }

    /** Copies of every argument, the command name first. */
    public byte[][] arguments() {
        byte[][] args = new byte[count()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = bytes(i);
        }
        return args;
    }

    /**
     * A request of copies of this one's arguments: it outlives the buffer this one was decoded
     * from. A request made by {@link #of} already owns its buffer and is its own copy (a replica
     * queuing the commands of a replicated MULTI/EXEC copies nothing).
     */
    public RespRequest copy() {
        if (detached) {
            return this;
        }
        int end = 0; // the arguments' region of the buffer, relative to base (headers between them come along)
        for (int i = 0; i < count; i++) {
            end = Math.max(end, offsets[i] + lengths[i]);
        }
        ByteBuf own = Unpooled.buffer(end, end);
        own.writeBytes(buffer, base, end);
        RespRequest copy = new RespRequest();
        copy.publish(own, 0, java.util.Arrays.copyOf(offsets, count), java.util.Arrays.copyOf(lengths, count), count);
        copy.detached = true;
        return copy;
    }

    @Override
    public String string(int index) {
        int len = length(index);
        return buffer.toString(base + offsets[index], len, StandardCharsets.UTF_8);
    }

    @Override
    public boolean is(int index, String keyword) {
        int len = length(index);
        int n = keyword.length();
        // Redis compares keywords with strcasecmp: the argument ends at its first NUL byte.
        if (len < n || (len > n && buffer.getByte(base + offsets[index] + n) != 0)) {
            return false;
        }
        int at = base + offsets[index];
        for (int i = 0; i < n; i++) {
            if (toLower(buffer.getByte(at + i)) != toLower(keyword.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NumberFormatException with the message {@code value is not an integer or out of range}
     *                               (Redis's error text after {@code ERR })
     */
    @Override
    public long parseLong(int index) {
        int len = length(index);
        int at = base + offsets[index];
        return RespNumbers.string2ll(buffer, at, at + len);
    }

    /** Whether argument {@code index} equals {@code other} byte for byte. */
    public boolean argEquals(int index, byte[] other) {
        int len = length(index);
        if (other.length != len) {
            return false;
        }
        int at = base + offsets[index];
        for (int i = 0; i < len; i++) {
            if (buffer.getByte(at + i) != other[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether argument {@code index} equals {@code lowerCase} once its ASCII letters are
     * lower-cased. {@code lowerCase} must itself be lower case (e.g. a command-table name).
     */
    public boolean argEqualsLowerCase(int index, byte[] lowerCase) {
        int len = length(index);
        if (lowerCase.length != len) {
            return false;
        }
        int at = base + offsets[index];
        for (int i = 0; i < len; i++) {
            if (toLower(buffer.getByte(at + i)) != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A hash of argument {@code index} with its ASCII letters lower-cased, for command-table
     * lookups without allocating: it equals {@code s.hashCode()} where {@code s} is the argument
     * decoded as ISO-8859-1 and lower-cased in the ASCII range, so for an ASCII command name
     * {@code lowerCaseHash(0) == name.toLowerCase(Locale.ROOT).hashCode()}.
     */
    public int lowerCaseHash(int index) {
        int len = length(index);
        int at = base + offsets[index];
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + (toLower(buffer.getByte(at + i)) & 0xFF);
        }
        return h;
    }

    /**
     * Copies argument {@code index} with its ASCII letters lower-cased into the start of {@code dst}.
     *
     * @return the argument's length, or {@code -1} (and nothing copied) if it does not fit in {@code dst}
     */
    public int copyLowerCase(int index, byte[] dst) {
        int len = length(index);
        if (len > dst.length) {
            return -1;
        }
        int at = base + offsets[index];
        for (int i = 0; i < len; i++) {
            dst[i] = toLower(buffer.getByte(at + i));
        }
        return len;
    }

    /** The arguments as text, for logs and test failures (not for the hot path). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RespRequest[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('"').append(string(i)).append('"');
        }
        return sb.append(']').toString();
    }

    private static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    private static int toLower(char c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    // ---- used by RespRequestDecoder ----

    /** The scratch buffer for inline arguments, cleared. */
    ByteBuf clearedScratch() {
        if (scratch == null) {
            scratch = Unpooled.buffer(256);
        }
        return scratch.clear();
    }

    int[] offsetArray() {
        return offsets;
    }

    int[] lengthArray() {
        return lengths;
    }

    /**
     * Points this request at new arguments, taking ownership of the given arrays (the decoder
     * takes this request's previous arrays in exchange, so no array is copied or allocated).
     */
    void publish(ByteBuf buffer, int base, int[] offsets, int[] lengths, int count) {
        this.buffer = buffer;
        this.base = base;
        this.offsets = offsets;
        this.lengths = lengths;
        this.count = count;
    }
}
