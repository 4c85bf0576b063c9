package io.respkv.server.difftest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespCommandTest {

    private static byte[] wire(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodesAsMultibulk() {
        assertArrayEquals(wire("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), RespCommand.of("SET", "k", "v").encode());
        assertArrayEquals(wire("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"), RespCommand.of("GET", "").encode());
        assertArrayEquals(wire("*2\r\n$4\r\nECHO\r\n$3\r\n\0\r\377\r\n"),
                RespCommand.of("ECHO".getBytes(StandardCharsets.US_ASCII), new byte[] {0, '\r', (byte) 0xff}).encode());
        assertArrayEquals(wire("*2\r\n$4\r\nECHO\r\n$2\r\n\303\251\r\n"), RespCommand.of("ECHO", "\u00e9").encode());
    }

    @Test
    void parsesLikeRedisCli() {
        assertEquals(RespCommand.of("SET", "k", "v"), RespCommand.parse("  SET k   v "));
        assertEquals(RespCommand.of("SET", "a key", "it's"), RespCommand.parse("SET \"a key\" 'it\\'s'"));
        assertEquals(RespCommand.of("SET".getBytes(StandardCharsets.US_ASCII), new byte[] {'k'},
                new byte[] {0, (byte) 0xff, '\r', '\n', '"', '\\', 7, '\b', '\t'}),
                RespCommand.parse("SET k \"\\x00\\xff\\r\\n\\\"\\\\\\a\\b\\t\""));
        assertEquals(RespCommand.of("SET", "k", ""), RespCommand.parse("SET k \"\""));
        assertEquals(RespCommand.of("ECHO", "\u00e9\ud83d\ude00"), RespCommand.parse("ECHO \u00e9\ud83d\ude00"));
        // Single quotes take no escapes but \'.
        assertEquals(RespCommand.of("ECHO", "\\x41"), RespCommand.parse("ECHO '\\x41'"));
    }

    @Test
    void rejectsWhatRedisCliRejects() {
        assertThrows(IllegalArgumentException.class, () -> RespCommand.parse("SET k \"v"));
        assertThrows(IllegalArgumentException.class, () -> RespCommand.parse("SET k 'v"));
        assertThrows(IllegalArgumentException.class, () -> RespCommand.parse("SET k \"v\"x"));
        assertThrows(IllegalArgumentException.class, () -> RespCommand.parse("   "));
        assertThrows(IllegalArgumentException.class, () -> RespCommand.of(new String[0]));
    }

    @Test
    void rendersEveryArgumentQuoted() {
        assertEquals("\"SET\" \"a key\" \"\\x00\\xff\\r\\n\\\"\"",
                RespCommand.of("SET".getBytes(StandardCharsets.US_ASCII), "a key".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {0, (byte) 0xff, '\r', '\n', '"'}).toString());
        assertEquals("\"" + "x".repeat(200) + "\"...(300 bytes)", RespCommand.of("x".repeat(300)).toString());
    }
}
