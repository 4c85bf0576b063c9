package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The proxy's SCAN cursor: one unsigned 64-bit number holding which master is being scanned and
 * that master's own cursor, {@code proxyCursor = (nodeCursor << 10) | nodeIndex}, where
 * {@code nodeIndex} is the master's position in the slot map's master order (by the lowest slot
 * each serves). SCAN 0 starts on master 0 with cursor 0; when a master's scan ends (its cursor
 * is 0) the proxy returns {@code (0 << 10) | (nodeIndex + 1)}, and 0 after the last master. Redis
 * node cursors stay far below 2^54, so the shift loses nothing. Up to 1024 masters.
 */
final class ScanCursor {

    static final long NODE_BITS = 10;
    static final long NODE_MASK = (1L << NODE_BITS) - 1;

    private ScanCursor() {
    }

    /** The node's cursor inside a proxy cursor. */
    static long nodeCursor(long proxyCursor) {
        return proxyCursor >>> NODE_BITS;
    }

    /** The proxy cursor for {@code nodeCursor} on master {@code node} of {@code masters}. */
    static long encode(long nodeCursor, int node, int masters) {
        if (nodeCursor == 0) {
            return node + 1 < masters ? node + 1 : 0;
        }
        return (nodeCursor << NODE_BITS) | node;
    }

    /** Rewrites a node's SCAN reply {@code [cursor, [keys...]]} with the proxy cursor; errors pass unchanged. */
    static ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf frame, int node, int masters) {
        int at = frame.readerIndex();
        if (frame.getByte(at) != '*') {
            return frame;
        }
        int headerEnd = frame.indexOf(at, frame.writerIndex(), (byte) '\n') + 1;
        int bulkLineEnd = frame.indexOf(headerEnd, frame.writerIndex(), (byte) '\r');
        long len = Frames.parseLong(frame, headerEnd + 1, bulkLineEnd);
        int cursorStart = bulkLineEnd + 2;
        long nodeCursor = Long.parseUnsignedLong(frame.toString(cursorStart, (int) len, StandardCharsets.US_ASCII));
        int rest = cursorStart + (int) len + 2;
        String cursor = Long.toUnsignedString(encode(nodeCursor, node, masters));
        ByteBuf out = alloc.ioBuffer(frame.readableBytes() + 24);
        out.writeBytes(frame, at, headerEnd - at);
        Commands.bulk(out, cursor.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(frame, rest, frame.writerIndex() - rest);
        frame.release();
        return out;
    }

}
