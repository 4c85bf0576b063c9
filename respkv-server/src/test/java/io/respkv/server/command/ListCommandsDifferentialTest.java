package io.respkv.server.command;

import static io.respkv.server.difftest.Differential.bytes;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.util.ArrayList;
import java.util.List;

/**
 * The list commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3: pushes,
 * pops with and without counts, ranges and indexes (negative, out of range, huge), LSET, LINSERT,
 * LREM, LTRIM, LPOS with RANK/COUNT/MAXLEN (their limits included), LMOVE, RPOPLPUSH, LMPOP,
 * the non-blocking paths of the blocking commands and their argument errors, WRONGTYPE, binary
 * elements, and lists under the key commands (TYPE, COPY, RENAME, MOVE, EXPIRE, SCAN TYPE).
 * Blocking behaviour is in {@link BlockingDifferentialTest}.
 */
class ListCommandsDifferentialTest extends RespkvDifferentialTest {

    @ProtocolTest
    void pushesAndLength(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("LPUSH l a", "LPUSH l b c d", "RPUSH l e f", "LRANGE l 0 -1", "LLEN l",
                    "LPUSHX l x", "RPUSHX l y z", "LRANGE l 0 -1", "LLEN l",
                    "LPUSHX nokey a", "RPUSHX nokey a b", "EXISTS nokey", "LLEN nokey",
                    "RPUSH r 1 2 3", "LPUSH r 0", "LRANGE r 0 -1",
                    "LPUSH l", "RPUSH", "LPUSHX l", "RPUSHX", "LLEN", "LLEN l x",
                    "RPUSH e \"\"", "LRANGE e 0 -1", "LLEN e",
                    "TYPE l", "TYPE e");
        }
    }

    @ProtocolTest
    void pops(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c d e f g",
                    "LPOP l", "RPOP l", "LPOP l 2", "RPOP l 2", "LPOP l 0", "RPOP l 0",
                    "LRANGE l 0 -1", "LPOP l 10", "EXISTS l", "LPOP l", "RPOP l",
                    "LPOP nokey", "RPOP nokey", "LPOP nokey 1", "RPOP nokey 3", "LPOP nokey 0",
                    "LPOP nokey -1", "RPOP nokey abc", "LPOP nokey 1.5",
                    "RPUSH l x y", "LPOP l -1", "LPOP l abc", "LPOP l 9223372036854775807",
                    "EXISTS l", "RPUSH l 1 2 3", "RPOP l 9223372036854775807", "EXISTS l",
                    "LPOP", "LPOP l 1 2", "RPOP l 1 2 3",
                    "RPUSH one x", "RPOP one 1", "EXISTS one", "RPUSH one y", "LPOP one", "EXISTS one");
        }
    }

    @ProtocolTest
    void lrange(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l 0 1 2 3 4 5 6 7 8 9",
                    "LRANGE l 0 -1", "LRANGE l 0 0", "LRANGE l -1 -1", "LRANGE l 2 5", "LRANGE l -3 -1",
                    "LRANGE l 5 2", "LRANGE l -100 2", "LRANGE l 8 100", "LRANGE l 10 20", "LRANGE l -100 -50",
                    "LRANGE l -9223372036854775808 9223372036854775807", "LRANGE l 9223372036854775807 0",
                    "LRANGE l 0 -11", "LRANGE l 0 -10", "LRANGE l 3 -8",
                    "LRANGE l abc 1", "LRANGE l 1 abc", "LRANGE l 1.0 2", "LRANGE l 9223372036854775808 1",
                    "LRANGE nokey 0 -1", "LRANGE nokey abc 1", "LRANGE nokey 0 abc",
                    "LRANGE l 0", "LRANGE l 0 1 2");
        }
    }

    @ProtocolTest
    void lindexAndLset(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c",
                    "LINDEX l 0", "LINDEX l 2", "LINDEX l 3", "LINDEX l -1", "LINDEX l -3", "LINDEX l -4",
                    "LINDEX l 9223372036854775807", "LINDEX l -9223372036854775808", "LINDEX l abc",
                    "LINDEX nokey 0", "LINDEX nokey abc",
                    "LSET l 0 A", "LSET l -1 C", "LSET l 1 \"\"", "LRANGE l 0 -1",
                    "LSET l 3 x", "LSET l -4 x", "LSET l 9223372036854775807 x", "LSET l abc x",
                    "LSET nokey 0 x", "LSET nokey abc x", "EXISTS nokey",
                    "LPUSH l z", "LSET l 0 Z", "LINDEX l 0", "LINDEX l 3", "RPOP l", "LSET l 2 x",
                    "LSET l 1 B", "LRANGE l 0 -1",
                    "LINDEX l", "LSET l 0", "LSET l 0 x y");
        }
    }

    @ProtocolTest
    void linsert(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c d e",
                    "LINSERT l BEFORE a x0", "LINSERT l AFTER e x9", "LINSERT l before c mid",
                    "LINSERT l after c mid2", "LRANGE l 0 -1", "LINSERT l BEFORE nothere x",
                    "LINSERT l AfTeR b x2", "LRANGE l 0 -1", "LLEN l",
                    "LINSERT l middle a x", "LINSERT nokey BEFORE a x", "LINSERT nokey middle a x",
                    "EXISTS nokey", "LINSERT l BEFORE \"\" x",
                    "RPUSH dup p q p q", "LINSERT dup AFTER q new", "LINSERT dup BEFORE p new0",
                    "LRANGE dup 0 -1", "LINSERT l BEFORE a", "LINSERT l BEFORE a x y");
            // a long list: inserts near either end and in the middle move the shorter side
            List<String> seq = new ArrayList<>();
            StringBuilder push = new StringBuilder("RPUSH big");
            for (int i = 0; i < 60; i++) {
                push.append(' ').append(i);
            }
            seq.add(push.toString());
            seq.add("LINSERT big BEFORE 1 n1");
            seq.add("LINSERT big AFTER 57 n57");
            seq.add("LINSERT big BEFORE 30 n30");
            seq.add("LINSERT big AFTER 29 m29");
            seq.add("LRANGE big 0 -1");
            seq.add("LINDEX big 31");
            seq.add("LPOP big 3");
            seq.add("RPOP big 3");
            seq.add("LRANGE big 0 -1");
            d.checkSequence(seq.toArray(new String[0]));
        }
    }

    @ProtocolTest
    void lrem(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b a c a d a",
                    "LREM l 1 a", "LRANGE l 0 -1", "LREM l -1 a", "LRANGE l 0 -1", "LREM l 0 a", "LRANGE l 0 -1",
                    "LREM l 0 zz", "LREM l 5 b", "LRANGE l 0 -1", "LREM l -5 c", "LREM l 1 d", "EXISTS l",
                    "RPUSH m x y x y x y x", "LREM m -2 x", "LRANGE m 0 -1", "LREM m 2 y", "LRANGE m 0 -1",
                    "RPUSH m x x", "LREM m -9223372036854775808 x", "LRANGE m 0 -1",
                    "RPUSH m x", "LREM m 9223372036854775807 x", "LRANGE m 0 -1",
                    "LREM nokey 1 a", "LREM nokey x a", "LREM m x y", "LREM m 1.5 y",
                    "LREM m 1", "LREM m 1 a b");
            // removals spread over a long list, closed from both sides
            List<String> seq = new ArrayList<>();
            StringBuilder push = new StringBuilder("RPUSH big");
            for (int i = 0; i < 80; i++) {
                push.append(' ').append(i % 7 == 0 ? "x" : Integer.toString(i));
            }
            seq.add(push.toString());
            seq.add("LREM big 3 x");
            seq.add("LRANGE big 0 -1");
            seq.add("LREM big -2 x");
            seq.add("LRANGE big 0 -1");
            seq.add("RPUSH big x 100 x");
            seq.add("LREM big 0 x");
            seq.add("LRANGE big 0 -1");
            seq.add("LINDEX big 0");
            seq.add("LINDEX big -1");
            seq.add("LLEN big");
            d.checkSequence(seq.toArray(new String[0]));
        }
    }

    @ProtocolTest
    void ltrim(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l 0 1 2 3 4 5 6 7 8 9",
                    "LTRIM l 1 -2", "LRANGE l 0 -1", "LTRIM l 0 100", "LRANGE l 0 -1", "LTRIM l -3 -1",
                    "LRANGE l 0 -1", "LTRIM l -100 1", "LRANGE l 0 -1", "LTRIM l 1 0", "EXISTS l",
                    "RPUSH l a b c", "LTRIM l 5 10", "EXISTS l", "RPUSH l a b c", "LTRIM l 0 -4", "EXISTS l",
                    "LTRIM nokey 0 1", "LTRIM nokey a 1", "LTRIM nokey 0 b", "RPUSH l a", "LTRIM l x 1",
                    "LTRIM l 0 0", "LRANGE l 0 -1", "LTRIM l 0", "LTRIM l 0 1 2");
            // a capped list (LPUSH then LTRIM), and a trim that removes many elements at once
            List<String> seq = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                seq.add("LPUSH capped " + i);
                seq.add("LTRIM capped 0 4");
            }
            seq.add("LRANGE capped 0 -1");
            StringBuilder push = new StringBuilder("RPUSH big");
            for (int i = 0; i < 300; i++) {
                push.append(' ').append(i);
            }
            seq.add(push.toString());
            seq.add("LTRIM big 100 -101");
            seq.add("LLEN big");
            seq.add("LRANGE big 0 3");
            seq.add("LRANGE big -3 -1");
            seq.add("LPUSH big head");
            seq.add("RPUSH big tail");
            seq.add("LRANGE big 0 1");
            seq.add("LRANGE big -2 -1");
            d.checkSequence(seq.toArray(new String[0]));
        }
    }

    @ProtocolTest
    void lpos(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c a b a d",
                    "LPOS l a", "LPOS l d", "LPOS l z", "LPOS l a RANK 2", "LPOS l a RANK 3", "LPOS l a RANK 4",
                    "LPOS l a RANK -1", "LPOS l a RANK -2", "LPOS l a RANK -4",
                    "LPOS l a COUNT 0", "LPOS l a COUNT 2", "LPOS l a COUNT 10", "LPOS l z COUNT 0",
                    "LPOS l a RANK 2 COUNT 0", "LPOS l a RANK -1 COUNT 2", "LPOS l a RANK -2 COUNT 0",
                    "LPOS l a MAXLEN 1", "LPOS l a RANK 2 MAXLEN 3", "LPOS l a RANK 2 MAXLEN 4",
                    "LPOS l a RANK -1 MAXLEN 1", "LPOS l a COUNT 0 MAXLEN 4", "LPOS l a COUNT 0 RANK -1 MAXLEN 3",
                    "LPOS l a rank 1 count 1 maxlen 0", "LPOS l a COUNT 1 COUNT 2", "LPOS l a RANK 1 RANK 3",
                    "LPOS l a RANK 0", "LPOS l a RANK abc", "LPOS l a RANK 1.5", "LPOS l a COUNT -1",
                    "LPOS l a COUNT abc", "LPOS l a MAXLEN -1", "LPOS l a MAXLEN x", "LPOS l a RANK",
                    "LPOS l a COUNT", "LPOS l a foo 1", "LPOS l a foo",
                    "LPOS l a RANK -9223372036854775808", "LPOS l a RANK -9223372036854775808 COUNT 2",
                    "LPOS l a RANK -9223372036854775808 COUNT 0", "LPOS l a RANK -9223372036854775807",
                    "LPOS l a RANK 9223372036854775807 COUNT 0", "LPOS l a RANK -9223372036854775808 COUNT 1 MAXLEN 1",
                    "LPOS nokey a", "LPOS nokey a COUNT 1", "LPOS nokey a RANK 0", "LPOS nokey a COUNT -1",
                    "LPOS l", "LPOS");
        }
    }

    @ProtocolTest
    void lmoveAndRpoplpush(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH src a b c d",
                    "LMOVE src dst LEFT RIGHT", "LMOVE src dst RIGHT LEFT", "LMOVE src dst left left",
                    "LMOVE src dst Right Right", "LRANGE src 0 -1", "LRANGE dst 0 -1", "EXISTS src",
                    "LMOVE src dst LEFT RIGHT", "LMOVE nokey dst LEFT RIGHT",
                    "LMOVE dst dst LEFT RIGHT", "LRANGE dst 0 -1", "LMOVE dst dst RIGHT RIGHT", "LRANGE dst 0 -1",
                    "RPUSH single x", "LMOVE single single LEFT LEFT", "LRANGE single 0 -1",
                    "RPOPLPUSH single single", "LRANGE single 0 -1",
                    "LMOVE dst src UP RIGHT", "LMOVE dst src LEFT DOWN", "LMOVE nokey src x y",
                    "RPOPLPUSH dst src", "RPOPLPUSH dst src", "LRANGE src 0 -1", "LRANGE dst 0 -1",
                    "RPOPLPUSH nokey src", "SET str v", "RPOPLPUSH dst str", "LMOVE dst str LEFT LEFT",
                    "LRANGE dst 0 -1", "RPOPLPUSH str dst", "RPOPLPUSH nokey str", "LMOVE str dst LEFT LEFT",
                    "LMOVE src", "RPOPLPUSH src", "LMOVE a b LEFT");
        }
    }

    @ProtocolTest
    void lmpop(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c d e", "RPUSH m 1 2",
                    "LMPOP 1 l LEFT", "LMPOP 1 l RIGHT", "LMPOP 2 nokey l LEFT COUNT 2", "LMPOP 2 m l right count 5",
                    "LMPOP 1 m LEFT COUNT 9223372036854775807", "EXISTS m", "LMPOP 2 nokey m LEFT",
                    "LMPOP 0 l LEFT", "LMPOP -1 l LEFT", "LMPOP abc l LEFT", "LMPOP 2 l LEFT", "LMPOP 1 l MIDDLE",
                    "LMPOP 1 l LEFT COUNT 0", "LMPOP 1 l LEFT COUNT -1", "LMPOP 1 l LEFT COUNT abc",
                    "LMPOP 1 l LEFT COUNT 1 COUNT 1", "LMPOP 1 l LEFT foo", "LMPOP 1 l LEFT COUNT",
                    "LMPOP 9223372036854775807 l LEFT", "LMPOP 3 a b LEFT",
                    "SET s v", "LMPOP 2 nokey s LEFT", "LMPOP 2 s nokey LEFT", "RPUSH l x", "LMPOP 2 l s LEFT",
                    "LMPOP 1", "LMPOP 1 l");
        }
    }

    @ProtocolTest
    void blockingCommandsWithoutBlocking(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c", "RPUSH m x",
                    "BLPOP l 0", "BRPOP l 0", "BLPOP nokey l 1", "BRPOP nokey m 0.5", "EXISTS m",
                    "RPUSH l 1 2 3 4 5", "BLMPOP 0 1 l LEFT", "BLMPOP 0 2 nokey l RIGHT COUNT 2",
                    "BLMOVE l dst LEFT RIGHT 0", "BRPOPLPUSH l dst 0", "LRANGE dst 0 -1", "LRANGE l 0 -1",
                    "BLMOVE dst dst RIGHT LEFT 0", "LRANGE dst 0 -1",
                    "SET s v", "BLPOP s 0", "BLPOP nokey s 0", "BLPOP l s 0", "BRPOPLPUSH s dst 0",
                    "BLMOVE dst s LEFT RIGHT 0", "LRANGE dst 0 -1", "BLMPOP 0 2 s l LEFT");
        }
    }

    @ProtocolTest
    void blockingArgumentErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a", "SET s v",
                    "BLPOP nokey abc", "BLPOP nokey -1", "BLPOP nokey -0.0011", "BLPOP nokey 1e300",
                    "BLPOP nokey -1e300", "BLPOP nokey inf", "BLPOP nokey -inf", "BLPOP nokey +inf", "BLPOP nokey nan",
                    "BLPOP nokey \" 1\"", "BLPOP nokey \"1 \"", "BLPOP nokey \"\"", "BLPOP nokey 9223372036854775807",
                    "BLPOP nokey -9223372036854775808", "BLPOP nokey 9223372036854775808", "BLPOP nokey 1e16",
                    "BLPOP nokey 9223372036854775.808", "BLPOP nokey 0x1p70",
                    "BLPOP s abc", "BLPOP l abc", "BRPOP l -1",
                    "BLMOVE nokey d LEFT MIDDLE abc", "BLMOVE nokey d LEFT RIGHT abc", "BLMOVE nokey d UP RIGHT 0",
                    "BLMOVE nokey d LEFT RIGHT -1", "BLMOVE s d LEFT RIGHT -1",
                    "BRPOPLPUSH nokey d abc", "BRPOPLPUSH nokey d -2", "BRPOPLPUSH s d x",
                    "BLMPOP abc 1 l LEFT", "BLMPOP -1 1 l LEFT", "BLMPOP 0 0 l LEFT", "BLMPOP 0 1 l MIDDLE",
                    "BLMPOP abc 1 l MIDDLE", "BLMPOP abc 0 l LEFT", "BLMPOP abc 1 l LEFT COUNT 0",
                    "BLMPOP 0 2 l LEFT", "BLMPOP 0 1 l LEFT COUNT 1 COUNT 2",
                    "BLPOP", "BLPOP l", "BRPOP l", "BLMOVE a b LEFT RIGHT", "BRPOPLPUSH a b", "BLMPOP 0 1",
                    "BLMPOP 0");
        }
    }

    @ProtocolTest
    void wrongType(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET s v",
                    "LPUSH s a", "RPUSH s a", "LPUSHX s a", "RPUSHX s a", "LPOP s", "RPOP s", "LPOP s 2",
                    "LPOP s 0", "LLEN s", "LRANGE s 0 -1", "LINDEX s 0", "LINDEX s abc", "LSET s 0 x",
                    "LSET s abc x", "LINSERT s BEFORE a b", "LINSERT s MIDDLE a b", "LREM s 0 a", "LREM s x a",
                    "LTRIM s 0 1", "LTRIM s x 1", "LPOS s a", "LPOS s a RANK 0", "LMOVE s d LEFT LEFT",
                    "LMPOP 1 s LEFT", "GET s",
                    "RPUSH l a", "GET l", "INCR l", "APPEND l x", "STRLEN l", "SETRANGE l 0 x", "GETRANGE l 0 1",
                    "SET l v", "TYPE l", "GET l",
                    "HSET h f v", "LPUSH h a", "RPOP h", "LLEN h", "LRANGE h 0 -1", "LINDEX h 0", "LSET h 0 x",
                    "LPOS h a", "LREM h 0 a", "LTRIM h 0 1", "LINSERT h BEFORE a b", "RPOPLPUSH h l",
                    "LMOVE l2 h LEFT LEFT", "BLPOP h 0", "BLMPOP 0 1 h LEFT", "BRPOPLPUSH h x 0",
                    "RPUSH l2 e", "LMOVE l2 h LEFT LEFT", "BLMOVE l2 h LEFT LEFT 0", "LRANGE l2 0 -1",
                    "HGET l2 f", "HSET l2 f v", "HLEN l2", "HGETALL l2", "TYPE h", "TYPE l2");
        }
    }

    @ProtocolTest
    void binaryElements(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            byte[] key = {'k', 0, (byte) 0xff, '\r', '\n'};
            byte[] a = {0};
            byte[] b = {(byte) 0xff, (byte) 0xfe};
            byte[] c = {'\r', '\n', '$', '1'};
            byte[] empty = {};
            d.check(bytes("RPUSH"), key, a, b, c, empty, a);
            d.check(bytes("LRANGE"), key, bytes("0"), bytes("-1"));
            d.check(bytes("LPOS"), key, a, bytes("COUNT"), bytes("0"));
            d.check(bytes("LPOS"), key, empty);
            d.check(bytes("LINSERT"), key, bytes("AFTER"), c, b);
            d.check(bytes("LREM"), key, bytes("0"), a);
            d.check(bytes("LSET"), key, bytes("-1"), c);
            d.check(bytes("LINDEX"), key, bytes("1"));
            d.check(bytes("LMOVE"), key, b, bytes("RIGHT"), bytes("LEFT"));
            d.check(bytes("LRANGE"), b, bytes("0"), bytes("-1"));
            d.check(bytes("LMPOP"), bytes("2"), a, key, bytes("LEFT"), bytes("COUNT"), bytes("10"));
            d.check(bytes("BLPOP"), b, bytes("0"));
            d.check(bytes("EXISTS"), key, b);
            byte[] large = new byte[100_000];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) i;
            }
            d.check(bytes("LPUSH"), key, large, a);
            d.check(bytes("RPOP"), key);
            d.check(bytes("LPOP"), key, bytes("5"));
        }
    }

    @ProtocolTest
    void listsUnderKeyCommands(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("RPUSH l a b c", "LPUSH l z",
                    "TYPE l", "COPY l c", "LRANGE c 0 -1", "LPUSH c y", "RPUSH c d", "LRANGE c 0 -1",
                    "LRANGE l 0 -1", "COPY l c", "COPY l c REPLACE", "LRANGE c 0 -1",
                    "RENAME c r", "EXISTS c", "LRANGE r 0 -1", "LINDEX r -1", "LPOP r", "RPOP r",
                    "LRANGE r 0 -1", "MOVE r 1", "EXISTS r", "SELECT 1", "LRANGE r 0 -1", "LPUSH r new",
                    "LINDEX r 0", "FLUSHDB", "SELECT 0",
                    "EXPIRE l 100", "LPUSH l w", "TTL l", "LPOP l", "TTL l", "PERSIST l", "TTL l",
                    "SCAN 0 TYPE list", "SCAN 0 TYPE string", "SET s v", "RENAME l s", "TYPE s",
                    "LRANGE s 0 -1", "DEL s", "LLEN s");
            d.checkSequence("RPUSH e a", "PEXPIRE e 1");
            sleepMillis(20);
            d.checkSequence("LLEN e", "LRANGE e 0 -1", "EXISTS e", "LPUSHX e x", "RPUSH e fresh", "LRANGE e 0 -1",
                    "TTL e");
        }
    }

    @ProtocolTest
    void listsGrowAndShrinkAtBothEnds(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            List<String> seq = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 40; i++) {
                    seq.add((i % 3 == 0 ? "LPUSH" : "RPUSH") + " q r" + round + "e" + i);
                }
                seq.add("LRANGE q 0 -1");
                seq.add("LINDEX q 17");
                seq.add("LSET q -5 set" + round);
                for (int i = 0; i < 25; i++) {
                    seq.add(i % 2 == 0 ? "LPOP q" : "RPOP q");
                }
                seq.add("LRANGE q 0 -1");
                seq.add("LLEN q");
            }
            seq.add("LPOP q 1000");
            seq.add("EXISTS q");
            d.checkSequence(seq.toArray(new String[0]));
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
