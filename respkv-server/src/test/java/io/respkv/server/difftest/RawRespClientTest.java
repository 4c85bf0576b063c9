package io.respkv.server.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RawRespClientTest {

    @RegisterExtension
    static final EmbeddedRedisExtension REDIS = new EmbeddedRedisExtension();

    private static byte[] wire(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void readsExactReplyBytesInBothProtocols() throws IOException {
        try (RawRespClient c = RawRespClient.connect(REDIS.redis().target())) {
            c.call("FLUSHALL");
            assertEquals("\":1\\r\\n\"", c.call("HSET", "h", "f", "v").toString());
            assertEquals("\"$-1\\r\\n\"", c.call("GET", "missing").toString());
            assertEquals("\"*2\\r\\n$1\\r\\nf\\r\\n$1\\r\\nv\\r\\n\"", c.call("HGETALL", "h").toString());
            assertEquals(RespType.MAP, c.call("HELLO", "3").type());
            assertEquals("\"_\\r\\n\"", c.call("GET", "missing").toString());
            assertEquals("\"%1\\r\\n$1\\r\\nf\\r\\n$1\\r\\nv\\r\\n\"", c.call("HGETALL", "h").toString());
            assertEquals("*2[$,$]", c.call("TIME").shape());
        }
    }

    @Test
    void readsPipelinedRepliesOneAtATime() throws IOException {
        try (RawRespClient c = RawRespClient.connect(REDIS.redis().target())) {
            c.sendRaw(wire("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\n\0\377\r\nPING x\r\n"));
            assertEquals("\"+PONG\\r\\n\"", c.readReply().toString());
            assertEquals("\"$2\\r\\n\\x00\\xff\\r\\n\"", c.readReply().toString());
            assertEquals("\"$1\\r\\nx\\r\\n\"", c.readReply().toString());
        }
    }

    @Test
    void readTimesOutWhenNothingComes() throws IOException {
        try (RawRespClient c = RawRespClient.connect(REDIS.redis().target(), Duration.ofMillis(200))) {
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, c::readReply);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
        }
    }

    @Test
    void drainReportsProtocolErrorThenClose() throws IOException {
        try (RawRespClient c = RawRespClient.connect(REDIS.redis().target())) {
            c.sendRaw(wire("*1\r\n$4\r\nPING\r\n*x\r\n"));
            RawRespClient.Drained drained = c.drain(Duration.ofSeconds(2), Duration.ofSeconds(3), 1 << 20);
            assertEquals("\"+PONG\\r\\n-ERR Protocol error: invalid multibulk length\\r\\n\" then closed",
                    drained.toString());
            assertTrue(drained.closed());
        }
    }

    @Test
    void drainStopsWhenQuiet() throws IOException {
        try (RawRespClient c = RawRespClient.connect(REDIS.redis().target())) {
            c.sendRaw(wire("PING\r\n"));
            RawRespClient.Drained drained = c.drain(Duration.ofMillis(100), Duration.ofSeconds(3), 1 << 20);
            assertEquals("\"+PONG\\r\\n\" (still open)", drained.toString());
            assertFalse(drained.closed());
        }
    }

    /** A server that trickles a frame slower than the timeout must not keep the reader waiting. */
    @Test
    void aTricklingReplyTimesOutAsAWhole() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread trickler = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(wire("$100\r\n"));
                    for (int i = 0; i < 60; i++) { // bounded: ~6 s at most
                        out.write('x');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client hung up: done
                }
            }, "trickler");
            trickler.start();
            try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("trickler", server.getLocalPort()),
                    Duration.ofMillis(500))) {
                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, c::readReply);
                long elapsed = System.nanoTime() - start;
                // The 500 ms deadline covers the whole reply: far less than the ~6 s of trickling
                // (the margin absorbs a loaded 2-core CI machine).
                assertTrue(elapsed < Duration.ofMillis(3000).toNanos(), "took " + elapsed / 1_000_000 + " ms");
                assertTrue(e.getMessage().contains("incomplete reply, bytes read: \"$100\\r\\nx"), e.getMessage());
            }
            trickler.interrupt();
            trickler.join(5000);
            assertFalse(trickler.isAlive());
        }
    }
}
