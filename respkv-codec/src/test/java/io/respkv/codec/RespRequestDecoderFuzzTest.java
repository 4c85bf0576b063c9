package io.respkv.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the request decoder (Jazzer). For any bytes:
 * <ul>
 *   <li>the decoder throws nothing but {@link RespProtocolException} with one of Redis's
 *       {@code ERR Protocol error: ...} lines;</li>
 *   <li>fed in arbitrary pieces (as reads split a stream), it decodes the same requests and ends
 *       in the same state (same error, or waiting for more) as fed at once;</li>
 *   <li>under small limits, no decoded request exceeds them;</li>
 *   <li>the same bytes read as argument vectors and encoded as multibulk requests decode, in any
 *       pieces, to exactly those arguments (the reference decoding);</li>
 *   <li>{@link RespRequestDecoder#peekKeys} over the same bytes throws nothing, and each key it
 *       records is argument 1 of the next request of two or more arguments the decoder reads
 *       (unless the decoder rejects a request first).</li>
 * </ul>
 * Seeds: {@code src/test/resources/io/respkv/codec/RespRequestDecoderFuzzTestInputs/decode/}. In
 * {@code verify} this fuzzes for a few seconds; {@code -Pfuzz} for longer (docs/security.md#fuzzing).
 */
class RespRequestDecoderFuzzTest {

    /** Small limits for the limit property. */
    private static final RespLimits SMALL = new RespLimits(64, 8, 128);
    /** The largest piece {@link #splits} makes. */
    private static final int MAX_PIECE = 40;

    @FuzzTest(maxDuration = "5s")
    void decode(byte[] data) {
        // inputs stay below the default inline limit, where how reads split the stream cannot matter
        if (data.length >= RespLimits.DEFAULT.maxInlineLength()) {
            return;
        }
        Outcome whole = feed(RespLimits.DEFAULT, data, new int[] {data.length});
        Outcome split = feed(RespLimits.DEFAULT, data, splits(data));
        assertEquals(whole, split, "split reads changed the decoding");
        Outcome bytewise = feed(RespLimits.DEFAULT, data, new int[] {1});
        assertEquals(whole, bytewise, "byte-at-a-time reads changed the decoding");

        Outcome small = feed(SMALL, data, splits(data));
        for (List<String> request : small.requests) {
            assertTrue(request.size() <= SMALL.maxArguments(), "too many arguments: " + request.size());
            for (String arg : request) {
                // a bulk is at most maxBulkLength; an inline line is refused once more than
                // maxInlineLength bytes of it wait for their newline, so a complete one may be one
                // read longer (as in Redis)
                assertTrue(arg.length() <= SMALL.maxInlineLength() + MAX_PIECE, "argument too long: " + arg.length());
            }
        }

        List<List<String>> vectors = vectors(data);
        Outcome encoded = feed(RespLimits.DEFAULT, multibulk(vectors), splits(data));
        assertEquals(new Outcome(vectors, null, true), encoded, "multibulk requests decoded differently");

        peekedKeysAreDecodedKeys(data);
        peekedKeysAreDecodedKeys(multibulk(vectors));
    }

    /** The keys {@link RespRequestDecoder#peekKeys} records are those the decoder then reads. */
    static void peekedKeysAreDecodedKeys(byte[] data) {
        int[] offsets = new int[64];
        int[] lengths = new int[64];
        int peeked = RespRequestDecoder.peekKeys(data, 0, data.length, 64, Integer.MAX_VALUE, offsets, lengths);
        ByteBuf buffer = Unpooled.wrappedBuffer(data); // the decoder's indexes are the array's
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        RespRequest request = new RespRequest();
        int matched = 0;
        try {
            while (matched < peeked && decoder.decode(buffer, request)) {
                assertSame(buffer, request.buffer(), "peekKeys went past an inline request");
                if (request.count() >= 2) {
                    assertEquals(offsets[matched], request.offset(1), "key " + matched + " offset");
                    assertEquals(lengths[matched], request.length(1), "key " + matched + " length");
                    matched++;
                }
            }
        } catch (RespProtocolException e) {
            return; // a hint may run past a request the decoder refuses
        }
        assertEquals(peeked, matched, "peekKeys recorded a key of a request the decoder found incomplete");
    }

    /** What the decoder made of a stream: the requests, then an error line or not, and whether it ended between requests. */
    record Outcome(List<List<String>> requests, String error, boolean idle) {
    }

    /** Feeds {@code data} in pieces of the sizes {@code pieces} (cycled), as a connection's reads. */
    static Outcome feed(RespLimits limits, byte[] data, int[] pieces) {
        RespRequestDecoder decoder = new RespRequestDecoder(limits);
        RespRequest request = new RespRequest();
        ByteBuf buffer = Unpooled.buffer(16);
        List<List<String>> requests = new ArrayList<>();
        try {
            int at = 0;
            int p = 0;
            while (at < data.length) {
                int n = Math.min(Math.max(1, pieces[p++ % pieces.length]), data.length - at);
                buffer.writeBytes(data, at, n);
                at += n;
                try {
                    while (decoder.decode(buffer, request)) {
                        requests.add(args(request));
                    }
                } catch (RespProtocolException e) {
                    assertTrue(e.errorLine().startsWith("ERR Protocol error: "), e.errorLine());
                    return new Outcome(requests, e.errorLine(), false);
                }
                if ((p & 1) == 0) {
                    buffer.discardReadBytes(); // allowed between calls
                }
            }
            return new Outcome(requests, null, !buffer.isReadable());
        } finally {
            buffer.release();
        }
    }

    /** Piece sizes derived from the input itself, so a crash reproduces from its bytes alone. */
    private static int[] splits(byte[] data) {
        int[] out = new int[Math.max(1, Math.min(16, data.length / 3))];
        int h = 0x9e3779b9;
        for (byte b : data) {
            h = h * 31 + b;
        }
        for (int i = 0; i < out.length; i++) {
            h ^= h << 13;
            h ^= h >>> 17;
            h ^= h << 5;
            out[i] = 1 + Math.floorMod(h, MAX_PIECE);
        }
        return out;
    }

    /** The input read as requests: 0xFE ends a request, 0xFF ends an argument; empty requests are dropped. */
    static List<List<String>> vectors(byte[] data) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        ByteArrayOutputStream arg = new ByteArrayOutputStream();
        for (byte b : data) {
            if (b == (byte) 0xFF || b == (byte) 0xFE) {
                current.add(arg.toString(StandardCharsets.ISO_8859_1));
                arg.reset();
                if (b == (byte) 0xFE) {
                    out.add(current);
                    current = new ArrayList<>();
                }
            } else {
                arg.write(b);
            }
        }
        if (arg.size() > 0) {
            current.add(arg.toString(StandardCharsets.ISO_8859_1));
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    static byte[] multibulk(List<List<String>> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (List<String> r : requests) {
            out.writeBytes(("*" + r.size() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (String a : r) {
                out.writeBytes(("$" + a.length() + "\r\n" + a + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    private static List<String> args(RespRequest r) {
        List<String> a = new ArrayList<>(r.count());
        for (int i = 0; i < r.count(); i++) {
            a.add(new String(r.bytes(i), StandardCharsets.ISO_8859_1));
        }
        return a;
    }
}
