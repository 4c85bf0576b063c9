package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a client in pub/sub pass-through has subscribed to, read from the subscription replies
 * going by ({@code [subscribe|psubscribe|unsubscribe|punsubscribe, channel, count]}, where count
 * covers channels and patterns, and {@code [ssubscribe|sunsubscribe, channel, count]} for shard
 * channels), and the marker the proxy sends to learn that every earlier request was answered.
 */
final class PubSubExit {

    private static final byte[][] KINDS = {
        bytes("subscribe"), bytes("psubscribe"), bytes("unsubscribe"), bytes("punsubscribe"),
        bytes("ssubscribe"), bytes("sunsubscribe")};

    final String token;
    private final byte[] tokenBytes;
    boolean markerSent;
    private long channelsAndPatterns;
    private long shardChannels;

    PubSubExit(String token) {
        this.token = token;
        this.tokenBytes = bytes(token);
    }

    /** Whether no channel, pattern or shard channel is subscribed any more. */
    boolean unsubscribedFromAll() {
        return channelsAndPatterns == 0 && shardChannels == 0;
    }

    /** Whether {@code frame} answers the marker PING (a bulk or a pub/sub pong holding the token). */
    boolean isMarkerReply(ByteBuf frame) {
        return markerSent && frame.readableBytes() < 128 + tokenBytes.length
                && ByteBufUtil.indexOf(io.netty.buffer.Unpooled.wrappedBuffer(tokenBytes), frame) >= 0;
    }

    /** Reads a subscription reply's count; true if it was an unsubscribe kind. */
    boolean track(ByteBuf frame) {
        int at = frame.readerIndex();
        byte type = frame.getByte(at);
        if ((type != '*' && type != '>') || frame.getByte(at + 1) != '3') {
            return false;
        }
        int kind = kind(frame);
        if (kind < 0) {
            return false;
        }
        Object parsed = ReplyValue.parse(frame, at);
        if (!(parsed instanceof List<?> fields) || fields.size() != 3 || !(fields.get(2) instanceof Long count)) {
            return false;
        }
        if (kind >= 4) {
            shardChannels = count;
        } else {
            channelsAndPatterns = count;
        }
        return kind == 2 || kind == 3 || kind == 5;
    }

    /** Which of {@link #KINDS} the first element names, or -1. */
    private static int kind(ByteBuf frame) {
        int first = Frames.firstElement(frame);
        if (first >= frame.writerIndex() || frame.getByte(first) != '$') {
            return -1;
        }
        int cr = frame.indexOf(first, frame.writerIndex(), (byte) '\r');
        if (cr < 0) {
            return -1;
        }
        long len = Frames.parseLong(frame, first + 1, cr);
        for (int k = 0; k < KINDS.length; k++) {
            byte[] name = KINDS[k];
            if (name.length == len && cr + 2 + len <= frame.writerIndex()
                    && ByteBufUtil.equals(frame, cr + 2, io.netty.buffer.Unpooled.wrappedBuffer(name), 0, name.length)) {
                return k;
            }
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
