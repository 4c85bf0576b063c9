package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionPayloadTest {

    @Test
    void crc64IsRedisJones() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // the check value of Redis's crc64.c test
        assertEquals(0xe9c6d914c4b8d9caL, FunctionPayload.crc64(0, check, 0, check.length));
    }

    @Test
    void dumpParsesBack() throws Exception {
        byte[] a = "#!lua name=a\nredis.register_function('fa', function() return 1 end)".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[20_000];
        java.util.Arrays.fill(b, (byte) 'x'); // a 4-byte length
        byte[] payload = FunctionPayload.dump(List.of(a, b));
        List<byte[]> back = FunctionPayload.parse(payload);
        assertEquals(2, back.size());
        assertArrayEquals(a, back.get(0));
        assertArrayEquals(b, back.get(1));
        payload[5] ^= 1;
        assertThrows(FunctionPayload.Invalid.class, () -> FunctionPayload.parse(payload));
    }

    @Test
    void lzfBackReferences() {
        // literal run "ab" then a back reference of length 4 at distance 2: "ababab"
        byte[] in = {1, 'a', 'b', (byte) ((2 << 5) | 0), 1};
        assertArrayEquals("ababab".getBytes(StandardCharsets.US_ASCII), FunctionPayload.lzfDecompress(in, 0, in.length, 6));
    }
}
