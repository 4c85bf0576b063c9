package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The normal class of client-output-buffer-limit against redis-server 7.0.15: CONFIG GET/SET, a
 * single reply over the hard limit, a client that pipelines without reading its replies; and,
 * respkv only, what a non-reading client costs the server when there is no limit (Redis would
 * buffer without bound there; respkv stops running its requests, see docs/security.md).
 */
class OutputBufferLimitDifferentialTest extends RespkvDifferentialTest {

    /** 200 elements of 1000 bytes: one LRANGE of it replies about 200 KB. */
    private static final int ELEMENTS = 200;
    private static final int ELEMENT_SIZE = 1000;
    private static final Pattern OMEM = Pattern.compile(" omem=(\\d+) ");
    private static final Pattern QBUF = Pattern.compile(" qbuf=(\\d+) qbuf-free=(\\d+) ");

    private List<RespTarget> targets() {
        return List.of(redis().target(), RespTarget.loopback("respkv", respkvPort()));
    }

    @AfterEach
    void restoreDefaults() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient c = RawRespClient.connect(t)) {
                c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
                c.call("DEL", "big");
            }
        }
    }

    @ProtocolTest
    void configOfTheNormalClass(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("CONFIG GET client-output-buffer-limit",
                    "CONFIG SET client-output-buffer-limit \"normal 1mb 512kb 10\"",
                    "CONFIG GET client-output-buffer-limit",
                    "CONFIG SET client-output-buffer-limit \"NORMAL 4k 2KB 0\"",
                    "CONFIG GET client-output-buffer-limit",
                    "CONFIG SET client-output-buffer-limit \"normal -1 0 0\"",
                    "CONFIG SET client-output-buffer-limit \"normal 1x 0 0\"",
                    "CONFIG SET client-output-buffer-limit \"normal 1 2 x\"",
                    "CONFIG SET client-output-buffer-limit \"normal 1 2\"",
                    "CONFIG SET client-output-buffer-limit \"master 1 2 3\"",
                    // an odd number of arguments after SET: a syntax error (found by CommandErrorsDifferentialTest)
                    "CONFIG SET client-output-buffer-limit \"normal 0 0 0\" timeout",
                    "CONFIG SET a b c",
                    "CONFIG GET client-output-buffer-limit",
                    "CONFIG SET client-output-buffer-limit \"normal 0 0 0\"",
                    "CONFIG GET client-output-buffer-limit");
        }
    }

    /** One reply bigger than the hard limit: the client is closed and gets none of it. */
    @Test
    void aReplyOverTheHardLimitClosesTheClient() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient admin = RawRespClient.connect(t); RawRespClient reader = RawRespClient.connect(t)) {
                fillBigList(admin);
                assertEquals("OK", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0").text());
                assertEquals("PONG", reader.call("PING").text(), t.toString());
                reader.send(RespCommand.of("LRANGE", "big", "0", "-1"));
                RawRespClient.Drained got = reader.drain(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20);
                assertTrue(got.closed(), t + " kept a client over its output limit: " + got.bytes().length + " bytes");
                assertEquals(0, got.bytes().length, t + " sent part of the reply");
                // a reply under the limit is still served, to another client
                assertEquals(ELEMENTS, admin.call("LLEN", "big").integer());
            }
        }
    }

    /**
     * A client that pipelines LRANGEs and never reads: with a hard limit it is disconnected (by
     * both servers), well before the bounded flood ends; the server keeps serving others.
     */
    @Test
    void aClientPipeliningWithoutReadingIsDisconnected() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient admin = RawRespClient.connect(t)) {
                fillBigList(admin);
                assertEquals("OK", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 8mb 2mb 1").text());
                Flood flood = Flood.run(t, Duration.ofSeconds(30), 200L << 20, Duration.ofSeconds(5), admin);
                assertTrue(flood.disconnected, t + ": not disconnected: " + flood);
                assertEquals("PONG", admin.call("PING").text());
            }
        }
    }

    /**
     * Without a normal limit (Redis's default), respkv pauses a client that does not read: it
     * stops running its requests once its outbound buffer is over the high water mark, so what
     * the server holds for it stays bounded (CLIENT LIST omem, qbuf); others are served
     * meanwhile; and once the client reads, its replies resume, in order and intact.
     */
    @Test
    void withoutALimitANonReadingClientIsPausedWithBoundedMemory() throws Exception {
        RespTarget t = RespTarget.loopback("respkv", respkvPort());
        try (RawRespClient admin = RawRespClient.connect(t)) {
            fillBigList(admin);
            byte[] expected = admin.call("LRANGE", "big", "0", "-1").raw();
            admin.call("CLIENT", "SETNAME", "admin");
            Flood flood = Flood.open(t);
            try {
                flood.flood(Duration.ofSeconds(30), 200L << 20, Duration.ofSeconds(2), admin);
                assertTrue(!flood.disconnected, "disconnected without a limit: " + flood);
                assertTrue(flood.stalled, "the server kept reading: " + flood);
                String line = clientLine(admin, "flood");
                long omem = field(OMEM, line, 1);
                long qbuf = field(QBUF, line, 1) + field(QBUF, line, 2);
                // high water mark (4 MB) + one early write (1 MB) + one reply (200 KB), with headroom
                assertTrue(omem <= 8L << 20, "omem " + omem + ": " + line);
                assertTrue(qbuf <= 4L << 20, "qbuf " + qbuf + ": " + line);
                assertEquals("PONG", admin.call("PING").text());
                // the client now reads: the first replies are the LRANGE replies, intact
                flood.channel.configureBlocking(true);
                java.io.InputStream in = flood.channel.socket().getInputStream();
                for (int i = 0; i < 20; i++) {
                    byte[] reply = in.readNBytes(expected.length);
                    assertArrayEquals(expected, reply, "reply " + i);
                }
            } finally {
                flood.channel.close();
            }
        }
    }

    private static void fillBigList(RawRespClient admin) throws IOException {
        admin.call("DEL", "big");
        String[] args = new String[2 + ELEMENTS];
        args[0] = "RPUSH";
        args[1] = "big";
        for (int i = 0; i < ELEMENTS; i++) {
            args[2 + i] = String.valueOf((char) ('a' + i % 26)).repeat(ELEMENT_SIZE);
        }
        assertEquals(ELEMENTS, admin.call(args).integer());
    }

    private static String clientLine(RawRespClient admin, String name) throws IOException {
        for (String line : admin.call("CLIENT", "LIST").text().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                return line;
            }
        }
        throw new AssertionError("no client " + name);
    }

    private static long field(Pattern p, String line, int group) {
        Matcher m = p.matcher(line);
        assertTrue(m.find(), p + " in " + line);
        return Long.parseLong(m.group(group));
    }

    /** A client writing pipelined LRANGEs without reading, through a non-blocking socket. */
    private static final class Flood {
        final SocketChannel channel;
        long sent;
        boolean disconnected;
        boolean stalled;
        long millis;

        private Flood(SocketChannel channel) {
            this.channel = channel;
        }

        static Flood open(RespTarget t) throws IOException {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024); // keep the kernel's share small
            ch.connect(new InetSocketAddress(t.host(), t.port()));
            ch.socket().getOutputStream().write(RespCommand.of("CLIENT", "SETNAME", "flood").encode());
            ch.socket().setSoTimeout(5000);
            byte[] ok = ch.socket().getInputStream().readNBytes(5);
            assertEquals("+OK\r\n", new String(ok, StandardCharsets.US_ASCII));
            ch.configureBlocking(false);
            return new Flood(ch);
        }

        static Flood run(RespTarget t, Duration max, long maxBytes, Duration stall, RawRespClient admin) throws IOException {
            Flood f = open(t);
            try {
                f.flood(max, maxBytes, stall, admin);
            } finally {
                f.channel.close();
            }
            return f;
        }

        /**
         * Writes until the server disconnects (a write fails: the server closed with our requests
         * unread, so its side answers with a reset), nothing could be written for {@code stall}, or
         * {@code max} / {@code maxBytes} is reached; pings {@code admin} now and then, to check
         * the server still serves others.
         */
        void flood(Duration max, long maxBytes, Duration stall, RawRespClient admin) throws IOException {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            byte[] one = RespCommand.of("LRANGE", "big", "0", "-1").encode();
            for (int i = 0; i < 1000; i++) {
                batch.write(one);
            }
            ByteBuffer chunk = ByteBuffer.wrap(batch.toByteArray());
            long start = System.nanoTime();
            long end = start + max.toNanos();
            long lastProgress = start;
            long nextPing = start;
            while (sent < maxBytes && System.nanoTime() < end) {
                if (!chunk.hasRemaining()) {
                    chunk.rewind();
                }
                int n;
                try {
                    n = channel.write(chunk);
                } catch (IOException reset) {
                    disconnected = true;
                    break;
                }
                long now = System.nanoTime();
                if (n > 0) {
                    sent += n;
                    lastProgress = now;
                } else {
                    if (now - lastProgress > stall.toNanos()) {
                        stalled = true;
                        break;
                    }
                    sleep();
                }
                if (now >= nextPing) {
                    assertEquals("PONG", admin.call("PING").text(), "the server stopped serving others");
                    nextPing = now + 200_000_000L;
                }
            }
            millis = (System.nanoTime() - start) / 1_000_000;
        }

        private static void sleep() {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return "sent " + sent + " bytes in " + millis + " ms, disconnected=" + disconnected + ", stalled=" + stalled;
        }
    }
}
