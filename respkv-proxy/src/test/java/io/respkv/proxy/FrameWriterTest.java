package io.respkv.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final FrameWriter writer = new FrameWriter();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf frame(String s) {
        return Unpooled.copiedBuffer(s, US_ASCII);
    }

    /** What the channel was handed, one string per outbound message (each released). */
    private List<String> written() {
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.add(b.toString(US_ASCII));
            b.release();
        }
        return out;
    }

    @Test
    void framesOfOneFlushReachTheChannelAsOneBufferInOrder() {
        List<ByteBuf> frames = List.of(frame("+OK\r\n"), frame("$1\r\na\r\n"), frame(":7\r\n"));
        for (ByteBuf f : frames) {
            writer.write(channel, f);
        }
        assertNull(channel.readOutbound(), "nothing is written before the flush");
        writer.flush(channel);
        assertEquals(List.of("+OK\r\n$1\r\na\r\n:7\r\n"), written());
        for (ByteBuf f : frames) {
            assertEquals(0, f.refCnt(), "a copied frame is released");
        }
    }

    @Test
    void aFrameAloneInItsFlushIsWrittenAsItIs() {
        ByteBuf only = frame("+PONG\r\n");
        writer.write(channel, only);
        writer.flush(channel);
        ByteBuf out = channel.readOutbound();
        assertSame(only, out, "not copied");
        out.release();
    }

    @Test
    void aLargeFrameIsNotCopiedAndKeepsItsPlace() {
        ByteBuf big = Unpooled.wrappedBuffer(new byte[FrameWriter.COPY_LIMIT + 1]);
        writer.write(channel, frame("+a\r\n"));
        writer.write(channel, frame("+b\r\n"));
        writer.write(channel, big);
        writer.write(channel, frame("+c\r\n"));
        writer.flush(channel);
        assertEquals("+a\r\n+b\r\n", ((ByteBuf) channel.readOutbound()).toString(US_ASCII));
        ByteBuf second = channel.readOutbound();
        assertSame(big, second);
        second.release();
        assertEquals(List.of("+c\r\n"), written());
    }

    @Test
    void flushLastWritesWhatWasGatheredFirst() {
        writer.write(channel, frame("-ERR x\r\n"));
        writer.write(channel, frame("+y\r\n"));
        assertTrue(writer.flushLast(channel, frame("+last\r\n")).isSuccess());
        assertEquals(List.of("-ERR x\r\n+y\r\n", "+last\r\n"), written());
    }

    @Test
    void discardReleasesWhatWasNotWritten() {
        ByteBuf a = frame("+a\r\n");
        writer.write(channel, a);
        writer.discard();
        assertEquals(0, a.refCnt());
        ByteBuf b = frame("+b\r\n");
        ByteBuf c = frame("+c\r\n");
        writer.write(channel, b);
        writer.write(channel, c);
        writer.discard();
        assertEquals(0, b.refCnt());
        writer.flush(channel);
        assertEquals(List.of(), written());
    }

    @Test
    void gatheredBytesCountsWhatTheNextFlushSendsAndNotWhatWasWrittenPastTheLimit() {
        assertEquals(0, writer.gatheredBytes());
        writer.write(channel, frame("+OK\r\n"));
        assertEquals(5, writer.gatheredBytes(), "the lone frame");
        writer.write(channel, frame(":12\r\n"));
        assertEquals(10, writer.gatheredBytes(), "the copies");
        writer.write(channel, Unpooled.wrappedBuffer(new byte[FrameWriter.COPY_LIMIT + 1]));
        assertEquals(0, writer.gatheredBytes(), "a large frame hands what was gathered, and itself, to the channel");
        writer.write(channel, frame("+c\r\n"));
        assertEquals(4, writer.gatheredBytes());
        writer.flush(channel);
        assertEquals(0, writer.gatheredBytes());
        List<String> out = written();
        assertEquals(3, out.size(), "the gathered copies, the large frame, the last frame");
        assertEquals("+OK\r\n:12\r\n", out.get(0));
        assertEquals("+c\r\n", out.get(2));
    }
}
