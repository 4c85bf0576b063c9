package io.respkv.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.respkv.codec.RespLimits;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * RESP request decoding and reply encoding: respkv-codec against netty-codec-redis.
 *
 * <p>Decode: one op is a pipelined batch of 16 requests (8 {@code SET key:000123 <64 bytes>} and
 * 8 {@code GET key:000123}, keys {@code key:000123} to {@code key:000130}) in a pooled direct
 * buffer, as a socket read delivers it.
 * <ul>
 *   <li>{@code respkvDecode}: {@link RespRequestDecoder#decode} in a loop. Per request it yields
 *       argument slices (offsets and lengths in reused int arrays); nothing is allocated.</li>
 *   <li>{@code respkvDecodeInPipeline}: the same, called from a channel handler, with the batch
 *       delivered through a netty pipeline (fireChannelRead + fireChannelReadComplete), as a
 *       respkv server receives it.</li>
 *   <li>{@code nettyDecodeInPipeline}: RedisDecoder + RedisBulkStringAggregator +
 *       RedisArrayAggregator in the same pipeline. Per request it yields an ArrayRedisMessage
 *       holding a list of FullBulkStringRedisMessage (each a retained slice of the buffer), with
 *       intermediate header messages passed between the handlers; the consumer releases it.
 *       Those codec classes are final, so a pipeline is the only way to drive them.</li>
 * </ul>
 * Each consumer reads the argument count and the last argument's length, so both sides do the
 * same (minimal) work with what they decoded.
 *
 * <p>Encode: one op is a 64-byte bulk reply plus an integer reply into a buffer. respkv writes
 * bytes into one target buffer; netty's RedisEncoder (called directly) allocates a header buffer
 * per message and passes the bulk's content as a separate retained buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    static final int REQUESTS_PER_BATCH = 16;

    private ByteBuf batch;
    private byte[] value;

    private RespRequestDecoder decoder;
    private RespRequest request;
    private EmbeddedChannel respkvChannel;
    private RespkvConsumer respkvConsumer;
    private EmbeddedChannel nettyChannel;
    private NettyConsumer nettyConsumer;

    private RespReplyWriter writer;
    private ByteBuf replyBuffer;
    private ExposedRedisEncoder nettyEncoder;
    private ChannelHandlerContext nettyEncoderContext;
    private ByteBuf nettyValue;
    private List<Object> encoded;
    private EmbeddedChannel encoderChannel;

    @Setup(Level.Trial)
    public void setUp() {
        value = new byte[64];
        Arrays.fill(value, (byte) 'v');
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < REQUESTS_PER_BATCH; i++) {
            String key = String.format("key:%06d", 123 + i / 2);
            if (i % 2 == 0) {
                sb.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$64\r\n")
                        .append(new String(value, StandardCharsets.US_ASCII)).append("\r\n");
            } else {
                sb.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
            }
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);

        decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        request = new RespRequest();
        respkvConsumer = new RespkvConsumer();
        respkvChannel = new EmbeddedChannel(respkvConsumer);
        nettyConsumer = new NettyConsumer();
        nettyChannel = new EmbeddedChannel(new RedisDecoder(), new RedisBulkStringAggregator(),
                new RedisArrayAggregator(1024 * 1024, 1024), nettyConsumer);

        writer = new RespReplyWriter();
        replyBuffer = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        writer.target(replyBuffer);
        nettyEncoder = new ExposedRedisEncoder();
        encoderChannel = new EmbeddedChannel(nettyEncoder);
        nettyEncoderContext = encoderChannel.pipeline().context(nettyEncoder);
        nettyValue = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeBytes(value);
        encoded = new ArrayList<>();

        // Both decoders must see all 16 requests per batch, or the comparison means nothing.
        check("respkvDecode", respkvDecode(), expectedChecksum());
        check("respkvDecodeInPipeline", respkvDecodeInPipeline(), expectedChecksum());
        check("nettyDecodeInPipeline", nettyDecodeInPipeline(), expectedChecksum());
    }

    /** Sum over the batch of (argument count + last argument length). */
    private static long expectedChecksum() {
        return REQUESTS_PER_BATCH / 2 * (3 + 64) + REQUESTS_PER_BATCH / 2 * (2 + 10);
    }

    private static void check(String what, long got, long expected) {
        if (got != expected) {
            throw new IllegalStateException(what + ": checksum " + got + ", expected " + expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        respkvChannel.finishAndReleaseAll();
        nettyChannel.finishAndReleaseAll();
        encoderChannel.finishAndReleaseAll();
        batch.release();
        replyBuffer.release();
        nettyValue.release();
    }

    @Benchmark
    public long respkvDecode() {
        ByteBuf in = batch;
        in.readerIndex(0);
        long sum = 0;
        while (decoder.decode(in, request)) {
            int n = request.count();
            sum += n + request.length(n - 1);
        }
        return sum;
    }

    @Benchmark
    public long respkvDecodeInPipeline() {
        return deliver(respkvChannel.pipeline(), respkvConsumer);
    }

    @Benchmark
    public long nettyDecodeInPipeline() {
        return deliver(nettyChannel.pipeline(), nettyConsumer);
    }

    private long deliver(ChannelPipeline pipeline, Consumer consumer) {
        consumer.sum = 0;
        // A duplicate sharing the batch's memory, as a socket read hands over a fresh buffer the handlers release.
        pipeline.fireChannelRead(batch.retainedDuplicate().readerIndex(0));
        pipeline.fireChannelReadComplete();
        return consumer.sum;
    }

    @Benchmark
    public int respkvEncodeBulkAndInteger() {
        ByteBuf out = replyBuffer.clear();
        writer.bulk(value);
        writer.integer(12345);
        return out.writerIndex();
    }

    @Benchmark
    public int nettyEncodeBulkAndInteger() throws Exception {
        List<Object> out = encoded;
        nettyEncoder.encodeNow(nettyEncoderContext, new FullBulkStringRedisMessage(nettyValue.retainedDuplicate()), out);
        nettyEncoder.encodeNow(nettyEncoderContext, new IntegerRedisMessage(12345), out);
        int bytes = 0;
        for (Object o : out) {
            bytes += ((ByteBuf) o).readableBytes();
            ReferenceCountUtil.release(o);
        }
        out.clear();
        return bytes;
    }

    /** What a pipeline's last handler adds up from the decoded requests. */
    abstract static class Consumer extends ChannelInboundHandlerAdapter {
        long sum;
    }

    /** A respkv server's read handler: decode every complete request out of the buffer, then release it. */
    final class RespkvConsumer extends Consumer {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (decoder.decode(in, request)) {
                    int n = request.count();
                    sum += n + request.length(n - 1);
                }
            } finally {
                in.release();
            }
        }
    }

    static final class NettyConsumer extends Consumer {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ArrayRedisMessage array = (ArrayRedisMessage) msg;
            try {
                List<RedisMessage> children = array.children();
                int n = children.size();
                sum += n + ((FullBulkStringRedisMessage) children.get(n - 1)).content().readableBytes();
            } finally {
                array.release();
            }
        }
    }

    /** RedisEncoder's encode step without the pipeline around it. */
    static final class ExposedRedisEncoder extends RedisEncoder {
        void encodeNow(ChannelHandlerContext ctx, RedisMessage msg, List<Object> out) throws Exception {
            try {
                encode(ctx, msg, out);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
