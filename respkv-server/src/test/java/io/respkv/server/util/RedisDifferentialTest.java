package io.respkv.server.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

/**
 * The util helpers against a real redis-server 7.0.15 (embedded-redis): KEYS for GlobMatcher,
 * ZADD/ZSCORE for string2d and "%.17g", INCRBYFLOAT and HINCRBYFLOAT for LongDouble. Commands
 * are pipelined so the whole class runs in about a second.
 *
 * <p>The embedded binary is a static musl build of upstream 7.0.15, while the helpers follow
 * the glibc build of 7.0.15 (Debian's, and the usual Linux build; the fixtures come from
 * glibc). Three things are therefore kept out of the comparison on purpose:
 * <ul>
 *   <li>patterns nested more than 1000 '*' deep: upstream 7.0.15 lacks the CVE-2024-31228 limit
 *       that GlobMatcher implements (GlobMatcherTest pins that edge);</li>
 *   <li>nocase matching: KEYS is case-sensitive, and the nocase folding of bytes 0x80-0xfe
 *       follows glibc's tolower;</li>
 *   <li>hexadecimal floats beyond the format's range ({@link #muslHexRangeQuirk}): musl's
 *       strtod/strtold return infinity or zero for them without setting ERANGE, so that build
 *       accepts "0x1p1024" as inf and "0x1p-16500" as 0, where glibc's Redis (and ours) answers
 *       "value is not a valid float".</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class RedisDifferentialTest {

    private RedisServer server;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    private int port;

    @BeforeAll
    void startServer() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // Skiplist-encoded sorted sets keep each score as a double. (A listpack stores an
        // integral score as an integer, so there ZADD z -0 m reads back as "0": a zset concern,
        // not a parsing or formatting one.)
        server = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("appendonly no").setting("zset-max-listpack-entries 0").build();
        server.start();
    }

    /** A fresh connection and an empty keyspace per test, so one failure cannot skew another. */
    @BeforeEach
    void connect() throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        send("FLUSHALL".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("+OK", readReply());
    }

    @AfterEach
    void disconnect() throws IOException {
        socket.close();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    // ------------------------------------------------------------------ KEYS vs GlobMatcher

    @Test
    void keysMatchesGlobMatcher() throws IOException {
        List<byte[]> keys = new ArrayList<>();
        for (String k : new String[] {"", "a", "b", "ab", "ba", "abc", "aXc", "a*c", "a?c", "a[c",
            "a]c", "a\\c", "a-c", "a^c", "A", "ABC", "foo", "foo_a", "foo_b", "key:1", "key:10",
            "key:100", "hello", "hallo", "hxllo", "hllo", "heeeello", "*", "?", "[", "]", "\\",
            "-", "^", "**", "[a]", "x\\*y", "aaaa", "aaab", "zz", "Z", "_", "`", "0", "9"}) {
            keys.add(k.getBytes(StandardCharsets.ISO_8859_1));
        }
        for (int[] bytes : new int[][] {{0}, {0x80}, {0xff}, {0xfe}, {'a', 0}, {0, 'a'}, {'a', 0xff, 'c'},
            {0xc3, 0xa9}, {0x7f}, {0x01, 0x02}, {'[', 0x80}, {0x90}}) {
            byte[] k = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                k[i] = (byte) bytes[i];
            }
            keys.add(k);
        }
        for (byte[] k : keys) {
            send("SET".getBytes(StandardCharsets.US_ASCII), k, new byte[] {'1'});
        }
        out.flush();
        for (int i = 0; i < keys.size(); i++) {
            assertEquals("+OK", readReply());
        }

        Set<String> patterns = new LinkedHashSet<>(List.of("*", "**", "", "?", "??", "a*", "*a", "*c",
            "a?c", "a[bX]c", "a[^X]c", "a[a-z]c", "a[z-a]c", "a[\\]]c", "a[\\*]c", "a\\*c", "a\\?c",
            "a\\[c", "a\\\\c", "\\", "\\\\", "[", "[a", "[^", "[]", "[]]", "[^]", "[a-]", "[a-]]",
            "a[", "a[^", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "foo*", "key:1*",
            "key:1?", "*:*", "[*]", "[?]", "[\\\\]", "*\\*", "a*b*c", "*a*a*", "[A-Z]*", "[a-\u00ff]",
            "[\u0080-\u00ff]", "[\u0080-a]", "*\u00ff*", "?\u0000", "\u0000*", "*\u0000", "[^a]*",
            "[Z-a]", "a[-]c", "a[\\-]c", "a[^-]c", "*[", "*[^", "x\\*y", "[a]", "\\[a\\]"));
        Random r = new Random(20240601);
        String alphabet = "ab*?[]^-\\cAZ\u0000\u0080\u00ff:";
        while (patterns.size() < 600) {
            int n = r.nextInt(8);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            patterns.add(sb.toString());
        }
        List<byte[]> pats = new ArrayList<>();
        for (String p : patterns) {
            byte[] pb = p.getBytes(StandardCharsets.ISO_8859_1);
            pats.add(pb);
            send("KEYS".getBytes(StandardCharsets.US_ASCII), pb);
        }
        out.flush();
        int nonTrivial = 0;
        for (byte[] p : pats) {
            Set<String> redis = new TreeSet<>();
            for (byte[] k : readArray()) {
                redis.add(hex(k));
            }
            GlobMatcher m = GlobMatcher.compile(p);
            Set<String> ours = new TreeSet<>();
            for (byte[] k : keys) {
                // KEYS skips matching for the exact pattern "*".
                if (m.isStar() || m.matches(k)) {
                    ours.add(hex(k));
                }
            }
            assertEquals(redis, ours, "KEYS " + hex(p));
            if (!redis.isEmpty() && redis.size() < keys.size()) {
                nonTrivial++;
            }
        }
        assertTrue(nonTrivial > 100, "too few selective patterns: " + nonTrivial);
    }

    // ------------------------------------------------------------------ ZADD/ZSCORE vs string2d

    @Test
    void zaddScoresMatchParseDoubleAndFormatDouble() throws IOException {
        List<byte[]> inputs = fixtureInputs();
        byte[] zadd = "ZADD".getBytes(StandardCharsets.US_ASCII);
        byte[] zscore = "ZSCORE".getBytes(StandardCharsets.US_ASCII);
        byte[] key = "z".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < inputs.size(); i++) {
            byte[] member = ("m" + i).getBytes(StandardCharsets.US_ASCII);
            send(zadd, key, inputs.get(i), member);
            send(zscore, key, member);
        }
        out.flush();
        int accepted = 0;
        List<String> mismatches = new ArrayList<>();
        double[] value = new double[1];
        for (byte[] input : inputs) {
            String added = readReply();
            String score = readReply();
            String what = "ZADD z " + hex(input);
            if (RedisNumbers.tryParseDouble(input, value)) {
                accepted++;
                check(mismatches, ":1 $" + ascii(RedisNumbers.formatDouble(value[0])), added + " " + score, what);
            } else {
                check(mismatches, "-ERR value is not a valid float $nil", added + " " + score, what);
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    // --------------------------------------------------- INCRBYFLOAT / HINCRBYFLOAT vs LongDouble

    @Test
    void incrByFloatMatchesLongDouble() throws IOException {
        List<byte[][]> pairs = additionPairs();
        byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
        byte[] incr = "INCRBYFLOAT".getBytes(StandardCharsets.US_ASCII);
        byte[] key = "f".getBytes(StandardCharsets.US_ASCII);
        for (byte[][] p : pairs) {
            send(set, key, p[0]);
            send(incr, key, p[1]);
        }
        out.flush();
        int finite = 0;
        List<String> mismatches = new ArrayList<>();
        for (byte[][] p : pairs) {
            assertEquals("+OK", readReply());
            String reply = readReply();
            String what = "SET f " + hex(p[0]) + "; INCRBYFLOAT f " + hex(p[1]);
            LongDouble v = LongDouble.parse(p[0]);
            LongDouble i = LongDouble.parse(p[1]);
            String expected;
            if (v == null || i == null) {
                expected = "-ERR value is not a valid float";
            } else {
                LongDouble sum = v.add(i);
                if (sum.isFinite()) {
                    finite++;
                    expected = "$" + ascii(sum.toHumanBytes());
                } else {
                    expected = "-ERR increment would produce NaN or Infinity";
                }
            }
            check(mismatches, expected, reply, what);
        }
        assertEquals(List.of(), mismatches);
        assertTrue(finite > 500, "finite sums " + finite);
    }

    @Test
    void hincrByFloatMatchesLongDouble() throws IOException {
        // Same arithmetic as INCRBYFLOAT; what differs is the order of the error checks, so a
        // third of the pairs (still hundreds of invalid and infinite operands) is enough.
        List<byte[][]> pairs = new ArrayList<>();
        List<byte[][]> all = additionPairs();
        for (int i = 0; i < all.size(); i += 3) {
            pairs.add(all.get(i));
        }
        byte[] hset = "HSET".getBytes(StandardCharsets.US_ASCII);
        byte[] hincr = "HINCRBYFLOAT".getBytes(StandardCharsets.US_ASCII);
        byte[] key = "h".getBytes(StandardCharsets.US_ASCII);
        byte[] field = "f".getBytes(StandardCharsets.US_ASCII);
        for (byte[][] p : pairs) {
            send(hset, key, field, p[0]);
            send(hincr, key, field, p[1]);
        }
        out.flush();
        List<String> mismatches = new ArrayList<>();
        for (byte[][] p : pairs) {
            String hsetReply = readReply();
            assertTrue(hsetReply.equals(":0") || hsetReply.equals(":1"), hsetReply);
            String reply = readReply();
            String what = "HSET h f " + hex(p[0]) + "; HINCRBYFLOAT h f " + hex(p[1]);
            // t_hash.c checks the increment first, then rejects an infinite one, then the value.
            LongDouble i = LongDouble.parse(p[1]);
            LongDouble v = LongDouble.parse(p[0]);
            String expected;
            if (i == null) {
                expected = "-ERR value is not a valid float";
            } else if (!i.isFinite()) {
                expected = "-ERR value is NaN or Infinity";
            } else if (v == null) {
                expected = "-ERR hash value is not a float";
            } else {
                LongDouble sum = v.add(i);
                expected = sum.isFinite() ? "$" + ascii(sum.toHumanBytes())
                        : "-ERR increment would produce NaN or Infinity";
            }
            check(mismatches, expected, reply, what);
        }
        assertEquals(List.of(), mismatches);
    }

    private static void check(List<String> mismatches, String expected, String actual, String what) {
        if (!expected.equals(actual)) {
            mismatches.add(what + ": redis " + abbreviate(actual) + ", ours " + abbreviate(expected));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Fixture inputs short enough to send, plus a few extra spellings. */
    private static List<byte[]> fixtureInputs() {
        List<byte[]> inputs = new ArrayList<>();
        for (String line : Fixtures.lines("numbers.txt")) {
            if (line.startsWith("L ")) {
                byte[] b = Fixtures.input(line.split(" ")[1]);
                if (b.length < 400 && !muslHexRangeQuirk(b)) {
                    inputs.add(b);
                }
            }
        }
        return inputs;
    }

    /** The fixture's addition pairs, then fixture inputs added to a spread of start values. */
    private static List<byte[][]> additionPairs() {
        List<byte[][]> pairs = new ArrayList<>();
        for (String line : Fixtures.lines("numbers.txt")) {
            if (line.startsWith("A ")) {
                String[] f = line.split(" ");
                byte[] a = Fixtures.input(f[1]);
                byte[] b = Fixtures.input(f[2]);
                if (!muslHexRangeQuirk(a) && !muslHexRangeQuirk(b)) {
                    pairs.add(new byte[][] {a, b});
                }
            }
        }
        String[] starts = {"0", "10.5", "-3", "1e20", "0.1", "-1e-10", "123456789012345678", "abc", "inf"};
        List<byte[]> inputs = fixtureInputs();
        // Every other input, to keep the run short: the fixtures already pin all of them.
        for (int i = 0; i < inputs.size(); i += 2) {
            pairs.add(new byte[][] {starts[(i / 2) % starts.length].getBytes(StandardCharsets.US_ASCII), inputs.get(i)});
        }
        return pairs;
    }

    /**
     * A hexadecimal float that over- or underflows as a double or as a long double, where musl
     * and glibc disagree (see the class comment).
     */
    static boolean muslHexRangeQuirk(byte[] input) {
        String s = ascii(input).toLowerCase(java.util.Locale.ROOT);
        if (!s.contains("0x")) {
            return false;
        }
        for (StrtodParser.Format format : List.of(StrtodParser.BINARY64, StrtodParser.X87)) {
            int status = new StrtodParser().parse(input, 0, input.length, format);
            if (status == StrtodParser.OVERFLOW || status == StrtodParser.UNDERFLOW) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ a minimal RESP2 client

    private void send(byte[]... args) throws IOException {
        out.write('*');
        out.write(Integer.toString(args.length).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
        for (byte[] a : args) {
            out.write('$');
            out.write(Integer.toString(a.length).getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
    }

    /** A non-array reply as text: "+OK", "-ERR ...", ":1", "$<payload>" or "$nil". */
    private String readReply() throws IOException {
        int type = in.read();
        String line = readLine();
        switch (type) {
            case '+':
            case '-':
            case ':':
                return (char) type + line;
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return "$nil";
                }
                return "$" + new String(readBulk(len), StandardCharsets.ISO_8859_1);
            }
            default:
                throw new IOException("unexpected reply type " + type + " " + line);
        }
    }

    private List<byte[]> readArray() throws IOException {
        int type = in.read();
        String line = readLine();
        if (type != '*') {
            throw new IOException("expected an array, got " + (char) type + line);
        }
        int n = Integer.parseInt(line);
        List<byte[]> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.read() != '$') {
                throw new IOException("expected a bulk string");
            }
            items.add(readBulk(Integer.parseInt(readLine())));
        }
        return items;
    }

    private byte[] readBulk(int len) throws IOException {
        byte[] b = in.readNBytes(len);
        if (b.length != len || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("short bulk reply");
        }
        return b;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            line.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("bad line ending");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b) {
        return b.length == 0 ? "(empty)" : HexFormat.of().formatHex(b);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
