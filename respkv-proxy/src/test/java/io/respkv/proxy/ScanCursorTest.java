package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScanCursorTest {

    @Test
    void encodesTheNodeInTheLowBits() {
        assertEquals(0, ScanCursor.nodeCursor(0));
        assertEquals((17L << 10) | 2, ScanCursor.encode(17, 2, 3));
        assertEquals(17, ScanCursor.nodeCursor((17L << 10) | 2));
        // a finished node hands over to the next one, the last one ends the scan
        assertEquals(1, ScanCursor.encode(0, 0, 3));
        assertEquals(2, ScanCursor.encode(0, 1, 3));
        assertEquals(0, ScanCursor.encode(0, 2, 3));
        // node cursors up to 2^54 - 1 survive the shift
        long big = (1L << 54) - 1;
        assertEquals(big, ScanCursor.nodeCursor(ScanCursor.encode(big, 5, 6)));
    }

    @Test
    void rewritesTheCursorAndKeepsTheKeysBytes() {
        ByteBuf reply = Unpooled.copiedBuffer("*2\r\n$2\r\n96\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", StandardCharsets.UTF_8);
        ByteBuf out = ScanCursor.rewrite(ByteBufAllocator.DEFAULT, reply, 1, 3);
        assertEquals("*2\r\n$5\r\n98305\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", out.toString(StandardCharsets.UTF_8));
        out.release();
        ByteBuf last = Unpooled.copiedBuffer("*2\r\n$1\r\n0\r\n*0\r\n", StandardCharsets.UTF_8);
        out = ScanCursor.rewrite(ByteBufAllocator.DEFAULT, last, 2, 3);
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", out.toString(StandardCharsets.UTF_8));
        out.release();
        ByteBuf error = Unpooled.copiedBuffer("-ERR x\r\n", StandardCharsets.UTF_8);
        assertEquals("-ERR x\r\n", ScanCursor.rewrite(ByteBufAllocator.DEFAULT, error, 0, 3).toString(StandardCharsets.UTF_8));
        error.release();
    }
}
