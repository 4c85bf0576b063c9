package io.respkv.codec;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespRequestTest {

    private static RespRequest decode(String input) {
        RespRequest request = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(Unpooled.wrappedBuffer(Feeder.latin1(input)), request));
        return request;
    }

    /** The same arguments through both request shapes: slices of the input, and inline scratch. */
    private static RespRequest[] both(String... args) {
        StringBuilder inline = new StringBuilder();
        for (String a : args) {
            inline.append('"');
            for (byte b : Feeder.latin1(a)) {
                inline.append(String.format("\\x%02x", b & 0xFF));
            }
            inline.append("\" ");
        }
        return new RespRequest[] {
                decode(RespRequestDecoderTest.multibulk(java.util.List.of(args))),
                decode(inline.append("\r\n").toString())};
    }

    @Test
    void exposesArgumentsAsLengthsBytesAndStrings() {
        for (RespRequest r : both("SET", "k\u00e9y", "")) {
            assertEquals(3, r.count());
            assertEquals(3, r.length(0));
            assertEquals(3, r.length(1));
            assertEquals(0, r.length(2));
            assertEquals((byte) 'E', r.byteAt(0, 1));
            assertEquals((byte) 0xE9, r.byteAt(1, 1));
            assertArrayEquals(new byte[] {'k', (byte) 0xE9, 'y'}, r.bytes(1));
            assertArrayEquals(new byte[0], r.bytes(2));
            assertEquals("SET", r.string(0));
            assertEquals("", r.string(2));
            assertEquals(r.buffer().getByte(r.offset(1) + 2), r.byteAt(1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.length(3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.length(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.byteAt(0, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.offset(3));
        }
    }

    @Test
    void stringDecodesUtf8() {
        RespRequest r = decode("*1\r\n$5\r\n\u00c3\u00a9t\u00c3\u00a9\r\n");
        assertEquals("\u00e9t\u00e9", r.string(0));
    }

    @Test
    void isComparesAsCStringsTheWayRedisComparesKeywords() {
        RespRequest r = decode("*4\r\n$3\r\nSET\r\n$7\r\nNX\u0000junk\r\n$3\r\nN\u0000X\r\n$3\r\nNXX\r\n");
        assertTrue(r.is(1, "NX"), "the argument ends at its first NUL byte");
        assertTrue(r.is(1, "nx"));
        assertFalse(r.is(2, "NX"));
        assertTrue(r.is(2, "N"));
        assertFalse(r.is(3, "NX"), "a longer argument without NUL is another word");
    }

    @Test
    void isComparesAsciiCaseInsensitively() {
        for (RespRequest r : both("sEt", "EX", "\u00e9x", "")) {
            assertTrue(r.is(0, "SET"));
            assertTrue(r.is(0, "set"));
            assertFalse(r.is(0, "SETX"));
            assertFalse(r.is(0, "SE"));
            assertTrue(r.is(1, "ex"));
            assertFalse(r.is(1, "px"));
            // only ASCII letters fold: 0xE9 is not 'É' and not 'e'
            assertFalse(r.is(2, "Ex"));
            assertFalse(r.is(2, "\u00c9x"));
            assertTrue(r.is(3, ""));
            // '@' (0x40) and '`' (0x60) are not letters
            assertFalse(decode("ECHO @\r\n").is(1, "`"));
        }
    }

    @Test
    void commandTableHelpersCompareAndHashWithoutAllocating() {
        for (RespRequest r : both("GeT", "key", "\u00c9Z[")) {
            assertTrue(r.argEquals(1, "key".getBytes()));
            assertFalse(r.argEquals(1, "KEY".getBytes()));
            assertFalse(r.argEquals(1, "ke".getBytes()));
            assertTrue(r.argEqualsLowerCase(0, "get".getBytes()));
            assertFalse(r.argEqualsLowerCase(0, "GET".getBytes()));
            assertEquals("get".hashCode(), r.lowerCaseHash(0));
            assertEquals("GeT".toLowerCase(Locale.ROOT).hashCode(), r.lowerCaseHash(0));
            // non-ASCII bytes hash as their ISO-8859-1 char, unfolded
            assertEquals("\u00c9z[".hashCode(), r.lowerCaseHash(2));
            byte[] dst = new byte[8];
            assertEquals(3, r.copyLowerCase(0, dst));
            assertEquals("get", new String(dst, 0, 3));
            assertEquals(-1, r.copyLowerCase(0, new byte[2]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-1", "10", "123456789", "-123456789", "9223372036854775807",
            "-9223372036854775808"})
    void parseLongAcceptsWhatString2llAccepts(String s) {
        for (RespRequest r : both("X", s)) {
            assertEquals(Long.parseLong(s), r.parseLong(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "-0", "+1", "01", "00", "-01", " 1", "1 ", "1.0", "1e3", "0x10", "abc",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999",
            "123456789012345678901", "--1", "1-", "\u00b9"})
    void parseLongRejectsWhatString2llRejects(String s) {
        for (RespRequest r : both("X", s)) {
            assertThrows(NumberFormatException.class, () -> r.parseLong(1), s);
        }
    }

    @Test
    void emptyRequestHasNoArguments() {
        RespRequest r = new RespRequest();
        assertEquals(0, r.count());
        assertThrows(IndexOutOfBoundsException.class, () -> r.length(0));
        assertEquals("RespRequest[]", r.toString());
        assertEquals("RespRequest[\"GET\", \"k\"]", decode("GET k\n").toString());
    }

    @Test
    void copyDetachesADecodedRequestFromItsReceiveBufferAndReturnsARequestMadeByOfItself() {
        io.netty.buffer.ByteBuf wire = Unpooled.copiedBuffer(Feeder.latin1("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
        RespRequest decoded = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(wire, decoded));
        RespRequest copy = decoded.copy();
        wire.setByte(wire.readerIndex() - 3, 'x'); // the receive buffer is reused: the copy does not see it
        assertEquals("x", decoded.string(1));
        assertEquals("k", copy.string(1));
        assertTrue(copy != decoded);
        assertTrue(copy.copy() == copy, "a request made by of() owns its buffer: its own copy");
        RespRequest made = RespRequest.of("SET", "k", "v");
        assertTrue(made.copy() == made);
        for (RespRequest r : both("SET", "k\r\n\u0000", "", "\u00ff")) { // multibulk slices and inline scratch
            RespRequest c = r.copy();
            assertEquals(r.count(), c.count());
            for (int i = 0; i < r.count(); i++) {
                assertArrayEquals(r.bytes(i), c.bytes(i), "argument " + i);
            }
            assertEquals(r.toString(), c.toString());
        }
    }
}
