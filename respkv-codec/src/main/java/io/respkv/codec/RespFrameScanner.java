package io.respkv.codec;

import io.netty.buffer.ByteBuf;

/**
 * Finds where one RESP2/RESP3 reply ends, without decoding it: for proxies that forward replies
 * as bytes and for test clients. Aggregates are followed to their last element; an attribute
 * ({@code |}) counts together with the reply it annotates. Streamed RESP3 types ({@code $?},
 * {@code *?}) are not supported.
 */
public final class RespFrameScanner {

    private RespFrameScanner() {
    }

    /**
     * The length in bytes of the complete reply frame starting at index {@code from} of
     * {@code buf} (readable bytes end at {@code buf.writerIndex()}), or -1 if the frame is not
     * complete yet. Each call scans the frame from its start.
     *
     * @throws RespProtocolException if the bytes are not a valid reply
     */
    public static int frameLength(ByteBuf buf, int from) {
        int end = buf.writerIndex();
        long p = from;
        // Frames still to read: every aggregate header adds its elements to the count.
        long pending = 1;
        while (pending > 0) {
            if (p >= end) {
                return -1;
            }
            int at = (int) p;
            byte type = buf.getByte(at);
            int cr = buf.indexOf(at + 1, end, (byte) '\r');
            if (cr < 0 || cr + 1 >= end) {
                return -1;
            }
            if (buf.getByte(cr + 1) != '\n') {
                throw invalid("line not terminated by CRLF");
            }
            pending--;
            p = cr + 2L;
            switch (type) {
                case '+', '-', ':', ',', '#', '(', '_' -> {
                    // a single line
                }
                case '$', '!', '=' -> {
                    long length = length(buf, at + 1, cr);
                    if (length == -1 && type == '$') {
                        break; // RESP2 null bulk string
                    }
                    if (length < 0 || length > Integer.MAX_VALUE) {
                        throw invalid("invalid bulk length");
                    }
                    p += length + 2;
                    if (p > end) {
                        return -1;
                    }
                    if (buf.getByte((int) p - 2) != '\r' || buf.getByte((int) p - 1) != '\n') {
                        throw invalid("bulk string not terminated by CRLF");
                    }
                }
                case '*', '~', '>', '%', '|' -> {
                    long count = length(buf, at + 1, cr);
                    if (count == -1 && type == '*') {
                        break; // RESP2 null array
                    }
                    if (count < 0 || count > Integer.MAX_VALUE) {
                        throw invalid("invalid aggregate length");
                    }
                    if (type == '%') {
                        count *= 2;
                    } else if (type == '|') {
                        // an attribute map annotates the reply that follows it
                        count = count * 2 + 1;
                    }
                    pending += count;
                }
                default -> throw invalid("unknown reply type '" + (char) (type & 0xFF) + "'");
            }
        }
        if (p - from > Integer.MAX_VALUE) {
            throw invalid("frame too long");
        }
        return (int) (p - from);
    }

    private static long length(ByteBuf buf, int from, int to) {
        try {
            return RespNumbers.string2ll(buf, from, to);
        } catch (NumberFormatException e) {
            throw invalid("invalid length");
        }
    }

    private static RespProtocolException invalid(String what) {
        return new RespProtocolException("ERR Protocol error: " + what);
    }
}
