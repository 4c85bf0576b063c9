package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ByteProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespRequestDecoderTest {

    /** Chunk sizes every well-formed and malformed input is fed with; MAX_VALUE means whole. */
    private static final int[] CHUNKS = {Integer.MAX_VALUE, 1, 2, 3, 5, 8};

    // ---------------------------------------------------------------- well-formed requests

    static Stream<Arguments> wellFormed() {
        String big = "x".repeat(100_000);
        return Stream.of(
                Arguments.of("*1\r\n$4\r\nPING\r\n", List.of(List.of("PING"))),
                Arguments.of("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", List.of(List.of("SET", "key", "value"))),
                Arguments.of("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", List.of(List.of("ECHO", ""))),
                // bulk data is binary: CR, LF and NUL inside are data
                Arguments.of("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0b\n\r\n", List.of(List.of("ECHO", "a\r\n\0b\n"))),
                Arguments.of("*2\r\n$4\r\nECHO\r\n$4\r\n\u00e9\u00ff\u0080\u0001\r\n", List.of(List.of("ECHO", "\u00e9\u00ff\u0080\u0001"))),
                Arguments.of("*2\r\n$4\r\nECHO\r\n$100000\r\n" + big + "\r\n", List.of(List.of("ECHO", big))),
                Arguments.of(multibulk(manyArgs(40)), List.of(manyArgs(40))),
                Arguments.of("*1\r\n$18\r\n012345678901234567\r\n", List.of(List.of("012345678901234567"))),
                // inline commands, as telnet and redis-cli send them
                Arguments.of("PING\r\n", List.of(List.of("PING"))),
                Arguments.of("PING\n", List.of(List.of("PING"))),
                Arguments.of("SET k v\n", List.of(List.of("SET", "k", "v"))),
                Arguments.of("  SET \t k   v  \r\n", List.of(List.of("SET", "k", "v"))),
                Arguments.of("SET \"a b\" 'c d'\r\n", List.of(List.of("SET", "a b", "c d"))),
                Arguments.of("ECHO \"\\x41\\x4a\\x4A\\n\\r\\t\\b\\a\\\"\\\\\\q\"\r\n",
                        List.of(List.of("ECHO", "AJJ\n\r\t\b\u0007\"\\q"))),
                // \x needs two hex digits, otherwise the backslash just escapes the x
                Arguments.of("ECHO \"\\x4g\" \"\\x\"\r\n", List.of(List.of("ECHO", "x4g", "x"))),
                Arguments.of("ECHO 'it\\'s' 'a\\nb'\r\n", List.of(List.of("ECHO", "it's", "a\\nb"))),
                Arguments.of("ECHO \"\" '' x\r\n", List.of(List.of("ECHO", "", "", "x"))),
                // a quote inside a word opens quoting; the word goes on after the closing quote only if a space follows
                Arguments.of("ECHO a\"b c\"\r\n", List.of(List.of("ECHO", "ab c"))),
                // vertical tab and form feed are blanks between words but not word ends
                Arguments.of("\u000bECHO\u000c a\u000bb\r\n", List.of(List.of("ECHO\u000c", "a\u000bb"))),
                // a lone CR inside the line separates words; only a CR right before LF is part of the terminator
                Arguments.of("ECHO a\rb\r\r\n", List.of(List.of("ECHO", "a", "b"))),
                Arguments.of("\u00e9t\u00e9 \u00ff\r\n", List.of(List.of("\u00e9t\u00e9", "\u00ff"))),
                // empty requests are skipped
                Arguments.of("\r\n\n   \r\n\t\nPING\r\n", List.of(List.of("PING"))),
                Arguments.of("*0\r\n*-1\r\n*-100\r\nPING\r\n", List.of(List.of("PING"))),
                Arguments.of("*-9223372036854775808\r\n*1\r\n$1\r\nx\r\n", List.of(List.of("x"))),
                // pipelined mix
                Arguments.of("*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\nINCR n\n",
                        List.of(List.of("PING"), List.of("ECHO", "hi"), List.of("GET", "k"), List.of("INCR", "n"))),
                // Redis skips the two bytes after a count line's CR and after bulk data without looking at them
                Arguments.of("*1\rX$4\r\nPINGxyPING\r\n", List.of(List.of("PING"), List.of("PING"))),
                // a line starting with '*' is always multibulk, elsewhere '*' is ordinary text
                Arguments.of("KEYS *\r\n", List.of(List.of("KEYS", "*"))));
    }

    @ParameterizedTest
    @MethodSource("wellFormed")
    void decodesWellFormedRequestsInAnyFragmentation(String input, List<List<String>> expected) {
        for (boolean direct : new boolean[] {false, true}) {
            for (int chunk : CHUNKS) {
                Feeder feeder = new Feeder(RespLimits.DEFAULT, direct);
                try {
                    feeder.feedInChunks(input, chunk);
                    assertEquals(expected, feeder.requests, "chunk " + chunk + (direct ? " direct" : " heap"));
                    assertFalse(feeder.buffer.isReadable(), "everything consumed");
                } finally {
                    feeder.release();
                }
            }
        }
    }

    @Test
    void decodesAllRequestsPipelinedInOneBuffer() {
        StringBuilder sb = new StringBuilder();
        List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            List<String> args = List.of("SET", "key:" + i, "v".repeat(i));
            expected.add(args);
            sb.append(i % 3 == 0 ? "SET key:" + i + " \"" + "v".repeat(i) + "\"\r\n" : multibulk(args));
        }
        Feeder feeder = new Feeder().feed(sb.toString());
        assertEquals(expected, feeder.requests);
        feeder.release();
    }

    // ---------------------------------------------------------------- views

    @Test
    void multibulkArgumentsAreSlicesOfTheReceiveBuffer() {
        ByteBuf in = Unpooled.copiedBuffer(Feeder.latin1("xx*2\r\n$3\r\nGET\r\n$5\r\nmykey\r\n"));
        in.readerIndex(2);
        RespRequest request = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(in, request));
        assertSame(in, request.buffer());
        assertEquals(2, request.count());
        assertEquals(10, request.offset(0));
        assertEquals(3, request.length(0));
        assertEquals(19, request.offset(1));
        assertEquals(5, request.length(1));
        assertEquals(in.writerIndex(), in.readerIndex());
    }

    @Test
    void inlineArgumentsLiveInTheRequestScratchBuffer() {
        ByteBuf in = Unpooled.copiedBuffer(Feeder.latin1("SET \"a\\x41\" b\r\n"));
        RespRequest request = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(in, request));
        assertNotSame(in, request.buffer());
        assertEquals("aA", request.buffer().toString(request.offset(1), request.length(1), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(List.of("SET", "aA", "b"), Feeder.args(request));
    }

    @Test
    void incompleteRequestLeavesReaderIndexAndRequestUntouched() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        RespRequest request = new RespRequest();
        ByteBuf in = Unpooled.buffer().writeBytes(Feeder.latin1("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\n"));
        assertTrue(decoder.decode(in, request));
        int after = in.readerIndex();
        assertFalse(decoder.decode(in, request));
        assertEquals(after, in.readerIndex());
        assertEquals(List.of("PING"), Feeder.args(request));
        // progress is kept by the decoder, not the request: another request object can finish it
        RespRequest other = new RespRequest();
        in.writeBytes(Feeder.latin1("k\r\n"));
        assertTrue(decoder.decode(in, other));
        assertEquals(List.of("GET", "k"), Feeder.args(other));
    }

    @Test
    void hugeBulkFedInPiecesIsNotRescanned() {
        int size = 4 << 20;
        CountingBuf in = new CountingBuf();
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        RespRequest request = new RespRequest();
        in.writeBytes(Feeder.latin1("*2\r\n$3\r\nSET\r\n$" + size + "\r\n"));
        byte[] piece = new byte[1024];
        int calls = 0;
        for (int written = 0; written < size; written += piece.length) {
            in.writeBytes(piece);
            assertFalse(decoder.decode(in, request));
            calls++;
        }
        in.writeBytes(Feeder.latin1("\r\n"));
        assertTrue(decoder.decode(in, request));
        assertEquals(size, request.length(1));
        // A rescan per call would inspect ~calls * size / 2 bytes; here only the count lines are read, once or twice.
        assertTrue(in.inspected < 200, "bytes inspected: " + in.inspected + " over " + calls + " calls");
    }

    @Test
    void longCountLineFedByteByByteIsSearchedOnce() {
        CountingBuf in = new CountingBuf();
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        RespRequest request = new RespRequest();
        in.writeBytes(Feeder.latin1("*1\r\n$"));
        int digits = 60_000;
        for (int i = 0; i < digits; i++) {
            in.writeByte('1');
            assertFalse(decoder.decode(in, request));
        }
        // The fast path peeks at up to 20 bytes per call; the terminator search never goes back.
        assertTrue(in.inspected < 25L * digits, "bytes inspected: " + in.inspected);
        in.writeBytes(Feeder.latin1("\r\n"));
        RespProtocolException e = assertThrows(RespProtocolException.class, () -> decoder.decode(in, request));
        assertEquals("ERR Protocol error: invalid bulk length", e.errorLine());
    }

    /** Counts the bytes the decoder looks at. */
    static final class CountingBuf extends UnpooledHeapByteBuf {
        long inspected;

        CountingBuf() {
            super(ByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE);
        }

        @Override
        public byte getByte(int index) {
            inspected++;
            return super.getByte(index);
        }

        @Override
        public int forEachByte(int index, int length, ByteProcessor processor) {
            int found = super.forEachByte(index, length, processor);
            inspected += found < 0 ? length : found - index + 1;
            return found;
        }
    }

    // ---------------------------------------------------------------- malformed requests

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("*abc\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*-0\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*+1\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*01\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("* 1\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*1 \r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*1048577\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*99999999999999999999\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*1\r\nx\r\n", "ERR Protocol error: expected '$', got 'x'"),
                Arguments.of("*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'"),
                Arguments.of("*2\r\n$1\r\na\r\n*1\r\n", "ERR Protocol error: expected '$', got '*'"),
                // Redis prints the byte with %c and then turns CR and LF into spaces
                Arguments.of("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"),
                Arguments.of("*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '"),
                Arguments.of("*1\r\n\u00e9\r\n", "ERR Protocol error: expected '$', got '\u00e9'"),
                Arguments.of("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$-0\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$01\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$99999999999999999999\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("\"a\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("'a\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("ECHO \"a\\\"\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("ECHO \"a\\\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("a\"b\"c\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("ECHO 'a'b\r\n", "ERR Protocol error: unbalanced quotes in request"),
                // a good request before the bad one is still decoded
                Arguments.of("PING\r\n*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*" + "1".repeat(65536), "ERR Protocol error: too big mbulk count string"),
                Arguments.of("*1\r\n$" + "1".repeat(65536), "ERR Protocol error: too big bulk count string"),
                Arguments.of("a".repeat(65537), "ERR Protocol error: too big inline request"),
                // A NUL stops Redis's line search (strchr): the line never completes and the buffer hits the limit.
                Arguments.of("*1\0\r\n" + "a".repeat(65532), "ERR Protocol error: too big mbulk count string"),
                Arguments.of("*1\r\n$3\0\r\n" + "a".repeat(65532), "ERR Protocol error: too big bulk count string"),
                Arguments.of("PING\0\n" + "a".repeat(65532), "ERR Protocol error: too big inline request"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void rejectsMalformedInputWithRedisErrorLines(String input, String errorLine) {
        for (int chunk : CHUNKS) {
            if (chunk < 8 && input.length() > 1000) {
                chunk = 997; // keep the big inputs quick; they are still fed in pieces
            }
            Feeder feeder = new Feeder();
            int c = chunk;
            RespProtocolException e = assertThrows(RespProtocolException.class, () -> feeder.feedInChunks(input, c),
                    "chunk " + chunk);
            assertEquals(errorLine, e.errorLine(), "chunk " + chunk);
            assertEquals(errorLine, e.getMessage());
            feeder.release();
        }
    }

    @Test
    void encodedErrorCarriesTheOffendingByteRaw() {
        RespProtocolException e = assertThrows(RespProtocolException.class, () -> new Feeder().feed("*1\r\n\u00e9\r\n"));
        assertEquals("ERR Protocol error: expected '$', got '\u00e9'", e.errorLine());
        byte[] wire = e.encoded();
        assertEquals("-ERR Protocol error: expected '$', got '\u00e9'\r\n".length(), wire.length);
        assertEquals((byte) 0xE9, wire[wire.length - 4]);
        assertEquals("-ERR Protocol error: invalid bulk length\r\n",
                new String(new RespProtocolException("ERR Protocol error: invalid bulk length").encoded(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void bufferedBytesUpToTheInlineLimitAreNotAnError() {
        for (String input : new String[] {"*" + "1".repeat(65535), "*1\r\n$" + "1".repeat(65535), "a".repeat(65536),
                "*1\0\r\n" + "a".repeat(65531), "PING\0\n" + "a".repeat(65530)}) {
            Feeder feeder = new Feeder().feed(input);
            assertEquals(List.of(), feeder.requests);
            feeder.release();
        }
    }

    @Test
    void anInlineLineLongerThanTheLimitIsAcceptedWhenItArrivesWhole() {
        // Like Redis: the limit applies to bytes buffered without a terminator.
        String value = "a".repeat(70_000);
        Feeder feeder = new Feeder().feed("ECHO " + value + "\r\n");
        assertEquals(List.of(List.of("ECHO", value)), feeder.requests);
        feeder.release();
        RespProtocolException e = assertThrows(RespProtocolException.class,
                () -> new Feeder().feedInChunks("ECHO " + value + "\r\n", 10_000));
        assertEquals("ERR Protocol error: too big inline request", e.errorLine());
    }

    @Test
    void decoderIsUsableAgainAfterAnErrorAndReset() {
        Feeder feeder = new Feeder();
        assertThrows(RespProtocolException.class, () -> feeder.feed("*1\r\n$x\r\n"));
        feeder.buffer.clear();
        feeder.feed("*1\r\n$4\r\nPING\r\n");
        assertEquals(List.of(List.of("PING")), feeder.requests);

        feeder.feed("*2\r\n$3\r\nGET");
        feeder.decoder.reset();
        feeder.buffer.clear();
        feeder.feed("ECHO x\n");
        assertEquals(List.of(List.of("PING"), List.of("ECHO", "x")), feeder.requests);
        feeder.release();
    }

    // ---------------------------------------------------------------- limits

    @Test
    void configuredLimitsAreEnforcedBeforeBuffering() {
        RespLimits limits = new RespLimits(10, 3, 16);
        assertError(limits, "*4\r\n", "ERR Protocol error: invalid multibulk length");
        assertError(limits, "*1\r\n$11\r\n", "ERR Protocol error: invalid bulk length");
        assertError(limits, "*" + "1".repeat(16), "ERR Protocol error: too big mbulk count string");
        assertError(limits, "*1\r\n$" + "1".repeat(16), "ERR Protocol error: too big bulk count string");
        assertError(limits, "a".repeat(17), "ERR Protocol error: too big inline request");
        assertError(limits, "a b c d\r\n", "ERR Protocol error: too big inline request");

        Feeder feeder = new Feeder(limits, false)
                .feedInChunks("*3\r\n$10\r\n0123456789\r\n$0\r\n\r\n$1\r\nx\r\na b c\r\n", 1)
                .feed("a".repeat(16));
        assertEquals(List.of(List.of("0123456789", "", "x"), List.of("a", "b", "c")), feeder.requests);
        feeder.release();
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(-1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(Integer.MAX_VALUE, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(1, 1, 0));
        assertEquals(new RespLimits(536870912L, 1048576, 65536), RespLimits.DEFAULT);
    }

    @Test
    void unauthenticatedConnectionsGetRedisPreAuthLimits() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        decoder.authenticated(false);
        assertError(decoder, "*11\r\n", "ERR Protocol error: unauthenticated multibulk length");
        assertError(decoder, "*2147483647\r\n", "ERR Protocol error: unauthenticated multibulk length");
        // the invalid-length checks come first
        assertError(decoder, "*abc\r\n", "ERR Protocol error: invalid multibulk length");
        assertError(decoder, "*2147483648\r\n", "ERR Protocol error: invalid multibulk length");
        // below Redis's INT_MAX bound the pre-AUTH check wins over our configurable limit, as in Redis
        RespRequestDecoder small = new RespRequestDecoder(new RespLimits(100, 5, 100));
        small.authenticated(false);
        assertError(small, "*11\r\n", "ERR Protocol error: unauthenticated multibulk length");
        assertError(small, "*6\r\n", "ERR Protocol error: invalid multibulk length");
        assertError(decoder, "*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length");
        assertError(decoder, "*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length");

        RespRequest request = new RespRequest();
        String atLimit = "*10\r\n" + "$16384\r\n" + "v".repeat(16384) + "\r\n" + "$0\r\n\r\n".repeat(9);
        assertTrue(decoder.decode(Unpooled.copiedBuffer(Feeder.latin1(atLimit)), request));
        assertEquals(10, request.count());
        // inline requests have no pre-AUTH limit in Redis
        assertTrue(decoder.decode(Unpooled.copiedBuffer(Feeder.latin1("a b c d e f g h i j k l\r\n")), request));
        assertEquals(12, request.count());

        decoder.authenticated(true);
        assertTrue(decoder.decode(Unpooled.copiedBuffer(Feeder.latin1(multibulk(manyArgs(11)))), request));
        assertEquals(11, request.count());
    }

    private static void assertError(RespLimits limits, String input, String errorLine) {
        assertError(new RespRequestDecoder(limits), input, errorLine);
    }

    private static void assertError(RespRequestDecoder decoder, String input, String errorLine) {
        RespProtocolException e = assertThrows(RespProtocolException.class,
                () -> decoder.decode(Unpooled.copiedBuffer(Feeder.latin1(input)), new RespRequest()), input);
        assertEquals(errorLine, e.errorLine(), input);
    }

    // ---------------------------------------------------------------- peekKeys

    /** {@link RespRequestDecoder#peekKeys} over all of {@code input}'s bytes after {@code from}. */
    private static int peek(String input, int from, int maxRequests, int maxKeyLength, int[] offsets, int[] lengths) {
        byte[] bytes = Feeder.latin1(input);
        return RespRequestDecoder.peekKeys(bytes, from, bytes.length, maxRequests, maxKeyLength, offsets, lengths);
    }

    @Test
    void peekKeysRecordsArgumentOneOfEachRequestWithTwoOrMoreArguments() {
        String set = multibulk(List.of("SET", "k1", "v"));
        String ping = multibulk(List.of("PING"));
        String get = multibulk(List.of("GET", "key\r\n2"));
        int[] offsets = new int[8];
        int[] lengths = new int[8];

        assertEquals(2, peek("xx" + set + ping + get, 2, 8, 256, offsets, lengths));

        assertEquals(2 + set.indexOf("k1"), offsets[0]);
        assertEquals(2, lengths[0]);
        assertEquals(2 + set.length() + ping.length() + get.indexOf("key"), offsets[1]);
        assertEquals(6, lengths[1]);
    }

    @Test
    void peekKeysStopsAtAnIncompleteOrInlineOrUnusualRequest() {
        String set = multibulk(List.of("SET", "k1", "v"));
        int[] offsets = new int[8];
        int[] lengths = new int[8];
        assertEquals(1, peek(set + set.substring(0, set.length() - 1), 0, 8, 256, offsets, lengths), "incomplete");
        byte[] two = Feeder.latin1(set + set);
        assertEquals(1, RespRequestDecoder.peekKeys(two, 0, two.length - 1, 8, 256, offsets, lengths), "cut short by to");
        for (String after : List.of(
                "SET k2 v\r\n",                            // inline
                "*2\r\n$3\r\nGET\r\n$02\r\nk2\r\n",   // a leading zero
                "*2\r\n$3\r\nGET\r\n$-1\r\n",          // a sign
                "*2\r\n$3\r\nGET\r\n$2\nk2\r\n",       // no CR
                "*2\r\n$3\r\nGET\r\n$1234567890\r\n",  // ten digits
                "*2\r\n+3\r\n")) {                       // not a bulk
            assertEquals(1, peek(set + after + set, 0, 8, 256, offsets, lengths), after);
            assertEquals(set.indexOf("k1"), offsets[0], after);
        }
    }

    @Test
    void peekKeysHonoursItsLimits() {
        String three = multibulk(List.of("GET", "a")) + multibulk(List.of("GET", "b".repeat(300))) + multibulk(List.of("GET", "c"));
        int[] offsets = new int[8];
        int[] lengths = new int[8];
        // the long key is left out; the request count bounds the look ahead; so does the arrays' room
        assertEquals(2, peek(three, 0, 8, 256, offsets, lengths));
        assertEquals(List.of(1, 1), List.of(lengths[0], lengths[1]));
        assertEquals(1, peek(three, 0, 2, 256, offsets, lengths));
        assertEquals(1, peek(three, 0, 8, 256, new int[1], new int[1]));
        assertEquals(3, peek(three, 0, 8, 300, offsets, lengths));
        assertEquals(0, peek("", 0, 8, 256, offsets, lengths));
        assertThrows(IndexOutOfBoundsException.class,
                () -> RespRequestDecoder.peekKeys(new byte[4], 0, 5, 8, 256, offsets, lengths));
    }

    // ---------------------------------------------------------------- helpers

    static List<String> manyArgs(int n) {
        List<String> args = new ArrayList<>();
        args.add("MSET");
        for (int i = 1; i < n; i++) {
            args.add("arg" + i);
        }
        return args;
    }

    static String multibulk(List<String> args) {
        StringBuilder sb = new StringBuilder("*").append(args.size()).append("\r\n");
        for (String a : args) {
            sb.append('$').append(Feeder.latin1(a).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }
}
