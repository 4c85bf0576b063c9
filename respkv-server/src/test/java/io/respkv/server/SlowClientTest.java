package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow-loris clients: a request sent a byte at a time, declaring a huge bulk
 * ({@code *1\r\n$536870000\r\n}) and then trickling its data. The server holds no more than what
 * arrived (it does not allocate for the declared length: CLIENT LIST's qbuf and qbuf-free, the
 * connection's receive buffer, stay small), serves other clients meanwhile, and the idle
 * {@code timeout} closes the trickler: respkv counts a connection idle until a whole request
 * arrives (Redis counts any byte read, so Redis would keep this client; see docs/security.md).
 */
class SlowClientTest {

    private static final Pattern QBUF = Pattern.compile(" qbuf=(\\d+) qbuf-free=(\\d+) ");
    private static final byte[] HEADER = "*1\r\n$536870000\r\n".getBytes(StandardCharsets.US_ASCII);

    private RespServer server;
    private RespTarget target;

    @BeforeEach
    void start() {
        server = RespServer.builder().port(0).start().join();
        target = RespTarget.loopback("respkv", server.activePort());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aTricklingClientHoldsOnlyWhatItSentAndOthersAreServed() throws Exception {
        try (RawRespClient admin = RawRespClient.connect(target); Socket slow = new Socket(target.host(), target.port())) {
            OutputStream out = slow.getOutputStream();
            out.write("*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$4\r\nslow\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            slow.setSoTimeout(5000);
            assertEquals("+OK\r\n", new String(slow.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            long maxHeld = 0;
            int sent = 0;
            // the header, then 20 bytes of the declared half-gigabyte bulk: ~38 bytes over ~2 s
            for (int i = 0; i < HEADER.length + 20; i++) {
                out.write(i < HEADER.length ? HEADER[i] : 'x');
                out.flush();
                sent++;
                Thread.sleep(50);
                if (i % 4 == 0) {
                    assertEquals("PONG", admin.call("PING").text(), "another client was not served");
                    long[] q = qbuf(admin, "slow");
                    maxHeld = Math.max(maxHeld, q[0] + q[1]);
                    assertTrue(q[0] <= sent, "qbuf " + q[0] + " > bytes sent " + sent);
                }
            }
            // no allocation for the declared length: the buffer is sized by what arrived
            assertTrue(maxHeld <= 64 * 1024, "receive buffer of " + maxHeld + " bytes for " + sent + " bytes sent");
            long[] q = qbuf(admin, "slow");
            assertEquals(sent, q[0], "unrun bytes");
        }
    }

    @Test
    void theIdleTimeoutClosesATricklingClient() throws Exception {
        try (RawRespClient admin = RawRespClient.connect(target); Socket slow = new Socket(target.host(), target.port())) {
            assertEquals("OK", admin.call("CONFIG", "SET", "timeout", "1").text());
            OutputStream out = slow.getOutputStream();
            long start = System.nanoTime();
            boolean closed = false;
            // one byte every 200 ms, for at most 6 s: an incomplete request never counts as activity
            for (int i = 0; i < 30 && !closed; i++) {
                try {
                    out.write(i < HEADER.length ? HEADER[i] : 'x');
                    out.flush();
                } catch (SocketException reset) {
                    closed = true;
                    break;
                }
                closed = closedByServer(slow, 200);
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(closed, "a trickling client outlived timeout 1");
            assertTrue(seconds <= 5, "closed only after " + seconds + " s");
        }
        // (the idle admin connection was closed too, by the same rule)
        try (RawRespClient admin = RawRespClient.connect(target)) {
            assertEquals("PONG", admin.call("PING").text());
            assertEquals("OK", admin.call("CONFIG", "SET", "timeout", "0").text());
        }
    }

    /** Waits up to {@code millis} for the server to close {@code s} (it sends nothing before closing). */
    private static boolean closedByServer(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** CLIENT LIST's qbuf and qbuf-free of the client named {@code name}. */
    private static long[] qbuf(RawRespClient admin, String name) throws IOException {
        for (String line : admin.call("CLIENT", "LIST").text().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                Matcher m = QBUF.matcher(line);
                assertTrue(m.find(), line);
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        throw new AssertionError("no client " + name);
    }
}
