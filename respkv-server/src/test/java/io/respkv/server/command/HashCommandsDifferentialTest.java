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
import io.respkv.server.difftest.RespType;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HDEL, HEXISTS, HLEN, HKEYS, HVALS, HSTRLEN,
 * HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN against redis-server 7.0.15, byte for byte, in
 * RESP2 and RESP3, plus the key commands on hashes. Replies whose order Redis leaves unspecified
 * (HGETALL, HKEYS, HVALS) are compared sorted, HSCAN iterations as maps, and HRANDFIELD by
 * shape, size and membership.
 */
class HashCommandsDifferentialTest extends RespkvDifferentialTest {

    private static final String BIN = "\"\\x00\\xff\\r\\n\"";

    @ProtocolTest
    void setGetAndFriends(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET h a 1", "HSET h a 2", "HGET h a", "HSET h b 2 c 3", "HSET h b 20 d 4 b 200",
                    "HGET h b", "HLEN h", "HEXISTS h a", "HEXISTS h zz", "HEXISTS nokey a",
                    "HGET h zz", "HGET nokey a", "HLEN nokey", "HSTRLEN h b", "HSTRLEN h zz", "HSTRLEN nokey a",
                    "HMGET h a zz b", "HMGET nokey a b", "HMGET h a",
                    "HMSET h e 5", "HMSET h e 50 f 6", "HMSET m x 1", "HGET h e", "HLEN h", "TYPE h", "TYPE m",
                    "HSETNX h a 100", "HGET h a", "HSETNX h new 100", "HGET h new", "HSETNX fresh f v",
                    "HGETALL fresh", "HLEN fresh");
            d.checkSorted("HGETALL", "h");
            d.checkSorted("HKEYS", "h");
            d.checkSorted("HVALS", "h");
            d.checkSequence("HGETALL nokey", "HKEYS nokey", "HVALS nokey", "HSET one f v", "HGETALL one",
                    "HKEYS one", "HVALS one");
        }
    }

    @ProtocolTest
    void binaryAndEmptyFieldsAndValues(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET " + BIN + " " + BIN + " " + BIN, "HGET " + BIN + " " + BIN,
                    "HSET " + BIN + " \"\" \"\"", "HGET " + BIN + " \"\"", "HSTRLEN " + BIN + " \"\"",
                    "HEXISTS " + BIN + " \"\"", "HLEN " + BIN, "HSET \"\" \"\\x00\" \"\\r\\n\"",
                    "HGET \"\" \"\\x00\"", "HGET \"\" \"\\x00\\x00\"", "HGET \"\" \"\"",
                    "HSET h \"a\\x00b\" 1 \"a\" 2 \"a\\x00\" 3 \"\\xff\" 4", "HMGET h a \"a\\x00\" \"a\\x00b\" \"\\xff\"",
                    "HDEL h \"a\\x00\"", "HEXISTS h a", "HEXISTS h \"a\\x00b\"", "HLEN h");
            d.checkSorted("HGETALL", "h");
            d.checkSorted(RespCommand.parse("HGETALL " + BIN));
            d.checkSorted(RespCommand.parse("HKEYS " + BIN));
            byte[] big = new byte[100_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            d.check(bytes("HSET"), bytes("big"), big, big);
            d.check(bytes("HGET"), bytes("big"), big);
            d.check(bytes("HSTRLEN"), bytes("big"), big);
        }
    }

    @ProtocolTest
    void hdel(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HDEL nokey a", "HSET h a 1 b 2 c 3", "HDEL h zz", "HDEL h a a", "HLEN h",
                    "HDEL h b zz b", "HLEN h", "EXISTS h", "HDEL h c", "EXISTS h", "TYPE h", "HLEN h",
                    "HGETALL h", "HDEL h c", "HSET h x 1 y 2", "HDEL h x y z", "EXISTS h",
                    "HSET h x 1", "HGET h x", "HGET h y", "HLEN h");
        }
    }

    @ProtocolTest
    void arityAndSyntax(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET", "HSET h", "HSET h f", "HSET h f v f", "HSET h f v f v f",
                    "HMSET h f", "HMSET h f v f", "HSETNX h f", "HSETNX h f v x", "HGET h", "HGET h f x",
                    "HMGET h", "HGETALL", "HGETALL h x", "HKEYS", "HVALS h x", "HDEL h", "HEXISTS h",
                    "HLEN", "HLEN h x", "HSTRLEN h", "HINCRBY h f", "HINCRBY h f 1 2", "HINCRBYFLOAT h f",
                    "HRANDFIELD", "HSCAN h", "hset h", "HsEt h f v f", "EXISTS h");
        }
    }

    @ProtocolTest
    void wrongType(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET s v",
                    "HSET s f v", "HMSET s f v", "HSETNX s f v", "HGET s f", "HMGET s f", "HGETALL s", "HKEYS s",
                    "HVALS s", "HDEL s f", "HEXISTS s f", "HLEN s", "HSTRLEN s f", "HINCRBY s f 1",
                    "HINCRBYFLOAT s f 1", "HRANDFIELD s", "HRANDFIELD s 2", "HRANDFIELD s 0", "HRANDFIELD s -2",
                    "HRANDFIELD s 2 WITHVALUES", "HSCAN s 0", "HSCAN s 0 COUNT 0", "HSCAN s 0 FOO",
                    // argument checks that come before the key's type
                    "HINCRBY s f x", "HINCRBYFLOAT s f x", "HINCRBYFLOAT s f inf", "HRANDFIELD s x",
                    "HRANDFIELD s 1 FOO", "HRANDFIELD s -9223372036854775808", "HSCAN s x",
                    "HSET s f v f", "GET s",
                    // string commands on a hash
                    "HSET h f v", "GET h", "APPEND h x", "INCR h", "STRLEN h", "SET h v", "GET h");
        }
    }

    @ProtocolTest
    void hincrby(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HINCRBY h f 5", "HINCRBY h f -7", "HGET h f", "HINCRBY h f 0", "HINCRBY h g -1",
                    "HSET h big 9223372036854775807 small -9223372036854775808",
                    "HINCRBY h big 1", "HINCRBY h big 0", "HINCRBY h big -1", "HINCRBY h small -1",
                    "HINCRBY h small 1", "HINCRBY h small 9223372036854775807", "HGET h small",
                    "HINCRBY h f 9223372036854775807", "HINCRBY h f x", "HINCRBY h f 1.5", "HINCRBY h f \"\"",
                    "HINCRBY h f \" 1\"", "HINCRBY h f 9223372036854775808", "HINCRBY h f -9223372036854775809",
                    "HINCRBY h f +1", "HINCRBY h f 01",
                    "HSET h s abc sp \" 1\" tr \"1 \" fl 1.5 lead 01 empty \"\" plus +1 neg0 -0 nul \"1\\x00\"",
                    "HINCRBY h s 1", "HINCRBY h sp 1", "HINCRBY h tr 1", "HINCRBY h fl 1", "HINCRBY h lead 1",
                    "HINCRBY h empty 1", "HINCRBY h plus 1", "HINCRBY h neg0 1", "HINCRBY h nul 1",
                    "HINCRBY nokey x x", "EXISTS nokey", "HGETALL nokey",
                    "HSET h n 10", "PEXPIRE h 100000", "HINCRBY h n 1");
            d.checkIntegerWithin(1, "TTL", "h");
        }
    }

    @ProtocolTest
    void hincrbyfloat(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HINCRBYFLOAT h f 1.5", "HINCRBYFLOAT h f 0.1", "HINCRBYFLOAT h f -1.6",
                    "HGET h f", "HINCRBYFLOAT h g 0.1", "HINCRBYFLOAT h g 0.2", "HINCRBYFLOAT h g 1e3",
                    "HINCRBYFLOAT h g -1e-3", "HINCRBYFLOAT h g 0x10", "HINCRBYFLOAT h g 3.0e2",
                    "HINCRBYFLOAT h i 10", "HINCRBYFLOAT h i 5.0", "HINCRBYFLOAT h i -15", "HGET h i",
                    "HINCRBYFLOAT h j 1e308", "HINCRBYFLOAT h j 1e308", "HINCRBYFLOAT h j 1e4000",
                    "HINCRBYFLOAT h k 1.18e4932", "HINCRBYFLOAT h k 1.18e4932", "HGET h k",
                    "HINCRBYFLOAT h tiny 1e-4000", "HINCRBYFLOAT h m 0.0000000000000000001",
                    "HINCRBYFLOAT h m 123456789012345678901234567890",
                    // the increment: parse errors, then NaN/Infinity
                    "HINCRBYFLOAT h f abc", "HINCRBYFLOAT h f \"\"", "HINCRBYFLOAT h f \" 1\"",
                    "HINCRBYFLOAT h f \"1 \"", "HINCRBYFLOAT h f nan", "HINCRBYFLOAT h f inf",
                    "HINCRBYFLOAT h f -inf", "HINCRBYFLOAT h f Infinity", "HINCRBYFLOAT h f 1e5000",
                    "HINCRBYFLOAT h f \"1\\x00\"", "HINCRBYFLOAT h f 1,5",
                    // the stored value
                    "HSET h s abc sp \" 1\" e \"\" inf inf ninf -inf nan nan hex 0x1p3 exp 2e2 big 1.18e4932",
                    "HINCRBYFLOAT h s 1", "HINCRBYFLOAT h sp 1", "HINCRBYFLOAT h e 1", "HINCRBYFLOAT h inf 1",
                    "HINCRBYFLOAT h ninf 1", "HINCRBYFLOAT h nan 1", "HINCRBYFLOAT h hex 1", "HINCRBYFLOAT h exp 1",
                    "HINCRBYFLOAT h big 1.18e4932", "HINCRBYFLOAT h big -1.18e4932", "HGET h big",
                    "HINCRBYFLOAT nokey f abc", "EXISTS nokey", "HINCRBYFLOAT nokey f -0", "HGET nokey f",
                    "HSET h n 1", "PEXPIRE h 100000", "HINCRBYFLOAT h n 1.25");
            d.checkIntegerWithin(1, "TTL", "h");
        }
    }

    @ProtocolTest
    void hrandfieldArgumentsAndSmallHashes(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HRANDFIELD nokey", "HRANDFIELD nokey 5", "HRANDFIELD nokey -5",
                    "HRANDFIELD nokey 5 WITHVALUES", "HRANDFIELD nokey 0 foo", "HRANDFIELD nokey x",
                    "HSET h a 1 b 2 c 3",
                    "HRANDFIELD h 0", "HRANDFIELD h 0 WITHVALUES", "HRANDFIELD h -0",
                    "HRANDFIELD h x", "HRANDFIELD h 1.5", "HRANDFIELD h \"\"", "HRANDFIELD h 9223372036854775808",
                    "HRANDFIELD h -9223372036854775808", "HRANDFIELD h -9223372036854775808 WITHVALUES",
                    "HRANDFIELD h 1 WITHVALUE", "HRANDFIELD h 1 WITHVALUES x", "HRANDFIELD h 1 x y",
                    "HRANDFIELD h 4611686018427387904 WITHVALUES", "HRANDFIELD h -4611686018427387904 WITHVALUES",
                    "HRANDFIELD h 9223372036854775807 WITHVALUES", "HRANDFIELD h x WITHVALUES",
                    "HSET one f v", "HRANDFIELD one", "HRANDFIELD one 1", "HRANDFIELD one -3",
                    "HRANDFIELD one 1 WITHVALUES", "HRANDFIELD one -2 withvalues", "HRANDFIELD one 5 WithValues");
            d.check(bytes("HRANDFIELD"), bytes("one"), bytes("1"), new byte[] {'w', 'i', 't', 'h', 'v', 'a', 'l',
                'u', 'e', 's', 0, 'x'});
            // Counts at or above the size return the whole hash.
            d.checkSorted("HRANDFIELD", "h", "3");
            d.checkSorted("HRANDFIELD", "h", "100");
            d.checkSorted("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES");
            d.checkSorted("HRANDFIELD", "h", "9223372036854775807");
            Map<String, String> h = Map.of("a", "1", "b", "2", "c", "3");
            for (int i = 0; i < 20; i++) {
                checkRandom(d, "h", h, null, false);
                checkRandom(d, "h", h, 2L, false);
                checkRandom(d, "h", h, 2L, true);
                checkRandom(d, "h", h, 1L, true);
                checkRandom(d, "h", h, -7L, false);
                checkRandom(d, "h", h, -7L, true);
            }
        }
    }

    @ProtocolTest
    void hrandfieldLargeHashes(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            Map<String, String> h = new LinkedHashMap<>();
            List<String> args = new ArrayList<>(List.of("HSET", "big"));
            for (int i = 0; i < 400; i++) {
                String field = (i % 3 == 0 ? "user:" : i % 3 == 1 ? "u" : "session:shared:prefix:") + i;
                h.put(field, "v" + i);
                args.add(field);
                args.add("v" + i);
            }
            d.check(args.toArray(new String[0]));
            d.checkSequence("HLEN big");
            for (int i = 0; i < 10; i++) {
                checkRandom(d, "big", h, null, false);
                checkRandom(d, "big", h, 20L, false); // probes
                checkRandom(d, "big", h, 30L, true);
                checkRandom(d, "big", h, 200L, true); // more than a third: exact
                checkRandom(d, "big", h, 399L, false);
                checkRandom(d, "big", h, -50L, false);
                checkRandom(d, "big", h, -50L, true);
                checkRandom(d, "big", h, -500L, true);
            }
            d.checkSorted("HRANDFIELD", "big", "400", "WITHVALUES");
            d.checkSorted("HRANDFIELD", "big", "1000");
        }
    }

    /**
     * Sends HRANDFIELD to both and checks each reply alone: its shape for the protocol, its size,
     * that every field belongs to {@code hash} with its value, and distinctness for a positive
     * count.
     */
    private static void checkRandom(Differential d, String key, Map<String, String> hash, Long count,
            boolean withValues) {
        List<String> args = new ArrayList<>(List.of("HRANDFIELD", key));
        if (count != null) {
            args.add(Long.toString(count));
        }
        if (withValues) {
            args.add("WITHVALUES");
        }
        Differential.Replies r = d.sendBoth(args.toArray(new String[0]));
        for (RespFrame reply : List.of(r.reference(), r.candidate())) {
            String where = args + " -> " + reply;
            if (count == null) {
                assertEquals(RespType.BULK_STRING, reply.type(), where);
                assertTrue(hash.containsKey(reply.text()), where);
                continue;
            }
            assertEquals(RespType.ARRAY, reply.type(), where);
            long expected = count < 0 ? -count : Math.min(count, hash.size());
            boolean pairs = withValues && d.protocol() == ProtocolVersion.RESP3;
            List<String[]> picked = new ArrayList<>();
            List<RespFrame> elements = reply.elements();
            if (pairs) {
                for (RespFrame pair : elements) {
                    assertEquals(RespType.ARRAY, pair.type(), where);
                    assertEquals(2, pair.elements().size(), where);
                    picked.add(new String[] {pair.elements().get(0).text(), pair.elements().get(1).text()});
                }
            } else {
                int step = withValues ? 2 : 1;
                assertEquals(0, elements.size() % step, where);
                for (int i = 0; i < elements.size(); i += step) {
                    picked.add(new String[] {elements.get(i).text(), withValues ? elements.get(i + 1).text() : null});
                }
            }
            assertEquals(expected, picked.size(), where);
            Set<String> seen = new HashSet<>();
            for (String[] p : picked) {
                assertTrue(hash.containsKey(p[0]), where);
                if (withValues) {
                    assertEquals(hash.get(p[0]), p[1], where);
                }
                if (count > 0) {
                    assertTrue(seen.add(p[0]), "repeated field in " + where);
                }
            }
        }
    }

    @ProtocolTest
    void hscanArgumentsAndSmallHashes(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSCAN nokey 0", "HSCAN nokey x", "HSCAN nokey 0 FOO", "HSCAN nokey 0 COUNT 0",
                    "HSCAN nokey 0 COUNT x", "HSCAN nokey 0 TYPE string",
                    "HSET h a 1",
                    "HSCAN h 0", "HSCAN h 0 COUNT 1", "HSCAN h 0 MATCH a", "HSCAN h 0 MATCH b", "HSCAN h 0 match *",
                    "HSCAN h 0 MATCH a*", "HSCAN h 0 MATCH *a COUNT 5",
                    "HSCAN h x", "HSCAN h -x", "HSCAN h \" 1\"", "HSCAN h 1.0", "HSCAN h 18446744073709551616",
                    "HSCAN h 0 COUNT 0", "HSCAN h 0 COUNT -1", "HSCAN h 0 COUNT x", "HSCAN h 0 COUNT",
                    "HSCAN h 0 MATCH", "HSCAN h 0 TYPE string", "HSCAN h 0 FOO", "HSCAN h 0 COUNT 1 FOO",
                    "HSCAN h 0 COUNT 9223372036854775808", "HSCAN h 0 NOVALUES", "HSCAN h x COUNT 0",
                    "HSCAN h \"\"", "HSCAN h +0", "HSCAN h 0 MATCH x MATCH a",
                    "HSET e \"\" empty", "HSCAN e 0", "HSCAN e 0 MATCH *", "HSCAN e 0 MATCH \"\"", "HSCAN e 0 MATCH *?");
            d.check(bytes("HSCAN"), bytes("h"), new byte[] {'0', 0, 'z'});
            d.checkSequence("HSET h b 2 c 3");
            checkScanSmall(d, "h", "HSCAN", "h", "0");
            checkScanSmall(d, "h", "HSCAN", "h", "0", "COUNT", "3");
            checkScanSmall(d, "h", "HSCAN", "h", "0", "MATCH", "[ab]", "COUNT", "100");
        }
    }

    /** HSCAN of a hash of at most COUNT fields: both reply cursor 0 and the same field-value pairs. */
    private static void checkScanSmall(Differential d, String label, String... args) {
        Differential.Replies r = d.sendBoth(args);
        assertEquals(pairsOf(r.reference()), pairsOf(r.candidate()), label + " " + List.of(args));
        assertEquals("0", r.reference().elements().get(0).text());
        assertEquals("0", r.candidate().elements().get(0).text());
    }

    private static Map<String, String> pairsOf(RespFrame scanReply) {
        assertEquals(2, scanReply.elements().size(), scanReply.toString());
        Map<String, String> out = new TreeMap<>();
        List<RespFrame> items = scanReply.elements().get(1).elements();
        for (int i = 0; i < items.size(); i += 2) {
            out.put(HexFormat.of().formatHex(items.get(i).payload()), HexFormat.of().formatHex(items.get(i + 1).payload()));
        }
        return out;
    }

    @ProtocolTest
    void hscanIteratesEveryFieldOnce(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            List<byte[]> args = new ArrayList<>(List.of(bytes("HSET"), bytes("h")));
            for (int i = 0; i < 300; i++) {
                args.add(bytes("field:" + i));
                args.add(bytes("v" + i));
            }
            for (int i = 0; i < 30; i++) {
                args.add(bytes("long:shared:prefix:" + "x".repeat(i % 7) + ":" + i));
                args.add(bytes("w" + i));
            }
            args.add(new byte[] {0});
            args.add(new byte[] {(byte) 0xff});
            args.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
            args.add(new byte[0]);
            args.add(new byte[0]);
            args.add(new byte[] {'\r', '\n'});
            args.add(bytes("fi*eld"));
            args.add(bytes("star"));
            d.check(args.toArray(new byte[0][]));
            for (long count : new long[] {1, 3, 10, 1000}) {
                assertScanSame(protocol, "h", count);
            }
            assertScanSame(protocol, "h", 5, "MATCH", "field:1*");
            assertScanSame(protocol, "h", 5, "MATCH", "*1");
            assertScanSame(protocol, "h", 5, "MATCH", "long:shared:*:3*");
            assertScanSame(protocol, "h", 5, "MATCH", "field:[1-2]?");
            assertScanSame(protocol, "h", 5, "MATCH", "fi\\*eld");
            assertScanSame(protocol, "h", 5, "MATCH", "nomatch*");
            assertScanSame(protocol, "h", 7, "MATCH", "*");
        }
    }

    /**
     * Iterates HSCAN to the end on both servers and asserts the same field-value pairs, respkv
     * returning each field once.
     */
    private void assertScanSame(ProtocolVersion protocol, String key, long count, String... options)
            throws IOException {
        Map<String, String> expected = new TreeMap<>();
        for (String[] p : hscanAll(redis().target(), protocol, key, count, options)) {
            expected.put(p[0], p[1]);
        }
        List<String[]> actual = hscanAll(RespTarget.loopback("respkv", respkvPort()), protocol, key, count, options);
        Map<String, String> actualMap = new TreeMap<>();
        for (String[] p : actual) {
            assertTrue(actualMap.put(p[0], p[1]) == null, "respkv returned field " + p[0] + " twice");
        }
        assertEquals(expected, actualMap, "HSCAN COUNT " + count + " " + String.join(" ", options) + " (hex)");
    }

    /** Every (field, value) a full HSCAN iteration returns, hex-encoded, in order. */
    private static List<String[]> hscanAll(RespTarget target, ProtocolVersion protocol, String key, long count,
            String[] options) throws IOException {
        try (RawRespClient c = RawRespClient.connect(target)) {
            if (protocol == ProtocolVersion.RESP3) {
                c.call("HELLO", "3");
            }
            List<String[]> out = new ArrayList<>();
            String cursor = "0";
            for (int calls = 0; calls < 10_000; calls++) {
                List<String> args = new ArrayList<>(List.of("HSCAN", key, cursor, "COUNT", Long.toString(count)));
                args.addAll(List.of(options));
                RespFrame reply = c.call(args.toArray(new String[0]));
                assertFalse(reply.isError(), reply.toString());
                assertEquals(2, reply.elements().size(), reply.toString());
                cursor = reply.elements().get(0).text();
                assertTrue(Long.parseUnsignedLong(cursor) >= 0);
                List<RespFrame> items = reply.elements().get(1).elements();
                assertEquals(0, items.size() % 2, reply.toString());
                for (int i = 0; i < items.size(); i += 2) {
                    out.add(new String[] {HexFormat.of().formatHex(items.get(i).payload()),
                        HexFormat.of().formatHex(items.get(i + 1).payload())});
                }
                if (cursor.equals("0")) {
                    return out;
                }
            }
            fail("HSCAN did not finish in 10000 calls on " + target);
            return out;
        }
    }

    @ProtocolTest
    void expiry(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            // 500 ms: the seven commands after the PEXPIRE must run before it expires, also on a loaded machine
            d.checkSequence("HSET h a 1 b 2", "PEXPIRE h 500", "HSET h c 3", "HLEN h", "HDEL h a", "HSETNX h d 4",
                    "HINCRBY h n 1", "HINCRBYFLOAT h x 1.5", "HLEN h");
            d.checkIntegerWithin(1, "TTL", "h");
            KeyCommandsDifferentialTest.sleepMillis(600);
            d.checkSequence("HGET h b", "HLEN h", "HEXISTS h b", "HGETALL h", "HKEYS h", "HVALS h", "HMGET h b c",
                    "HSTRLEN h b", "HRANDFIELD h", "HRANDFIELD h 3", "HSCAN h 0", "HDEL h b", "TYPE h", "EXISTS h",
                    "HSET h z 26", "HGETALL h", "HLEN h", "TTL h",
                    "HSET e a 1", "PEXPIRE e 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("HINCRBY e a 5", "HGETALL e", "TTL e",
                    "HSET f a 1", "PEXPIRE f 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("HINCRBYFLOAT f a 0.5", "HGETALL f",
                    "HSET g a 1", "PEXPIRE g 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("HSETNX g a 2", "HGETALL g", "HSET x a 1", "PEXPIRE x 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("HMSET x b 2", "HGETALL x", "SET y v", "PEXPIRE y 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("HSET y a 1", "HGETALL y", "TYPE y");
        }
    }

    @ProtocolTest
    void keyCommandsOnHashes(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET h a 1 b 2 c 3", "TYPE h", "EXISTS h", "EXPIRE h 100", "PERSIST h", "TTL h",
                    "COPY h h2", "HLEN h2", "HGET h2 b", "HSET h2 d 4", "HLEN h", "HLEN h2",
                    "COPY h h2", "COPY h h2 REPLACE", "HLEN h2", "HGET h2 d",
                    "RENAME h2 h3", "EXISTS h2", "HLEN h3", "HGET h3 c", "RENAMENX h3 h", "RENAMENX h3 h4",
                    "HGETALL h3", "HLEN h4",
                    "MOVE h4 1", "EXISTS h4", "SELECT 1", "HLEN h4", "HGET h4 a", "HSET h4 z 26", "MOVE h4 0",
                    "DEL h4", "SELECT 0", "HLEN h4",
                    "COPY h cross DB 2", "SELECT 2", "HGET cross a", "HLEN cross", "FLUSHDB", "SELECT 0",
                    "SET s v", "RENAME s h", "TYPE h", "HGET h a", "HSET h a 1", "HLEN h",
                    "PEXPIRE h 100000", "COPY h hc", "RENAME hc hr");
            d.checkIntegerWithin(1, "TTL", "hr");
            d.checkSequence("DEL h hr", "EXISTS h hr", "HGETALL h", "HSET h new 1", "HGETALL h",
                    "SET plain v", "HSET h2 a 1");
            d.checkSorted("KEYS", "*");
            d.checkSorted("HGETALL", "h2");
            for (String type : new String[] {"hash", "string"}) {
                Differential.Replies r = d.sendBoth("SCAN", "0", "TYPE", type, "COUNT", "1000");
                assertEquals(scannedKeys(r.reference()), scannedKeys(r.candidate()), "SCAN TYPE " + type);
            }
        }
    }

    private static Set<String> scannedKeys(RespFrame scanReply) {
        assertEquals("0", scanReply.elements().get(0).text(), scanReply.toString());
        Set<String> keys = new TreeSet<>();
        for (RespFrame k : scanReply.elements().get(1).elements()) {
            keys.add(k.text());
        }
        return keys;
    }

    @ProtocolTest
    void readLookupsCountKeyspaceHitsAndMisses(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET h a 1 b 2", "SET s v");
            String[] steps = {
                "HGET h a", "HGET nokey a", "HGET s a", "HMGET h a b", "HMGET nokey a", "HGETALL h", "HKEYS nokey",
                "HVALS h", "HLEN h", "HLEN nokey", "HEXISTS h zz", "HSTRLEN nokey a", "HRANDFIELD h",
                "HRANDFIELD nokey 2", "HRANDFIELD h x", "HSCAN h 0", "HSCAN nokey 0", "HSCAN h x",
                "HSET h c 3", "HSETNX nokey a 1", "HDEL nokey a", "HINCRBY h n 1", "HINCRBYFLOAT h f 1",
                "OBJECT ENCODING s", "OBJECT ENCODING nokey", "OBJECT REFCOUNT h", "OBJECT FREQ nokey",
                "OBJECT HELP",
            };
            for (String step : steps) {
                long[] before = d.keyspaceStats();
                d.sendBoth(RespCommand.parse(step));
                long[] after = d.keyspaceStats();
                assertEquals(after[0] - before[0], after[2] - before[2], "keyspace_hits after " + step);
                assertEquals(after[1] - before[1], after[3] - before[3], "keyspace_misses after " + step);
            }
        }
    }
}
