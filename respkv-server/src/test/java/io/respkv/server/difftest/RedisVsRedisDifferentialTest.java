package io.respkv.server.difftest;

import static io.respkv.server.difftest.Differential.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import java.io.IOException;
import org.opentest4j.AssertionFailedError;

/**
 * The harness run Redis against Redis: two identical servers must pass every check, and a
 * planted difference must fail with a readable message. The second Redis stands where respkv
 * will, through the same extension point a respkv test uses.
 */
class RedisVsRedisDifferentialTest extends DifferentialTestBase {

    private EmbeddedRedis second;

    @Override
    protected void startRespkv() {
        second = EmbeddedRedis.start();
    }

    @Override
    protected void stopRespkv() {
        if (second != null) {
            second.close();
        }
    }

    @Override
    protected int respkvPort() {
        return second.port();
    }

    @Override
    protected String respkvName() {
        return "redis2";
    }

    /** Runs a command on the second server only, to plant a difference. */
    private RespFrame onSecondOnly(String... args) throws IOException {
        try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("redis2", second.port()))) {
            return c.call(args);
        }
    }

    @ProtocolTest
    void stringCommands(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "SET k v", "GET k", "GET missing", "SET k v2 NX", "SET k v3 XX GET", "GET k",
                    "SET nk v XX", "SETNX k x", "GETSET k v4", "GETDEL k", "GETDEL k",
                    "APPEND s hello", "APPEND s \" world\"", "STRLEN s", "STRLEN missing",
                    "GETRANGE s 0 4", "GETRANGE s -5 -1", "GETRANGE s 100 200", "SETRANGE s 6 W", "GET s",
                    "SETRANGE pad 5 x", "GET pad",
                    "INCR n", "INCRBY n 41", "DECR n", "DECRBY n -8", "INCRBYFLOAT f 1.5", "INCRBYFLOAT f 1e3",
                    "GET f", "INCR n2", "MSET a 1 b 2 c 3", "MGET a b missing c", "MSETNX a 9 z 9", "MGET a z",
                    "SET e \"\"", "GET e", "STRLEN e", "GETEX a PERSIST", "SET big 9223372036854775807", "INCR big",
                    "SET neg -9223372036854775808", "DECR neg");
            d.check(bytes("SET"), bytes("utf"), bytes("h\u00e9llo \u2603"));
            d.check("GET", "utf");
        }
    }

    @ProtocolTest
    void keyCommandsAndExpiry(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("MSET k1 a k2 b k3 c", "EXISTS k1 k2 missing k1", "DEL k1 missing", "EXISTS k1",
                    "TYPE k2", "TYPE missing", "RENAME k2 k4", "RENAME missing x", "RENAMENX k3 k4", "DBSIZE",
                    "EXPIRE k3 100", "EXPIRE missing 100", "EXPIRE k3 100 NX", "EXPIRE k3 200 GT",
                    "PERSIST k3", "PERSIST k3", "SET t v EX 1000", "SET pt v PX 100000", "PEXPIRE k4 50000",
                    "EXPIRE k4 -1", "EXISTS k4", "OBJECT ENCODING k3", "OBJECT ENCODING n",
                    "DBSIZE");
            d.checkIntegerWithin(1, "TTL", "t");
            d.checkIntegerWithin(100, "PTTL", "pt");
            d.checkIntegerWithin(1, "EXPIRETIME", "t");
            d.checkIntegerWithin(1, "TTL", "k3");      // -1: no expiry, must match exactly
            d.checkIntegerWithin(1, "TTL", "missing"); // -2: no key, must match exactly
            d.checkSequence("SET num 12345", "OBJECT ENCODING num", "SET str abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                    "OBJECT ENCODING str", "SELECT 1", "GET num", "SET num other", "SELECT 0", "GET num",
                    "MOVE num 1", "SWAPDB 0 1", "GET num", "SWAPDB 0 1", "FLUSHDB", "DBSIZE");
        }
    }

    @ProtocolTest
    void errors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "RPUSH list a b", "GET list", "INCR list", "APPEND list x", "SET list v", "TYPE list",
                    "GET", "SET k", "GET a b", "MSET a", "MGET", "EXPIRE k", "TTL",
                    "NOSUCHCOMMAND", "NOSUCHCOMMAND a b", "nosuchcommand \"with space\"",
                    "SET k v EX 0", "SET k v EX -5", "SET k v EX abc", "SET k v NX XX", "SET k v BOGUS",
                    "SET n notanumber", "INCR n", "INCRBY k1 1.5", "INCRBYFLOAT n 1", "SET big 9223372036854775807",
                    "INCR big", "SETRANGE k -1 x", "GETRANGE k a b", "SELECT 99", "SELECT x", "OBJECT ENCODING missing");
        }
    }

    @ProtocolTest
    void binaryValuesAndKeys(ProtocolVersion protocol) {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        byte[] key = {0, '\r', '\n', (byte) 0xff, ' ', '"'};
        try (Differential d = open(protocol)) {
            d.check(bytes("SET"), key, all);
            d.check(bytes("GET"), key);
            d.check(bytes("STRLEN"), key);
            d.check(bytes("GETRANGE"), key, bytes("10"), bytes("20"));
            d.check(bytes("APPEND"), key, new byte[] {0, 0, (byte) 0x80});
            d.check(bytes("MGET"), key, bytes("missing"), key);
            d.check(bytes("EXISTS"), key);
            d.check(bytes("SET"), new byte[0], new byte[0]);
            d.check(bytes("GET"), new byte[0]);
            d.checkSequence("SET bin \"\\x00\\x01\\xfe\\xff\"", "GET bin", "APPEND bin \"\\r\\n\"", "GET bin");
            d.checkSorted("KEYS", "*");
        }
    }

    @ProtocolTest
    void unorderedAndNonDeterministicReplies(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (int i = 0; i < 40; i++) {
                d.sendBoth("SET", "key:" + i, "v" + i);
            }
            d.checkSorted("KEYS", "*");
            d.checkSorted("KEYS", "key:1*");
            d.checkSequence("SADD s a b c d e f g h", "SADD ints 3 1 2");
            d.checkSorted("SMEMBERS", "s");
            d.checkSorted("SMEMBERS", "ints");
            d.checkSequence("HSET h f1 v1 f2 v2 f3 v3");
            d.checkSorted("HGETALL", "h");
            d.checkSorted("HKEYS", "h");
            d.checkShape("TIME");
            d.checkShape("CLIENT", "ID");
            d.checkShape("INFO", "server");
            d.checkShape("HELLO", protocol == ProtocolVersion.RESP3 ? "3" : "2");
            d.checkShape("RANDOMKEY");
            d.check("DBSIZE");
        }
    }

    @ProtocolTest
    void rawRequests(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            // Inline commands: the connection stays open, so each side is read until quiet.
            d.checkRaw(bytes("SET ik \"inline value\"\r\nGET ik\r\nGET missing\r\nEXISTS ik\r\n"));
            // Protocol errors: Redis replies, then closes.
            RawRespClient.Drained drained = d.checkRaw(bytes("*1\r\n$4\r\nPING\r\n*x\r\n"));
            assertTrue(drained.closed());
            d.checkRaw(bytes("*2\r\n$3\r\nGET\r\n$-5\r\n"));
            d.checkRaw(bytes("SET \"unbalanced\r\n"));
            d.checkRaw(bytes("*1\r\n$4\r\nPINGX\r\n"));
            d.check("GET", "ik"); // the session's own connection is untouched
        }
    }

    @ProtocolTest
    void openFlushesBothServers(ProtocolVersion protocol) throws IOException {
        onSecondOnly("SET", "leftover", "x");
        try (Differential d = open(protocol)) {
            assertEquals(0, d.check("DBSIZE").integer());
        }
    }

    @ProtocolTest
    void detectsADifferentValue(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check("SET", "k", "v");
            d.check("GET", "k");
            onSecondOnly("SET", "k", "w");
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> d.check("GET", "k"));
            String m = e.getMessage();
            assertTrue(m.startsWith("[" + protocol + "] replies differ at step 4: \"GET\" \"k\"\n"), m);
            assertTrue(m.contains("  redis@127.0.0.1:" + redis().port()), m);
            assertTrue(m.contains(" : \"$1\\r\\nv\\r\\n\"\n"), m);
            assertTrue(m.contains("  redis2@127.0.0.1:" + second.port()), m);
            assertTrue(m.contains(" : \"$1\\r\\nw\\r\\n\"\n"), m);
            assertTrue(m.contains("(first difference at byte 4)"), m);
            assertTrue(m.contains("   2 check  \"SET\" \"k\" \"v\" -> \"+OK\\r\\n\"\n"), m);
            assertTrue(m.contains("   3 check  \"GET\" \"k\" -> \"$1\\r\\nv\\r\\n\"\n"), m);
            assertEquals("\"$1\\r\\nv\\r\\n\"", e.getExpected().getValue());
            assertEquals("\"$1\\r\\nw\\r\\n\"", e.getActual().getValue());
            // The other checks see it too.
            assertThrows(AssertionError.class, () -> d.checkSequence("STRLEN k", "GET k"));
            assertThrows(AssertionError.class, () -> d.check(bytes("GET"), bytes("k")));
            assertThrows(AssertionError.class, () -> d.checkSorted("MGET", "k", "k"));
            assertThrows(AssertionError.class, () -> d.checkRaw(bytes("GET k\r\n")));
        }
    }

    @ProtocolTest
    void detectsADifferentType(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check("SET", "k", "v");
            onSecondOnly("DEL", "k");
            onSecondOnly("RPUSH", "k", "v");
            AssertionError e = assertThrows(AssertionError.class, () -> d.check("GET", "k"));
            assertTrue(e.getMessage().contains("WRONGTYPE"), e.getMessage());
            assertThrows(AssertionError.class, () -> d.checkShape("GET", "k"));
        }
    }

    @ProtocolTest
    void detectsADifferentShape(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check("RPUSH", "l", "a", "b");
            onSecondOnly("RPUSH", "l", "c");
            AssertionError e = assertThrows(AssertionError.class, () -> d.checkShape("LRANGE", "l", "0", "-1"));
            assertTrue(e.getMessage().contains("reply shapes differ"), e.getMessage());
            assertTrue(e.getMessage().contains(" : *2[$,$]  from \"*2\\r\\n"), e.getMessage());
            assertTrue(e.getMessage().contains(" : *3[$,$,$]  from \"*3\\r\\n"), e.getMessage());
            d.checkShape("LINDEX", "l", "0"); // same shape, same value: passes
        }
    }

    @ProtocolTest
    void detectsADifferentMultiset(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check("SADD", "s", "a", "b", "c");
            d.checkSorted("SMEMBERS", "s");
            onSecondOnly("SREM", "s", "c");
            onSecondOnly("SADD", "s", "d");
            AssertionError e = assertThrows(AssertionError.class, () -> d.checkSorted("SMEMBERS", "s"));
            assertTrue(e.getMessage().contains("replies differ as multisets"), e.getMessage());
        }
    }

    @ProtocolTest
    void detectsATtlOutsideTheTolerance(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check("SET", "k", "v", "EX", "100");
            d.checkIntegerWithin(1, "TTL", "k");
            onSecondOnly("EXPIRE", "k", "50");
            AssertionError e = assertThrows(AssertionError.class, () -> d.checkIntegerWithin(1, "TTL", "k"));
            assertTrue(e.getMessage().contains("integers differ by more than 1"), e.getMessage());
            d.checkIntegerWithin(60, "TTL", "k");
            onSecondOnly("PERSIST", "k");
            // -1 (no expiry) is not "close to" a TTL, however large the tolerance.
            assertThrows(AssertionError.class, () -> d.checkIntegerWithin(1_000, "TTL", "k"));
        }
    }

    @ProtocolTest
    void detectsADifferenceOnRawInput(ProtocolVersion protocol) throws IOException {
        // With a smaller bulk limit the second server rejects a header Redis waits on.
        byte[] header = bytes("*1\r\n$" + (2 << 20) + "\r\n");
        try (Differential d = open(protocol)) {
            onSecondOnly("CONFIG", "SET", "proto-max-bulk-len", "1mb");
            try {
                AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> d.checkRaw(header));
                String m = e.getMessage();
                assertTrue(m.contains("raw output differs"), m);
                assertTrue(m.contains(" : \"\" (still open)\n"), m);
                assertTrue(m.contains(" : \"-ERR Protocol error: invalid bulk length\\r\\n\" then closed\n"), m);
            } finally {
                onSecondOnly("CONFIG", "SET", "proto-max-bulk-len", "512mb");
            }
            d.checkRaw(bytes("*1\r\n$4\r\nPING\r\n"));
        }
    }
}
