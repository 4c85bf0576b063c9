package io.respkv.server.command;

import static io.respkv.server.difftest.Differential.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.ProtocolVersion;
import io.respkv.api.Transaction;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespType;
import io.respkv.server.difftest.RespkvDifferentialTest;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sorted-set commands against a real redis-server 7.0.15, byte for byte, in RESP2 and RESP3
 * (where RESP3 replies differ: doubles, [member, score] pairs for ZRANGE ... WITHSCORES, ZUNION,
 * ZRANDMEMBER, ZPOPMIN with a count, ZMPOP).
 *
 * <p>Sets of more than 128 members (or with a member over 64 bytes) are skiplists in Redis, the
 * others listpacks; the tests cover both, since a few answers differ (-0, ZSCAN). Random
 * commands are compared by shape and membership. A full ZSCAN of a large set is compared as a
 * set of (member, score) pairs: Redis pages in hash order, respkv in member order.
 *
 * <p>Keys of other types are made out of band where respkv lacks the type's commands: a set is
 * written in the set layout (docs/encoding.md), a list as a bare metadata entry (enough for
 * WRONGTYPE and for being overwritten). Hashes are real.
 */
class ZSetCommandsDifferentialTest extends RespkvDifferentialTest {

    /** Three hundred members: a skiplist in Redis. */
    private static final int BIG = 300;

    // ---------------------------------------------------------------- ZADD / ZINCRBY

