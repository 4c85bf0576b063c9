package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.util.Objects;

/**
 * Cuts requests out of a connection's receive buffer, as Redis 7.0's {@code processInputBuffer}
 * does: a request starting with {@code *} is multibulk ({@code *<n>\r\n} then n times
 * {@code $<len>\r\n<bytes>\r\n}); anything else is an inline command line ending in {@code \n}
 * (an optional {@code \r} before it), split with {@code sdssplitargs} quoting rules.
 *
 * <p>The decoder keeps no object per argument: a multibulk request's arguments are slices of the
 * receive buffer recorded in reused int arrays. Progress on an incomplete request is kept relative
 * to the buffer's reader index, so a huge bulk fed in small pieces is not rescanned, and the caller
 * may {@code discardReadBytes()} between calls.
 *
 * <p>Faithful to Redis even where Redis is lenient: the two bytes after a count line's {@code \r}
 * and after a bulk's data are skipped without checking that they are CRLF; a NUL byte before the
 * line terminator leaves the request incomplete until more than
 * {@link RespLimits#maxInlineLength()} bytes are buffered (Redis searches lines with
 * {@code strchr}).
 *
 * <p>Not thread-safe; one per connection.
 */
public final class RespRequestDecoder {

    /** Redis allows at most this many arguments before AUTH ({@code processMultibulkBuffer}). */
    static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;
    /** Redis allows bulk strings of at most this length before AUTH. */
    static final int UNAUTHENTICATED_MAX_BULK_LENGTH = 16384;

    static final String TOO_BIG_MBULK_COUNT = "ERR Protocol error: too big mbulk count string";
    static final String INVALID_MULTIBULK_LENGTH = "ERR Protocol error: invalid multibulk length";
    static final String UNAUTHENTICATED_MULTIBULK_LENGTH = "ERR Protocol error: unauthenticated multibulk length";
    static final String TOO_BIG_BULK_COUNT = "ERR Protocol error: too big bulk count string";
    static final String INVALID_BULK_LENGTH = "ERR Protocol error: invalid bulk length";
    static final String UNAUTHENTICATED_BULK_LENGTH = "ERR Protocol error: unauthenticated bulk length";
    static final String TOO_BIG_INLINE = "ERR Protocol error: too big inline request";
    static final String UNBALANCED_QUOTES = "ERR Protocol error: unbalanced quotes in request";

    /** Stops at the end of a count line, or at a NUL byte where Redis's {@code strchr} would stop. */
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;
    /** Stops at the end of an inline line, or at a NUL byte where Redis's {@code strchr} would stop. */
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

    private static final int IDLE = 0;
    private static final int MULTIBULK_COUNT = 1;
    private static final int MULTIBULK_ARGS = 2;
    private static final int INLINE = 3;

    private static final int INITIAL_ARGS = 16;
    /** Argument arrays bigger than this are dropped when a small request follows a huge one. */
    private static final int RETAINED_ARGS = 64 * 1024;

    private final RespLimits limits;
    private boolean authenticated = true;

    private int state = IDLE;
    /** Start of the current line or bulk, relative to the reader index. */
    private int pos;
    /** How far (relative) the current line has been searched for its terminator without finding it. */
    private int scanned;
    /** Arguments still to read in the current multibulk request. */
    private int remaining;
    /** Length of the bulk being read, or -1 while its {@code $} line is pending. */
    private int bulkLength = -1;
    private int argc;
    /** Index of the {@code \r} ending the count or length line just parsed. */
    private int lineEnd;
    private int[] offsets = new int[INITIAL_ARGS];
    private int[] lengths = new int[INITIAL_ARGS];

