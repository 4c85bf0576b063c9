package io.respkv.server.command.meta;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only RESP2/RESP3 frame handling: cuts one complete reply off a stream as its exact bytes,
 * and turns a reply made of the types {@link ReplyTree} knows into a tree.
 */
final class RespFrames {

    private RespFrames() {
    }

    /** Encodes a request as an array of bulk strings. */
    static byte[] request(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Reads the exact bytes of one complete reply (attributes included) from {@code in}. */
    static byte[] readFrame(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copyFrame(in, out);
        return out.toByteArray();
    }

    private static void copyFrame(InputStream in, ByteArrayOutputStream out) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        out.write(type);
        String header = copyLine(in, out);
        switch (type) {
            case '+', '-', ':', '_', ',', '#', '(' -> {
            }
            case '$', '=', '!' -> {
                int len = Integer.parseInt(header);
                if (len >= 0) {
                    out.writeBytes(in.readNBytes(len + 2));
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(header);
                for (int i = 0; i < n; i++) {
                    copyFrame(in, out);
                }
            }
            case '%' -> {
                int n = Integer.parseInt(header);
                for (int i = 0; i < 2 * n; i++) {
                    copyFrame(in, out);
                }
            }
            case '|' -> {
                int n = Integer.parseInt(header);
                for (int i = 0; i < 2 * n; i++) {
                    copyFrame(in, out);
                }
                copyFrame(in, out);
            }
            default -> throw new IOException("unknown RESP type byte " + type);
        }
    }

    private static String copyLine(InputStream in, ByteArrayOutputStream out) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a line");
            }
            out.write(b);
            if (b == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("CR not followed by LF");
                }
                out.write(lf);
                return line.toString();
            }
            line.append((char) b);
        }
    }

    /** The tree of a reply made of bulk, simple, integer, null, array, set and map frames. */
    static ReplyTree toTree(byte[] frame) {
        int[] pos = {0};
        ReplyTree tree = parse(frame, pos);
        if (pos[0] != frame.length) {
            throw new IllegalArgumentException("trailing bytes after the reply");
        }
        return tree;
    }

    private static ReplyTree parse(byte[] f, int[] pos) {
        byte type = f[pos[0]++];
        String header = line(f, pos);
        switch (type) {
            case '+':
                return new ReplyTree.Simple(header);
            case ':':
                return new ReplyTree.Int(Long.parseLong(header));
            case '_':
                return new ReplyTree.Null();
            case '$': {
                int len = Integer.parseInt(header);
                if (len < 0) {
                    return new ReplyTree.Null();
                }
                String text = utf8Exact(f, pos[0], len);
                pos[0] += len + 2;
                return new ReplyTree.Bulk(text);
            }
            case '*':
            case '~': {
                int n = Integer.parseInt(header);
                if (n < 0) {
                    return new ReplyTree.Null();
                }
                List<ReplyTree> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(parse(f, pos));
                }
                return type == '*' ? new ReplyTree.Array(items) : new ReplyTree.Set(items);
            }
            case '%': {
                int n = Integer.parseInt(header);
                List<ReplyTree> items = new ArrayList<>(2 * n);
                for (int i = 0; i < 2 * n; i++) {
                    items.add(parse(f, pos));
                }
                return new ReplyTree.Map(items);
            }
            default:
                throw new IllegalArgumentException("reply type '" + (char) type + "' has no ReplyTree form: "
                        + header);
        }
    }

    /** Decodes UTF-8 and insists it round-trips, so the tree keeps the exact bytes. */
    private static String utf8Exact(byte[] f, int off, int len) {
        String text = new String(f, off, len, StandardCharsets.UTF_8);
        byte[] back = text.getBytes(StandardCharsets.UTF_8);
        if (back.length != len || !java.util.Arrays.equals(back, 0, len, f, off, off + len)) {
            throw new IllegalArgumentException("bulk string is not valid UTF-8 at byte " + off);
        }
        return text;
    }

    private static String line(byte[] f, int[] pos) {
        int start = pos[0];
        while (f[pos[0]] != '\r') {
            pos[0]++;
        }
        String s = new String(f, start, pos[0] - start, StandardCharsets.UTF_8);
        pos[0] += 2;
        return s;
    }

    /** Readable form of wire bytes for assertion messages. */
    static String show(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n ");
    }
}
