package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds bytes to a {@link RespRequestDecoder} in chunks, as a connection would, and collects the
 * decoded requests as lists of ISO-8859-1 strings (one char per byte).
 */
final class Feeder {

    final RespRequestDecoder decoder;
    final ByteBuf buffer;
    final RespRequest request = new RespRequest();
    final List<List<String>> requests = new ArrayList<>();

    Feeder(RespLimits limits, boolean direct) {
        decoder = new RespRequestDecoder(limits);
        buffer = direct ? Unpooled.directBuffer(16) : Unpooled.buffer(16);
    }

    Feeder() {
        this(RespLimits.DEFAULT, false);
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Appends {@code bytes} and decodes every complete request; compacts the buffer now and then. */
    Feeder feed(byte[] bytes, int from, int length) {
        buffer.writeBytes(bytes, from, length);
        while (decoder.decode(buffer, request)) {
            requests.add(args(request));
        }
        if (buffer.readerIndex() > 64) {
            // Allowed between calls: the decoder keeps its progress relative to the reader index.
            buffer.discardReadBytes();
        }
        return this;
    }

    Feeder feed(String s) {
        byte[] b = latin1(s);
        return feed(b, 0, b.length);
    }

    /** Feeds {@code s} in chunks of {@code chunk} bytes. */
    Feeder feedInChunks(byte[] b, int chunk) {
        for (int i = 0; i < b.length; i += chunk) {
            feed(b, i, Math.min(chunk, b.length - i));
        }
        return this;
    }

    Feeder feedInChunks(String s, int chunk) {
        return feedInChunks(latin1(s), chunk);
    }

    static List<String> args(RespRequest request) {
        List<String> args = new ArrayList<>(request.count());
        for (int i = 0; i < request.count(); i++) {
            args.add(new String(request.bytes(i), StandardCharsets.ISO_8859_1));
        }
        return args;
    }

    void release() {
        buffer.release();
    }
}
