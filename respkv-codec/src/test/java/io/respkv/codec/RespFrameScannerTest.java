package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespFrameScannerTest {

    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(Feeder.latin1(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "+OK\r\n", "-ERR unknown command\r\n", ":0\r\n", ":-12\r\n", ",1.5\r\n", ",inf\r\n", "#t\r\n", "#f\r\n",
            "(3492890328409238509324850943850943825024385\r\n", "_\r\n", "+\r\n",
            "$5\r\nhello\r\n", "$0\r\n\r\n", "$-1\r\n", "$4\r\na\r\nb\r\n", "!21\r\nSYNTAX invalid syntax\r\n",
            "=15\r\ntxt:Some string\r\n",
            "*0\r\n", "*-1\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "*2\r\n*1\r\n+a\r\n%1\r\n+k\r\n~1\r\n:1\r\n",
            "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "~3\r\n:1\r\n:2\r\n_\r\n", ">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n",
            "*3\r\n*-1\r\n$-1\r\n*0\r\n",
            // an attribute travels with the reply it annotates, also inside an aggregate
            "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
            "*2\r\n|1\r\n+ttl\r\n:3600\r\n+v\r\n:2\r\n",
            "|0\r\n+OK\r\n"})
    void measuresCompleteFramesAndNothingBeyond(String frame) {
        assertEquals(frame.length(), RespFrameScanner.frameLength(buf(frame), 0));
        // at an offset, followed by more replies
        ByteBuf b = buf("xyz" + frame + "+NEXT\r\n:1");
        assertEquals(frame.length(), RespFrameScanner.frameLength(b, 3));
        // every proper prefix is incomplete
        for (int i = 0; i < frame.length(); i++) {
            assertEquals(-1, RespFrameScanner.frameLength(buf(frame.substring(0, i)), 0), "prefix of " + i);
        }
    }

    @Test
    void onlyReadableBytesUpToTheWriterIndexCount() {
        ByteBuf b = Unpooled.buffer(64).writeBytes(Feeder.latin1("$5\r\nhello\r\n"));
        b.writerIndex(b.writerIndex() - 1);
        assertEquals(-1, RespFrameScanner.frameLength(b, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"?x\r\n", "$-2\r\n", "$abc\r\n", "$?\r\n", "*-2\r\n", "%-1\r\n", "~-1\r\n", "*?\r\n",
            "+OK\rX", "$3\r\nabcXY", "*1\r\nOK\r\n", "$99999999999\r\n", "*99999999999\r\n"})
    void rejectsWhatIsNotAReply(String bad) {
        assertThrows(RespProtocolException.class, () -> RespFrameScanner.frameLength(buf(bad), 0));
    }

    /** Replies written by {@link RespReplyWriter} in both protocols are measured exactly, also back to back. */
    @Test
    void measuresEveryReplyTheWriterProduces() {
        Random random = new Random(42);
        for (ProtocolVersion version : ProtocolVersion.values()) {
            ByteBuf out = Unpooled.buffer();
            RespReplyWriter writer = new RespReplyWriter();
            writer.target(out);
            writer.protocol(version);
            List<Integer> lengths = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int before = out.writerIndex();
                writeRandomReply(writer, random, 3);
                lengths.add(out.writerIndex() - before);
            }
            int at = 0;
            for (int length : lengths) {
                assertEquals(length, RespFrameScanner.frameLength(out, at));
                at += length;
            }
        }
    }

    private static void writeRandomReply(RespReplyWriter w, Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 18 : 13);
        switch (kind) {
            case 0 -> w.ok();
            case 1 -> w.simple("PONG");
            case 2 -> w.error("ERR no");
            case 3 -> w.integer(random.nextLong());
            case 4 -> w.bulk(new byte[random.nextInt(300)]);
            case 5 -> w.bulk("a\r\nb");
            case 6 -> w.nullBulk();
            case 7 -> w.nullArray();
            case 8 -> w.doubleValue(random.nextGaussian() * 1e6);
            case 9 -> w.bool(random.nextBoolean());
            case 10 -> w.verbatim("txt", "line1\r\nline2".getBytes());
            case 11 -> w.bigNumber("-123456789012345678901234567890");
            case 12 -> w.doubleValue(Double.NEGATIVE_INFINITY);
            default -> {
                int n = random.nextInt(4);
                switch (kind) {
                    case 13 -> w.array(n);
                    case 14 -> w.set(n);
                    case 15 -> w.push(n);
                    default -> {
                        w.map(n);
                        n *= 2;
                    }
                }
                for (int i = 0; i < n; i++) {
                    writeRandomReply(w, random, depth - 1);
                }
            }
        }
    }
}
