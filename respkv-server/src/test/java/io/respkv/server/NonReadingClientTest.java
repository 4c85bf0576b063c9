package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that pipelines requests with large replies and does not read them, with no output
 * limit: the connection is paused (its requests wait) while its replies cannot be written, both
 * when commands run on the event loop (memory engine) and on the command threads (an engine with
 * blocking I/O); the server's output for it stays bounded (CLIENT LIST omem), and once it reads,
 * every reply arrives intact and in order.
 */
class NonReadingClientTest {

    /**
     * Commands on the event loop and on the command threads, each over io_uring and epoll where
     * they run (io_uring hands writes to the kernel later than epoll: the pause and the limits
     * must not depend on that).
     */
    static List<Arguments> threadsAndTransports() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean commandThreads : new boolean[] {false, true}) {
            for (NetTransport transport : new NetTransport[] {NetTransport.IO_URING, NetTransport.EPOLL}) {
                if (transport.isAvailable()) {
                    cases.add(Arguments.of(commandThreads, transport));
                }
            }
        }
        return cases;
    }

    private static final Pattern OMEM = Pattern.compile(" omem=(\\d+) ");

    @ParameterizedTest
    @MethodSource("threadsAndTransports")
    void aNonReadingClientIsPausedWithBoundedOutput(boolean commandThreads, NetTransport transport) throws Exception {
        RespServer.Builder b = RespServer.builder().port(0).transport(transport);
        if (commandThreads) {
            b.engine(new CommandThreadsTest.SlowNetworkEngine());
        }
        try (RespServer server = b.start().join();
             RawRespClient admin = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()))) {
            String[] rpush = new String[2 + 100];
            rpush[0] = "RPUSH";
            rpush[1] = "big";
            for (int i = 0; i < 100; i++) {
                rpush[2 + i] = "v".repeat(1000) + i;
            }
            admin.call(rpush);
            byte[] expected = admin.call("LRANGE", "big", "0", "-1").raw();

            try (SocketChannel ch = SocketChannel.open()) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                ch.connect(new InetSocketAddress("127.0.0.1", server.activePort()));
                ch.configureBlocking(false);
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                batch.writeBytes(RespCommand.of("CLIENT", "SETNAME", "flood").encode());
                byte[] one = RespCommand.of("LRANGE", "big", "0", "-1").encode();
                for (int i = 0; i < 1000; i++) {
                    batch.writeBytes(one);
                }
                ByteBuffer chunk = ByteBuffer.wrap(batch.toByteArray());
                byte[] more = repeat(one, 1000);
                long end = System.nanoTime() + 20_000_000_000L;
                long lastProgress = System.nanoTime();
                long maxOmem = 0;
                // write until the server stops reading for 2 s (bounded: 20 s, 100 MB)
                long sent = 0;
                while (System.nanoTime() < end && sent < 100L << 20) {
                    if (!chunk.hasRemaining()) {
                        chunk = ByteBuffer.wrap(more);
                    }
                    int n = ch.write(chunk);
                    if (n > 0) {
                        sent += n;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > 2_000_000_000L) {
                        break;
                    } else {
                        Thread.sleep(5);
                        maxOmem = Math.max(maxOmem, omem(admin));
                    }
                }
                assertTrue(System.nanoTime() - lastProgress > 2_000_000_000L, "the server kept reading: " + sent + " bytes");
                maxOmem = Math.max(maxOmem, omem(admin));
                assertTrue(maxOmem <= 8L << 20, "omem " + maxOmem);
                assertEquals("PONG", admin.call("PING").text());
                // now read: +OK, then LRANGE replies, each intact, until the stream has been read for a while
                ch.configureBlocking(true);
                ch.socket().setSoTimeout(10_000);
                InputStream in = ch.socket().getInputStream();
                assertEquals("+OK\r\n", new String(in.readNBytes(5)));
                int replies = 200;
                for (int i = 0; i < replies; i++) {
                    assertArrayEquals(expected, in.readNBytes(expected.length), "reply " + i);
                }
            }
        }
    }

    /**
     * A paused client gets no new replies, so its soft limit is checked every second while
     * paused: over {@code normal 0 2mb 1} it is closed a second or two after the pause, on the
     * event loop and on the command threads alike.
     */
    @ParameterizedTest
    @MethodSource("threadsAndTransports")
    void aPausedClientOverItsSoftLimitIsClosed(boolean commandThreads, NetTransport transport) throws Exception {
        RespServer.Builder b = RespServer.builder().port(0).transport(transport);
        if (commandThreads) {
            b.engine(new CommandThreadsTest.SlowNetworkEngine());
        }
        try (RespServer server = b.start().join();
             RawRespClient admin = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()))) {
            String[] rpush = new String[2 + 100];
            rpush[0] = "RPUSH";
            rpush[1] = "big";
            for (int i = 0; i < 100; i++) {
                rpush[2 + i] = "v".repeat(1000) + i;
            }
            admin.call(rpush);
            assertEquals("OK", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 2mb 1").text());
            try (SocketChannel ch = SocketChannel.open()) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                ch.connect(new InetSocketAddress("127.0.0.1", server.activePort()));
                ch.configureBlocking(false);
                ByteBuffer chunk = ByteBuffer.wrap(repeat(RespCommand.of("LRANGE", "big", "0", "-1").encode(), 1000));
                long start = System.nanoTime();
                boolean disconnected = false;
                // bounded: 20 s, 100 MB
                for (long sent = 0; System.nanoTime() - start < 20_000_000_000L && sent < 100L << 20; ) {
                    if (!chunk.hasRemaining()) {
                        chunk.rewind();
                    }
                    try {
                        int n = ch.write(chunk);
                        sent += n;
                        if (n == 0) {
                            Thread.sleep(5);
                        }
                    } catch (java.io.IOException reset) {
                        disconnected = true;
                        break;
                    }
                }
                assertTrue(disconnected, "a paused client over its soft limit was kept");
                assertTrue(System.nanoTime() - start < 15_000_000_000L, "closed late");
            }
            assertEquals("PONG", admin.call("PING").text());
        }
    }

    private static byte[] repeat(byte[] one, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < times; i++) {
            out.writeBytes(one);
        }
        return out.toByteArray();
    }

    private static long omem(RawRespClient admin) throws Exception {
        for (String line : admin.call("CLIENT", "LIST").text().split("\n")) {
            if (line.contains(" name=flood ")) {
                Matcher m = OMEM.matcher(line);
                assertTrue(m.find(), line);
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }
}
