package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.respkv.codec.RespFrameScanner;

/** Reading the few things the proxy needs out of reply frames, in place. */
final class Frames {

    private Frames() {
    }

    static boolean isError(ByteBuf frame) {
        return frame.getByte(frame.readerIndex()) == '-';
    }

    /** The value of an integer reply {@code :n}. */
    static long integer(ByteBuf frame) {
        int at = frame.readerIndex();
        int cr = frame.indexOf(at, frame.writerIndex(), (byte) '\r');
        return Frames.parseLong(frame, at + 1, cr);
    }

    /** The element count of an aggregate reply, or -1 for a null. */
    static long count(ByteBuf frame) {
        return integer(frame);
    }

    /** Where the first element of an aggregate starts. */
    static int firstElement(ByteBuf frame) {
        return frame.indexOf(frame.readerIndex(), frame.writerIndex(), (byte) '\n') + 1;
    }

    /** The length of the element starting at {@code at}. */
    static int elementLength(ByteBuf frame, int at) {
        return RespFrameScanner.frameLength(frame, at);
    }

    /** The decimal integer in {@code [from, to)} of {@code buf} (a reply's length or value line, from a node). */
    static long parseLong(ByteBuf buf, int from, int to) {
        if (from >= to) {
            throw new NumberFormatException("empty number");
        }
        boolean negative = buf.getByte(from) == '-';
        int i = negative ? from + 1 : from;
        long v = 0;
        for (; i < to; i++) {
            int d = buf.getByte(i) - '0';
            if (d < 0 || d > 9) {
                throw new NumberFormatException("not a number");
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }
}
