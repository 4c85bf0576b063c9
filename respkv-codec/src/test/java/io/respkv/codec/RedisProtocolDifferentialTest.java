package io.respkv.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.provider.Arguments;
import redis.embedded.RedisServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends the same bytes to a real redis-server 7.0.15 (from embedded-redis) and to the decoder,
 * and expects the same outcome: the same protocol error line, and the same inline arguments.
 */
@Timeout(120)
class RedisProtocolDifferentialTest {

    private static RedisServer redis;
    private static int port;

    @BeforeAll
    static void startRedis() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        redis = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("appendonly no").build();
        redis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void malformedInputGetsTheSameErrorLineAsRedis() throws IOException {
        // With Redis's own limits: RespLimits.DEFAULT caps arguments at 1M where Redis allows INT_MAX.
        RespLimits redisLimits = new RespLimits(512L * 1024 * 1024, Integer.MAX_VALUE, 64 * 1024);
        int compared = 0;
        for (Arguments case_ : RespRequestDecoderTest.malformed().toList()) {
            String input = (String) case_.get()[0];
            String ours = ourError(new RespRequestDecoder(redisLimits), input);
            if (ours == null) {
                assertEquals("*1048577\r\n", input, "only the respkv-specific argument limit is not a Redis error");
                continue;
            }
            // Redis replies to the requests before the bad one, then with the error, then closes.
            String theirs = exchange(input, true);
            assertTrue(theirs.endsWith("-" + ours + "\r\n"),
                    "input " + printable(input) + ": redis said " + printable(theirs) + ", we say " + ours);
            compared++;
        }
        assertTrue(compared > 30, "compared " + compared);
    }

    @Test
    void unauthenticatedLimitsMatchRedis() throws IOException {
        exchange("CONFIG SET requirepass secret\r\n", false);
        try {
            for (String input : new String[] {"*11\r\n", "*2147483647\r\n", "*2147483648\r\n", "*abc\r\n",
                    "*1\r\n$16385\r\n", "*1\r\n$-1\r\n", "*1\r\n$536870913\r\n"}) {
                RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
                decoder.authenticated(false);
                String ours = ourError(decoder, input);
                assertTrue(ours != null, input);
                String theirs = exchange(input, true);
                assertEquals("-" + ours + "\r\n", theirs, printable(input));
            }
        } finally {
            exchange("AUTH secret\r\nCONFIG SET requirepass \"\"\r\n", false);
        }
        assertEquals("+PONG\r\n", exchange("PING\r\n", false));
    }

    /**
     * Random inline lines full of quotes, backslashes and hex escapes, sent as {@code ECHO <line>}:
     * Redis echoes the single argument, or complains about the argument count or the quotes.
     */
    @Test
    void inlineSplittingMatchesRedis() throws IOException {
        Random random = new Random(7);
        String alphabet = "ab \t\"'\\x4Fg0\u000b";
        int[] outcomes = new int[3]; // echoed, wrong argument count, unbalanced quotes
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(10);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String line = "ECHO " + sb + "\r\n";
            String expected;
            try {
                Feeder feeder = new Feeder().feed(line);
                List<String> args = feeder.requests.get(0);
                feeder.release();
                expected = args.size() == 2
                        ? "$" + args.get(1).length() + "\r\n" + args.get(1) + "\r\n"
                        : "-ERR wrong number of arguments for 'echo' command\r\n";
                outcomes[args.size() == 2 ? 0 : 1]++;
            } catch (RespProtocolException e) {
                expected = "-" + e.errorLine() + "\r\n";
                outcomes[2]++;
            }
            assertEquals(expected, exchange(line, expected.startsWith("-ERR Protocol")), printable(line));
        }
        assertTrue(outcomes[0] > 50 && outcomes[1] > 50 && outcomes[2] > 50, java.util.Arrays.toString(outcomes));
    }

    /** Our error reply bytes for {@code input} (as ISO-8859-1 text), or null if the decoder just waits for more. */
    private static String ourError(RespRequestDecoder decoder, String input) {
        ByteBuf in = Unpooled.wrappedBuffer(Feeder.latin1(input));
        RespRequest request = new RespRequest();
        try {
            while (decoder.decode(in, request)) {
                // requests before the malformed one
            }
        } catch (RespProtocolException e) {
            String wire = new String(e.encoded(), StandardCharsets.ISO_8859_1);
            assertEquals("-" + e.errorLine() + "\r\n", wire);
            return e.errorLine();
        }
        return null;
    }

    /**
     * Sends {@code input} on a new connection and returns what came back: everything until the
     * server closed the connection when {@code untilClosed}, else one complete reply.
     */
    private static String exchange(String input, boolean untilClosed) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(input.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int expectedReplies = untilClosed ? Integer.MAX_VALUE : input.split("\r\n", -1).length - 1;
            for (;;) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no reply to " + printable(input) + " after " + printable(got.toString(StandardCharsets.ISO_8859_1)));
                }
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
                if (!untilClosed && countFrames(got.toByteArray()) >= expectedReplies) {
                    break;
                }
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int countFrames(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        int frames = 0;
        int at = 0;
        for (int len; at < bytes.length && (len = RespFrameScanner.frameLength(b, at)) > 0; at += len) {
            frames++;
        }
        return frames;
    }

    private static String printable(String s) {
        String shown = s.length() > 80 ? s.substring(0, 40) + "...(" + s.length() + " bytes)..." + s.substring(s.length() - 20) : s;
        return shown.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0").replace("\t", "\\t");
    }
}
