package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an idle connection costs the server: a respkv server runs in a child JVM (so only the
 * server side is counted), N client connections are opened from this JVM (each runs one PING,
 * then stays idle), and the child's heap after a full GC is compared with its heap before the
 * connections; likewise the child's RSS, and for real Redis {@code used_memory} and RSS with the
 * same N clients.
 *
 * <p>In verify: N = 2,000 and a bound per connection; the 10,000-connection measurement of
 * docs/security.md is {@code bench/idle-connections.sh} (the same test with
 * {@code -Drespkv.idleConnections=10000}).
 */
class IdleConnectionsHeapTest {

    /** Heap per idle connection allowed in verify: about twice what was measured (docs/security.md). */
    static final long MAX_HEAP_PER_CONNECTION = 8 * 1024;

    @Test
    void idleConnectionsFitTheHeapBudget() throws Exception {
        int n = Integer.getInteger("respkv.idleConnections", 2000);
        Measured respkv = measureRespkv(n);
        Measured redis = measureRedis(n);
        String report = String.format(Locale.ROOT,
                "%d idle connections: respkv heap %+.0f B/conn (%d -> %d B), RSS %+.0f B/conn; "
                        + "redis used_memory %+.0f B/conn, RSS %+.0f B/conn",
                n, respkv.perConnection(), respkv.before, respkv.after, respkv.rssPerConnection(),
                redis.perConnection(), redis.rssPerConnection());
        System.out.println(report);
        assertTrue(respkv.perConnection() <= MAX_HEAP_PER_CONNECTION, report);
    }

    /** Before and after, in bytes, for {@code n} connections. */
    record Measured(int n, long before, long after, long rssBefore, long rssAfter) {
        double perConnection() {
            return (after - before) / (double) n;
        }

        double rssPerConnection() {
            return (rssAfter - rssBefore) / (double) n;
        }
    }

    private static Measured measureRespkv(int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                ChildServer.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Socket> sockets = new ArrayList<>();
        try {
            BufferedReader from = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            PrintStream to = new PrintStream(child.getOutputStream(), true, StandardCharsets.US_ASCII);
            int port = Integer.parseInt(expect(from, "port"));
            // warm up: one connection through the whole path, so classes and pools exist before "before"
            try (RawRespClient warm = RawRespClient.connect(RespTarget.loopback("respkv", port))) {
                assertEquals("PONG", warm.call("PING").text());
            }
            Thread.sleep(200);
            to.println("measure");
            String[] before = expect(from, "heap").split(" ");
            openIdle(sockets, port, n);
            to.println("measure");
            String[] after = expect(from, "heap").split(" ");
            return new Measured(n, Long.parseLong(before[0]), Long.parseLong(after[0]),
                    Long.parseLong(before[2]), Long.parseLong(after[2]));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Measured measureRedis(int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (EmbeddedRedis redis = EmbeddedRedis.start("maxclients " + (n + 100))) {
            try (RawRespClient admin = RawRespClient.connect(redis.target())) {
                long[] before = redisMemory(admin);
                openIdle(sockets, redis.port(), n);
                long[] after = redisMemory(admin);
                return new Measured(n, before[0], after[0], before[1], after[1]);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    /** Redis's used_memory and used_memory_rss. */
    private static long[] redisMemory(RawRespClient admin) throws IOException {
        long used = 0;
        long rss = 0;
        for (String line : admin.call("INFO", "memory").text().split("\r\n")) {
            if (line.startsWith("used_memory:")) {
                used = Long.parseLong(line.substring("used_memory:".length()));
            } else if (line.startsWith("used_memory_rss:")) {
                rss = Long.parseLong(line.substring("used_memory_rss:".length()));
            }
        }
        return new long[] {used, rss};
    }

    /** Opens {@code n} connections that each run one PING, then stay idle. */
    private static void openIdle(List<Socket> sockets, int port, int n) throws IOException {
        byte[] ping = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", port);
            sockets.add(s);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ping);
        }
        for (Socket s : sockets) {
            byte[] got = s.getInputStream().readNBytes(7);
            assertEquals("+PONG\r\n", new String(got, StandardCharsets.US_ASCII));
        }
    }

    private static String expect(BufferedReader from, String word) throws IOException {
        for (String line; (line = from.readLine()) != null; ) {
            if (line.startsWith(word + " ")) {
                return line.substring(word.length() + 1);
            }
        }
        throw new IOException("the child server ended before printing " + word);
    }

    /**
     * The child JVM: a respkv server on a free loopback port (printed as {@code port N}); on each
     * {@code measure} line read from stdin it prints {@code heap <bytes used after full GCs>
     * rss <VmRSS bytes>}. Ends when stdin closes.
     */
    public static final class ChildServer {
        public static void main(String[] args) throws Exception {
            try (RespServer server = RespServer.builder().port(0).bind("127.0.0.1").maxClients(50_000).start().join()) {
                System.out.println("port " + server.activePort());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("measure")) {
                        System.out.println("heap " + heapAfterGc() + " rss " + rss());
                    }
                }
            }
        }

        private static long heapAfterGc() throws InterruptedException {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 4; i++) {
                System.gc();
                Thread.sleep(100);
                min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            return min;
        }

        private static long rss() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        }
    }
}
