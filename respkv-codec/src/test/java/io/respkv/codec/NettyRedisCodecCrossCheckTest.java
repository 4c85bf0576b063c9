package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Decodes random pipelined multibulk traffic, cut at random places, with respkv's decoder and
 * with netty-codec-redis (RedisDecoder + RedisBulkStringAggregator + RedisArrayAggregator), an
 * independent implementation, and expects both to see the requests that were encoded.
 */
class NettyRedisCodecCrossCheckTest {

    @Test
    void agreesWithNettyOnRandomPipelinedRequests() {
        Random random = new Random(20240607);
        for (int round = 0; round < 100; round++) {
            List<List<String>> sent = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            int requests = 1 + random.nextInt(40);
            for (int r = 0; r < requests; r++) {
                List<String> args = new ArrayList<>();
                int n = 1 + random.nextInt(12);
                for (int a = 0; a < n; a++) {
                    args.add(randomArg(random));
                }
                sent.add(args);
                byte[] encoded = Feeder.latin1(RespRequestDecoderTest.multibulk(args));
                wire.write(encoded, 0, encoded.length);
            }
            byte[] bytes = wire.toByteArray();
            // Tiny pieces for small batches (byte-at-a-time is slow through a netty pipeline), any size otherwise.
            int maxChunk = bytes.length < 10_000 && random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(bytes.length);

            List<List<String>> ours = decodeWithRespkv(bytes, random, maxChunk, random.nextBoolean());
            List<List<String>> netty = decodeWithNetty(bytes, random, maxChunk);
            assertEquals(sent, netty, "netty, round " + round);
            assertEquals(netty, ours, "respkv vs netty, round " + round);
        }
    }

    private static String randomArg(Random random) {
        int kind = random.nextInt(10);
        int length = kind == 0 ? 0 : kind < 9 ? random.nextInt(40) : random.nextInt(20_000);
        byte[] b = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(b); // binary, including CR, LF and NUL
        } else {
            for (int i = 0; i < length; i++) {
                b[i] = (byte) ("\r\n$*0123456789abcXYZ ".charAt(random.nextInt(21)));
            }
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static List<List<String>> decodeWithRespkv(byte[] bytes, Random random, int maxChunk, boolean direct) {
        Feeder feeder = new Feeder(RespLimits.DEFAULT, direct);
        for (int i = 0; i < bytes.length; ) {
            int n = Math.min(bytes.length - i, 1 + random.nextInt(maxChunk));
            feeder.feed(bytes, i, n);
            i += n;
        }
        assertFalse(feeder.buffer.isReadable());
        feeder.release();
        return feeder.requests;
    }

    private static List<List<String>> decodeWithNetty(byte[] bytes, Random random, int maxChunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new RedisDecoder(), new RedisBulkStringAggregator(), new RedisArrayAggregator(1024 * 1024, 1024));
        List<List<String>> requests = new ArrayList<>();
        for (int i = 0; i < bytes.length; ) {
            int n = Math.min(bytes.length - i, 1 + random.nextInt(maxChunk));
            ByteBuf chunk = Unpooled.copiedBuffer(bytes, i, n);
            channel.writeInbound(chunk);
            i += n;
            for (Object msg; (msg = channel.readInbound()) != null; ) {
                try {
                    List<String> args = new ArrayList<>();
                    for (RedisMessage child : ((ArrayRedisMessage) msg).children()) {
                        ByteBuf content = ((FullBulkStringRedisMessage) child).content();
                        args.add(new String(ByteBufUtil.getBytes(content), StandardCharsets.ISO_8859_1));
                    }
                    requests.add(args);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        }
        channel.finishAndReleaseAll();
        return requests;
    }
}
