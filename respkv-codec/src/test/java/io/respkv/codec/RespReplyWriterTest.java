package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.ProtocolVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespReplyWriterTest {

    /** The bytes {@code reply} writes for {@code version}, as ISO-8859-1 text. */
    private static String written(ProtocolVersion version, Consumer<RespReplyWriter> reply) {
        RespReplyWriter writer = new RespReplyWriter();
        ByteBuf out = Unpooled.buffer(4);
        writer.target(out);
        writer.protocol(version);
        reply.accept(writer);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Asserts the RESP2 and RESP3 encodings of {@code reply}. */
    private static void assertWire(String resp2, String resp3, Consumer<RespReplyWriter> reply) {
        assertEquals(resp2, written(ProtocolVersion.RESP2, reply), "RESP2");
        assertEquals(resp3, written(ProtocolVersion.RESP3, reply), "RESP3");
    }

    @Test
    void simpleStringsAndErrors() {
        assertWire("+OK\r\n", "+OK\r\n", RespReplyWriter::ok);
        assertWire("+OK\r\n", "+OK\r\n", w -> w.simple("OK"));
        assertWire("+PONG\r\n", "+PONG\r\n", w -> w.simple("PONG"));
        assertWire("+\r\n", "+\r\n", w -> w.simple(""));
        assertWire("+a  b \r\n", "+a  b \r\n", w -> w.simple("a\r\nb\n"));
        assertWire("+\u00c3\u00a9\r\n", "+\u00c3\u00a9\r\n", w -> w.simple("\u00e9"));
        assertWire("-ERR syntax error\r\n", "-ERR syntax error\r\n", w -> w.error("ERR syntax error"));
        assertWire("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                w -> w.error("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertWire("-ERR bad  thing \r\n", "-ERR bad  thing \r\n", w -> w.error("ERR bad\r\nthing\r"));
    }

    @Test
    void integers() {
        assertWire(":0\r\n", ":0\r\n", w -> w.integer(0));
        assertWire(":1\r\n", ":1\r\n", w -> w.integer(1));
        assertWire(":-1\r\n", ":-1\r\n", w -> w.integer(-1));
        assertWire(":-2\r\n", ":-2\r\n", w -> w.integer(-2));
        assertWire(":127\r\n", ":127\r\n", w -> w.integer(127));
        assertWire(":128\r\n", ":128\r\n", w -> w.integer(128));
        assertWire(":1000000\r\n", ":1000000\r\n", w -> w.integer(1_000_000));
        assertWire(":9223372036854775807\r\n", ":9223372036854775807\r\n", w -> w.integer(Long.MAX_VALUE));
        assertWire(":-9223372036854775808\r\n", ":-9223372036854775808\r\n", w -> w.integer(Long.MIN_VALUE));
        long p = 1;
        for (int digits = 1; digits <= 19; digits++) {
            for (long v : new long[] {p, p - 1, -p, 9 * p, -(9 * p)}) {
                assertWire(":" + v + "\r\n", ":" + v + "\r\n", w -> w.integer(v));
            }
            p *= 10;
        }
    }

    @Test
    void bulkStrings() {
        assertWire("$5\r\nhello\r\n", "$5\r\nhello\r\n", w -> w.bulk("hello".getBytes()));
        assertWire("$0\r\n\r\n", "$0\r\n\r\n", w -> w.bulk(new byte[0]));
        assertWire("$2\r\nel\r\n", "$2\r\nel\r\n", w -> w.bulk("hello".getBytes(), 1, 2));
        assertWire("$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n", w -> w.bulk("a\r\nb"));
        assertWire("$2\r\n\u00c3\u00a9\r\n", "$2\r\n\u00c3\u00a9\r\n", w -> w.bulk("\u00e9"));
        assertWire("$3\r\nell\r\n", "$3\r\nell\r\n", w -> w.bulk(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII), 1, 3));
        String big = "x".repeat(1000);
        assertWire("$1000\r\n" + big + "\r\n", "$1000\r\n" + big + "\r\n", w -> w.bulk(big));
        String cacheEdge = "y".repeat(128);
        assertWire("$128\r\n" + cacheEdge + "\r\n", "$128\r\n" + cacheEdge + "\r\n", w -> w.bulk(cacheEdge.getBytes()));
        assertThrows(IndexOutOfBoundsException.class, () -> written(ProtocolVersion.RESP2, w -> w.bulk(new byte[2], 1, 2)));
    }

    @Test
    void nulls() {
        assertWire("$-1\r\n", "_\r\n", RespReplyWriter::nullBulk);
        assertWire("$-1\r\n", "_\r\n", w -> w.bulk((byte[]) null));
        assertWire("$-1\r\n", "_\r\n", w -> w.bulk((String) null));
        assertWire("*-1\r\n", "_\r\n", RespReplyWriter::nullArray);
    }

    @Test
    void aggregates() {
        assertWire("*0\r\n", "*0\r\n", w -> w.array(0));
        assertWire("*2\r\n$1\r\na\r\n:1\r\n", "*2\r\n$1\r\na\r\n:1\r\n", w -> {
            w.array(2);
            w.bulk("a");
            w.integer(1);
        });
        assertWire("*1000\r\n", "*1000\r\n", w -> w.array(1000));
        assertWire("*4\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n:1\r\n", "%2\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n:1\r\n", w -> {
            w.map(2);
            w.bulk("k");
            w.bulk("v");
            w.bulk("n");
            w.integer(1);
        });
        assertWire("*0\r\n", "%0\r\n", w -> w.map(0));
        assertWire("*200\r\n", "%100\r\n", w -> w.map(100));
        assertWire("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n", w -> {
            w.set(2);
            w.bulk("a");
            w.bulk("b");
        });
        assertWire("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", w -> {
            w.push(3);
            w.bulk("message");
            w.bulk("ch");
            w.bulk("hi");
        });
    }

    @Test
    void doubles() {
        assertWire("$3\r\n1.5\r\n", ",1.5\r\n", w -> w.doubleValue(1.5));
        assertWire("$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n", w -> w.doubleValue(1.1));
        assertWire("$1\r\n0\r\n", ",0\r\n", w -> w.doubleValue(0));
        assertWire("$2\r\n-0\r\n", ",-0\r\n", w -> w.doubleValue(-0.0));
        assertWire("$5\r\n1e+20\r\n", ",1e+20\r\n", w -> w.doubleValue(1e20));
        assertWire("$3\r\ninf\r\n", ",inf\r\n", w -> w.doubleValue(Double.POSITIVE_INFINITY));
        assertWire("$4\r\n-inf\r\n", ",-inf\r\n", w -> w.doubleValue(Double.NEGATIVE_INFINITY));
        assertWire("$3\r\nnan\r\n", ",nan\r\n", w -> w.doubleValue(Double.NaN));
    }

    @Test
    void booleans() {
        assertWire(":1\r\n", "#t\r\n", w -> w.bool(true));
        assertWire(":0\r\n", "#f\r\n", w -> w.bool(false));
    }

    @Test
    void verbatimStrings() {
        assertWire("$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n", w -> w.verbatim("txt", "hello".getBytes()));
        assertWire("$0\r\n\r\n", "=4\r\nmkd:\r\n", w -> w.verbatim("mkd", new byte[0]));
        assertWire("$3\r\na\nb\r\n", "=7\r\ntxt:a\nb\r\n", w -> w.verbatim("txt", "a\nb".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> written(ProtocolVersion.RESP3, w -> w.verbatim("text", new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> written(ProtocolVersion.RESP3, w -> w.verbatim("t\u00e9", new byte[0])));
    }

    @Test
    void bigNumbers() {
        String digits = "3492890328409238509324850943850943825024385";
        assertWire("$" + digits.length() + "\r\n" + digits + "\r\n", "(" + digits + "\r\n", w -> w.bigNumber(digits));
        assertWire("$3\r\n-12\r\n", "(-12\r\n", w -> w.bigNumber("-12"));
        for (String bad : new String[] {"", "-", "1.5", "+1", "12a", "1\r\n"}) {
            assertThrows(IllegalArgumentException.class, () -> written(ProtocolVersion.RESP3, w -> w.bigNumber(bad)), bad);
        }
    }

    @Test
    void rawBytesAreWrittenAsTheyAre() {
        assertWire("+QUEUED\r\n", "+QUEUED\r\n", w -> w.raw("+QUEUED\r\n".getBytes()));
    }

    @Test
    void repliesAppendToTheCurrentTargetWithTheCurrentProtocol() {
        RespReplyWriter writer = new RespReplyWriter();
        assertNull(writer.target());
        assertSame(ProtocolVersion.RESP2, writer.protocol());
        ByteBuf first = Unpooled.buffer();
        ByteBuf second = Unpooled.buffer();
        writer.target(first);
        assertSame(first, writer.target());
        writer.nullBulk();
        writer.protocol(ProtocolVersion.RESP3);
        assertSame(ProtocolVersion.RESP3, writer.protocol());
        writer.nullBulk();
        writer.target(second);
        writer.map(1);
        assertEquals("$-1\r\n_\r\n", first.toString(StandardCharsets.US_ASCII));
        assertEquals("%1\r\n", second.toString(StandardCharsets.US_ASCII));
    }
}
