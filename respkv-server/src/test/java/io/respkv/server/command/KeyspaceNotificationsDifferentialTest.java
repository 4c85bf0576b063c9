package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.MultiClientDifferential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespType;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Keyspace notifications against redis-server 7.0.15: with {@code notify-keyspace-events} set,
 * a client runs commands of every type while a subscriber listens on {@code __key*__:*}; after
 * each command the publisher publishes a fence message on a channel the subscriber also listens
 * to, and everything the subscriber received before the fence is that command's events. The
 * replies and the event streams (every frame, in order, byte for byte) must be the same on both.
 *
 * <p>Expiry: an {@code expired} event comes from active expiry on both servers (respkv publishes
 * it when it removes the key; see docs/pubsub.md), so those steps wait for it, bounded.
 */
class KeyspaceNotificationsDifferentialTest extends RespkvDifferentialTest {

    private static final String FENCE = "fence:ks-test";

    @AfterEach
    void notificationsOff() {
        try (Differential d = open(ProtocolVersion.RESP2)) {
            d.sendBoth("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    /** Runs the command lines with notifications {@code flags}; each line's reply and events are compared. */
    private void compare(ProtocolVersion protocol, String flags, String... lines) throws Exception {
        MultiClientDifferential.compare(redis().target(), RespTarget.loopback("respkv", respkvPort()), protocol,
                s -> {
                    s.control("CONFIG SET notify-keyspace-events " + (flags.isEmpty() ? "\"\"" : flags));
                    RawRespClient sub = s.client("S");
                    RawRespClient pub = s.client("P");
                    s.send(sub, "PSUBSCRIBE __key*__:*");
                    s.read(sub);
                    s.send(sub, "SUBSCRIBE " + FENCE);
                    s.read(sub);
                    int n = 0;
                    boolean queueing = false;
                    for (String line : lines) {
                        if (line.startsWith("AWAIT ")) {
                            awaitEvent(s, sub, pub, line.substring(6), n++);
                            continue;
                        }
                        if (line.startsWith("NOREPLY ")) {
                            line = line.substring(8);
                            pub.send(RespCommand.parse(line));
                            RespFrame reply = pub.readReply();
                            s.note("P " + line + " -> (reply not compared: random) " + reply.type());
                        } else {
                            s.call(pub, line);
                        }
                        queueing = queueing(line, queueing);
                        if (!queueing) { // a fence inside MULTI would be queued: events come with EXEC
                            s.note("  events: " + eventsUntilFence(sub, pub, n++));
                        }
                    }
                    s.quiet(sub);
                });
    }

    /**
     * Runs the command lines on a RESP3 client subscribed to its own events: its reply stream
     * (replies and pushes interleaved) must be the same, frame by frame. After each command the
     * client publishes a fence to itself, which ends that command's part of the stream.
     */
    private void compareOwnEvents(String flags, String... lines) throws Exception {
        MultiClientDifferential.compare(redis().target(), RespTarget.loopback("respkv", respkvPort()),
                ProtocolVersion.RESP3, s -> {
                    s.control("CONFIG SET notify-keyspace-events " + flags);
                    RawRespClient c = s.client("C");
                    s.call(c, "PSUBSCRIBE __key*__:*");
                    s.call(c, "SUBSCRIBE " + FENCE);
                    int n = 0;
                    boolean queueing = false;
                    for (String line : lines) {
                        boolean random = line.startsWith("NOREPLY ");
                        if (random) {
                            line = line.substring(8);
                        }
                        s.send(c, line);
                        queueing = queueing(line, queueing);
                        if (queueing) {
                            continue; // the stream of a transaction is read after its EXEC
                        }
                        String marker = "f" + n++;
                        c.send(RespCommand.of("PUBLISH", FENCE, marker));
                        List<String> stream = new ArrayList<>();
                        while (true) {
                            RespFrame f = c.readReply();
                            List<RespFrame> e = f.elements();
                            if (f.type() == RespType.PUSH && e.size() == 3 && FENCE.equals(e.get(1).text())
                                    && marker.equals(e.get(2).text())) {
                                break;
                            }
                            stream.add(random && f.type() != RespType.PUSH ? "(reply not compared: random)" : f.toString());
                        }
                        c.readReply(); // the fence's :1
                        s.note("  stream: " + stream);
                    }
                });
    }

    /** Whether the client is inside MULTI after {@code line}. */
    private static boolean queueing(String line, boolean before) {
        String command = line.split(" ")[0];
        if (command.equalsIgnoreCase("MULTI")) {
            return true;
        }
        if (command.equalsIgnoreCase("EXEC") || command.equalsIgnoreCase("DISCARD")) {
            return false;
        }
        return before;
    }

    /** Publishes fence {@code n} and returns the frames the subscriber got before it. */
    private static List<String> eventsUntilFence(RawRespClient sub, RawRespClient pub, int n) throws IOException {
        String marker = "f" + n;
        pub.call("PUBLISH", FENCE, marker);
        List<String> events = new ArrayList<>();
        while (true) {
            RespFrame f = sub.readReply();
            List<RespFrame> e = f.elements();
            if (e.size() == 3 && FENCE.equals(e.get(1).text()) && marker.equals(e.get(2).text())) {
                return events;
            }
            events.add(f.toString());
        }
    }

    /**
     * Waits (bounded) until an event whose frame contains {@code text} arrived (active expiry), and
     * records every event up to then.
     */
    private static void awaitEvent(MultiClientDifferential.Session s, RawRespClient sub, RawRespClient pub,
                                   String text, int n) throws Exception {
        List<String> events = new ArrayList<>();
        long end = System.nanoTime() + 20_000_000_000L; // generous: a loaded 2-core CI box can starve active expiry
        int round = 0;
        while (events.stream().noneMatch(e -> e.contains(text))) {
            if (System.nanoTime() > end) {
                throw new AssertionFailedError(s.target() + ": no event " + text + " in 20 s; got " + events);
            }
            Thread.sleep(20);
            events.addAll(eventsUntilFence(sub, pub, 10_000 * (n + 1) + round++));
        }
        // the fence comes from another client than active expiry: the event's keyevent twin may
        // follow it, so take one more round
        Thread.sleep(50);
        events.addAll(eventsUntilFence(sub, pub, 10_000 * (n + 1) + round));
        s.note("  awaited " + text + ": " + events);
    }

    private static final String[] STRINGS = {
                "SET s 1", "SET s 2 NX", "SET s 3 XX", "SET s2 v NX GET", "SET s 4 KEEPTTL", "SET s 5 PX 100000",
                "SET s 6 GET", "SET s 7 EX 100 GET", "SETNX s 7", "SETNX s3 7", "SETEX s4 100 v", "PSETEX s5 100000 v",
                "SETEX s4 0 v", "SET s x EX y", "MSET m1 a m2 b m1 c", "MSETNX m3 a m4 b", "MSETNX m3 a m5 b",
                "GETSET s 9", "GETSET gs1 9", "GETDEL s", "GETDEL nokey", "GETEX m1 EX 100", "GETEX m1 PERSIST",
                "GETEX m1 PERSIST", "GETEX m1", "GETEX m2 PXAT 1", "GETEX m3 EX 0", "GETEX nokey EX 10",
                "APPEND ap x", "APPEND ap y", "INCR n", "INCRBY n 5", "DECR n", "DECRBY n 2", "INCRBYFLOAT n 1.5",
                "INCRBYFLOAT nf 1", "INCR ap", "SETRANGE sr 5 x", "SETRANGE sr 0 \"\"", "SETRANGE nosr 0 \"\"",
                "SETRANGE sr 0 y", "GET sr", "STRLEN sr", "GETRANGE sr 0 1", "LPUSH list x", "SET list v",
                "APPEND list x", "MGET s m1 list", "LCS m1 m4",
                "SET \"bin\\x00key\\xff\" \"v\\r\\n\"", "DEL \"bin\\x00key\\xff\""};

    @ProtocolTest
    void strings(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", STRINGS);
    }

    private static final String[] GENERICKEYCOMMANDS = {
                "SET a 1", "SET b 2", "DEL a b nokey", "SET a 1", "UNLINK a nokey", "SET a 1", "EXPIRE a 100",
                "EXPIRE a 100 NX", "PEXPIRE a 100000", "EXPIREAT a 9999999999", "PEXPIREAT a 9999999999000",
                "EXPIRE a 100 GT", "EXPIRE a 200 GT", "PERSIST a", "PERSIST a", "PERSIST nokey", "EXPIRE a -1",
                "EXPIRE nokey 10", "SET a 1", "PEXPIREAT a 1", "SET a 1", "RENAME a b", "RENAME b b", "SET c 1",
                "RENAME b c", "RENAMENX c d", "SET e 1", "RENAMENX c e", "RENAME nokey x", "RPUSH l1 x y",
                "RENAME l1 l2", "COPY e f", "COPY e f", "COPY e f REPLACE", "COPY e e2 DB 1", "COPY nokey x",
                "MOVE e 1", "MOVE f 1", "MOVE nokey 1", "SET e 1", "MOVE e 1", "SELECT 1", "SET ee 1",
                "EXPIRE ee 1000", "DEL ee e2", "TOUCH f e", "EXISTS f", "TYPE f", "SELECT 0", "DBSIZE",
                "FLUSHDB", "SET z 1", "FLUSHALL"};

    @ProtocolTest
    void genericKeyCommands(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", GENERICKEYCOMMANDS);
    }

    private static final String[] HASHES = {
                "HSET h f1 v1 f2 v2", "HSET h f1 v1", "HMSET h f3 v", "HSETNX h f1 x", "HSETNX h f9 x",
                "HSETNX h2 f x", "HDEL h f1 nof", "HDEL h nof", "HDEL nokey f", "HINCRBY h c 1",
                "HINCRBYFLOAT h d 1.5", "HINCRBY h f3 1", "HINCRBYFLOAT h f3 1", "HDEL h f2 f3 f9 c d",
                "HINCRBY h3 c 1", "HINCRBYFLOAT h4 d 1", "HGET h3 c", "HGETALL h3", "SET str v", "HSET str f v"};

    @ProtocolTest
    void hashes(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", HASHES);
    }

    private static final String[] LISTS = {
                "LPUSH l a b", "RPUSH l c", "LPUSHX l d", "LPUSHX nol d", "RPUSHX l e", "RPUSHX nol e", "LPOP l",
                "RPOP l", "LPOP l 2", "LPOP l 0", "LPOP nol", "RPOP nol 3", "LSET l 0 z", "LSET l 9 z",
                "LSET nol 0 z", "LINSERT l BEFORE z y", "LINSERT l AFTER z w", "LINSERT l BEFORE nope y",
                "LINSERT nol BEFORE a b", "LREM l 1 y", "LREM l 1 nope", "LTRIM l 0 0", "LTRIM l 0 -1",
                "LTRIM nol 0 1", "LTRIM l 1 0", "RPUSH l2 a b c", "LMOVE l2 l3 LEFT RIGHT", "LMOVE l2 l3 RIGHT LEFT",
                "RPOPLPUSH l2 l3", "RPOPLPUSH nol l3", "RPOPLPUSH l3 l3", "LMOVE l3 l3 LEFT LEFT",
                "LMPOP 2 nol l3 LEFT COUNT 2", "LMPOP 1 l3 RIGHT COUNT 5", "LMPOP 1 nol LEFT", "RPUSH one x",
                "LMOVE one one LEFT RIGHT", "LMOVE one other LEFT RIGHT", "RPUSH q 1 2", "BLPOP q 0", "BRPOP q 0",
                "BLPOP q 0.01", "RPUSH q 1 2", "BLMOVE q q2 LEFT LEFT 0", "BRPOPLPUSH q q2 0",
                "BLMPOP 0 1 q2 LEFT COUNT 10", "RPUSH r a b a c a", "LREM r 0 a", "LREM r -1 c", "LREM r 0 b",
                "LRANGE r 0 -1", "LLEN nol", "SET s v", "LPUSH s x", "LMOVE q2 s LEFT LEFT"};

    @ProtocolTest
    void lists(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", LISTS);
    }

    private static final String[] SETS = {
                "SADD s a b", "SADD s a", "SREM s a nope", "SREM s nope", "SREM nokey a", "SPOP s", "SADD s a b c",
                "NOREPLY SPOP s 2", "NOREPLY SPOP s 5", "SADD s a b c", "SPOP s 0", "SPOP nokey", "SPOP nokey 3",
                "SMOVE s s2 a", "SMOVE s s2 a", "SMOVE s s2 b", "SADD s2 b", "SMOVE s2 s b", "SMOVE s s b",
                "SMOVE s s nope", "SMOVE s s3 c", "SMOVE nokey s a", "SADD x 1 2 3", "SADD y 2 3 4",
                "SINTERSTORE d x y", "SINTERSTORE d x y", "SINTERSTORE d x nokey", "SINTERSTORE d x nokey",
                "SUNIONSTORE d x y", "SDIFFSTORE d x y", "SDIFFSTORE d x x", "SDIFFSTORE d x x", "SET str v",
                "SINTERSTORE str x y", "SUNIONSTORE d nokey nokey2", "SREM x 1 2 3", "SMEMBERS y", "SADD str2 a",
                "SET str2 v", "SADD str2 a", "SMOVE y str2 2"};

    @ProtocolTest
    void sets(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", SETS);
    }

    private static final String[] SORTEDSETS = {
                "ZADD z 1 a 2 b", "ZADD z 1 a", "ZADD z 3 a", "ZADD z XX 4 nope", "ZADD nokey XX 1 a",
                "ZADD z NX 9 a", "ZADD z CH 5 a 6 new", "ZADD z GT 1 a", "ZADD z INCR 1 a", "ZADD z NX INCR 1 a",
                "ZINCRBY z 1 a", "ZINCRBY z2 1 a", "ZREM z a nope", "ZREM z nope", "ZREM nokey a",
                "ZADD z 1 a 2 c 3 d", "ZREMRANGEBYSCORE z 0 1", "ZREMRANGEBYSCORE z 100 200",
                "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYRANK z 10 20", "ZREMRANGEBYLEX z - +", "ZADD z 1 a 2 b 3 c 4 d",
                "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 5", "ZPOPMIN z", "ZPOPMAX nokey 2", "ZADD z 1 a 2 b 3 c 4 d",
                "ZMPOP 1 z MIN COUNT 2", "ZMPOP 1 z MAX COUNT 5", "ZMPOP 2 nokey nokey2 MIN", "ZADD z 1 a 2 b",
                "BZPOPMIN z 0", "BZPOPMAX z 0", "BZPOPMIN z 0.01", "ZADD z 1 a 2 b", "BZMPOP 0 1 z MIN",
                "ZADD za 1 a 2 b", "ZADD zb 2 b 3 c", "ZUNIONSTORE zd 2 za zb", "ZINTERSTORE zd 2 za zb",
                "ZDIFFSTORE zd 2 za zb", "ZDIFFSTORE zd 2 za za", "ZINTERSTORE zd 2 za nokey",
                "ZRANGESTORE ze za 0 -1", "ZRANGESTORE ze za 5 6", "ZRANGESTORE zf za 5 6", "ZREM zb b c",
                "ZSCORE za a", "ZRANGE za 0 -1", "SET str v", "ZADD str 1 a", "ZUNIONSTORE str 1 za"};

    @ProtocolTest
    void sortedSets(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA", SORTEDSETS);
    }

    private static final String[] TRANSACTIONS = {
        "MULTI", "SET a 1", "LPUSH l x y", "INCR a", "HSET h f v", "DEL a", "LPOP l", "EXEC", "MULTI", "SET b 1",
        "LPUSH b x", "RPUSH l2 z", "EXEC", "DISCARD", "MULTI", "SET c 1", "DISCARD", "GET c", "WATCH l2",
        "RPUSH l2 w", "MULTI", "DEL l2", "EXEC", "EXISTS l2"};

    @ProtocolTest
    void transactions(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEAn", TRANSACTIONS);
    }

    @ProtocolTest
    void blockedClientsServedByAPush(ProtocolVersion protocol) throws Exception {
        MultiClientDifferential.compare(redis().target(), RespTarget.loopback("respkv", respkvPort()), protocol,
                s -> {
                    s.control("CONFIG SET notify-keyspace-events KEA");
                    RawRespClient sub = s.client("S");
                    RawRespClient blocked = s.client("B");
                    RawRespClient pub = s.client("P");
                    s.send(sub, "PSUBSCRIBE __key*__:*");
                    s.read(sub);
                    s.send(sub, "SUBSCRIBE " + FENCE);
                    s.read(sub);
                    String[][] cases = {
                        {"BLPOP q 0", "RPUSH q x"},
                        {"BLMOVE q d LEFT RIGHT 0", "RPUSH q x y"},
                        {"BZPOPMIN z 0", "ZADD z 1 a"},
                        {"BLMPOP 0 1 e LEFT COUNT 5", "LPUSH e a b"},
                    };
                    int n = 0;
                    for (String[] c : cases) {
                        s.send(blocked, c[0]);
                        awaitBlocked(s);
                        s.call(pub, c[1]);
                        s.read(blocked);
                        s.note("  events: " + eventsUntilFence(sub, pub, n++));
                    }
                    s.quiet(sub);
                });
    }

    /** Waits (bounded) until the server reports one blocked client. */
    private static void awaitBlocked(MultiClientDifferential.Session s) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L; // generous for a loaded CI box
        while (System.nanoTime() < end) {
            if (s.control("INFO clients").text().contains("blocked_clients:1")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionFailedError(s.target() + ": the client did not block");
    }

    @ProtocolTest
    void newKeysAndClassFilters(ProtocolVersion protocol) throws Exception {
        String[] lines = {"SET a 1", "SET a 2", "LPUSH l x", "HSET h f v", "SADD s m", "ZADD z 1 m", "INCR n",
            "RENAME a b", "SET c 1", "RENAME b c", "COPY c d", "COPY c d REPLACE", "MOVE d 1", "RPOPLPUSH l l2",
            "SINTERSTORE s2 s s", "ZUNIONSTORE z2 1 z", "DEL c n", "EXPIRE h 100", "GET nokey"};
        compare(protocol, "KEAn", lines);
        compare(protocol, "nK", lines);
        compare(protocol, "KEl", lines);
        compare(protocol, "Eg$", lines);
        compare(protocol, "Khsz", lines);
        compare(protocol, "A", lines); // no K and no E: nothing is published
        compare(protocol, "", lines);
    }

    @ProtocolTest
    void keyMisses(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEm",
                "GET nokey", "EXISTS nokey nokey", "TTL nokey", "PTTL nokey", "EXPIRETIME nokey", "TYPE nokey",
                "HGET nokey f", "HGETALL nokey", "HMGET nokey a b", "LRANGE nokey 0 -1", "LLEN nokey",
                "LINDEX nokey 0", "SMEMBERS nokey", "SCARD nokey", "SISMEMBER nokey a", "SUNION nokey nokey2",
                "ZSCORE nokey a", "ZRANGE nokey 0 -1", "ZCARD nokey", "ZRANK nokey m", "ZUNION 2 nokey n2",
                "ZUNIONSTORE d 2 nokey n2", "MGET a b", "STRLEN nokey", "GETRANGE nokey 0 1", "LCS nokey nokey2",
                "SRANDMEMBER nokey", "ZRANDMEMBER nokey", "HRANDFIELD nokey", "HSCAN nokey 0", "SSCAN nokey 0",
                "ZSCAN nokey 0", "COPY nokey x", "OBJECT ENCODING nokey", "LPUSH l x", "LPOP nokey", "DEL nokey",
                "INCR cnt", "SET s v", "GET s", "GETDEL nokey", "GETEX nokey");
    }

    @ProtocolTest
    void expiredKeys(ProtocolVersion protocol) throws Exception {
        compare(protocol, "KEA",
                "SET x 1 PX 30", "AWAIT expired", "HSET h f v", "PEXPIRE h 30", "AWAIT expired",
                "SET k v EXAT 1", "AWAIT expired", "GET x", "EXISTS h k", "SET y 1 EX 1000", "PEXPIRE y 1",
                "AWAIT expired", "SET y 2");
    }

    @Test
    void resp3ClientsSubscribedToTheirOwnEvents() throws Exception {
        for (String[] lines : new String[][] {STRINGS, GENERICKEYCOMMANDS, HASHES, LISTS, SETS, SORTEDSETS,
            TRANSACTIONS}) {
            compareOwnEvents("KEAn", lines);
        }
    }

    @ProtocolTest
    void resp3SubscriberOfItsOwnKeyspace(ProtocolVersion protocol) throws Exception {
        MultiClientDifferential.compare(redis().target(), RespTarget.loopback("respkv", respkvPort()), protocol,
                s -> {
                    s.control("CONFIG SET notify-keyspace-events KEA");
                    RawRespClient c = s.client("C", ProtocolVersion.RESP3);
                    s.call(c, "PSUBSCRIBE __keyspace@0__:*");
                    s.send(c, "SET k v");
                    s.read(c, 2);
                    s.send(c, "MSET a 1 b 2");
                    s.read(c, 3);
                    s.send(c, "RPUSH l x");
                    s.read(c, 2);
                    s.send(c, "DEL a b l nokey");
                    s.read(c, 4);
                    s.call(c, "GET k");
                    s.quiet(c);
                });
    }

    @ProtocolTest
    void configNormalisesTheFlags(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (String v : new String[] {"KEA", "AKE", "Kg$", "g$lshzxetdKE", "Ag", "nKE", "KEAnm", "\"\"", "E", "x",
                "Km", "gg", "Z", "\"KEA \"", "\"K E\"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "tdexsl"}) {
                d.checkSequence("CONFIG SET notify-keyspace-events " + v, "CONFIG GET notify-keyspace-events");
            }
            d.checkSequence("CONFIG SET notify-keyspace-events",
                    "CONFIG SET notify-keyspace-events KEA notify-keyspace-events Kg",
                    "CONFIG GET notify-*",
                    "CONFIG GET notify-keyspace-events");
        }
    }
}
