package io.respkv.server.difftest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RespFrameReaderTest {

    /** Bytes of a string of chars 0-255. */
    private static byte[] wire(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A reader whose stream hands out one byte per read, so no frame relies on read sizes. */
    private static RespFrameReader reader(String s) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(wire(s));
        return new RespFrameReader(new InputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return bytes.read(b, off, Math.min(len, 1));
            }
        });
    }

    private static RespFrame read(String s) throws IOException {
        RespFrameReader reader = reader(s);
        RespFrame frame = reader.read();
        assertArrayEquals(wire(s), frame.raw(), "the frame must cover the whole input");
        return frame;
    }

    @Test
    void resp2Scalars() throws IOException {
        RespFrame ok = read("+OK\r\n");
        assertEquals(RespType.SIMPLE_STRING, ok.type());
        assertEquals("OK", ok.text());

        RespFrame err = read("-ERR wrong number of arguments for 'get' command\r\n");
        assertEquals(RespType.ERROR, err.type());
        assertTrue(err.isError());
        assertEquals("ERR wrong number of arguments for 'get' command", err.text());

        assertEquals(-42, read(":-42\r\n").integer());
        assertEquals(Long.MIN_VALUE, read(":-9223372036854775808\r\n").integer());

        RespFrame bulk = read("$5\r\na\r\n\0\377\r\n");
        assertEquals(RespType.BULK_STRING, bulk.type());
        assertArrayEquals(wire("a\r\n\0\377"), bulk.payload());
        assertFalse(bulk.isNull());

        assertArrayEquals(new byte[0], read("$0\r\n\r\n").payload());

        RespFrame nullBulk = read("$-1\r\n");
        assertTrue(nullBulk.isNull());
        assertNull(nullBulk.payload());
    }

    @Test
    void resp2Arrays() throws IOException {
        RespFrame array = read("*3\r\n$1\r\na\r\n:1\r\n*1\r\n$-1\r\n");
        assertEquals(RespType.ARRAY, array.type());
        assertEquals(3, array.elements().size());
        assertArrayEquals(wire("$1\r\na\r\n"), array.elements().get(0).raw());
        assertArrayEquals(wire("*1\r\n$-1\r\n"), array.elements().get(2).raw());
        assertEquals("*3[$,:,*1[$null]]", array.shape());

        RespFrame nullArray = read("*-1\r\n");
        assertTrue(nullArray.isNull());
        assertEquals(List.of(), nullArray.elements());
        assertEquals("*null", nullArray.shape());

        assertEquals("*0[]", read("*0\r\n").shape());
    }

    @Test
    void resp3Types() throws IOException {
        assertEquals(RespType.NULL, read("_\r\n").type());
        assertTrue(read("_\r\n").isNull());
        assertEquals("3.14", read(",3.14\r\n").text());
        assertEquals("-inf", read(",-inf\r\n").text());
        assertEquals("1.0000000000000001e+300", read(",1.0000000000000001e+300\r\n").text());
        assertEquals("t", read("#t\r\n").text());
        assertEquals("-349289032840923850932485094385094382502438", read("(-349289032840923850932485094385094382502438\r\n").text());

        RespFrame blobError = read("!21\r\nSYNTAX invalid syntax\r\n");
        assertEquals(RespType.BLOB_ERROR, blobError.type());
        assertTrue(blobError.isError());

        RespFrame verbatim = read("=15\r\ntxt:Some string\r\n");
        assertEquals(RespType.VERBATIM_STRING, verbatim.type());
        assertEquals("txt:Some string", verbatim.text());

        RespFrame map = read("%2\r\n+first\r\n:1\r\n+second\r\n_\r\n");
        assertEquals(RespType.MAP, map.type());
        assertEquals(4, map.elements().size());
        assertEquals("%2[+,:,+,_]", map.shape());

        assertEquals("~2[$,$]", read("~2\r\n$1\r\na\r\n$1\r\nb\r\n").shape());
        assertEquals(">3[$,$,$]", read(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n").shape());
    }

    @Test
    void attributeIsKeptWithTheReplyItPrecedes() throws IOException {
        RespFrame frame = read("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n");
        assertEquals(RespType.ARRAY, frame.type());
        assertEquals(1, frame.elements().size());
        assertEquals(RespType.ATTRIBUTE, frame.attribute().type());
        assertEquals("|1[+,%1[$,,]] *1[:]", frame.shape());
    }

    @Test
    void readsOneFrameAtATime() throws IOException {
        RespFrameReader reader = reader("+OK\r\n$1\r\nv\r\n:3\r\n");
        assertEquals("\"+OK\\r\\n\"", reader.read().toString());
        assertEquals("\"$1\\r\\nv\\r\\n\"", reader.read().toString());
        assertEquals("\":3\\r\\n\"", reader.read().toString());
        assertThrows(EOFException.class, reader::read);
    }

    @Test
    void errorsKeepTheirTextInTheShape() throws IOException {
        assertEquals("\"-ERR no such key\\r\\n\"", read("-ERR no such key\r\n").shape());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "+OK\n",                    // LF without CR
        "+OK\rX",                   // CR without LF
        "?what\r\n",                // unknown type byte
        ":+1\r\n",                  // '+' sign
        ":01\r\n",                  // leading zero
        ":\r\n",                    // empty integer
        ":99999999999999999999\r\n", // overflow
        "$3\r\nab\r\n",             // bulk shorter than announced
        "$-2\r\n",                  // negative length
        "~-1\r\n",                  // null set does not exist
        "#x\r\n",                   // boolean other than t/f
        "_x\r\n",                   // null with content
        ",1.5.2\r\n",               // not a double
        "(12a\r\n",                 // not a big number
        "=3\r\ntxt\r\n",            // verbatim without format prefix
        "$?\r\n",                   // streamed string
    })
    void rejectsMalformedFrames(String input) {
        IOException e = assertThrows(IOException.class, () -> reader(input).read());
        assertFalse(e instanceof EOFException, e.toString());
        assertTrue(e.getMessage().startsWith("malformed reply: "), e.getMessage());
        assertTrue(e.getMessage().contains("bytes read: \""), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+OK", "+OK\r", "$3\r\nab", "*2\r\n:1\r\n", "%1\r\n+k\r\n", "|1\r\n+a\r\n+b\r\n"})
    void truncatedFramesAreEof(String input) {
        assertThrows(EOFException.class, () -> reader(input).read());
    }

    @Test
    void failureMessageShowsTheBytesRead() {
        IOException e = assertThrows(IOException.class, () -> reader("*2\r\n:1\r\n:x\r\n").read());
        assertEquals("malformed reply: bad integer \"x\"; bytes read: \"*2\\r\\n:1\\r\\n:x\\r\\n\"", e.getMessage());
    }
}
