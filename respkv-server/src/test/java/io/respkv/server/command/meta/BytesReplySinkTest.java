package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The test encoder itself: the differential tests trust it, so its downgrades are pinned here. */
class BytesReplySinkTest {

    @Test
    void resp2Downgrades() {
        BytesReplySink s = new BytesReplySink(ProtocolVersion.RESP2);
        s.nullBulk();
        s.nullArray();
        s.map(2);
        s.set(1);
        s.push(3);
        s.bool(true);
        s.doubleValue(1.5);
        s.verbatim("txt", "hi".getBytes(StandardCharsets.US_ASCII));
        s.bigNumber("123");
        s.ok();
        s.error("ERR x");
        assertEquals("$-1\r\n*-1\r\n*4\r\n*1\r\n*3\r\n:1\r\n$3\r\n1.5\r\n$2\r\nhi\r\n$3\r\n123\r\n+OK\r\n-ERR x\r\n", s.text());
    }

    @Test
    void resp3Types() {
        BytesReplySink s = new BytesReplySink(ProtocolVersion.RESP3);
        s.nullBulk();
        s.nullArray();
        s.map(2);
        s.set(1);
        s.push(3);
        s.bool(false);
        s.doubleValue(Double.NEGATIVE_INFINITY);
        s.verbatim("txt", "hi".getBytes(StandardCharsets.US_ASCII));
        s.bigNumber("123");
        s.bulk(new byte[] {1, 2, 3}, 1, 1);
        assertEquals("_\r\n_\r\n%2\r\n~1\r\n>3\r\n#f\r\n,-inf\r\n=6\r\ntxt:hi\r\n(123\r\n$1\r\n\u0002\r\n", s.text());
    }

    @Test
    void doublesAsPrintfPercent17g() {
        assertEquals("0.10000000000000001", BytesReplySink.redisDouble(0.1));
        assertEquals("1.0000000000000001e+300", BytesReplySink.redisDouble(1e300));
        assertEquals("3", BytesReplySink.redisDouble(3.0));
        assertEquals("1.0000000000000001e-05", BytesReplySink.redisDouble(1e-5));
        assertEquals("1.2345678901234568e+17", BytesReplySink.redisDouble(123456789012345678.0));
        assertEquals("-2.5", BytesReplySink.redisDouble(-2.5));
        assertEquals("10000000000000000", BytesReplySink.redisDouble(1e16));
        assertEquals("1e+17", BytesReplySink.redisDouble(1e17));
        assertEquals("nan", BytesReplySink.redisDouble(Double.NaN));
    }
}