    /** A decoder enforcing {@code limits}; it starts authenticated (no pre-AUTH limits). */
    public RespRequestDecoder(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The limits this decoder enforces. */
    public RespLimits limits() {
        return limits;
    }

    /**
     * Whether the connection has authenticated. While {@code false}, Redis's pre-AUTH limits
     * apply: more than 10 arguments gets {@code ERR Protocol error: unauthenticated multibulk length},
     * a bulk longer than 16384 bytes {@code ERR Protocol error: unauthenticated bulk length}.
     * Defaults to {@code true} (no password configured).
     */
    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** Forgets any partially decoded request (e.g. after the caller dropped the buffer). */
    public void reset() {
        state = IDLE;
        pos = 0;
        scanned = 0;
        remaining = 0;
        bulkLength = -1;
        argc = 0;
    }

    /**
     * Decodes one request starting at {@code in.readerIndex()}. Returns {@code true} when a
     * complete request was decoded: {@code out} then holds views into {@code in} (or into its own
     * scratch buffer for an inline request) and {@code in.readerIndex()} is past the request.
     * Returns {@code false} when more bytes are needed: the reader index is unchanged (unless empty
     * requests were skipped) and {@code out} is untouched. Empty requests (a blank inline line,
     * {@code *0}, {@code *-1}) are consumed and skipped, as Redis does.
     *
     * @throws RespProtocolException with Redis's exact error line for malformed input; the decoder
     *                               is then reset, and the connection should be closed after
     *                               replying, as Redis does
     */
    public boolean decode(ByteBuf in, RespRequest out) {
        try {
            for (;;) {
                int start = in.readerIndex();
                int end = in.writerIndex();
                if (state == IDLE) {
                    if (start == end) {
                        return false;
                    }
                    state = in.getByte(start) == '*' ? MULTIBULK_COUNT : INLINE;
                    pos = 0;
                    scanned = 0;
                }
                if (state == INLINE) {
                    int lf = findLine(in, start, end, FIND_LF_OR_NUL, TOO_BIG_INLINE);
                    if (lf < 0) {
                        return false;
                    }
                    int lineEnd = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
                    ByteBuf scratch = out.clearedScratch();
                    splitInline(in, start, lineEnd, scratch);
                    in.readerIndex(lf + 1);
                    state = IDLE;
                    if (argc > 0) {
                        publish(out, scratch, 0);
                        return true;
                    }
                    continue;
                }
                if (state == MULTIBULK_COUNT) {
                    if (!readCount(in, start, end)) {
                        return false;
                    }
                    if (remaining == 0) {
                        // *0 and negative counts are empty requests: consumed, nothing to run.
                        in.readerIndex(start + pos);
                        state = IDLE;
                        continue;
                    }
                }
                if (!readArgs(in, start, end)) {
                    return false;
                }
                in.readerIndex(start + pos);
                state = IDLE;
                publish(out, in, start);
                return true;
            }
        } catch (RespProtocolException e) {
            reset();
            throw e;
        }
    }

    /**
     * Looks ahead at the multibulk requests in {@code bytes[from, to)} (a copy of a connection's
     * buffered input): of up to {@code maxRequests} complete requests, records where argument 1
     * (the first key, for most commands) of each with two or more arguments starts in
     * {@code bytes} and its length, if at most {@code maxKeyLength}. For hints only (a server
     * prefetching the keys a pipeline is about to read): it stops, without an error, at the first
     * request it does not find complete and in the plain form ({@code *<digits>\r\n}, then
     * {@code $<digits>\r\n<bytes>\r\n} per argument), which {@link #decode} then reads or
     * rejects as always. Returns the number of keys recorded in {@code keyOffsets} and
     * {@code keyLengths} (at most their length).
     */
    public static int peekKeys(byte[] bytes, int from, int to, int maxRequests, int maxKeyLength,
                               int[] keyOffsets, int[] keyLengths) {
        java.util.Objects.checkFromToIndex(from, to, bytes.length);
        int p = from;
        int keys = 0;
        for (int r = 0; r < maxRequests && keys < keyOffsets.length && p < to && bytes[p] == '*'; r++) {
            long line = peekNumber(bytes, p + 1, to);
            if (line < 0) {
                return keys;
            }
            long count = line >>> 4;
            p += (int) (line & 0xF) + 3;
            int keyAt = -1;
            int keyLength = 0;
            for (long a = 0; a < count; a++) {
                if (p >= to || bytes[p] != '$') {
                    return keys;
                }
                line = peekNumber(bytes, p + 1, to);
                if (line < 0) {
                    return keys;
                }
                long length = line >>> 4;
                p += (int) (line & 0xF) + 3;
                if (a == 1) {
                    keyAt = p;
                    keyLength = (int) length;
                }
                if ((long) to - p < length + 2) {
                    return keys;
                }
                p += (int) length + 2;
            }
            if (keyAt >= 0 && keyLength <= maxKeyLength) {
                keyOffsets[keys] = keyAt;
                keyLengths[keys] = keyLength;
                keys++;
            }
        }
        return keys;
    }

    /**
     * The number of one to nine digits (no leading zero) at {@code at}, ended by {@code \r\n}
     * before {@code to}, shifted left by four bits, plus its count of digits; -1 for anything else.
     */
    private static long peekNumber(byte[] bytes, int at, int to) {
        long v = 0;
        for (int p = at; p < to && p - at <= 9; p++) {
            byte b = bytes[p];
            if (b == '\r') {
                return p > at && p + 1 < to && bytes[p + 1] == '\n' ? v << 4 | (p - at) : -1;
            }
            if (b < '0' || b > '9' || p - at == 9 || (b == '0' && p == at && p + 1 < to && bytes[p + 1] != '\r')) {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return -1;
    }

    /** Reads {@code *<n>\r\n}; false if incomplete. Sets {@link #remaining} (0 for an empty request). */
    private boolean readCount(ByteBuf in, int start, int end) {
        int lineStart = start + pos;
        long count = fastLength(in, lineStart, end);
        if (count < 0) {
            int cr = findLine(in, lineStart, end, FIND_CR_OR_NUL, TOO_BIG_MBULK_COUNT);
            if (cr < 0) {
                return false;
            }
            try {
                count = RespNumbers.string2ll(in, lineStart + 1, cr);
            } catch (NumberFormatException e) {
                throw new RespProtocolException(INVALID_MULTIBULK_LENGTH);
            }
            lineEnd = cr;
        }
        // Redis's own bound (INT_MAX) first, then the pre-AUTH one, then ours: so the error lines
        // are Redis's whenever Redis would reject the count too.
        if (count > Integer.MAX_VALUE) {
            throw new RespProtocolException(INVALID_MULTIBULK_LENGTH);
        }
        if (count > UNAUTHENTICATED_MAX_ARGUMENTS && !authenticated) {
            throw new RespProtocolException(UNAUTHENTICATED_MULTIBULK_LENGTH);
        }
        if (count > limits.maxArguments()) {
            throw new RespProtocolException(INVALID_MULTIBULK_LENGTH);
        }
        pos = lineEnd + 2 - start;
        scanned = pos;
        argc = 0;
        bulkLength = -1;
        if (count <= 0) {
            remaining = 0;
            return true;
        }
        remaining = (int) count;
        state = MULTIBULK_ARGS;
        if (offsets.length > RETAINED_ARGS && count <= INITIAL_ARGS) {
            offsets = new int[INITIAL_ARGS];
            lengths = new int[INITIAL_ARGS];
        }
        return true;
    }

    /** Reads the bulk arguments of a multibulk request; false if incomplete. */
    private boolean readArgs(ByteBuf in, int start, int end) {
        while (remaining > 0) {
            int at = start + pos;
            if (bulkLength < 0) {
                if (at >= end) {
                    return false;
                }
                long len = in.getByte(at) == '$' ? fastLength(in, at, end) : -1;
                if (len < 0 || len > limits.maxBulkLength()) {
                    int cr = findLine(in, at, end, FIND_CR_OR_NUL, TOO_BIG_BULK_COUNT);
                    if (cr < 0) {
                        return false;
                    }
                    byte first = in.getByte(at);
                    if (first != '$') {
                        // Redis formats this with %c and then maps CR and LF to spaces.
                        char c = first == '\r' || first == '\n' ? ' ' : (char) (first & 0xFF);
                        throw new RespProtocolException("ERR Protocol error: expected '$', got '" + c + "'");
                    }
                    try {
                        len = RespNumbers.string2ll(in, at + 1, cr);
                    } catch (NumberFormatException e) {
                        throw new RespProtocolException(INVALID_BULK_LENGTH);
                    }
                    if (len < 0 || len > limits.maxBulkLength()) {
                        throw new RespProtocolException(INVALID_BULK_LENGTH);
                    }
                    lineEnd = cr;
                }
                if (len > UNAUTHENTICATED_MAX_BULK_LENGTH && !authenticated) {
                    throw new RespProtocolException(UNAUTHENTICATED_BULK_LENGTH);
                }
                pos = lineEnd + 2 - start;
                at = lineEnd + 2;
                bulkLength = (int) len;
            }
            if ((long) end - at < (long) bulkLength + 2) {
                return false;
            }
            if (argc == offsets.length) {
                grow();
            }
            offsets[argc] = pos;
            lengths[argc] = bulkLength;
            argc++;
            pos += bulkLength + 2;
            scanned = pos;
            bulkLength = -1;
            remaining--;
        }
        return true;
    }

    /**
     * The common case of a count or length line, {@code <type><digits>\r?} with at least one byte
     * after the {@code \r}, parsed in one pass. Returns -1 for anything else (a sign, leading zero,
     * long number, NUL, missing bytes): the caller then takes the exact Redis path.
     */
    private long fastLength(ByteBuf in, int lineStart, int end) {
        int p = lineStart + 1;
        // Up to 18 digits cannot overflow, plus "\r" and one more byte.
        int limit = Math.min(end - 1, p + 18);
        if (p >= limit) {
            return -1;
        }
        byte b = in.getByte(p);
        if (b == '0') {
            if (p + 1 < limit && in.getByte(p + 1) == '\r') {
                lineEnd = p + 1;
                return 0;
            }
            return -1;
        }
        long v = 0;
        while (b >= '0' && b <= '9') {
            v = v * 10 + (b - '0');
            if (++p >= limit) {
                return -1;
            }
            b = in.getByte(p);
        }
        if (b != '\r' || p == lineStart + 1) {
            return -1;
        }
        lineEnd = p;
        return v;
    }

    /**
     * Finds the terminator of the line starting at {@code lineStart}, searching only bytes not
     * searched before. Returns its index, or -1 if the line is incomplete, after checking that the
     * bytes buffered for it do not exceed the inline limit. A {@code \r} terminator also needs one
     * more byte buffered after it (Redis skips two bytes without looking at the second).
     */
    private int findLine(ByteBuf in, int lineStart, int end, ByteProcessor finder, String tooBig) {
        int start = in.readerIndex();
        int from = Math.max(start + scanned, lineStart);
        int found = from < end ? in.forEachByte(from, end - from, finder) : -1;
        if (found >= 0 && in.getByte(found) != 0 && (finder == FIND_LF_OR_NUL || found + 1 < end)) {
            scanned = found - start;
            return found;
        }
        // Incomplete. A NUL stops Redis's strchr for good, so keep searching from there next time.
        scanned = (found >= 0 ? found : end) - start;
        if (end - lineStart > limits.maxInlineLength()) {
            throw new RespProtocolException(tooBig);
        }
        return -1;
    }

    /**
     * Splits an inline line with Redis's {@code sdssplitargs} rules into {@code scratch}, recording
     * the arguments in the argument arrays. The line holds no NUL byte ({@link #findLine} stops at one).
     */
    private void splitInline(ByteBuf in, int from, int to, ByteBuf scratch) {
        argc = 0;
        int p = from;
        for (;;) {
            while (p < to && isSpace(in.getByte(p))) {
                p++;
            }
            if (p >= to) {
                return;
            }
            if (argc == limits.maxArguments()) {
                throw new RespProtocolException(TOO_BIG_INLINE);
            }
            int argStart = scratch.writerIndex();
            boolean inDoubleQuotes = false;
            boolean inSingleQuotes = false;
            boolean done = false;
            while (!done) {
                int c = p < to ? in.getByte(p) : 0;
                if (inDoubleQuotes) {
                    int next = p + 1 < to ? in.getByte(p + 1) : 0;
                    if (c == '\\' && next == 'x' && p + 3 < to
                            && isHexDigit(in.getByte(p + 2)) && isHexDigit(in.getByte(p + 3))) {
                        scratch.writeByte(hexValue(in.getByte(p + 2)) * 16 + hexValue(in.getByte(p + 3)));
                        p += 3;
                    } else if (c == '\\' && next != 0) {
                        p++;
                        scratch.writeByte(switch (next) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> next;
                        });
                    } else if (c == '"') {
                        // The closing quote must be followed by a space or nothing at all.
                        if (next != 0 && !isSpace((byte) next)) {
                            throw new RespProtocolException(UNBALANCED_QUOTES);
                        }
                        done = true;
                    } else if (c == 0) {
                        throw new RespProtocolException(UNBALANCED_QUOTES);
                    } else {
                        scratch.writeByte(c);
                    }
                } else if (inSingleQuotes) {
                    int next = p + 1 < to ? in.getByte(p + 1) : 0;
                    if (c == '\\' && next == '\'') {
                        p++;
                        scratch.writeByte('\'');
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace((byte) next)) {
                            throw new RespProtocolException(UNBALANCED_QUOTES);
                        }
                        done = true;
                    } else if (c == 0) {
                        throw new RespProtocolException(UNBALANCED_QUOTES);
                    } else {
                        scratch.writeByte(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDoubleQuotes = true;
                        case '\'' -> inSingleQuotes = true;
                        default -> scratch.writeByte(c);
                    }
                }
                if (p < to) {
                    p++;
                }
            }
            if (argc == offsets.length) {
                grow();
            }
            offsets[argc] = argStart;
            lengths[argc] = scratch.writerIndex() - argStart;
            argc++;
        }
    }

    /** C's {@code isspace} in the C locale. */
    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isHexDigit(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static int hexValue(byte b) {
        return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
    }

    private void grow() {
        int capacity = (int) Math.min((long) offsets.length * 2, Math.max(limits.maxArguments(), INITIAL_ARGS));
        offsets = java.util.Arrays.copyOf(offsets, capacity);
        lengths = java.util.Arrays.copyOf(lengths, capacity);
    }

    /** Hands the decoded arguments to {@code out}, taking its previous arrays in exchange. */
    private void publish(RespRequest out, ByteBuf buffer, int base) {
        int[] spareOffsets = out.offsetArray();
        int[] spareLengths = out.lengthArray();
        out.publish(buffer, base, offsets, lengths, argc);
        offsets = spareOffsets;
        lengths = spareLengths;
        argc = 0;
    }
}
