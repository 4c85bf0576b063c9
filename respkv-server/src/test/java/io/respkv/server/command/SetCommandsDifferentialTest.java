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
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER,
 * SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE and SSCAN against
 * redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Replies whose order Redis leaves
 * unspecified are compared as multisets; random replies (SPOP, SRANDMEMBER) by shape, size and
 * membership, each server against its own set; an SSCAN iteration as a set.
 */
class SetCommandsDifferentialTest extends RespkvDifferentialTest {

    private static final byte[] BINARY = {0, (byte) 0xff, '\r', '\n', ' '};

    @ProtocolTest
    void addRemoveCardIsMember(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SCARD s", "SISMEMBER s a", "SREM s a", "EXISTS s", "TYPE s",
                    "SADD s a", "SADD s a", "SADD s b c b a d", "SCARD s", "TYPE s",
                    "SISMEMBER s a", "SISMEMBER s z", "SISMEMBER nokey a",
                    "SREM s z", "SREM s a a z", "SCARD s", "SISMEMBER s a",
                    "SADD s \"\"", "SISMEMBER s \"\"", "SCARD s", "SREM s \"\"",
                    "SADD n 1 2 3 -1 01 1.0 9223372036854775807 9223372036854775808", "SCARD n", "SISMEMBER n 01",
                    "SISMEMBER n 1", "SREM n 1 01 1.0", "SCARD n",
                    "SREM s b c d", "EXISTS s", "SCARD s", "SREM s b",
                    "SADD", "SADD s", "SREM s", "SCARD", "SCARD s t", "SISMEMBER s", "SISMEMBER s a b");
            d.check(bytes("SADD"), BINARY, BINARY, new byte[0], new byte[] {0}, new byte[] {(byte) 0xff});
            d.check(bytes("SISMEMBER"), BINARY, BINARY);
            d.check(bytes("SISMEMBER"), BINARY, Arrays.copyOf(BINARY, 4));
            d.check(bytes("SCARD"), BINARY);
            d.checkSorted(RespCommand.of(bytes("SMEMBERS"), BINARY));
            d.check(bytes("SREM"), BINARY, new byte[] {0}, new byte[] {0, 0});
            d.checkSorted(RespCommand.of(bytes("SMEMBERS"), BINARY));
        }
    }

    @ProtocolTest
    void membersAndMisMember(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SMEMBERS nokey", "SMISMEMBER nokey a b", "SMEMBERS", "SMEMBERS a b", "SMISMEMBER s",
                    "SADD s x y z 10 20 3", "SMISMEMBER s x nope z x \"\" 10", "SMISMEMBER s 3");
            d.checkSorted("SMEMBERS", "s");
            for (int i = 0; i < 200; i++) {
                d.sendBoth("SADD", "big", "member:" + i, Integer.toString(i * 7919));
            }
            d.checkSorted("SMEMBERS", "big");
            d.checkSequence("SCARD big", "SMISMEMBER big member:0 member:199 member:200 0 7919");
        }
    }

    @ProtocolTest
    void wrongTypeAgainstAString(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET str v", "SADD s a b",
                    "SADD str a", "SREM str a", "SMEMBERS str", "SISMEMBER str a", "SMISMEMBER str a", "SCARD str",
                    "SPOP str", "SPOP str 0", "SPOP str 2", "SPOP str -1", "SPOP str x",
                    "SRANDMEMBER str", "SRANDMEMBER str 0", "SRANDMEMBER str -3", "SRANDMEMBER str x",
                    "SMOVE str s a", "SMOVE s str a", "SMOVE s str nope", "SMOVE nokey str a", "SMOVE str str a",
                    "SINTER str", "SINTER s str", "SINTER nokey str", "SINTER str nokey",
                    "SINTERCARD 1 str", "SINTERCARD 2 nokey str", "SINTERCARD 2 s str LIMIT 1",
                    "SUNION str", "SUNION nokey str s", "SDIFF str", "SDIFF nokey str", "SDIFF s s str",
                    "SINTERSTORE dst str", "SINTERSTORE dst nokey str", "SUNIONSTORE dst s str", "SDIFFSTORE dst str",
                    "SSCAN str 0", "SSCAN str x", "SSCAN str 0 COUNT 0", "GET str", "EXISTS dst",
                    "SINTERSTORE str s", "TYPE str", "SCARD str", "GET str");
        }
    }

    @ProtocolTest
    void wrongTypeAgainstOtherCollections(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("HSET h f v", "LPUSH l a", "ZADD z 1 a", "SADD s a b",
                    "SADD h x", "SREM l a", "SISMEMBER z a", "SMISMEMBER h f", "SCARD l", "SMEMBERS z",
                    "SPOP h", "SPOP l 2", "SRANDMEMBER z", "SRANDMEMBER h -2", "SMOVE s h a", "SMOVE l s a",
                    "SINTER s z", "SINTERCARD 2 s l", "SUNION s h", "SDIFF s l", "SSCAN z 0", "SSCAN h 0 COUNT 0",
                    "SINTERSTORE d s h", "SDIFFSTORE s l", "SCARD s",
                    // the other types' commands against a set
                    "HGET s a", "LPUSH s x", "LRANGE s 0 -1", "ZSCORE s a", "ZADD s 1 a", "GET s", "APPEND s x",
                    "TYPE s",
                    // a STORE replaces a collection of another type
                    "SUNIONSTORE h s", "TYPE h", "SCARD h", "SINTERSTORE z s", "TYPE z", "SDIFFSTORE l s nokey",
                    "TYPE l", "SMOVE s l b", "SCARD l", "HLEN h");
            d.checkSorted("SMEMBERS", "h");
            d.checkShape("OBJECT", "ENCODING", "h");
        }
    }

    @ProtocolTest
    void spopWithoutCount(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SPOP nokey", "SPOP", "SPOP s 1 2", "SPOP nokey 1 2", "SADD one only", "SPOP one",
                    "EXISTS one", "SPOP one");
            d.check(bytes("SADD"), BINARY, BINARY);
            d.check(bytes("SPOP"), BINARY);
            d.check(bytes("EXISTS"), BINARY);
            Set<String> all = addBoth(d, "s", 5);
            Set<String> poppedRef = new HashSet<>();
            Set<String> poppedCand = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Differential.Replies r = d.sendBoth("SPOP", "s");
                assertEquals(RespType.BULK_STRING, r.candidate().type(), r.candidate().toString());
                assertTrue(poppedRef.add(hex(r.reference())));
                assertTrue(poppedCand.add(hex(r.candidate())), "popped twice: " + r.candidate());
                d.check("SCARD", "s");
            }
            assertEquals(all, poppedCand);
            assertEquals(all, poppedRef);
            d.checkSequence("EXISTS s", "SPOP s", "TYPE s");
        }
    }

    @ProtocolTest
    void spopWithCount(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SPOP nokey 0", "SPOP nokey 5", "SPOP nokey -1", "SPOP nokey x",
                    "SADD s a b c", "SPOP s 0", "SPOP s -1", "SPOP s x", "SPOP s 1.5", "SPOP s \"\"",
                    "SPOP s 9223372036854775808", "SPOP s -9223372036854775808", "SCARD s");
            // Taking everything is deterministic: the whole set, then no key.
            d.checkSorted("SPOP", "s", "3");
            d.checkSequence("EXISTS s", "SADD s a b c");
            d.checkSorted("SPOP", "s", "9223372036854775807");
            d.checkSequence("EXISTS s");
            for (int[] sizeAndCount : new int[][] {{10, 1}, {10, 3}, {10, 9}, {300, 2}, {300, 60}, {300, 250}, {300, 299}}) {
                int size = sizeAndCount[0];
                int count = sizeAndCount[1];
                String key = "p" + size + "_" + count;
                Set<String> all = addBoth(d, key, size);
                Differential.Replies r = d.sendBoth("SPOP", key, Integer.toString(count));
                assertSameShape(r);
                assertPoppedFrom(d, key, all, r.reference(), count, true);
                assertPoppedFrom(d, key, all, r.candidate(), count, false);
                d.check("SCARD", key);
                d.check("TYPE", key);
            }
        }
    }

    @ProtocolTest
    void spopKeepsTheDeadline(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            addBoth(d, "s", 300);
            d.checkSequence("EXPIRE s 1000");
            // 280 of 300 rewrites the 20 that stay under a new version; 5 of 20 deletes the 5.
            for (String count : new String[] {"280", "5"}) {
                assertSameShape(d.sendBoth("SPOP", "s", count));
                d.checkIntegerWithin(1, "TTL", "s");
            }
            d.checkSequence("SREM s nope", "SADD s extra");
            d.checkIntegerWithin(1, "TTL", "s");
            assertSameShape(d.sendBoth("SPOP", "s"));
            d.checkIntegerWithin(1, "TTL", "s");
            d.checkSequence("SCARD s");
        }
    }

    @ProtocolTest
    void srandmember(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SRANDMEMBER nokey", "SRANDMEMBER nokey 0", "SRANDMEMBER nokey 5", "SRANDMEMBER nokey -5",
                    "SRANDMEMBER nokey x", "SRANDMEMBER nokey -9223372036854775808", "SRANDMEMBER", "SRANDMEMBER s 1 2",
                    "SADD s a b c", "SRANDMEMBER s 0", "SRANDMEMBER s x", "SRANDMEMBER s 1.0",
                    "SRANDMEMBER s 9223372036854775808", "SRANDMEMBER s -9223372036854775808",
                    "SRANDMEMBER s -9223372036854775809", "SCARD s");
            // count >= size is the whole set, whatever the order.
            d.checkSorted("SRANDMEMBER", "s", "3");
            d.checkSorted("SRANDMEMBER", "s", "100");
            d.checkSorted("SRANDMEMBER", "s", "9223372036854775807");
            d.checkSequence("SADD one only", "SRANDMEMBER one", "SRANDMEMBER one 1", "SRANDMEMBER one -3",
                    "SRANDMEMBER one 5");
            d.check(bytes("SADD"), BINARY, BINARY);
            d.check(bytes("SRANDMEMBER"), BINARY);
            d.check(bytes("SRANDMEMBER"), BINARY, bytes("-2"));
            for (int size : new int[] {3, 50, 400}) {
                String key = "r" + size;
                Set<String> all = addBoth(d, key, size);
                for (String count : new String[] {"1", "2", "-1", "-2", "-10", "-1000", Integer.toString(size - 1),
                    Integer.toString(size / 3), Integer.toString(size / 2)}) {
                    Differential.Replies r = d.sendBoth("SRANDMEMBER", key, count);
                    assertSameShape(r);
                    boolean distinct = !count.startsWith("-");
                    assertDrawnFrom(all, r.reference(), distinct);
                    assertDrawnFrom(all, r.candidate(), distinct);
                }
                for (int i = 0; i < 3; i++) {
                    Differential.Replies r = d.sendBoth("SRANDMEMBER", key);
                    assertEquals(RespType.BULK_STRING, r.candidate().type(), r.candidate().toString());
                    assertTrue(all.contains(hex(r.candidate())), r.candidate().toString());
                }
                d.check("SCARD", key);
            }
        }
    }

    @ProtocolTest
    void smove(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SMOVE nokey dst a", "EXISTS dst",
                    "SADD src a b c", "SMOVE src dst nope", "EXISTS dst", "SMOVE src dst a", "SMEMBERS dst",
                    "SISMEMBER src a", "SCARD src", "SMOVE src dst a",
                    "SADD dst b", "SMOVE src dst b", "SCARD dst", "SCARD src", "SISMEMBER src b",
                    "SMOVE src src c", "SMOVE src src a", "SCARD src",
                    "SMOVE src dst c", "EXISTS src", "SCARD dst",
                    "SMOVE", "SMOVE a b", "SMOVE a b c d",
                    "SADD x 1", "EXPIRE x 1000", "SADD y 2", "EXPIRE y 500", "SMOVE x y 1", "EXISTS x", "SCARD y");
            d.checkIntegerWithin(1, "TTL", "y");
            d.checkSorted("SMEMBERS", "dst");
            d.check(bytes("SADD"), BINARY, BINARY, new byte[0]);
            d.check(bytes("SMOVE"), BINARY, new byte[] {0}, BINARY);
            d.check(bytes("SMOVE"), BINARY, new byte[] {0}, new byte[0]);
            d.check(bytes("EXISTS"), BINARY);
            d.checkSorted(RespCommand.of(bytes("SMEMBERS"), new byte[] {0}));
        }
    }

    @ProtocolTest
    void interUnionDiff(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD a 1 2 3 4 5 x y", "SADD b 2 3 4 z", "SADD c 3 4 5 z y", "SADD one 4");
            String[][] reads = {
                {"SINTER", "a"}, {"SINTER", "a", "b"}, {"SINTER", "a", "b", "c"}, {"SINTER", "c", "b", "a"},
                {"SINTER", "a", "a"}, {"SINTER", "a", "nokey"}, {"SINTER", "nokey", "a"}, {"SINTER", "nokey"},
                {"SINTER", "one", "a", "b", "c"}, {"SINTER", "a", "b", "b", "one"},
                {"SUNION", "a"}, {"SUNION", "a", "b"}, {"SUNION", "a", "b", "c", "one"}, {"SUNION", "nokey"},
                {"SUNION", "nokey", "a", "nokey2"}, {"SUNION", "a", "a"},
                {"SDIFF", "a"}, {"SDIFF", "a", "b"}, {"SDIFF", "a", "b", "c"}, {"SDIFF", "a", "nokey"},
                {"SDIFF", "nokey", "a"}, {"SDIFF", "a", "a"}, {"SDIFF", "a", "b", "a"}, {"SDIFF", "b", "a"},
                {"SDIFF", "c", "one"}, {"SDIFF", "a", "one", "nokey", "b"}, {"SDIFF", "one", "a"},
            };
            for (String[] read : reads) {
                d.checkSorted(read);
            }
            d.checkSequence("SINTER", "SUNION", "SDIFF");
            // Sizes that make the difference take either path (scan the other set or point-read it).
            for (int i = 0; i < 150; i++) {
                d.sendBoth("SADD", "big", Integer.toString(i));
                if (i % 3 == 0) {
                    d.sendBoth("SADD", "third", Integer.toString(i));
                }
            }
            d.checkSorted("SDIFF", "big", "third");
            d.checkSorted("SDIFF", "third", "big");
            d.checkSorted("SDIFF", "big", "a", "third");
            d.checkSorted("SDIFF", "a", "big");
            d.checkSorted("SINTER", "big", "third", "a");
            d.checkSorted("SUNION", "third", "a", "b");
            d.check(bytes("SADD"), BINARY, BINARY, new byte[0], bytes("2"));
            d.check(bytes("SADD"), new byte[] {1}, new byte[0], BINARY, bytes("3"));
            d.checkSorted(RespCommand.of(bytes("SINTER"), BINARY, new byte[] {1}));
            d.checkSorted(RespCommand.of(bytes("SUNION"), BINARY, new byte[] {1}, bytes("a")));
            d.checkSorted(RespCommand.of(bytes("SDIFF"), BINARY, new byte[] {1}));
        }
    }

    @ProtocolTest
    void sintercard(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD a 1 2 3 4 5", "SADD b 1 2 3 4 6", "SADD c 2 3 4",
                    "SINTERCARD 1 a", "SINTERCARD 2 a b", "SINTERCARD 3 a b c", "SINTERCARD 2 a nokey",
                    "SINTERCARD 1 nokey", "SINTERCARD 2 a a",
                    "SINTERCARD 2 a b LIMIT 0", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 4",
                    "SINTERCARD 2 a b LIMIT 5", "SINTERCARD 2 a b limit 2 LIMIT 3", "SINTERCARD 2 a b LIMIT 2 LIMIT 0",
                    "SINTERCARD 2 a nokey LIMIT 1", "SINTERCARD 2 a b LIMIT 9223372036854775807",
                    "SINTERCARD 0 a", "SINTERCARD -1 a", "SINTERCARD x a", "SINTERCARD 1.0 a", "SINTERCARD \"\" a",
                    "SINTERCARD 9223372036854775808 a", "SINTERCARD 2 a", "SINTERCARD 3 a b",
                    "SINTERCARD 9223372036854775807 a",
                    "SINTERCARD 1 a LIMIT", "SINTERCARD 1 a LIMIT -1", "SINTERCARD 1 a LIMIT x",
                    "SINTERCARD 1 a LIMIT 9223372036854775808", "SINTERCARD 1 a FOO", "SINTERCARD 1 a FOO 1",
                    "SINTERCARD 1 a LIMIT 1 FOO", "SINTERCARD 1 a b", "SINTERCARD 1 nokey LIMIT -1",
                    "SINTERCARD", "SINTERCARD 1");
            d.check(bytes("SINTERCARD"), bytes("2"), bytes("a"), bytes("b"), new byte[] {'L', 'I', 'M', 'I', 'T', 0, 'x'},
                    bytes("1"));
        }
    }

    @ProtocolTest
    void storeCommands(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD a 1 2 3 x", "SADD b 2 3 y", "SADD c 3 z",
                    "SINTERSTORE dst a b", "TYPE dst", "SCARD dst",
                    "SUNIONSTORE dst a b c", "SCARD dst", "SDIFFSTORE dst a b", "SCARD dst",
                    // an empty result deletes the destination
                    "SINTERSTORE dst a nokey", "EXISTS dst", "SUNIONSTORE dst a", "SDIFFSTORE dst a a", "EXISTS dst",
                    "SUNIONSTORE dst a", "SINTERSTORE dst c x", "EXISTS dst", "SUNIONSTORE dst nokey", "SDIFFSTORE dst nokey a",
                    "SINTERSTORE nothing nokey", "EXISTS nothing",
                    // the destination is replaced whatever it held, and loses its deadline
                    "SET dst string", "EXPIRE dst 1000", "SINTERSTORE dst a b", "TYPE dst", "TTL dst",
                    "SET dst string", "SUNIONSTORE dst a", "TYPE dst", "SET dst string", "SDIFFSTORE dst a b", "TYPE dst",
                    "SADD dst old", "EXPIRE dst 1000", "SUNIONSTORE dst b", "TTL dst", "SISMEMBER dst old",
                    "SET dst string", "SINTERSTORE dst nokey a", "EXISTS dst",
                    // a source of the wrong type leaves the destination alone
                    "SET str v", "SADD dst keep", "SINTERSTORE dst a str", "SUNIONSTORE dst str", "SDIFFSTORE dst a str",
                    "SMEMBERS dst",
                    // the destination may be a source
                    "SUNIONSTORE a a b", "SCARD a", "SDIFFSTORE b b c", "SCARD b", "SINTERSTORE c c a", "SCARD c",
                    "SINTERSTORE", "SINTERSTORE dst", "SUNIONSTORE dst", "SDIFFSTORE dst");
            d.checkSorted("SMEMBERS", "a");
            d.checkSorted("SMEMBERS", "b");
            d.checkSorted("SMEMBERS", "c");
            d.checkSequence("SUNIONSTORE dst a b c");
            d.checkSorted("SMEMBERS", "dst");
            d.checkSequence("SDIFFSTORE dst a c");
            d.checkSorted("SMEMBERS", "dst");
            d.checkSequence("SINTERSTORE dst a dst");
            d.checkSorted("SMEMBERS", "dst");
            d.check(bytes("SADD"), BINARY, BINARY, new byte[0]);
            d.check(bytes("SUNIONSTORE"), new byte[] {0, 0}, BINARY, bytes("a"));
            d.checkSorted(RespCommand.of(bytes("SMEMBERS"), new byte[] {0, 0}));
            d.check(bytes("SINTERSTORE"), new byte[] {(byte) 0xff}, BINARY, new byte[] {0, 0});
            d.checkSorted(RespCommand.of(bytes("SMEMBERS"), new byte[] {(byte) 0xff}));
        }
    }

    @ProtocolTest
    void sscanErrorsAndSmallReplies(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SSCAN nokey 0", "SSCAN nokey x", "SSCAN nokey 0 COUNT 0", "SSCAN nokey 0 FOO",
                    "SSCAN nokey 18446744073709551616", "SSCAN", "SSCAN nokey",
                    "SADD s only", "SSCAN s 0", "SSCAN s 0 MATCH o*", "SSCAN s 0 MATCH x*",
                    "SSCAN s 0 MATCH only COUNT 5", "SSCAN s 0 match * count 100",
                    "SSCAN s x", "SSCAN s -x", "SSCAN s \" 1\"", "SSCAN s 1.0", "SSCAN s 18446744073709551616",
                    "SSCAN s 0 COUNT 0", "SSCAN s 0 COUNT -1", "SSCAN s 0 COUNT x", "SSCAN s 0 COUNT",
                    "SSCAN s 0 MATCH", "SSCAN s 0 TYPE set", "SSCAN s 0 FOO bar", "SSCAN s 0 COUNT 1 FOO",
                    "SSCAN s 0 COUNT 9223372036854775808", "SSCAN s 0 MATCH o* MATCH x*");
            d.check(bytes("SSCAN"), bytes("s"), new byte[] {'0', 0, 'z'});
            // Redis walks hash buckets, so a page smaller than the table may end on another cursor.
            d.checkShape("SSCAN", "s", "0", "COUNT", "1");
            d.check(bytes("SADD"), BINARY, new byte[0]);
            d.check(bytes("SSCAN"), BINARY, bytes("0"));
            d.check(bytes("SSCAN"), BINARY, bytes("0"), bytes("MATCH"), bytes("*"));
            d.check(bytes("SSCAN"), BINARY, bytes("0"), bytes("MATCH"), bytes("**"));
        }
    }

    @ProtocolTest
    void sscanIteratesEveryMemberOnce(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            for (int i = 0; i < 300; i++) {
                d.sendBoth("SADD", "s", "member:" + i);
            }
            for (int i = 0; i < 40; i++) {
                d.sendBoth("SADD", "s", "long:shared:prefix:" + "x".repeat(i % 7) + ":" + i);
            }
            d.sendBoth(bytes("SADD"), bytes("s"), new byte[0], new byte[] {0}, BINARY,
                    new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}, bytes("me*ber"));
            for (long count : new long[] {1, 3, 10, 1000}) {
                assertSscanSame(protocol, "s", count);
            }
            assertSscanSame(protocol, "s", 5, "MATCH", "member:1*");
            assertSscanSame(protocol, "s", 5, "MATCH", "*1");
            assertSscanSame(protocol, "s", 5, "MATCH", "long:shared:*:3*");
            assertSscanSame(protocol, "s", 5, "MATCH", "member:[1-2]?");
            assertSscanSame(protocol, "s", 5, "MATCH", "me\\*ber");
            assertSscanSame(protocol, "s", 5, "MATCH", "nomatch*");
            assertSscanSame(protocol, "s", 5, "MATCH", "*");
            // an intset-encoded set in Redis: one reply there, pages here
            d.checkSequence("SADD ints 1 2 3 4 5 6 7 8 9 10 11 12 -5 100");
            assertSscanSame(protocol, "ints", 2);
            assertSscanSame(protocol, "ints", 2, "MATCH", "1*");
        }
    }

    @ProtocolTest
    void largeSetsDrawFromEveryMember(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            // Large enough for respkv's sampler (more than 128 members), members spread unevenly.
            Set<String> all = addBoth(d, "s", 1000);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                Differential.Replies r = d.sendBoth("SRANDMEMBER", "s", "-100");
                assertSameShape(r);
                assertDrawnFrom(all, r.candidate(), false);
                seen.addAll(hexes(r.candidate()));
            }
            assertTrue(seen.size() > 200, "2000 draws reached only " + seen.size() + " of 1000 members");
            Differential.Replies distinct = d.sendBoth("SRANDMEMBER", "s", "300");
            assertSameShape(distinct);
            assertDrawnFrom(all, distinct.candidate(), true);
            // Popping everything in small steps drains the set on both sides.
            Set<String> popped = new HashSet<>();
            for (int i = 0; i < 2000 && !popped.containsAll(all); i++) {
                Differential.Replies r = d.sendBoth("SPOP", "s", "7");
                assertSameShape(r);
                for (String m : hexes(r.candidate())) {
                    assertTrue(all.contains(m) && popped.add(m), "popped twice or unknown: " + m);
                }
                d.check("SCARD", "s");
            }
            assertEquals(all, popped);
            d.checkSequence("EXISTS s", "SPOP s", "SPOP s 3");
        }
    }

    @ProtocolTest
    void expiry(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD s a b", "PEXPIRE s 30", "SADD t a", "PEXPIRE t 30", "SADD u a", "PEXPIRE u 30",
                    "SADD live a b c", "EXPIRE live 1000", "SADD live d", "SREM live a");
            d.checkIntegerWithin(1, "TTL", "live");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("SCARD s", "SISMEMBER s a", "SMEMBERS s", "SADD s z", "SMEMBERS s", "TTL s",
                    "SINTER live t");
            d.checkSorted("SUNION", "t", "live");
            d.checkSequence("SINTERSTORE dst u live", "EXISTS dst", "SMOVE t live a",
                    "SPOP u", "SRANDMEMBER u", "SSCAN u 0", "EXISTS t u");
            d.checkIntegerWithin(1, "TTL", "live");
        }
    }

    @ProtocolTest
    void keyCommandsOnSets(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD s a b c", "TYPE s", "EXPIRE s 1000", "COPY s c", "SCARD c", "SISMEMBER c b");
            d.checkIntegerWithin(1, "TTL", "c");
            d.checkSequence("SADD c d", "SCARD s", "SCARD c", "COPY c s REPLACE", "SCARD s",
                    "RENAME s r", "EXISTS s", "SCARD r", "SISMEMBER r d", "RENAMENX r c",
                    "MOVE r 1", "SELECT 1", "SCARD r", "SADD r e", "SELECT 0", "EXISTS r",
                    "COPY c other DB 2", "SELECT 2", "SCARD other", "SELECT 0",
                    "PERSIST c", "TTL c", "DEL c", "SCARD c", "SADD c fresh", "SMEMBERS c",
                    "SET str v", "SADD h x", "SCAN 0 TYPE set MATCH c COUNT 1000", "SCAN 0 TYPE SET MATCH h COUNT 1000",
                    "SCAN 0 TYPE string MATCH h COUNT 1000");
            d.checkSorted("SMEMBERS", "c");
            d.checkSorted("KEYS", "*");
        }
    }

    @ProtocolTest
    void readLookupsCountKeyspaceHitsAndMisses(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SADD a 1 2 3", "SADD b 2 3 4", "SET str v");
            String[] steps = {
                "SISMEMBER a 1", "SISMEMBER nokey 1", "SMISMEMBER a 1 2", "SMISMEMBER nokey 1", "SCARD a",
                "SCARD nokey", "SMEMBERS a", "SMEMBERS nokey", "SRANDMEMBER a", "SRANDMEMBER nokey 3",
                "SRANDMEMBER a -2", "SINTER a nokey b", "SINTER a b", "SINTERCARD 2 a b", "SUNION a nokey",
                "SDIFF nokey a", "SINTERSTORE d1 a b", "SUNIONSTORE d2 a nokey", "SDIFFSTORE d3 a b",
                "SSCAN a 0", "SSCAN nokey 0", "SSCAN a x", "SINTER str a", "SISMEMBER str 1",
                "SADD a 9", "SREM a 9", "SMOVE a b 1", "SMOVE nokey b 1", "SPOP b", "SPOP a 1", "SPOP b 10",
                "SPOP nokey 2",
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

    // ---- helpers ----

    /** Adds members {@code "0" .. size-1} to {@code key} on both sides (one command); returns them as hex. */
    private static Set<String> addBoth(Differential d, String key, int size) {
        List<String> args = new ArrayList<>(List.of("SADD", key));
        Set<String> all = new TreeSet<>();
        for (int i = 0; i < size; i++) {
            String member = Integer.toString(i);
            args.add(member);
            all.add(HexFormat.of().formatHex(bytes(member)));
        }
        d.check(args.toArray(new String[0]));
        return all;
    }

    private static void assertSameShape(Differential.Replies r) {
        assertEquals(r.reference().shape(), r.candidate().shape(),
                "reply shapes differ: redis " + r.reference() + ", respkv " + r.candidate());
    }

    /** Every element of {@code reply} is in {@code all}; with {@code distinct}, none twice. */
    private static void assertDrawnFrom(Set<String> all, RespFrame reply, boolean distinct) {
        List<String> drawn = hexes(reply);
        assertTrue(all.containsAll(drawn), "drew a non-member: " + reply);
        if (distinct) {
            assertEquals(drawn.size(), new HashSet<>(drawn).size(), "a member drawn twice: " + reply);
        }
    }

    /**
     * {@code reply} to SPOP count on one side holds {@code count} distinct members of {@code all},
     * and that side's set now holds exactly the others.
     */
    private static void assertPoppedFrom(Differential d, String key, Set<String> all, RespFrame reply, int count,
            boolean reference) {
        List<String> popped = hexes(reply);
        assertEquals(count, popped.size(), reply.toString());
        assertDrawnFrom(all, reply, true);
        Differential.Replies left = d.sendBoth("SMEMBERS", key);
        Set<String> rest = new TreeSet<>(hexes(reference ? left.reference() : left.candidate()));
        Set<String> expected = new TreeSet<>(all);
        popped.forEach(expected::remove);
        assertEquals(expected, rest, (reference ? "redis" : "respkv") + " kept the wrong members");
    }

    private static List<String> hexes(RespFrame aggregate) {
        assertTrue(aggregate.type().isAggregate(), aggregate.toString());
        List<String> out = new ArrayList<>();
        for (RespFrame e : aggregate.elements()) {
            out.add(hex(e));
        }
        return out;
    }

    private static String hex(RespFrame bulk) {
        return HexFormat.of().formatHex(bulk.payload());
    }

    /**
     * Iterates SSCAN of {@code key} to the end on Redis and on respkv and asserts both return the
     * same set of members, respkv each exactly once.
     */
    private void assertSscanSame(ProtocolVersion protocol, String key, long count, String... options)
            throws IOException {
        Set<String> expected = new TreeSet<>(sscanAll(redis().target(), protocol, key, count, options));
        List<String> actual = sscanAll(RespTarget.loopback("respkv", respkvPort()), protocol, key, count, options);
        Set<String> actualSet = new TreeSet<>(actual);
        assertEquals(actual.size(), actualSet.size(), "respkv returned a member twice: " + actual);
        assertEquals(expected, actualSet, "SSCAN " + key + " COUNT " + count + " " + String.join(" ", options));
    }

    /** Every member a full SSCAN iteration returns, hex-encoded, in the order returned. */
    private static List<String> sscanAll(RespTarget target, ProtocolVersion protocol, String key, long count,
            String[] options) throws IOException {
        try (RawRespClient c = RawRespClient.connect(target)) {
            if (protocol == ProtocolVersion.RESP3) {
                c.call("HELLO", "3");
            }
            List<String> out = new ArrayList<>();
            String cursor = "0";
            for (int calls = 0; calls < 10_000; calls++) {
                List<String> args = new ArrayList<>(List.of("SSCAN", key, cursor, "COUNT", Long.toString(count)));
                args.addAll(Arrays.asList(options));
                RespFrame reply = c.call(args.toArray(new String[0]));
                assertFalse(reply.isError(), reply.toString());
                assertEquals(2, reply.elements().size(), reply.toString());
                cursor = reply.elements().get(0).text();
                assertTrue(Long.parseLong(cursor) >= 0, cursor);
                out.addAll(hexes(reply.elements().get(1)));
                if (cursor.equals("0")) {
                    return out;
                }
            }
            fail("SSCAN did not finish in 10000 calls on " + target);
            return out;
        }
    }
}
