package io.respkv.server.command;

import static io.respkv.server.difftest.Differential.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * DEL, UNLINK, EXISTS, TOUCH, TYPE, the EXPIRE and TTL families, PERSIST, RENAME, RENAMENX,
 * COPY, MOVE, KEYS, SCAN and RANDOMKEY against redis-server 7.0.15, byte for byte, in RESP2 and
 * RESP3. KEYS is compared as a multiset and a SCAN iteration as a set: respkv returns keys in
 * key order, Redis in hash order.
 */
class KeyCommandsDifferentialTest extends RespkvDifferentialTest {

    private static final long PTTL_TOLERANCE_MS = 1_000;

    @ProtocolTest
    void delUnlinkExistsTouch(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("DEL nokey", "UNLINK nokey", "EXISTS nokey", "TOUCH nokey",
                    "SET a 1", "SET b 2", "SET c 3",
                    "EXISTS a a b nokey a", "TOUCH a a nokey b",
                    "DEL a a nokey", "EXISTS a", "DEL a",
                    "UNLINK b c c", "EXISTS b c",
                    "SET \"\" empty", "EXISTS \"\"", "DEL \"\"", "EXISTS \"\"",
                    "DEL", "UNLINK", "EXISTS", "TOUCH");
            byte[] binary = {0, (byte) 0xff, '\r', '\n', ' '};
            d.check(bytes("SET"), binary, bytes("v"));
            d.check(bytes("EXISTS"), binary, binary, Arrays.copyOf(binary, 4));
            d.check(bytes("DEL"), Arrays.copyOf(binary, 4), binary);
            d.check(bytes("EXISTS"), binary);
        }
    }

    @ProtocolTest
    void type(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("TYPE nokey", "SET s v", "TYPE s", "TYPE", "TYPE s extra",
                    "SET e v", "PEXPIRE e 1", "TYPE s");
            sleepMillis(20);
            d.checkSequence("TYPE e");
        }
    }

    @ProtocolTest
    void expireConditions(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("EXPIRE nokey 100", "PEXPIRE nokey 100", "EXPIREAT nokey 100", "PEXPIREAT nokey 100",
                    "EXPIRE nokey -1", "EXPIRE nokey 100 NX",
                    "SET k v",
                    "EXPIRE k 100 XX", "EXPIRE k 100 GT", "TTL k",
                    "EXPIRE k 100 NX", "EXPIRE k 200 NX",
                    "EXPIRE k 50 XX", "EXPIRE k 40 GT", "EXPIRE k 60 gt",
                    "EXPIRE k 70 LT", "EXPIRE k 60 LT", "EXPIRE k 10 lT",
                    "EXPIRE k 20 XX GT", "EXPIRE k 5 XX LT", "EXPIRE k 30 GT GT",
                    "PERSIST k", "PERSIST k", "TTL k",
                    "EXPIRE k 10 LT", "PERSIST k", "EXPIRE k 10 xx", "EXPIRE k 10 Nx", "PERSIST k",
                    "PEXPIRE k 100000 NX", "PEXPIREAT k 4102444800000 GT", "PEXPIRETIME k",
                    "EXPIREAT k 4102444700 LT", "EXPIRETIME k", "EXPIREAT k 4102444800 LT", "EXPIRETIME k");
            d.checkIntegerWithin(1, "TTL", "k");
            d.checkSequence("PEXPIRE k 1500");
            d.checkIntegerWithin(1, "TTL", "k");
        }
    }

    @ProtocolTest
    void expireDeadlinesInThePastDelete(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET k v", "EXPIRE k 0 GT", "EXISTS k", "EXPIRE k -1 XX", "EXISTS k",
                    "EXPIRE k -1", "EXISTS k", "GET k", "TTL k",
                    "SET k v", "PEXPIRE k 0", "EXISTS k",
                    "SET k v", "EXPIREAT k 0", "EXISTS k",
                    "SET k v", "PEXPIREAT k 1", "EXISTS k",
                    "SET k v", "PEXPIREAT k -9223372036854775808", "EXISTS k",
                    "SET k v", "EXPIRE k -9223372036854775", "EXISTS k",
                    "SET k v", "EXPIRE k 100", "EXPIRE k -5 LT", "EXISTS k",
                    "SET k v", "EXPIRE k -5 LT", "EXISTS k",
                    "SET k v", "EXPIRE k 100", "EXPIRE k -5 GT");
            d.checkIntegerWithin(1, "TTL", "k");
            d.checkSequence("EXPIRE k -5 NX");
            d.checkIntegerWithin(1, "TTL", "k");
        }
    }

    @ProtocolTest
    void expireErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET k v",
                    "EXPIRE k 10 NX XX", "EXPIRE k 10 NX GT", "EXPIRE k 10 LT NX", "EXPIRE k 10 GT LT",
                    "EXPIRE k 10 XX GT LT", "EXPIRE k 10 NX GT LT",
                    "EXPIRE k 10 foo", "EXPIRE k 10 NX foo", "EXPIRE k 10 foo NX XX", "EXPIRE k abc NX XX",
                    "EXPIRE k abc", "EXPIRE k 1.5", "EXPIRE k \"\"", "EXPIRE k \" 1\"", "EXPIRE k +1",
                    "EXPIRE k 10 \"a\\r\\nb\"", "PEXPIREAT k 10 \"\"",
                    "EXPIRE k 9223372036854775", "EXPIRE k 9223372036854776", "EXPIRE k -9223372036854776",
                    "EXPIRE k 99999999999999999999",
                    "PEXPIRE k 9223372036854775807", "PEXPIRE k 9223372036854775000",
                    "EXPIREAT k 9223372036854776", "EXPIREAT k -9223372036854776",
                    "EXPIRE nokey 9223372036854776", "EXPIRE nokey 10 NX XX",
                    "EXPIRE", "EXPIRE k", "PEXPIRE k", "EXPIREAT k", "PEXPIREAT k", "TTL k");
            d.check(bytes("EXPIRE"), bytes("k"), bytes("10"), new byte[] {'f', 0, 'o'});
            d.check(bytes("EXPIRE"), bytes("k"), bytes("10"), new byte[] {(byte) 0xff, (byte) 0xfe});
            d.check(bytes("EXPIRE"), bytes("k"), bytes("10"), bytes("é"));
        }
    }

    @ProtocolTest
    void farDeadlines(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET k v", "PEXPIREAT k 9223372036854775807", "PEXPIRETIME k", "EXPIRETIME k",
                    "EXPIREAT k 9223372036854775", "PEXPIRETIME k", "EXPIRETIME k",
                    "PEXPIREAT k 4102444800499", "EXPIRETIME k", "PEXPIREAT k 4102444800500", "EXPIRETIME k",
                    "PEXPIRETIME k");
        }
    }

    @ProtocolTest
    void ttlFamily(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("TTL nokey", "PTTL nokey", "EXPIRETIME nokey", "PEXPIRETIME nokey",
                    "SET k v", "TTL k", "PTTL k", "EXPIRETIME k", "PEXPIRETIME k",
                    "EXPIRE k 100");
            d.checkIntegerWithin(1, "TTL", "k");
            d.checkIntegerWithin(PTTL_TOLERANCE_MS, "PTTL", "k");
            d.checkSequence("PERSIST k", "PERSIST k", "PERSIST nokey", "TTL k", "PTTL k",
                    "TTL", "PTTL k k", "EXPIRETIME", "PEXPIRETIME", "PERSIST", "PERSIST k k",
                    "SET short v", "PEXPIRE short 30");
            sleepMillis(60);
            d.checkSequence("TTL short", "PTTL short", "EXPIRETIME short", "PERSIST short", "EXPIRE short 10",
                    "EXISTS short");
        }
    }

    @ProtocolTest
    void rename(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RENAME nokey x", "RENAMENX nokey x", "RENAME nokey nokey", "RENAMENX nokey nokey",
                    "SET a 1", "RENAME a a", "RENAMENX a a", "GET a",
                    "RENAME a b", "GET a", "GET b", "EXISTS a",
                    "SET c 3", "RENAMENX b c", "GET b", "GET c",
                    "RENAME b c", "GET b", "GET c",
                    "RENAMENX c d", "GET c", "GET d",
                    "SET t v", "PEXPIRE t 100000", "RENAME t u", "TTL t");
            d.checkIntegerWithin(PTTL_TOLERANCE_MS, "PTTL", "u");
            d.checkSequence("SET p 1", "SET q 2", "EXPIRE q 100", "RENAME p q", "TTL q", "GET q",
                    "RENAMENX u q", "RENAME u q");
            d.checkIntegerWithin(PTTL_TOLERANCE_MS, "PTTL", "q");
            d.checkSequence("RENAME", "RENAME a", "RENAME a b c", "RENAMENX a", "RENAMENX a b c");
            byte[] from = {0, (byte) 0xff, '\r', '\n'};
            byte[] to = {(byte) 0xff, 0};
            d.check(bytes("SET"), from, bytes("bin"));
            d.check(bytes("RENAME"), from, to);
            d.check(bytes("GET"), to);
            d.check(bytes("EXISTS"), from);
            d.check(bytes("RENAMENX"), to, from);
            d.check(bytes("GET"), from);
        }
    }

    @ProtocolTest
    void renameExpiredSource(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET gone v", "PEXPIRE gone 300", "SET there v", "PEXPIRE there 300", "SET keep v");
            sleepMillis(400);
            d.checkSequence("RENAME gone x", "RENAMENX gone x", "RENAMENX keep there", "GET there", "TTL there",
                    "COPY gone y", "MOVE gone 1", "EXISTS x y");
        }
    }

    @ProtocolTest
    void copy(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("COPY nokey b", "COPY nokey nokey", "COPY nokey b DB 1",
                    "SET a 1", "COPY a b", "GET b", "COPY a b", "SET a 2", "COPY a b REPLACE", "GET b",
                    "COPY a a", "COPY a a DB 0", "COPY a a db 1 replace", "COPY a a DB 1",
                    "COPY a b DB 16", "COPY a b DB -1", "COPY a b DB x", "COPY a b DB 99999999999",
                    "COPY a b DB 2147483648", "COPY a b DB -2147483649", "COPY a b DB 0 DB 16",
                    "COPY a b DB 16 REPLACE foo", "COPY a b DB", "COPY a b foo", "COPY a b REPLACE foo",
                    "COPY a b REPLACE REPLACE", "COPY a b replace DB 0",
                    "COPY", "COPY a",
                    "SELECT 1", "GET a", "SELECT 0",
                    "EXPIRE a 100", "COPY a c");
            d.checkIntegerWithin(1, "TTL", "c");
            d.checkSequence("COPY a c DB 2", "SELECT 2");
            d.checkIntegerWithin(1, "TTL", "c");
            d.checkSequence("SELECT 0", "SET plain x", "COPY plain c REPLACE", "TTL c", "GET c",
                    "SELECT 3", "SET s 1", "COPY s s DB 0", "COPY s s DB 0", "COPY s s DB 3", "SELECT 0", "GET s",
                    "GET a");
            byte[] key = {0, (byte) 0xff, '\n'};
            d.check(bytes("SET"), key, new byte[] {'\r', '\n', 0});
            d.check(bytes("COPY"), key, bytes("copy"));
            d.check(bytes("GET"), bytes("copy"));
            d.check(bytes("COPY"), bytes("copy"), key, bytes("DB"), bytes("5"));
            d.checkSequence("SELECT 5");
            d.check(bytes("GET"), key);
        }
    }

    @ProtocolTest
    void move(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("MOVE a 0", "MOVE nokey 0", "MOVE a 16", "MOVE a -1", "MOVE a x", "MOVE a 99999999999",
                    "MOVE a -2147483649", "MOVE a 2147483647", "MOVE a \"\"", "MOVE a 01",
                    "MOVE nokey 1", "MOVE", "MOVE a", "MOVE a 1 2",
                    "SET a 1", "MOVE a 1", "EXISTS a", "MOVE a 1",
                    "SELECT 1", "GET a", "SET a 2", "MOVE a 1", "SELECT 0",
                    "SET a 3", "MOVE a 1", "GET a",
                    "SELECT 1", "DEL a", "SELECT 0", "EXPIRE a 100", "MOVE a 1", "TTL a", "SELECT 1", "GET a");
            d.checkIntegerWithin(1, "TTL", "a");
            d.checkSequence("MOVE a 0", "SELECT 0", "GET a");
            d.checkIntegerWithin(1, "TTL", "a");
        }
    }

    @ProtocolTest
    void keysPatterns(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSorted("KEYS", "*");
            String[] keys = {"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo", "h\\llo",
                "user:1", "user:10", "user:2", "user:", "users", "u", "*", "?", "[", "]", "\\", "-", "a-b", "a^b",
                "x", "xy", "xyz", "A", "Hello", "\"\""};
            for (String k : keys) {
                d.check("SET", k, "v");
            }
            d.check("SET", "", "empty");
            d.check(bytes("SET"), new byte[] {0, (byte) 0xff}, bytes("bin"));
            d.check(bytes("SET"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}, bytes("bin"));
            d.check(bytes("SET"), new byte[] {'h', (byte) 0xe9, 'l', 'l', 'o'}, bytes("bin"));
            d.check(bytes("SET"), new byte[] {'k', '\r', '\n', 0}, bytes("bin"));
            String[] patterns = {"*", "**", "***", "?", "??", "h?llo", "h*llo", "h*", "*llo", "*l*", "h[ae]llo",
                "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "h[!e]llo", "h[]llo", "h[", "h[a", "h[\\]]llo", "*[*", "*]*",
                "\\*", "\\?", "\\[", "\\\\", "h\\*llo", "h\\?llo", "h\\[a]llo", "h\\\\llo", "\\", "x\\", "user:*",
                "user:?", "user:1*", "user:[0-9]", "user:[0-9]*", "user:[^1]*", "u*s", "[", "[]", "[^]", "[a-]",
                "[-a]", "a[\\-]b", "a[--]b", "a[^-]b", "A*", "hello", "nokey", "", "x*", "xy*", "xyz*", "xyzw*",
                "*\\\"*", "[h-h]*", "[\\x]*", "*o", "?*", "*?", "h*l*o", "h*ll?", "h**llo"};
            for (String p : patterns) {
                d.checkSorted("KEYS", p);
            }
            byte[][] binaryPatterns = {
                {0, '*'}, {'*', (byte) 0xfe, '*'}, {(byte) 0xff, '*'}, {'[', (byte) 0x80, '-', (byte) 0xff, ']', '*'},
                {'[', 0, '-', 'a', ']', '*'}, {'h', '[', (byte) 0xe9, ']', 'l', 'l', 'o'}, {'k', '\r', '\n', '?'},
                {'*', 0}, {'?', (byte) 0xff}, {'h', '?', 'l', 'l', 'o'}};
            for (byte[] p : binaryPatterns) {
                d.checkSorted(RespCommand.of(bytes("KEYS"), p));
            }
            d.checkSequence("KEYS", "KEYS a b");
        }
    }

    @ProtocolTest
    void keysAndScanSkipExpiredKeys(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET live v", "SET e1 v", "SET e2 v", "PEXPIRE e1 300", "PEXPIRE e2 300", "SET e3 v",
                    "PEXPIRE e3 100000");
            sleepMillis(400);
            d.checkSorted("KEYS", "*");
            d.checkSorted("KEYS", "e*");
            assertScanSame(protocol, 1);
            assertScanSame(protocol, 100, "MATCH", "e*");
            d.checkSequence("EXISTS e1 e2 e3 live", "TOUCH e1 live", "DEL e1 e3", "KEYS *");
            d.checkSequence("PEXPIRE live 20");
            sleepMillis(60);
            d.checkSequence("RANDOMKEY", "KEYS *", "SCAN 0", "SCAN 0 TYPE string");
        }
    }

    @ProtocolTest
    void scanErrorsAndSmallReplies(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SCAN 0", "SCAN 0 COUNT 10", "SCAN 0 MATCH * COUNT 1 TYPE string",
                    "SCAN x", "SCAN -x", "SCAN \" 1\"", "SCAN \"\\t1\"", "SCAN 1x", "SCAN 1.0", "SCAN +", "SCAN -",
                    "SCAN 18446744073709551616", "SCAN 99999999999999999999999",
                    "SCAN 0 COUNT 0", "SCAN 0 COUNT -1", "SCAN 0 COUNT x", "SCAN 0 COUNT 9223372036854775808",
                    "SCAN 0 COUNT", "SCAN 0 MATCH", "SCAN 0 TYPE", "SCAN 0 FOO", "SCAN 0 FOO bar", "SCAN 0 COUNT 1 FOO",
                    "SCAN 0 COUNT x FOO", "SCAN 0 COUNT 0 COUNT x", "SCAN 0 count 1 COUNT 0", "SCAN x COUNT 0",
                    "SCAN", "SCAN \"\"", "SCAN +0", "SCAN -0", "SCAN 000",
                    "SET k v",
                    "SCAN 0", "SCAN 0 COUNT 1000", "SCAN 0 match k", "SCAN 0 MATCH x*", "SCAN 0 TYPE STRING",
                    "SCAN 0 TYPE none", "SCAN 0 TYPE hash", "SCAN 0 TYPE stream", "SCAN 0 TYPE nonsense",
                    "SCAN 0 MATCH k MATCH x", "SCAN 0 MATCH x MATCH k", "SCAN 0 COUNT 9223372036854775807");
            d.check(bytes("SCAN"), new byte[] {'0', 0, 'z'});
            d.check(bytes("SCAN"), new byte[] {0});
            d.check(bytes("SCAN"), new byte[] {'x', 0});
        }
    }

    @ProtocolTest
    void scanIteratesEveryKeyOnce(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            for (int i = 0; i < 300; i++) {
                d.sendBoth("SET", "key:" + i, "v");
            }
            for (int i = 0; i < 40; i++) {
                d.sendBoth("SET", "long:shared:prefix:" + "x".repeat(i % 7) + ":" + i, "v");
            }
            d.sendBoth(bytes("SET"), new byte[] {0}, bytes("v"));
            d.sendBoth(bytes("SET"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}, bytes("v"));
            d.sendBoth(bytes("SET"), new byte[0], bytes("v"));
            d.sendBoth("SET", "ke*y", "v");
            for (long count : new long[] {1, 3, 10, 1000}) {
                assertScanSame(protocol, count);
            }
            assertScanSame(protocol, 5, "MATCH", "key:1*");
            assertScanSame(protocol, 5, "MATCH", "*1");
            assertScanSame(protocol, 5, "MATCH", "long:shared:*:3*");
            assertScanSame(protocol, 5, "MATCH", "key:[1-2]?");
            assertScanSame(protocol, 5, "MATCH", "ke\\*y");
            assertScanSame(protocol, 5, "MATCH", "nomatch*");
            assertScanSame(protocol, 7, "TYPE", "string");
            assertScanSame(protocol, 7, "TYPE", "STRING", "MATCH", "key:2*");
            assertScanSame(protocol, 7, "TYPE", "none");
            assertScanSame(protocol, 7, "TYPE", "list");
        }
    }

    @ProtocolTest
    void randomKey(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RANDOMKEY", "RANDOMKEY x", "SET only v", "RANDOMKEY", "DEL only", "RANDOMKEY",
                    "SET \"\" v", "RANDOMKEY", "DEL \"\"");
            d.check(bytes("SET"), new byte[] {0, (byte) 0xff}, bytes("v"));
            d.checkSequence("RANDOMKEY");
            d.check(bytes("DEL"), new byte[] {0, (byte) 0xff});
            Set<String> keys = Set.of("k1", "k2", "k3", "k4", "k5");
            for (String k : keys) {
                d.sendBoth("SET", k, "v");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 300 && seen.size() < keys.size(); i++) {
                Differential.Replies r = d.sendBoth("RANDOMKEY");
                assertTrue(keys.contains(r.reference().text()), r.reference().toString());
                assertTrue(keys.contains(r.candidate().text()), r.candidate().toString());
                seen.add(r.candidate().text());
            }
            assertEquals(keys, seen, "every key comes up in 300 draws");
        }
    }

    @ProtocolTest
    void readLookupsCountKeyspaceHitsAndMisses(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET a 1", "SET b 2", "SET c 3");
            String[][] steps = {
                {"EXISTS a nokey a"}, {"TOUCH a nokey"}, {"TYPE a"}, {"TYPE nokey"}, {"TTL a"}, {"PTTL nokey"},
                {"EXPIRETIME a"}, {"PEXPIRETIME nokey"}, {"COPY a a2"}, {"COPY nokey x"}, {"COPY a a"},
                {"SCAN 0 TYPE string"}, {"SCAN 0 MATCH a TYPE hash"}, {"SCAN 0"}, {"KEYS *"}, {"RANDOMKEY"},
                {"DEL a2 nokey"}, {"EXPIRE b 100"}, {"PERSIST b"}, {"RENAME b bb"}, {"RENAMENX bb b"},
                {"MOVE b 1"}, {"UNLINK nokey"},
            };
            for (String[] step : steps) {
                long[] before = d.keyspaceStats();
                d.sendBoth(RespCommand.parse(step[0]));
                long[] after = d.keyspaceStats();
                assertEquals(after[0] - before[0], after[2] - before[2], "keyspace_hits after " + step[0]);
                assertEquals(after[1] - before[1], after[3] - before[3], "keyspace_misses after " + step[0]);
            }
        }
    }

    // ---- SCAN helpers: each side iterates with its own cursors; results are compared as sets ----

    /**
     * Iterates SCAN to the end on Redis and on respkv with {@code count} and {@code options} and
     * asserts both return the same set of keys, respkv each exactly once.
     */
    private void assertScanSame(ProtocolVersion protocol, long count, String... options) throws IOException {
        Set<String> expected = new TreeSet<>(scanAll(redis().target(), protocol, count, options, false));
        List<String> actual = scanAll(RespTarget.loopback("respkv", respkvPort()), protocol, count, options, true);
        Set<String> actualSet = new TreeSet<>(actual);
        assertEquals(actual.size(), actualSet.size(), "respkv returned a key twice: " + actual);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actualSet);
        Set<String> extra = new TreeSet<>(actualSet);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "SCAN COUNT " + count + " " + String.join(" ", options)
                + ": respkv misses " + missing + " and has extra " + extra + " (hex)");
    }

    /** Every key a full SCAN iteration returns, hex-encoded, in the order returned. */
    static List<String> scanAll(RespTarget target, ProtocolVersion protocol, long count, String[] options,
            boolean checkCursorShape) throws IOException {
        try (RawRespClient c = RawRespClient.connect(target)) {
            if (protocol == ProtocolVersion.RESP3) {
                c.call("HELLO", "3");
            }
            List<String> out = new ArrayList<>();
            String cursor = "0";
            for (int calls = 0; calls < 10_000; calls++) {
                List<String> args = new ArrayList<>(List.of("SCAN", cursor, "COUNT", Long.toString(count)));
                args.addAll(Arrays.asList(options));
                RespFrame reply = c.call(args.toArray(new String[0]));
                assertFalse(reply.isError(), reply.toString());
                assertEquals(2, reply.elements().size(), reply.toString());
                cursor = reply.elements().get(0).text();
                if (checkCursorShape) {
                    // A decimal below 2^63, so clients that parse it as a signed long work too.
                    assertTrue(Long.parseLong(cursor) >= 0, cursor);
                }
                for (RespFrame key : reply.elements().get(1).elements()) {
                    out.add(HexFormat.of().formatHex(key.payload()));
                }
                if (cursor.equals("0")) {
                    return out;
                }
            }
            fail("SCAN did not finish in 10000 calls on " + target);
            return out;
        }
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
