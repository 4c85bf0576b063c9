package io.respkv.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyHash;
import io.respkv.codec.RespLimits;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.RecordingEngine;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipeline's keys reach the engine's {@link io.respkv.api.KeyspaceEngine#prefetch} as the
 * hashes of their metadata keys, in the client's database, before the requests run; a lone
 * request hints nothing.
 */
@Timeout(60)
class KeyPrefetcherTest {

    private static RecordingEngine recording() {
        return new RecordingEngine(new MemoryEngine(), Set.of(EngineFeature.PREFETCH));
    }

    private static int metaHash(int db, String key) {
        return KeyHash.of(KeyCodec.metaKey(db, key.getBytes(UTF_8)));
    }

    private static String multibulk(String... args) {
        return new String(RespCommand.of(args).encode(), UTF_8);
    }

    @Test
    void hintsTheDecodedRequestsKeyAndThoseBufferedAfterIt() {
        RecordingEngine engine = recording();
        KeyPrefetcher prefetcher = new KeyPrefetcher(engine);
        ByteBuf in = Unpooled.copiedBuffer(multibulk("SET", "a", "1") + multibulk("PING") + multibulk("GET", "b")
                + multibulk("INCR", "c"), UTF_8);
        RespRequest first = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(in, first));

        assertEquals(KeyPrefetcher.WINDOW, prefetcher.ahead(first, in, 5));

        assertEquals(1, engine.prefetches().size());
        assertEquals(List.of(metaHash(5, "a"), metaHash(5, "b"), metaHash(5, "c")),
                Arrays.stream(engine.prefetches().get(0)).boxed().toList());
    }

    @Test
    void aKeyAloneIsNotHinted() {
        RecordingEngine engine = recording();
        ByteBuf in = Unpooled.copiedBuffer(multibulk("GET", "a") + multibulk("PING"), UTF_8);
        RespRequest first = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(in, first));
        new KeyPrefetcher(engine).ahead(first, in, 0);
        assertEquals(0, engine.prefetches().size());
    }

    @Test
    void looksNoFurtherThanItsWindow() {
        RecordingEngine engine = recording();
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            pipeline.append(multibulk("GET", "key" + i));
        }
        ByteBuf in = Unpooled.copiedBuffer(pipeline, UTF_8);
        RespRequest first = new RespRequest();
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(in, first));
        new KeyPrefetcher(engine).ahead(first, in, 0);
        assertEquals(KeyPrefetcher.WINDOW, engine.prefetches().get(0).length, "keys hinted of 40 requests");
        assertEquals(metaHash(0, "key" + (KeyPrefetcher.WINDOW - 1)), engine.prefetches().get(0)[KeyPrefetcher.WINDOW - 1]);

        // a request larger than the bytes looked at is left for a later look
        String big = "v".repeat(KeyPrefetcher.WINDOW_BYTES);
        ByteBuf large = Unpooled.copiedBuffer(multibulk("SET", "a", "1") + multibulk("SET", "b", big)
                + multibulk("GET", "c"), UTF_8);
        assertTrue(new RespRequestDecoder(RespLimits.DEFAULT).decode(large, first));
        new KeyPrefetcher(engine).ahead(first, large, 0);
        assertEquals(1, engine.prefetches().size(), "SET a alone (what follows is past the window) hinted");
    }

    @Test
    void firstKeyHashesTheKeyOfALoneRequest() {
        RecordingEngine engine = recording();
        KeyPrefetcher prefetcher = new KeyPrefetcher(engine);
        int[] hashes = new int[3];
        ByteBuf in = Unpooled.copiedBuffer(multibulk("SET", "a", "1"), UTF_8);

        assertEquals(1, prefetcher.firstKey(in, 2, hashes, 1));
        assertEquals(metaHash(2, "a"), hashes[1]);
        assertEquals(0, in.readerIndex(), "the input is only looked at");

        // a pipeline (its own look-ahead hints it); a request with no key, and one after it
        assertEquals(0, prefetcher.firstKey(Unpooled.copiedBuffer(multibulk("SET", "a", "1") + multibulk("GET", "b"), UTF_8),
                0, hashes, 0));
        assertEquals(0, prefetcher.firstKey(Unpooled.copiedBuffer(multibulk("PING"), UTF_8), 0, hashes, 0));
        assertEquals(1, prefetcher.firstKey(Unpooled.copiedBuffer(multibulk("PING") + multibulk("GET", "b"), UTF_8), 0, hashes, 0));
        assertEquals(metaHash(0, "b"), hashes[0]);
        // an incomplete request; a request longer than the bytes looked at
        assertEquals(0, prefetcher.firstKey(Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$1\r\n", UTF_8), 0, hashes, 0));
        String longValue = "v".repeat(KeyPrefetcher.FIRST_REQUEST_BYTES);
        assertEquals(0, prefetcher.firstKey(Unpooled.copiedBuffer(multibulk("SET", "a", longValue), UTF_8), 0, hashes, 0));

        prefetcher.hint(new int[] {7}, 1);
        assertEquals(0, engine.prefetches().size(), "one key alone is not hinted");
        prefetcher.hint(new int[] {7, 8, 9}, 2);
        assertEquals(List.of(7, 8), Arrays.stream(engine.prefetches().get(0)).boxed().toList());
    }

    @Test
    void theServerHintsAPipelinesKeysInTheClientsDatabaseAndNotALoneRequests() throws Exception {
        RecordingEngine engine = recording();
        RespServer server = RespServer.builder().port(0).engine(engine).start().join();
        try (Socket s = new Socket("127.0.0.1", server.activePort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();

            exchange(out, in, multibulk("SELECT", "3"), "+OK\r\n");
            exchange(out, in, multibulk("GET", "alone"), "$-1\r\n");
            assertEquals(0, engine.prefetches().size(), "a lone request hinted");

            exchange(out, in, multibulk("SET", "k1", "v") + multibulk("GET", "k1") + multibulk("INCR", "n"),
                    "+OK\r\n$1\r\nv\r\n:1\r\n");
            assertEquals(1, engine.prefetches().size(), "hints of one read of three requests");
            assertEquals(List.of(metaHash(3, "k1"), metaHash(3, "k1"), metaHash(3, "n")),
                    Arrays.stream(engine.prefetches().get(0)).boxed().toList());
        } finally {
            server.close();
        }
    }

    /** Writes {@code requests} at once and reads exactly {@code replies} back. */
    private static void exchange(OutputStream out, InputStream in, String requests, String replies) throws Exception {
        out.write(requests.getBytes(UTF_8));
        out.flush();
        byte[] got = in.readNBytes(replies.getBytes(UTF_8).length);
        assertEquals(replies, new String(got, UTF_8));
    }
}