    @ProtocolTest
    void zaddBasicsAndFlags(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "ZADD z 1 a", "ZADD z 2 b 3 c", "ZADD z 1 a", "ZADD z 5 a", "ZRANGE z 0 -1 WITHSCORES",
                    "ZADD z NX 10 a 4 d", "ZADD z XX 10 a 4 e", "ZADD z XX CH 11 a 11 a", "ZSCORE z a",
                    "ZADD z CH 11 a 12 b 13 x", "ZADD z GT 1 a 20 b", "ZADD z LT 1 a 30 b", "ZADD z GT CH 100 c 1 new",
                    "ZADD z LT CH 0 c 5 c", "ZADD z XX GT CH 200 c 1 notthere", "ZRANGE z 0 -1 WITHSCORES",
                    "ZADD z 1 dup 2 dup 3 dup", "ZSCORE z dup", "ZADD z CH 9 dup 9 dup", "ZCARD z",
                    "ZADD z nx xx 1 a", "ZADD z NX GT 1 a", "ZADD z NX LT 1 a", "ZADD z GT LT 1 a",
                    "ZADD z XX NX GT 1 a", "ZADD z INCR 1 a 2 b", "ZADD z 1", "ZADD z 1 a 2", "ZADD z NX",
                    "ZADD z NX XX", "ZADD z abc a", "ZADD z 1 a abc b", "ZADD z nan a", "ZADD z 1e400 a",
                    "ZADD z \" 1\" a", "ZADD z \"1 \" a", "ZADD z \"\" a", "ZADD z ch", "ZADD z foo 1 a",
                    "ZADD z 1 a nx", "ZADD", "ZADD z", "ZADD z 1",
                    "ZADD miss XX 1 a", "EXISTS miss", "ZADD miss XX INCR 1 a", "ZADD miss XX CH 1 a",
                    "ZADD z 0x10 hex 1.5e-320 sub -1e-310 negsub", "ZRANGE z 0 2 WITHSCORES", "ZSCORE z hex",
                    "ZSCORE z sub", "ZSCORE z negsub",
                    "ZADD z inf top -inf bottom +inf top2 -INF bottom2 Infinity top3", "ZRANGE z 0 -1 WITHSCORES",
                    "ZADD z 1.1 f 0.1 g 1e20 h 123456789012345678 i 3.0000000000000004 j -2.5e-5 k",
                    "ZRANGE z 0 -1 WITHSCORES");
        }
    }

    @ProtocolTest
    void zaddIncrAndZincrby(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "ZADD z INCR 1 a", "ZADD z INCR 2.5 a", "ZADD z INCR -10 a", "ZADD z NX INCR 1 a",
                    "ZADD z XX INCR 1 b", "ZADD z NX INCR 7 b", "ZADD z GT INCR -1 a", "ZADD z LT INCR -1 a",
                    "ZADD z GT INCR 1 a", "ZADD z INCR 0 a", "ZADD z CH INCR 1 a",
                    "ZINCRBY z 1 a", "ZINCRBY z -1.5 newm", "ZINCRBY z abc a", "ZINCRBY z nan a", "ZINCRBY z nx a",
                    "ZINCRBY z incr a", "ZINCRBY z 1 a b", "ZINCRBY z", "ZINCRBY z 1",
                    "ZADD inf 1 a", "ZINCRBY inf inf a", "ZINCRBY inf -inf a", "ZSCORE inf a", "ZINCRBY inf inf a",
                    "ZADD inf INCR -inf a", "ZADD inf INCR +inf a", "ZINCRBY inf 1e308 big", "ZINCRBY inf 1e308 big",
                    "ZINCRBY inf -1e308 big", "ZRANGE inf 0 -1 WITHSCORES",
                    "ZINCRBY fresh 5 m", "ZRANGE fresh 0 -1 WITHSCORES", "ZINCRBY fresh 0.1 m", "ZINCRBY fresh 0.2 m",
                    "ZADD fresh GT INCR 3 newgt", "ZADD fresh LT INCR -3 newlt", "ZADD fresh GT CH 7 newgt2 1 m",
                    "ZADD fresh LT CH 7 newlt2 100 m", "ZRANGE fresh 0 -1 WITHSCORES");
        }
    }

    @ProtocolTest
    void negativeZeroFollowsTheEncoding(ProtocolVersion protocol) throws IOException {
        String longMember = "m".repeat(65);
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    // A listpack stores -0 as 0; the reply to the command itself keeps the sign.
                    "ZADD lp -0 a", "ZSCORE lp a", "ZINCRBY lp -0 b", "ZSCORE lp b", "ZADD lp INCR -0 c",
                    "ZADD lp -0.0 d 0 e", "ZRANGE lp 0 -1 WITHSCORES", "ZRANGEBYSCORE lp -0 0 WITHSCORES",
                    "ZRANGEBYSCORE lp (-0 0", "ZCOUNT lp -0 -0", "ZSCAN lp 0",
                    // A member over 64 bytes makes a skiplist at once: -0 is kept.
                    "ZADD sl -0 " + longMember, "ZSCORE sl " + longMember, "ZADD sl -0 x 0 y 1 z", "ZSCORE sl x",
                    "ZRANGE sl 0 -1 WITHSCORES", "ZRANGEBYSCORE sl 0 0 WITHSCORES", "ZMSCORE sl x y",
                    "ZPOPMIN sl", "ZADD sl 0 x", "ZSCORE sl x", "ZADD sl GT -0 y", "ZADD sl CH 0 x",
                    "ZRANGESTORE dst sl 0 -1", "ZRANGE dst 0 -1 WITHSCORES", "ZUNIONSTORE u 1 sl",
                    "ZRANGE u 0 -1 WITHSCORES", "ZREM sl " + longMember, "ZUNIONSTORE u2 1 sl",
                    "ZRANGE u2 0 -1 WITHSCORES", "ZRANGESTORE d2 sl 0 -1 BYSCORE", "ZRANGE d2 0 -1 WITHSCORES",
                    "ZUNION 1 sl WITHSCORES", "ZINTER 2 sl sl WITHSCORES", "ZDIFF 1 sl WITHSCORES",
                    "ZADD sl -0 w", "ZSCORE sl w", "ZRANDMEMBER sl 10 WITHSCORES",
                    // converting in the middle of one command: members before it lost the sign
                    "ZADD mid -0 a -0 " + longMember + " -0 b", "ZRANGE mid 0 -1 WITHSCORES",
                    "ZADD first -0 " + longMember + " -0 a", "ZRANGE first 0 -1 WITHSCORES",
                    "ZADD src -0 a -0 b 1 " + "z".repeat(65), "ZRANGESTORE rs src 0 -1", "ZRANGE rs 0 -1 WITHSCORES",
                    "ZRANGESTORE rs src -inf +inf BYSCORE", "ZRANGE rs 0 -1 WITHSCORES", "ZUNIONSTORE us 1 src",
                    "ZRANGE us 0 -1 WITHSCORES", "ZINTERSTORE is 1 src WEIGHTS -1", "ZRANGE is 0 -1 WITHSCORES",
                    "ZUNIONSTORE us2 1 mid", "ZRANGE us2 0 -1 WITHSCORES");
        }
        assertZscanSame(protocol, "first", 10); // a skiplist: Redis answers in hash order
    }

    @ProtocolTest
    void crossingToASkiplist(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check(zaddCommand("z", 128, 0));
            d.checkSequence("ZADD z -0 negzero", "ZSCORE z negzero", "ZCARD z",
                    "ZADD z -0 another", "ZSCORE z another", "ZREM z another negzero", "ZCARD z",
                    "ZADD z -0 third", "ZSCORE z third");
            d.check(zaddCommand("y", 127, 0));
            d.checkSequence("ZADD y -0 first -0 second", "ZSCORE y first", "ZSCORE y second");
        }
    }

    // ---------------------------------------------------------------- ZREM, ZSCORE, ZMSCORE, ZCARD

    @ProtocolTest
    void zremAndPointReads(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "ZADD z 1 a 2 b 3 c", "ZREM z a nope a", "ZREM z nope", "ZREM nokey a", "ZCARD z",
                    "ZSCORE z b", "ZSCORE z a", "ZSCORE nokey a", "ZMSCORE z b a c", "ZMSCORE nokey a b",
                    "ZMSCORE z", "ZCARD nokey", "ZREM z b c d", "EXISTS z", "ZCARD z", "ZSCORE z b",
                    "ZREM z", "ZSCORE z", "ZCARD", "ZCARD a b");
            byte[] bin = {0, (byte) 0xff, '\r', '\n', 'x'};
            d.check(bytes("ZADD"), bin, bytes("1.5"), bin, bytes("2"), new byte[0]);
            d.check(bytes("ZSCORE"), bin, bin);
            d.check(bytes("ZSCORE"), bin, new byte[0]);
            d.check(bytes("ZRANGE"), bin, bytes("0"), bytes("-1"), bytes("WITHSCORES"));
            d.check(bytes("ZMSCORE"), bin, new byte[0], bin, Arrays.copyOf(bin, 4));
            d.check(bytes("ZREM"), bin, new byte[0], bin);
            d.check(bytes("EXISTS"), bin);
        }
    }

    // ---------------------------------------------------------------- ZRANGE by rank

    @ProtocolTest
    void zrangeByRank(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c 4 d 5 e 5 f 5 g");
            for (String range : List.of("0 -1", "0 0", "1 3", "-1 -1", "-3 -1", "-100 100", "5 2", "7 10",
                    "-1 0", "0 -8", "-8 -8", "3 -3", "6 6", "-9223372036854775808 9223372036854775807")) {
                d.checkSequence("ZRANGE z " + range, "ZRANGE z " + range + " WITHSCORES",
                        "ZRANGE z " + range + " REV", "ZRANGE z " + range + " REV WITHSCORES",
                        "ZREVRANGE z " + range, "ZREVRANGE z " + range + " WITHSCORES");
            }
            d.checkSequence("ZRANGE z 0 -1 rev withscores REV", "ZRANGE z 0 -1 rev withscores",
                    "ZRANGE z (1 [2 BYLEX BYLEX", "ZRANGE z 1 2 BYSCORE byscore", "ZRANGE z 0 -1 LIMIT 0 1",
                    "ZRANGE z 0 -1 LIMIT 5 -1", "ZRANGE z 0 -1 LIMIT 0 -2", "ZREVRANGE z 0 -1 LIMIT 0 1",
                    "ZREVRANGE z 0 -1 REV", "ZREVRANGE z 0 -1 BYSCORE", "ZRANGE z a 1", "ZRANGE z 0 1.5",
                    "ZRANGE z 0 -1 WITHSCORES extra", "ZRANGE z 0 -1 LIMIT 1", "ZRANGE z 0 -1 LIMIT x 1 BYSCORE",
                    "ZRANGE z 0", "ZRANGE nokey 0 -1", "ZRANGE nokey 0 -1 WITHSCORES", "ZRANGE nokey a b",
                    "ZREVRANGE nokey 0 -1", "ZRANGE z 0 -1 BYSCORE BYLEX", "ZRANGE z (1 [2 BYLEX BYSCORE");
        }
    }

    @ProtocolTest
    void bigSetByRank(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check(zaddCommand("big", BIG, 7));
            for (String range : List.of("0 10", "0 0", "-1 -1", "-11 -1", "140 160", "-160 -140", "0 -1",
                    "290 400", "299 299", "150 150", "-300 -300", "-301 -290")) {
                d.checkSequence("ZRANGE big " + range + " WITHSCORES", "ZREVRANGE big " + range + " WITHSCORES");
            }
            for (int i : new int[] {0, 1, 2, 99, 150, 151, 200, 298, 299}) {
                d.checkSequence("ZRANK big m" + i, "ZREVRANK big m" + i);
            }
            d.checkSequence("ZRANK big nope", "ZCARD big", "ZCOUNT big -inf +inf", "ZCOUNT big 100 (200",
                    "ZRANGEBYSCORE big 1000 2000 LIMIT 3 5 WITHSCORES", "ZREVRANGEBYSCORE big (2000 1000 LIMIT 2 4",
                    "ZREMRANGEBYRANK big 0 9", "ZREMRANGEBYRANK big -10 -1", "ZRANGE big 0 2", "ZRANGE big -3 -1",
                    "ZCARD big", "ZREMRANGEBYRANK big 100 119", "ZRANGE big 98 102 WITHSCORES",
                    "ZPOPMIN big 3", "ZPOPMAX big 3", "ZMPOP 1 big MIN COUNT 2", "ZCARD big",
                    "ZREMRANGEBYSCORE big 500 700", "ZCARD big", "ZRANGE big 30 40 WITHSCORES");
        }
    }

    // ---------------------------------------------------------------- ZRANGE by score

    @ProtocolTest
    void zrangeByScore(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z -inf ninf 1 a 2 b 2 b2 3 c 4.5 d 10 e inf pinf");
            for (String range : List.of("-inf +inf", "1 3", "(1 3", "1 (3", "(1 (3", "2 2", "(2 2", "2 (2",
                    "3 1", "(2 (2", "-inf -inf", "(-inf -inf", "inf inf", "+inf +inf", "(inf inf", "0 0",
                    "\"\" 10", "( 4.5", "\"(\" 4.5", "\" 1\" \"  3\"", "0x1 0x3", "1e999 +inf", "-1e999 -1e999",
                    "-inf (-1e999", "4.5 (4.50000000000000001", "1e-400 2", "(-0 +0", "-0 +0")) {
                d.checkSequence("ZRANGEBYSCORE z " + range, "ZRANGEBYSCORE z " + range + " WITHSCORES",
                        "ZCOUNT z " + range, "ZRANGE z " + range + " BYSCORE WITHSCORES");
                String[] parts = splitRange(range);
                d.checkSequence("ZREVRANGEBYSCORE z " + parts[1] + " " + parts[0],
                        "ZRANGE z " + parts[1] + " " + parts[0] + " BYSCORE REV WITHSCORES");
            }
            for (String limit : List.of("0 2", "1 2", "2 100", "0 0", "0 -1", "3 -5", "-1 2", "-1 -1", "7 1",
                    "8 1", "100 1", "1 0", "9223372036854775807 1")) {
                d.checkSequence("ZRANGEBYSCORE z -inf +inf LIMIT " + limit,
                        "ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT " + limit,
                        "ZRANGE z (1 10 BYSCORE LIMIT " + limit);
            }
            d.checkSequence("ZRANGEBYSCORE z a 1", "ZRANGEBYSCORE z 1 b", "ZRANGEBYSCORE z nan 1",
                    "ZRANGEBYSCORE z 1 (nan", "ZRANGEBYSCORE z ((1 2", "ZRANGEBYSCORE z \"1 \" 2",
                    "ZRANGEBYSCORE z \" \" 2", "ZRANGEBYSCORE z - 2", "ZRANGEBYSCORE z 1 2 LIMIT 0",
                    "ZRANGEBYSCORE z 1 2 LIMIT a 1", "ZRANGEBYSCORE z 1 2 LIMIT 0 b", "ZRANGEBYSCORE z 1 2 REV",
                    "ZRANGEBYSCORE z 1 2 BYSCORE", "ZRANGEBYSCORE z 1 2 WITHSCORES WITHSCORES",
                    "ZREVRANGEBYSCORE z 1 2 BYLEX", "ZRANGEBYSCORE nokey 1 2", "ZRANGEBYSCORE nokey a 2",
                    "ZCOUNT nokey 1 2", "ZCOUNT nokey a 2", "ZCOUNT z", "ZRANGEBYSCORE z 1",
                    "ZRANGE z 1 2 BYSCORE LIMIT 1 1 REV WITHSCORES");
            d.check(bytes("ZRANGEBYSCORE"), bytes("z"), new byte[] {'1', 0, 'x'}, bytes("3"));
            d.check(bytes("ZRANGEBYSCORE"), bytes("z"), new byte[] {0}, new byte[] {'(', 0, '9'});
            d.check(bytes("ZCOUNT"), bytes("z"), new byte[] {'(', '1'}, new byte[] {'+', 'i', 'n', 'f', 0});
        }
    }

    // ---------------------------------------------------------------- lexicographic ranges

    @ProtocolTest
    void lexRanges(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 0 a 0 aa 0 ab 0 b 0 ba 0 c 0 \"\" 0 d");
            for (String range : List.of("- +", "[a [b", "(a (b", "[a (b", "(a [ba", "[aa [aa", "(aa [aa",
                    "[b [a", "- [b", "(b +", "+ -", "- -", "+ +", "[ +", "( +", "- [", "- (", "[c +",
                    "[\"\" [a", "(z +", "- (\"\"")) {
                String[] p = splitRange(range);
                d.checkSequence("ZRANGEBYLEX z " + range, "ZLEXCOUNT z " + range, "ZRANGE z " + range + " BYLEX",
                        "ZREVRANGEBYLEX z " + p[1] + " " + p[0], "ZRANGE z " + p[1] + " " + p[0] + " BYLEX REV");
            }
            for (String limit : List.of("0 2", "1 3", "0 0", "2 -1", "-1 2", "7 1", "100 1")) {
                d.checkSequence("ZRANGEBYLEX z - + LIMIT " + limit, "ZREVRANGEBYLEX z + - LIMIT " + limit,
                        "ZRANGE z [a [c BYLEX LIMIT " + limit);
            }
            d.checkSequence("ZRANGEBYLEX z a [b", "ZRANGEBYLEX z [a b", "ZRANGEBYLEX z \"\" +",
                    "ZRANGEBYLEX z +a -", "ZRANGEBYLEX z - -a", "ZRANGEBYLEX z [a [b WITHSCORES",
                    "ZRANGE z - + BYLEX WITHSCORES", "ZLEXCOUNT z a b", "ZLEXCOUNT nokey - +", "ZLEXCOUNT nokey a b",
                    "ZRANGEBYLEX nokey - +", "ZRANGEBYLEX z - + LIMIT 1", "ZRANGEBYLEX z - + BYSCORE",
                    "ZRANGEBYLEX z 1 2", "ZREMRANGEBYLEX z a b", "ZREMRANGEBYLEX nokey a b",
                    "ZREMRANGEBYLEX z [aa (b", "ZRANGE z 0 -1", "ZREMRANGEBYLEX z - [a", "ZRANGE z 0 -1",
                    "ZREMRANGEBYLEX z - +", "EXISTS z");
            d.check(bytes("ZADD"), bytes("bin"), bytes("0"), new byte[] {0}, bytes("0"), new byte[] {(byte) 0xff},
                    bytes("0"), new byte[] {'a', 0, 'b'}, bytes("0"), bytes("a"));
            d.check(bytes("ZRANGEBYLEX"), bytes("bin"), new byte[] {'+', 0}, new byte[] {'-', 0, 'x'});
            d.check(bytes("ZRANGEBYLEX"), bytes("bin"), new byte[] {'-', 0, 'x'}, new byte[] {'+', 0, 'y'});
            d.check(bytes("ZRANGEBYLEX"), bytes("bin"), new byte[] {'(', 'a'}, new byte[] {'[', 'a', 0, 'c'});
            d.check(bytes("ZRANGEBYLEX"), bytes("bin"), new byte[] {'[', 0}, new byte[] {'(', (byte) 0xff});
            d.check(bytes("ZLEXCOUNT"), bytes("bin"), new byte[] {'(', 0}, new byte[] {'+'});
            d.check(bytes("ZRANGEBYLEX"), bytes("bin"), new byte[] {'+', 'x'}, new byte[] {'+'});
        }
    }

    @ProtocolTest
    void lexRangesOverMixedScores(ProtocolVersion protocol) {
        // Redis calls the answer unspecified; for a listpack it is a walk in score order.
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 b 2 a 3 d 4 c 5 f 6 e");
            for (String range : List.of("- +", "[a [c", "[b [d", "(b +", "- (c", "[c [c", "[e +", "[a [a",
                    "[f [f", "- [a", "[g +", "(a (f")) {
                String[] p = splitRange(range);
                d.checkSequence("ZRANGEBYLEX z " + range, "ZLEXCOUNT z " + range,
                        "ZREVRANGEBYLEX z " + p[1] + " " + p[0], "ZRANGEBYLEX z " + range + " LIMIT 1 2");
            }
            d.checkSequence("ZADD y 1 z 2 a", "ZRANGEBYLEX y [b +", "ZRANGEBYLEX y - [y", "ZREVRANGEBYLEX y + [b",
                    "ZREMRANGEBYLEX z [b [d", "ZRANGE z 0 -1");
        }
    }

    // ---------------------------------------------------------------- ZREMRANGEBY*

    @ProtocolTest
    void zremrange(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (String range : List.of("0 0", "-1 -1", "1 -2", "5 3", "10 20", "-100 100", "-2 1", "0 -1")) {
                d.checkSequence("DEL z", "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZREMRANGEBYRANK z " + range,
                        "ZRANGE z 0 -1 WITHSCORES", "EXISTS z");
            }
            for (String range : List.of("2 4", "(2 4", "2 (4", "-inf +inf", "6 7", "4 2", "(3 (3", "3 3")) {
                d.checkSequence("DEL z", "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZREMRANGEBYSCORE z " + range,
                        "ZRANGE z 0 -1 WITHSCORES", "EXISTS z");
            }
            d.checkSequence("ZREMRANGEBYRANK z a 1", "ZREMRANGEBYRANK z 1 b", "ZREMRANGEBYRANK nokey 0 -1",
                    "ZREMRANGEBYRANK nokey a 1", "ZREMRANGEBYSCORE z a 1", "ZREMRANGEBYSCORE nokey 1 2",
                    "ZREMRANGEBYSCORE nokey x 2", "ZREMRANGEBYRANK z 0", "ZREMRANGEBYSCORE z 0 1 2");
        }
    }

    // ---------------------------------------------------------------- ZRANK, ZREVRANK

    @ProtocolTest
    void zrank(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c 3 d", "ZRANK z a", "ZRANK z c", "ZRANK z d", "ZREVRANK z a",
                    "ZREVRANK z d", "ZRANK z nope", "ZREVRANK z nope", "ZRANK nokey a", "ZREVRANK nokey a",
                    "ZRANK z", "ZRANK z a b", "ZRANK z a WITHSCORE");
        }
    }

    // ---------------------------------------------------------------- pops

    @ProtocolTest
    void zpop(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c 4 d 5 e", "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 1", "ZPOPMAX z 0",
                    "ZPOPMIN z 0", "ZPOPMIN z -1", "ZPOPMIN z abc", "ZPOPMIN z 1 2", "ZPOPMIN z 1.5", "ZCARD z",
                    "ZPOPMAX z 10", "EXISTS z", "ZPOPMIN z", "ZPOPMIN z 2", "ZPOPMAX nokey", "ZPOPMAX nokey 0",
                    "ZPOPMAX nokey -1", "ZADD z inf a -inf b", "ZPOPMAX z 1", "ZPOPMIN z 5", "ZPOPMIN",
                    "ZADD z 1 a 1 b 1 c", "ZPOPMIN z 2", "ZPOPMAX z");
        }
    }

    @ProtocolTest
    void zmpop(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z1 1 a 2 b 3 c", "ZADD z2 10 x 20 y",
                    "ZMPOP 1 z1 MIN", "ZMPOP 1 z1 max", "ZMPOP 2 nokey z2 MIN COUNT 5", "EXISTS z2",
                    "ZMPOP 2 nokey z1 MAX COUNT 1", "ZMPOP 2 nokey z2 MIN", "ZMPOP 1 nokey MIN",
                    "ZMPOP 0 z1 MIN", "ZMPOP -1 z1 MIN", "ZMPOP abc z1 MIN", "ZMPOP 2 z1 MIN", "ZMPOP 1 z1 FOO",
                    "ZMPOP 1 z1 MIN COUNT", "ZMPOP 1 z1 MIN COUNT 0", "ZMPOP 1 z1 MIN COUNT -1",
                    "ZMPOP 1 z1 MIN COUNT x", "ZMPOP 1 z1 MIN COUNT 1 COUNT 1", "ZMPOP 1 z1 MIN foo",
                    "ZMPOP 3 z1 MIN", "ZMPOP 1 z1", "ZMPOP 9223372036854775807 z1 MIN",
                    "SET str v", "ZMPOP 2 nokey str MIN", "ZADD z3 1 q", "ZMPOP 2 z3 str MIN", "ZMPOP 2 z3 str MIN");
        }
    }

    // ---------------------------------------------------------------- ZRANDMEMBER

    @ProtocolTest
    void zrandmember(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c 4 d 5 e",
                    // count >= size: every member, highest score first
                    "ZRANDMEMBER z 5", "ZRANDMEMBER z 100 WITHSCORES", "ZRANDMEMBER z 9223372036854775807",
                    "ZRANDMEMBER z 0", "ZRANDMEMBER z 0 WITHSCORES", "ZRANDMEMBER nokey", "ZRANDMEMBER nokey 5",
                    "ZRANDMEMBER nokey -5 WITHSCORES", "ZRANDMEMBER z abc", "ZRANDMEMBER z 1 foo",
                    "ZRANDMEMBER z 1 WITHSCORES foo", "ZRANDMEMBER z -9223372036854775808",
                    "ZRANDMEMBER z 4611686018427387904 WITHSCORES", "ZRANDMEMBER z -4611686018427387905 WITHSCORES",
                    "ZRANDMEMBER z 4611686018427387903 WITHSCORES");
            for (String args : List.of("", "1", "-1", "2", "3", "4", "-3", "-20", "2 WITHSCORES", "-7 WITHSCORES",
                    "1 WITHSCORES", "4 withscores")) {
                List<String> cmd = new ArrayList<>(List.of("ZRANDMEMBER", "z"));
                if (!args.isEmpty()) {
                    cmd.addAll(List.of(args.split(" ")));
                }
                d.checkShape(cmd.toArray(new String[0]));
                assertMembers(d.sendBoth(cmd.toArray(new String[0])).candidate(), args,
                        Map.of("a", "1", "b", "2", "c", "3", "d", "4", "e", "5"), protocol);
            }
            d.check(zaddCommand("big", BIG, 3));
            d.checkSequence("ZRANDMEMBER big 300 WITHSCORES", "ZRANDMEMBER big 1000");
            d.checkShape("ZRANDMEMBER", "big", "10", "WITHSCORES");
            d.checkShape("ZRANDMEMBER", "big", "-400");
            d.checkShape("ZRANDMEMBER", "big", "200");
            d.checkShape("ZRANDMEMBER", "big", "299");
            RespFrame distinct = d.sendBoth("ZRANDMEMBER", "big", "250").candidate();
            Set<String> seen = new HashSet<>();
            for (RespFrame f : distinct.elements()) {
                assertTrue(seen.add(f.text()), "a repeated member in " + distinct);
            }
        }
    }

    /** Checks that each member of a ZRANDMEMBER reply is in {@code scores}, with its score. */
    private static void assertMembers(RespFrame reply, String args, Map<String, String> scores,
            ProtocolVersion protocol) {
        if (reply.type() == RespType.BULK_STRING) {
            assertTrue(scores.containsKey(reply.text()), reply.toString());
            return;
        }
        boolean withScores = args.toUpperCase().contains("WITHSCORES");
        List<RespFrame> items = reply.elements();
        List<String[]> pairs = new ArrayList<>();
        if (withScores && protocol == ProtocolVersion.RESP3) {
            for (RespFrame pair : items) {
                pairs.add(new String[] {pair.elements().get(0).text(), pair.elements().get(1).text()});
            }
        } else if (withScores) {
            for (int i = 0; i < items.size(); i += 2) {
                pairs.add(new String[] {items.get(i).text(), items.get(i + 1).text()});
            }
        } else {
            for (RespFrame f : items) {
                pairs.add(new String[] {f.text(), null});
            }
        }
        Set<String> seen = new HashSet<>();
        boolean unique = !args.startsWith("-");
        for (String[] p : pairs) {
            assertTrue(scores.containsKey(p[0]), "not a member: " + p[0] + " in " + reply);
            if (p[1] != null) {
                assertEquals(scores.get(p[0]), p[1], reply.toString());
            }
            if (unique) {
                assertTrue(seen.add(p[0]), "repeated " + p[0] + " in " + reply);
            }
        }
    }

    // ---------------------------------------------------------------- ZUNION, ZINTER, ZDIFF

    @ProtocolTest
    void unionInterDiff(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z1 1 a 2 b 3 c", "ZADD z2 10 b 20 c 30 d", "ZADD z3 100 c 200 e");
            for (String keys : List.of("1 z1", "2 z1 z2", "2 z2 z1", "3 z1 z2 z3", "2 z1 nokey", "2 nokey z1",
                    "2 z1 z1", "3 z3 z2 z1", "1 nokey")) {
                for (String opts : List.of("", " WITHSCORES", " WEIGHTS" + " 2".repeat(Integer.parseInt(keys.substring(0, 1))),
                        " AGGREGATE MIN WITHSCORES", " AGGREGATE max WITHSCORES", " AGGREGATE SUM",
                        " WEIGHTS" + " -1.5".repeat(Integer.parseInt(keys.substring(0, 1))) + " AGGREGATE MAX WITHSCORES")) {
                    d.checkSequence("ZUNION " + keys + opts, "ZINTER " + keys + opts);
                    d.checkSequence("ZUNIONSTORE dst " + keys + opts.replace(" WITHSCORES", ""),
                            "ZRANGE dst 0 -1 WITHSCORES", "ZINTERSTORE dst " + keys + opts.replace(" WITHSCORES", ""),
                            "ZRANGE dst 0 -1 WITHSCORES", "EXISTS dst");
                }
                d.checkSequence("ZDIFF " + keys, "ZDIFF " + keys + " WITHSCORES", "ZDIFFSTORE dst " + keys,
                        "ZRANGE dst 0 -1 WITHSCORES", "EXISTS dst", "ZINTERCARD " + keys,
                        "ZINTERCARD " + keys + " LIMIT 1", "ZINTERCARD " + keys + " LIMIT 0");
            }
            d.checkSequence(
                    "ZUNION 0 z1", "ZUNION -1 z1", "ZUNION a z1", "ZUNION 3 z1 z2", "ZUNION 1 z1 WEIGHTS",
                    "ZUNION 1 z1 WEIGHTS a", "ZUNION 2 z1 z2 WEIGHTS 1", "ZUNION 1 z1 WEIGHTS 1 2",
                    "ZUNION 1 z1 AGGREGATE", "ZUNION 1 z1 AGGREGATE avg", "ZUNION 1 z1 WITHSCORES WITHSCORES",
                    "ZUNION 1 z1 foo", "ZUNIONSTORE dst 1 z1 WITHSCORES", "ZUNIONSTORE dst 0 z1",
                    "ZINTERSTORE dst -1 z1", "ZDIFFSTORE dst 0 z1", "ZDIFF 1 z1 WEIGHTS 1",
                    "ZDIFF 1 z1 AGGREGATE SUM", "ZDIFFSTORE dst 1 z1 WITHSCORES", "ZINTERCARD 0 z1",
                    "ZINTERCARD a z1", "ZINTERCARD 2 z1", "ZINTERCARD 1 z1 LIMIT -1", "ZINTERCARD 1 z1 LIMIT x",
                    "ZINTERCARD 1 z1 LIMIT", "ZINTERCARD 1 z1 WITHSCORES", "ZINTERCARD 1 z1 WEIGHTS 1",
                    "ZINTER 1 z1 LIMIT 1", "ZUNION 1 z1 WEIGHTS nan", "ZUNION 1 z1 WEIGHTS inf WITHSCORES",
                    "ZUNION 1 z1 WEIGHTS \" 1\"", "ZUNION 2 z1 z1 WEIGHTS 1 1 WEIGHTS 2 2 WITHSCORES",
                    "ZUNION 1 z1 AGGREGATE MIN AGGREGATE MAX WITHSCORES",
                    // NaN from 0 * inf and inf + -inf count as 0
                    "ZADD inf inf a -inf b", "ZUNION 2 inf inf WEIGHTS 0 1 WITHSCORES",
                    "ZUNION 2 inf inf WEIGHTS 1 -1 WITHSCORES", "ZINTER 2 inf inf WEIGHTS 1 -1 WITHSCORES",
                    "ZINTER 2 inf inf WEIGHTS 0 1 AGGREGATE MIN WITHSCORES",
                    "ZINTER 2 inf inf WEIGHTS 1 0 AGGREGATE MAX WITHSCORES",
                    "ZUNION 2 inf z1 WEIGHTS 0 0 AGGREGATE MAX WITHSCORES",
                    // the order of additions: smallest set first
                    "ZADD f1 0.1 x 0.7 y", "ZADD f2 0.2 x 0.2 y 5 q", "ZADD f3 0.3 x 0.1 y 6 q 7 r",
                    "ZUNION 3 f3 f2 f1 WITHSCORES", "ZINTER 3 f3 f1 f2 WITHSCORES", "ZUNION 3 f1 f2 f3 WITHSCORES",
                    "ZUNION 3 f2 f3 f1 WEIGHTS 3 0.1 7 WITHSCORES");
        }
    }

    @ProtocolTest
    void setsAsOperands(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            makeSet("s1", "a", "b", "x");
            makeSet("s2", "b", "c");
            d.checkSequence("ZADD z 1 a 2 b 3 c",
                    "ZUNION 2 z s1 WITHSCORES", "ZINTER 2 s1 z WITHSCORES", "ZINTER 3 z s1 s2 WITHSCORES",
                    "ZUNION 2 s1 s2 WEIGHTS 2 3 WITHSCORES", "ZDIFF 2 s1 z WITHSCORES", "ZDIFF 2 z s2 WITHSCORES",
                    "ZINTERCARD 2 s1 z", "ZUNIONSTORE dst 2 s1 s2", "ZRANGE dst 0 -1 WITHSCORES", "TYPE dst",
                    "ZDIFFSTORE dst 1 s1", "ZRANGE dst 0 -1 WITHSCORES", "ZINTER 2 s1 s1 WITHSCORES",
                    "ZRANGE s1 0 -1", "ZRANGESTORE dst s1 0 -1", "ZCARD s1");
        }
    }

    @ProtocolTest
    void storeOverOtherTypesAndEmptyResults(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            makeList("list");
            d.checkSequence("HSET hash f v", "ZADD z 1 a 2 b", "SET str v", "PEXPIRE str 100000",
                    "ZUNIONSTORE str 1 z", "TYPE str", "PTTL str", "ZRANGE str 0 -1 WITHSCORES",
                    "ZINTERSTORE list 1 z", "TYPE list", "ZDIFFSTORE hash 1 z", "TYPE hash",
                    "SET str2 v", "ZRANGESTORE str2 z 0 0", "TYPE str2", "ZRANGE str2 0 -1 WITHSCORES",
                    // empty results delete the destination, whatever it held
                    "SET e1 v", "ZINTERSTORE e1 2 z nokey", "EXISTS e1", "SET e2 v", "ZRANGESTORE e2 z 5 10",
                    "EXISTS e2", "SET e3 v", "ZRANGESTORE e3 nokey 0 -1", "EXISTS e3", "SET e4 v",
                    "ZDIFFSTORE e4 2 z z", "EXISTS e4", "SET e5 v", "ZUNIONSTORE e5 1 nokey", "EXISTS e5",
                    "ZRANGESTORE e6 z 0 -1 BYSCORE LIMIT 5 1", "EXISTS e6",
                    // a destination that is also a source
                    "ZUNIONSTORE z 2 z z", "ZRANGE z 0 -1 WITHSCORES", "ZRANGESTORE z z 1 1", "ZRANGE z 0 -1 WITHSCORES",
                    // wrong types in the sources, before options are looked at
                    "ZUNIONSTORE dst 1 str", "ZUNION 2 z list WEIGHTS x", "ZINTER 1 hash", "ZDIFF 2 z str",
                    "ZINTERCARD 1 str LIMIT x", "ZRANGESTORE dst str 0 -1", "ZRANGESTORE dst list 0 -1 BYFOO");
        }
    }

    // ---------------------------------------------------------------- ZRANGESTORE

    @ProtocolTest
    void zrangestore(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c 4 d 5 e 0 aa 0 ab 0 ac");
            for (String range : List.of("0 -1", "1 2", "-2 -1", "2 1 REV", "0 0 REV", "(1 4 BYSCORE",
                    "4 (1 BYSCORE REV", "-inf +inf BYSCORE LIMIT 1 3", "[aa [ac BYLEX", "[ac - BYLEX REV",
                    "- + BYLEX LIMIT 1 2", "10 20")) {
                d.checkSequence("ZRANGESTORE dst z " + range, "ZRANGE dst 0 -1 WITHSCORES", "EXISTS dst");
            }
            d.checkSequence("ZRANGESTORE dst z 0 -1 WITHSCORES", "ZRANGESTORE dst z 0 -1 LIMIT 0 1",
                    "ZRANGESTORE dst z [a [b BYLEX WITHSCORES", "ZRANGESTORE dst z a b BYSCORE", "ZRANGESTORE dst z",
                    "ZRANGESTORE dst z 0", "ZRANGESTORE dst z x 1", "ZRANGESTORE dst z a b BYLEX");
            d.check(zaddCommand("big", BIG, 1));
            d.checkSequence("ZRANGESTORE dst big 0 -1", "ZCARD dst", "ZRANGE dst 100 103 WITHSCORES",
                    "ZRANGESTORE dst big 0 127", "ZSCAN dst 0", "ZRANGESTORE dst big 0 128 BYSCORE", "ZCARD dst");
        }
    }

    // ---------------------------------------------------------------- ZSCAN

    @ProtocolTest
    void zscanSmallSetsComeWhole(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2.5 b -3 c inf d 1e17 e 4611686018427387904 f 1e19 g 0.1 h",
                    "ZSCAN z 0", "ZSCAN z 0 COUNT 1", "ZSCAN z 123 COUNT 2", "ZSCAN z 0 MATCH a*", "ZSCAN z 0 MATCH *",
                    "ZSCAN z 0 MATCH [a-c] COUNT 100", "ZSCAN z 0 COUNT 0", "ZSCAN z 0 COUNT -1", "ZSCAN z 0 COUNT x",
                    "ZSCAN z 0 MATCH", "ZSCAN z 0 TYPE zset", "ZSCAN z 0 foo bar", "ZSCAN z x", "ZSCAN z -1",
                    "ZSCAN z 18446744073709551616", "ZSCAN nokey 0", "ZSCAN nokey 0 COUNT 0", "ZSCAN nokey x",
                    "ZSCAN z", "SET s v", "ZSCAN s 0", "ZSCAN s 0 COUNT 0");
        }
    }

    @ProtocolTest
    void zscanLargeSetsPage(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.check(zaddCommand("big", BIG, 2));
            d.checkSequence("ZSCAN big 0 COUNT 0", "ZSCAN big 0 COUNT x");
            // A member over 64 bytes makes a skiplist: paged, not whole.
            d.checkSequence("ZADD long 1 " + "L".repeat(70) + " 2 short -0 zero");
        }
        assertZscanSame(protocol, "long", 100);
        try (Differential d = open(protocol)) {
            d.check(zaddCommand("big", BIG, 2));
            d.checkSequence("ZUNIONSTORE ubig 1 big WEIGHTS -0", "ZRANGE ubig 0 3 WITHSCORES");
        }
        assertZscanSame(protocol, "ubig", 50);
        for (long count : new long[] {1, 7, 10, 1000}) {
            assertZscanSame(protocol, "big", count);
        }
        assertZscanSame(protocol, "big", 5, "MATCH", "m1*");
    }

    // ---------------------------------------------------------------- wrong type, key commands

    @ProtocolTest
    void wrongType(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            makeList("list");
            d.checkSequence("SET s v", "HSET h f v");
            for (String key : List.of("s", "list", "h")) {
                d.checkSequence("ZADD " + key + " 1 a", "ZADD " + key + " XX 1 a", "ZADD " + key + " abc a",
                        "ZINCRBY " + key + " 1 a", "ZREM " + key + " a", "ZSCORE " + key + " a",
                        "ZMSCORE " + key + " a", "ZCARD " + key, "ZCOUNT " + key + " 0 1", "ZCOUNT " + key + " a 1",
                        "ZLEXCOUNT " + key + " - +", "ZRANGE " + key + " 0 -1", "ZRANGE " + key + " a b",
                        "ZRANGEBYSCORE " + key + " 0 1", "ZREVRANGEBYSCORE " + key + " 1 0",
                        "ZRANGEBYLEX " + key + " - +", "ZREVRANGEBYLEX " + key + " + -", "ZREVRANGE " + key + " 0 1",
                        "ZRANK " + key + " a", "ZREVRANK " + key + " a", "ZREMRANGEBYRANK " + key + " 0 1",
                        "ZREMRANGEBYSCORE " + key + " 0 1", "ZREMRANGEBYLEX " + key + " - +",
                        "ZPOPMIN " + key, "ZPOPMAX " + key + " 2", "ZPOPMIN " + key + " -1", "ZMPOP 1 " + key + " MIN",
                        "ZRANDMEMBER " + key, "ZRANDMEMBER " + key + " 2", "ZRANDMEMBER " + key + " 0",
                        "ZUNION 1 " + key, "ZINTERCARD 1 " + key, "ZSCAN " + key + " 0", "ZRANGESTORE d " + key + " 0 1",
                        "ZRANGESTORE " + key + " nokey 0 1", "EXISTS " + key);
            }
        }
    }

    @ProtocolTest
    void keyCommandsOnSortedSets(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b", "TYPE z", "COPY z z2", "ZRANGE z2 0 -1 WITHSCORES",
                    "ZADD z2 3 c", "ZCARD z", "ZCARD z2", "RENAME z2 z3", "ZRANGE z3 0 -1 WITHSCORES", "EXISTS z2",
                    "MOVE z3 1", "EXISTS z3", "SELECT 1", "ZRANGE z3 0 -1 WITHSCORES", "ZSCORE z3 c", "SELECT 0",
                    "SET z4 v", "COPY z z4", "COPY z z4 REPLACE", "TYPE z4", "ZRANGE z4 0 -1", "DEL z4", "ZCARD z4",
                    "PEXPIRE z 100000", "ZADD z 3 c", "ZINCRBY z 1 a", "ZREM z b", "ZPOPMIN z", "ZCARD z");
            d.checkIntegerWithin(1_500, "PTTL", "z");
            d.checkSequence("ZADD expiring 1 a", "PEXPIRE expiring 30");
            KeyCommandsDifferentialTest.sleepMillis(80);
            d.checkSequence("ZCARD expiring", "ZSCORE expiring a", "EXISTS expiring", "ZADD expiring 5 b",
                    "ZRANGE expiring 0 -1 WITHSCORES", "PTTL expiring");
            d.check(zaddCommand("big", BIG, 5));
            d.checkSequence("RENAME big big2", "ZCARD big2", "ZRANGE big2 140 145 WITHSCORES", "ZSCAN big2 0 COUNT 0");
            Differential.Replies scan = d.sendBoth("SCAN", "0", "TYPE", "zset", "COUNT", "1000");
            assertEquals(sortedTexts(scan.reference().elements().get(1)), sortedTexts(scan.candidate().elements().get(1)));
            assertEquals("0", scan.candidate().elements().get(0).text());
            d.checkSorted("KEYS", "*");
        }
    }

    @ProtocolTest
    void arityAndCommandInfo(ProtocolVersion protocol) {
        List<String> commands = List.of("ZADD", "ZINCRBY", "ZREM", "ZSCORE", "ZMSCORE", "ZCARD", "ZCOUNT",
                "ZLEXCOUNT", "ZRANGE", "ZRANGESTORE", "ZREVRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE",
                "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZRANK", "ZREVRANK", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE",
                "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX", "ZMPOP", "ZRANDMEMBER", "ZUNION", "ZINTER", "ZDIFF",
                "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD", "ZSCAN");
        try (Differential d = open(protocol)) {
            for (String c : commands) {
                d.checkSequence(c, c + " k", c + " k 1", "COMMAND INFO " + c);
            }
            d.checkSequence("ZSCORE k a b", "ZCARD k x", "ZCOUNT k 1 2 3", "ZRANK k a b", "ZREVRANGE k 0 1 WITHSCORES x");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** {@code ZADD key s0 m0 s1 m1 ...} with {@code n} members {@code m<i>} and scores from a fixed spread. */
    private static String[] zaddCommand(String key, int n, int salt) {
        List<String> args = new ArrayList<>(List.of("ZADD", key));
        for (int i = 0; i < n; i++) {
            // Some scores repeat, so members order ties; some are fractional.
            long s = ((long) i * 7919 + salt * 31L) % (n * 5L);
            args.add(i % 5 == 0 ? s + ".25" : Long.toString(s / 2));
            args.add("m" + i);
        }
        return args.toArray(new String[0]);
    }

    private static List<String> sortedTexts(RespFrame array) {
        return array.elements().stream().map(RespFrame::text).sorted().toList();
    }

    /** Iterates ZSCAN on both servers with their own cursors and compares (member, score) sets. */
    private void assertZscanSame(ProtocolVersion protocol, String key, long count, String... options)
            throws IOException {
        Map<String, String> expected = zscanAll(redis().target(), protocol, key, count, options);
        Map<String, String> actual = zscanAll(RespTarget.loopback("respkv", respkvPort()), protocol, key, count, options);
        assertEquals(expected, actual, "ZSCAN " + key + " COUNT " + count + " " + String.join(" ", options));
    }

    private static Map<String, String> zscanAll(RespTarget target, ProtocolVersion protocol, String key, long count,
            String[] options) throws IOException {
        try (RawRespClient c = RawRespClient.connect(target)) {
            if (protocol == ProtocolVersion.RESP3) {
                c.call("HELLO", "3");
            }
            Map<String, String> out = new TreeMap<>();
            String cursor = "0";
            for (int calls = 0; calls < 10_000; calls++) {
                List<String> args = new ArrayList<>(List.of("ZSCAN", key, cursor, "COUNT", Long.toString(count)));
                args.addAll(Arrays.asList(options));
                RespFrame reply = c.call(args.toArray(new String[0]));
                assertFalse(reply.isError(), reply.toString());
                cursor = reply.elements().get(0).text();
                List<RespFrame> items = reply.elements().get(1).elements();
                for (int i = 0; i < items.size(); i += 2) {
                    out.put(HexFormat.of().formatHex(items.get(i).payload()), items.get(i + 1).text());
                }
                if (cursor.equals("0")) {
                    return out;
                }
            }
            fail("ZSCAN did not finish in 10000 calls on " + target);
            return out;
        }
    }

    /** Makes {@code key} a list on both servers (on respkv a bare list metadata entry). */
    private void makeList(String key) throws IOException {
        callRedis("RPUSH", key, "element");
        putMeta(key, RedisType.LIST);
    }


    /** Makes {@code key} a set of {@code members} on both servers (on respkv in the set layout). */
    private void makeSet(String key, String... members) throws IOException {
        List<String> sadd = new ArrayList<>(List.of("SADD", key));
        sadd.addAll(List.of(members));
        callRedis(sadd.toArray(new String[0]));
        try (Transaction txn = server().engine().begin()) {
            long version = 12345;
            Keyspace ks = new Keyspace(txn, 0, System.currentTimeMillis());
            for (String m : members) {
                txn.put(KeyCodec.elementKey(0, bytes(key), version, bytes(m)), new byte[0]);
            }
            ks.put(bytes(key), KeyMeta.collection(RedisType.SET, KeyMeta.NO_EXPIRY, version, members.length));
            txn.commit();
        }
    }

    private void putMeta(String key, RedisType type) {
        try (Transaction txn = server().engine().begin()) {
            new Keyspace(txn, 0, System.currentTimeMillis())
                    .put(bytes(key), KeyMeta.collection(type, KeyMeta.NO_EXPIRY, 1, 1));
            txn.commit();
        }
    }

    private void callRedis(String... args) throws IOException {
        try (RawRespClient redis = RawRespClient.connect(redis().target())) {
            RespFrame r = redis.call(args);
            assertEquals(RespType.INTEGER, r.type(), r.toString());
        }
    }

    /** Splits a "min max" test range whose parts may be quoted (and contain spaces). */
    private static String[] splitRange(String range) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : range.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == ' ' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        if (parts.size() != 2) {
            throw new IllegalArgumentException(range);
        }
        return parts.toArray(new String[0]);
    }
}
