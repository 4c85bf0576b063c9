package io.respkv.jmh;

import io.respkv.engine.rocksdb.RocksDbEngine;
import io.respkv.server.RespServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Point operations on huge collections answer like on small ones: builds a 1,000,000-field hash,
 * a 1,000,000-member sorted set and a 1,000,000-element list on a RocksDB-backed server, then
 * times HGET, ZSCORE, ZRANGE BYSCORE ... LIMIT 0 10, LINDEX 500000 and LPUSH over a socket
 * (median and p99 of 200 calls each, one at a time).
 *
 * <pre>
 * usage: BigCollectionsLatency [elements]      (default 1000000)
 * ./mvnw -B -q -pl jmh -am package -DskipTests
 * java -cp jmh/target/benchmarks.jar io.respkv.jmh.BigCollectionsLatency
 * </pre>
 *
 * Not a JMH benchmark (its setup is minutes, not microseconds); its numbers go to
 * docs/benchmarks.md.
 */
public final class BigCollectionsLatency {

    private static final int BATCH = 1000;
    private static final int SAMPLES = 200;

    private BigCollectionsLatency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("\\d+"))) {
            System.err.println("usage: BigCollectionsLatency [elements]");
            System.exit(2);
        }
        int n = args.length == 1 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("respkv-bigcollections");
        try (RocksDbEngine engine = RocksDbEngine.builder().path(dir).build();
             RespServer server = RespServer.builder().port(0).engine(engine).start().join();
             Socket socket = new Socket("127.0.0.1", server.activePort())) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            long t0 = System.nanoTime();
            load(out, in, n, "HSET", "big:hash", i -> new String[] {"field:" + i, "value:" + i});
            load(out, in, n, "ZADD", "big:zset", i -> new String[] {Integer.toString(i), "member:" + i});
            load(out, in, n, "RPUSH", "big:list", i -> new String[] {"element:" + i});
            System.out.printf("loaded 3 x %,d elements in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            time(out, in, "HGET big:hash field:<i>", i -> new String[] {"HGET", "big:hash", "field:" + (i * 4999 % n)});
            time(out, in, "ZSCORE big:zset member:<i>", i -> new String[] {"ZSCORE", "big:zset", "member:" + (i * 4999 % n)});
            time(out, in, "ZRANGE big:zset <score> +inf BYSCORE LIMIT 0 10",
                    i -> new String[] {"ZRANGE", "big:zset", Integer.toString(i * 4999 % n), "+inf", "BYSCORE", "LIMIT", "0", "10"});
            time(out, in, "LINDEX big:list " + (n / 2), i -> new String[] {"LINDEX", "big:list", Integer.toString(n / 2)});
            time(out, in, "LPUSH big:list x", i -> new String[] {"LPUSH", "big:list", "x" + i});
        } finally {
            TempDirs.deleteTree(dir);
        }
    }

    interface Args {
        String[] at(int i);
    }

    private static void load(OutputStream out, InputStream in, int n, String command, String key, Args element)
            throws IOException {
        int sent = 0;
        for (int start = 0; start < n; start += BATCH) {
            List<String> argv = new ArrayList<>(List.of(command, key));
            for (int i = start; i < Math.min(n, start + BATCH); i++) {
                argv.addAll(Arrays.asList(element.at(i)));
            }
            send(out, argv.toArray(new String[0]));
            sent++;
            if (sent % 16 == 0) { // keep a bounded pipeline
                out.flush();
                for (int k = 0; k < 16; k++) {
                    expectInteger(in);
                }
                sent = 0;
            }
        }
        out.flush();
        for (int k = 0; k < sent; k++) {
            expectInteger(in);
        }
    }

    private static void time(OutputStream out, InputStream in, String label, Args request) throws IOException {
        long[] micros = new long[SAMPLES];
        for (int i = 0; i < SAMPLES + 20; i++) {
            long t = System.nanoTime();
            send(out, request.at(i));
            out.flush();
            skipReply(in);
            if (i >= 20) { // the first calls warm the JIT
                micros[i - 20] = (System.nanoTime() - t) / 1000;
            }
        }
        Arrays.sort(micros);
        System.out.printf("%-50s median %6d us   p99 %6d us   max %6d us%n", label, micros[SAMPLES / 2],
                micros[SAMPLES * 99 / 100], micros[SAMPLES - 1]);
    }

    private static void send(OutputStream out, String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("server closed the connection");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void expectInteger(InputStream in) throws IOException {
        String l = line(in);
        if (l.charAt(0) != ':') {
            throw new IOException("unexpected reply while loading: " + l);
        }
    }

    /** Reads one RESP2 reply of any shape. */
    private static void skipReply(InputStream in) throws IOException {
        String l = line(in);
        switch (l.charAt(0)) {
            case '$' -> {
                int len = Integer.parseInt(l.substring(1));
                if (len >= 0) {
                    in.readNBytes(len + 2);
                }
            }
            case '*' -> {
                int count = Integer.parseInt(l.substring(1));
                for (int i = 0; i < count; i++) {
                    skipReply(in);
                }
            }
            case '-' -> throw new IOException("error reply: " + l);
            default -> {
                // simple string or integer: the line was the reply
            }
        }
    }
}
