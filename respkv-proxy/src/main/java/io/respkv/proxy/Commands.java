package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.respkv.codec.RespRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes requests the proxy sends on its own (handshakes, split parts) as RESP multibulks. */
final class Commands {

    /** {@code ASKING}, sent before a command redirected by ASK. */
    static final ByteBuf ASKING = constant("ASKING");
    /** {@code READONLY}, sent once on every replica connection. */
    static final ByteBuf READONLY = constant("READONLY");

    private Commands() {
    }

    private static ByteBuf constant(String... args) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(encode(args)).asReadOnly());
    }

    /** {@code args} as a multibulk request. */
    static byte[] encode(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = ("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(header);
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /** The whole of {@code request} re-encoded as a multibulk (for inline requests). */
    static ByteBuf encode(ByteBufAllocator alloc, RespRequest request) {
        int size = 16;
        for (int i = 0; i < request.count(); i++) {
            size += request.length(i) + 16;
        }
        ByteBuf out = alloc.ioBuffer(size);
        header(out, '*', request.count());
        for (int i = 0; i < request.count(); i++) {
            argument(out, request, i);
        }
        return out;
    }

    /** Writes {@code *n\r\n} (or another type and number). */
    static void header(ByteBuf out, char type, long n) {
        out.writeByte(type);
        writeDecimal(out, n);
        out.writeByte('\r').writeByte('\n');
    }

    /** Writes argument {@code index} of {@code request} as a bulk string. */
    static void argument(ByteBuf out, RespRequest request, int index) {
        int len = request.length(index);
        header(out, '$', len);
        out.writeBytes(request.buffer(), request.offset(index), len);
        out.writeByte('\r').writeByte('\n');
    }

    /** Writes {@code value} as a bulk string. */
    static void bulk(ByteBuf out, byte[] value) {
        header(out, '$', value.length);
        out.writeBytes(value);
        out.writeByte('\r').writeByte('\n');
    }

    static void writeDecimal(ByteBuf out, long n) {
        if (n >= 0 && n < 10) {
            out.writeByte('0' + (int) n);
            return;
        }
        out.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
    }

    /** An error reply {@code -line\r\n}. */
    static ByteBuf error(ByteBufAllocator alloc, String line) {
        byte[] b = line.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(b.length + 3);
        out.writeByte('-').writeBytes(b).writeByte('\r').writeByte('\n');
        return out;
    }
}
