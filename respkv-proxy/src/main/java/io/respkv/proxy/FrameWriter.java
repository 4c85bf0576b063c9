package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * Frames for one channel, gathered during an event-loop iteration and handed to Netty as one
 * buffer when the connection is flushed: a pipelining client's sixteen replies, or the requests of
 * fifty clients on one backend connection, then cost one pass through the channel pipeline and one
 * entry of its outbound buffer (one iovec of the {@code writev}) instead of one each. Small frames
 * are copied (a GET reply is tens of bytes, copying it is cheaper than a pipeline write), but a
 * frame alone in its flush — a client that waits for each reply — is written as it is; frames past
 * {@link #COPY_LIMIT} bytes are written as they are too, after what was gathered, so order is kept.
 *
 * <p>Event-loop only, like the connection it serves.
 */
final class FrameWriter {

    /** Frames larger than this are not copied. */
    static final int COPY_LIMIT = 4096;
    /** The first gathering buffer's size; it grows as needed. */
    private static final int INITIAL_CAPACITY = 2048;

    /** A frame no other has joined yet: written as it is if none does. */
    private ByteBuf lone;
    /** Frames copied together; null until a second frame comes. Never set together with {@link #lone}. */
    private ByteBuf gathered;

    /** Adds {@code frame} (ownership passes here) to what {@code channel} gets at the next flush. */
    void write(Channel channel, ByteBuf frame) {
        int n = frame.readableBytes();
        if (n > COPY_LIMIT) {
            writeGathered(channel);
            channel.write(frame, channel.voidPromise());
            return;
        }
        if (gathered == null) {
            if (lone == null) {
                lone = frame;
                return;
            }
            gathered = channel.alloc().ioBuffer(Math.max(INITIAL_CAPACITY, lone.readableBytes() + n));
            gathered.writeBytes(lone, lone.readerIndex(), lone.readableBytes());
            lone.release();
            lone = null;
        }
        try {
            gathered.writeBytes(frame, frame.readerIndex(), n);
        } finally {
            frame.release();
        }
    }

    /** Bytes gathered and not yet handed to the channel. */
    int gatheredBytes() {
        return lone != null ? lone.readableBytes() : gathered != null ? gathered.readableBytes() : 0;
    }

    /** Writes what was gathered to {@code channel} and flushes it. */
    void flush(Channel channel) {
        writeGathered(channel);
        channel.flush();
    }

    /**
     * Writes what was gathered, then {@code last} (ownership passes), and flushes; the future
     * completes when {@code last} is written (e.g. to close the channel then).
     */
    ChannelFuture flushLast(Channel channel, ByteBuf last) {
        writeGathered(channel);
        return channel.writeAndFlush(last);
    }

    /** Frees what was gathered and not written (the connection is closing). */
    void discard() {
        ByteBuf out = takeGathered();
        if (out != null) {
            out.release();
        }
    }

    private void writeGathered(Channel channel) {
        ByteBuf out = takeGathered();
        if (out != null) {
            channel.write(out, channel.voidPromise());
        }
    }

    /** What was gathered (the lone frame or the copies), or null; this writer holds nothing after. */
    private ByteBuf takeGathered() {
        ByteBuf out = lone != null ? lone : gathered;
        lone = null;
        gathered = null;
        return out;
    }
}
