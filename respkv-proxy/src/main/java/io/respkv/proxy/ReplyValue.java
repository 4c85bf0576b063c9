package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.respkv.codec.RespFrameScanner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A reply decoded into plain values, for the few replies the proxy reads itself (CLUSTER SLOTS,
 * handshakes), never for forwarded ones: a {@code Long}, a {@code String} (simple or bulk string,
 * UTF-8), an {@link Error}, {@code null}, or a {@code List} (arrays, sets, pushes, and maps as
 * key, value, key, value...).
 */
final class ReplyValue {

    /** An error reply's line, without the leading {@code -}. */
    record Error(String line) {
    }

    private ReplyValue() {
    }

    /** Decodes the complete frame starting at {@code from}; the frame must be complete (see {@link RespFrameScanner}). */
    static Object parse(ByteBuf buf, int from) {
        int[] at = {from};
        return read(buf, at);
    }

    private static Object read(ByteBuf buf, int[] at) {
        int start = at[0];
        byte type = buf.getByte(start);
        int cr = buf.indexOf(start + 1, buf.writerIndex(), (byte) '\r');
        at[0] = cr + 2;
        switch (type) {
            case '+', '(', ',' -> {
                return buf.toString(start + 1, cr - start - 1, StandardCharsets.UTF_8);
            }
            case '-' -> {
                return new Error(buf.toString(start + 1, cr - start - 1, StandardCharsets.UTF_8));
            }
            case ':' -> {
                return Frames.parseLong(buf, start + 1, cr);
            }
            case '#' -> {
                return buf.getByte(start + 1) == 't' ? 1L : 0L;
            }
            case '_' -> {
                return null;
            }
            case '$', '!', '=' -> {
                long len = Frames.parseLong(buf, start + 1, cr);
                if (len < 0) {
                    return null;
                }
                String s = buf.toString(cr + 2, (int) len, StandardCharsets.UTF_8);
                at[0] = cr + 2 + (int) len + 2;
                return s;
            }
            case '*', '~', '>', '%', '|' -> {
                long n = Frames.parseLong(buf, start + 1, cr);
                if (n < 0) {
                    return null;
                }
                if (type == '%' || type == '|') {
                    n *= 2;
                }
                List<Object> list = new ArrayList<>((int) n);
                for (int i = 0; i < n; i++) {
                    list.add(read(buf, at));
                }
                if (type == '|') {
                    return read(buf, at); // attributes are dropped
                }
                return list;
            }
            default -> throw new IllegalArgumentException("unknown reply type " + (char) type);
        }
    }
}
