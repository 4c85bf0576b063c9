package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.engine.rocksdb.RocksDbEngine;
import io.respkv.server.engine.MemoryEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's whole command path without the network: a pipelined batch of 16 requests, as
 * redis-benchmark {@code -P 16} sends them, goes into a {@link RespChannelHandler} on an
 * {@link EmbeddedChannel} (decode, command table, ACL check, the command, the engine transaction,
 * the reply encoding, one flush) and its 16 replies are taken out. What the socket costs
 * (syscalls, the kernel's TCP work) is left out on purpose: this is the part respkv's code
 * decides. One op is one batch.
 *
 * <ul>
 *   <li>{@code set}: {@code SET key:<n> <64 bytes>} over 100,000 keys (redis-benchmark's
 *       {@code -r 100000 -d 64}).</li>
 *   <li>{@code get}: {@code GET key:<n>} of those keys, all present (loaded at setup).</li>
 * </ul>
 * {@code rocksdb} runs with ASYNC durability (no fsync per batch: the engine, not the disk).
 * Lives in {@code io.respkv.server} to reach the handler and the server's state, as the server's
 * own tests do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC"})
public class CommandPathBenchmark {

    static final int KEYS = 100_000;
    static final int PIPELINE = 16;
    /** Distinct prepared batches cycled through, so the keys touched vary like random traffic. */
    static final int BATCHES = 4096;

    @Param({"memory", "rocksdb"})
    public String engine;

    @Param({"get", "set"})
    public String command;

    private RespServer server;
    private Path dir;
    private EmbeddedChannel channel;
    private ByteBuf[] batches;
    private int next;

    @Setup
    public void setUp() throws IOException {
        KeyspaceEngine kv;
        if (engine.equals("memory")) {
            kv = new MemoryEngine();
        } else {
            dir = Files.createTempDirectory("respkv-jmh-path");
            kv = RocksDbEngine.builder().path(dir).durability(Durability.ASYNC).build();
        }
        server = RespServer.builder().engine(kv).bind("127.0.0.1").port(0).start().join();
        channel = new EmbeddedChannel(new RespChannelHandler(server.state()));
        byte[] value = new byte[64];
        java.util.Arrays.fill(value, (byte) 'x');
        for (int from = 0; from < KEYS; from += 1000) {
            ByteArrayOutputStream load = new ByteArrayOutputStream();
            for (int i = from; i < from + 1000; i++) {
                request(load, bytes("SET"), key(i), value);
            }
            send(Unpooled.wrappedBuffer(load.toByteArray()));
        }
        SplittableRandom random = new SplittableRandom(42);
        batches = new ByteBuf[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int r = 0; r < PIPELINE; r++) {
                byte[] key = key(random.nextInt(KEYS));
                if (command.equals("get")) {
                    request(batch, bytes("GET"), key);
                } else {
                    request(batch, bytes("SET"), key, value);
                }
            }
            batches[b] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(batch.size()).writeBytes(batch.toByteArray()));
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        channel.finishAndReleaseAll();
        server.close();
        io.respkv.jmh.TempDirs.deleteTree(dir);
    }

    /** One pipelined batch of 16 requests in, its 16 replies out; answers the reply bytes. */
    @Benchmark
    public int batch() {
        ByteBuf in = batches[next];
        next = (next + 1) & (BATCHES - 1);
        return send(in.duplicate().retain());
    }

    private int send(ByteBuf in) {
        channel.writeInbound(in);
        channel.runPendingTasks();
        int replied = drainReplies();
        // On RocksDB the replies wait for the batch's group commit (the WAL write), which
        // releases them through a task on the channel's loop: run it.
        for (long deadline = System.nanoTime() + 5_000_000_000L; replied == 0 && System.nanoTime() < deadline; ) {
            Thread.onSpinWait();
            channel.runPendingTasks();
            replied = drainReplies();
        }
        if (replied == 0) {
            throw new IllegalStateException("no reply within 5 s");
        }
        return replied;
    }

    private int drainReplies() {
        int replied = 0;
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            replied += out.readableBytes();
            out.release();
        }
        return replied;
    }

    private static byte[] key(int i) {
        return String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void request(ByteArrayOutputStream out, byte[]... args) {
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
    }
}
