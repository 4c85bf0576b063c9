package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.MultiClientDifferential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Pub/Sub against redis-server 7.0.15, byte for byte, RESP2 and RESP3: each scenario runs with a
 * subscriber and a publisher (and more clients where it matters) on Redis, then on respkv, and
 * every frame each connection read must be the same ({@link MultiClientDifferential}). Where
 * Redis's order comes from its hash tables (UNSUBSCRIBE without arguments, PUBSUB CHANNELS, two
 * patterns matching one message) the frames are compared as a set, the counts in order.
 */
class PubSubCommandsDifferentialTest extends RespkvDifferentialTest {

    private void compare(ProtocolVersion protocol, MultiClientDifferential.Scenario scenario) throws Exception {
        MultiClientDifferential.compare(redis().target(), RespTarget.loopback("respkv", respkvPort()), protocol,
                scenario);
    }

    @ProtocolTest
    void subscribeConfirmsEachChannelAndDeliversMessages(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "SUBSCRIBE news sport news");
            s.read(sub, 3);
            s.call(pub, "PUBLISH news hello");
            s.read(sub);
            s.call(pub, "PUBLISH nobody x");
            s.call(pub, "PUBLISH sport \"\"");
            s.read(sub);
            s.call(pub, RespCommand.of(bytes("PUBLISH"), bytes("news"), new byte[] {0, (byte) 0xff, '\r', '\n', 'x'}));
            s.read(sub);
            s.call(pub, RespCommand.of(bytes("PUBLISH"), new byte[] {'c', 0, 'h'}, bytes("binary channel")));
            s.send(sub, "SUBSCRIBE \"c\\x00h\"");
            s.read(sub);
            s.call(pub, RespCommand.of(bytes("PUBLISH"), new byte[] {'c', 0, 'h'}, bytes("binary channel")));
            s.read(sub);
            s.call(pub, "PUBSUB NUMSUB news sport nobody \"c\\x00h\"");
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void everySubscriberGetsItsCopyInOrder(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client("A");
            RawRespClient b = s.client("B");
            RawRespClient pub = s.client("P");
            s.call(a, "SUBSCRIBE ch");
            s.call(b, "SUBSCRIBE ch");
            for (int i = 0; i < 20; i++) {
                s.call(pub, "PUBLISH ch m" + i);
            }
            s.read(a, 20);
            s.read(b, 20);
            s.call(pub, "PUBSUB NUMSUB ch");
            s.quiet(a);
        });
    }

    @ProtocolTest
    void patternsMatchWithGlobRules(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "PSUBSCRIBE h?llo w[ao]rld \"esc\\\\*aped\" [^x]yz");
            s.read(sub, 4);
            for (String ch : new String[] {"hello", "hallo", "hllo", "world", "wurld", "esc*aped", "escXaped", "ayz",
                "xyz", "HELLO"}) {
                s.call(pub, "PUBLISH " + ch + " msg-" + ch);
            }
            s.read(sub, 5);
            s.call(pub, "PUBSUB NUMPAT");
            s.quiet(sub);
            // a channel subscription is served before a pattern one
            s.send(sub, "SUBSCRIBE hello");
            s.read(sub);
            s.call(pub, "PUBLISH hello both");
            s.read(sub, 2);
            s.send(sub, "PUNSUBSCRIBE h?llo nothere");
            s.read(sub, 2);
            s.call(pub, "PUBLISH hello once");
            s.read(sub);
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void twoPatternsMatchingOneMessage(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "PSUBSCRIBE a* *b");
            s.read(sub, 2);
            s.call(pub, "PUBLISH ab x");
            s.readUnordered(sub, 2); // Redis visits its patterns in hash order
            s.call(pub, "PUBSUB NUMPAT");
        });
    }

    @ProtocolTest
    void unsubscribeWithoutArgumentsLeavesEverySubscription(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            // subscribed to nothing: one confirmation with a null name
            s.call(sub, "UNSUBSCRIBE");
            s.call(sub, "PUNSUBSCRIBE");
            s.call(sub, "SUNSUBSCRIBE");
            s.call(sub, "UNSUBSCRIBE nothere");
            s.call(sub, "PING");
            s.send(sub, "SUBSCRIBE a b c");
            s.read(sub, 3);
            s.send(sub, "PSUBSCRIBE p1* p2*");
            s.read(sub, 2);
            s.send(sub, "UNSUBSCRIBE");
            leftInAnyOrder(s, sub, 3);
            s.call(pub, "PUBLISH a x");
            s.call(pub, "PUBSUB NUMSUB a b c");
            s.send(sub, "PUNSUBSCRIBE");
            leftInAnyOrder(s, sub, 2);
            s.call(sub, "UNSUBSCRIBE");
            s.call(sub, "PUNSUBSCRIBE");
            s.call(pub, "PUBSUB NUMPAT");
            // out of subscribed mode: ordinary commands again
            s.call(sub, "SET k v");
            s.call(sub, "GET k");
            s.call(sub, "PING");
            s.quiet(sub);
        });
    }

    /**
     * Reads {@code n} unsubscribe confirmations and records what must agree whatever order
     * Redis's dict gives: the kind of each frame, the names left (sorted) and the counts (in order).
     */
    private static void leftInAnyOrder(MultiClientDifferential.Session s, RawRespClient c, int n) throws IOException {
        List<String> kinds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RespFrame f = s.readUnrecorded(c);
            List<RespFrame> e = f.elements();
            assertEquals(3, e.size(), () -> "not a confirmation: " + f);
            kinds.add(f.type() + " " + e.get(0).text());
            names.add(e.get(1).text());
            counts.add(e.get(2).integer());
        }
        names.sort(null);
        s.note("left " + kinds + " " + names + " counts " + counts);
    }

    @ProtocolTest
    void subscribedModeRefusesOtherCommandsInResp2(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            s.send(sub, "SUBSCRIBE ch");
            s.read(sub);
            for (String line : new String[] {"PING", "PING hi", "PING a b", "GET k", "GET", "SET k v", "PUBLISH elsewhere x",
                "PUBSUB NUMSUB ch", "PUBSUB", "CONFIG GET maxmemory", "CLIENT ID", "DBSIZE", "NOSUCH cmd", "ECHO x",
                "SELECT 1", "HELLO 3", "INFO", "MULTI"}) {
                if (line.equals("HELLO 3") && protocol == ProtocolVersion.RESP3) {
                    continue; // the reply carries the connection id
                }
                if (line.equals("INFO") || line.equals("CLIENT ID") || line.equals("MULTI")) {
                    if (protocol == ProtocolVersion.RESP2) {
                        s.call(sub, line); // refused: the same error line
                    }
                    continue;
                }
                s.call(sub, line);
            }
            s.send(sub, "PSUBSCRIBE p*");
            s.read(sub);
            s.send(sub, "SSUBSCRIBE sh");
            s.read(sub);
            s.send(sub, "UNSUBSCRIBE ch");
            s.read(sub);
            s.call(sub, "GET k"); // still subscribed to a pattern and a shard channel
            s.send(sub, "PUNSUBSCRIBE p*");
            s.read(sub);
            s.call(sub, "GET k"); // still subscribed to a shard channel
            s.send(sub, "SUNSUBSCRIBE sh");
            s.read(sub);
            s.call(sub, "GET k");
            s.call(sub, "PING");
            s.send(sub, "SUBSCRIBE ch");
            s.read(sub);
            s.send(sub, "QUIT");
            s.read(sub);
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void subscribeInsideMulti(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.call(sub, "MULTI");
            s.call(sub, "SUBSCRIBE a");
            s.call(sub, "PSUBSCRIBE b*");
            s.call(sub, "EXEC");
            s.call(pub, "PUBLISH a x");
            s.read(sub);
            s.call(sub, "GET k");
            s.send(sub, "UNSUBSCRIBE");
            s.read(sub);
            s.send(sub, "PUNSUBSCRIBE");
            s.read(sub);
            s.call(sub, "MULTI");
            s.call(sub, "SUBSCRIBE c");
            s.call(sub, "DISCARD");
            s.call(pub, "PUBSUB NUMSUB c");
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void resp3ClientsPublishToThemselves(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient c = s.client("C", ProtocolVersion.RESP3);
            RawRespClient other = s.client("O");
            s.call(c, "SUBSCRIBE self");
            s.send(c, "PUBLISH self hi");
            s.read(c, 2); // the message, then PUBLISH's reply
            s.send(c, "PSUBSCRIBE s*");
            s.read(c);
            s.send(c, "PUBLISH self twice");
            s.read(c, 3);
            s.call(other, "PUBLISH self third");
            s.read(c, 2);
            s.call(c, "SET k v");
            s.call(c, "GET k");
            s.call(c, "UNSUBSCRIBE self");
            s.call(c, "PUBLISH self gone");
            s.read(c);
            s.quiet(c);
        });
    }

    @ProtocolTest
    void resetDropsSubscriptionsSilently(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "SUBSCRIBE a");
            s.read(sub);
            s.send(sub, "PSUBSCRIBE p*");
            s.read(sub);
            s.send(sub, "SSUBSCRIBE sh");
            s.read(sub);
            s.call(pub, "PUBLISH a before");
            s.read(sub);
            s.call(sub, "RESET");
            s.call(pub, "PUBLISH a after");
            s.call(pub, "PUBLISH pa after");
            s.call(pub, "SPUBLISH sh after");
            s.call(pub, "PUBSUB NUMSUB a");
            s.call(pub, "PUBSUB SHARDNUMSUB sh");
            s.call(pub, "PUBSUB NUMPAT");
            s.call(sub, "PING");
            s.call(sub, "GET k");
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void shardChannelsAreTheirOwnNamespace(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "SUBSCRIBE plain");
            s.read(sub);
            s.send(sub, "SSUBSCRIBE s1 s2 s1 plain");
            s.read(sub, 4);
            s.call(pub, "SPUBLISH s1 hello");
            s.read(sub);
            s.call(pub, "SPUBLISH plain shard-side");
            s.read(sub);
            s.call(pub, "PUBLISH s1 plain-side");
            s.call(pub, "PUBLISH plain plain-side");
            s.read(sub);
            s.send(sub, "PSUBSCRIBE s*");
            s.read(sub);
            s.call(pub, "SPUBLISH s2 no-patterns-for-shards");
            s.read(sub);
            s.callSorted(pub, "PUBSUB SHARDCHANNELS");
            s.callSorted(pub, "PUBSUB SHARDCHANNELS s*");
            s.call(pub, "PUBSUB SHARDNUMSUB s1 s2 plain none");
            s.call(pub, "PUBSUB SHARDNUMSUB");
            s.send(sub, "SUNSUBSCRIBE s1 none");
            s.read(sub, 2);
            s.send(sub, "SUNSUBSCRIBE");
            leftInAnyOrder(s, sub, 2);
            s.call(sub, "SUNSUBSCRIBE");
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void pubsubIntrospection(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client("A");
            RawRespClient b = s.client("B");
            RawRespClient q = s.client("Q");
            s.call(q, "PUBSUB CHANNELS");
            s.call(q, "PUBSUB NUMPAT");
            s.call(q, "PUBSUB NUMSUB");
            s.send(a, "SUBSCRIBE news.tech news.art weather");
            s.read(a, 3);
            s.send(b, "SUBSCRIBE news.tech");
            s.read(b);
            s.send(a, "PSUBSCRIBE news.*");
            s.read(a);
            s.send(b, "PSUBSCRIBE news.* w*");
            s.read(b, 2);
            s.callSorted(q, "PUBSUB CHANNELS");
            s.callSorted(q, "PUBSUB CHANNELS news.*");
            s.callSorted(q, "PUBSUB CHANNELS *[ht]*");
            s.call(q, "PUBSUB CHANNELS nomatch*");
            s.call(q, "PUBSUB NUMSUB news.tech news.art weather none news.tech");
            s.call(q, "PUBSUB NUMPAT");
            s.send(a, "SSUBSCRIBE shard1 shard2");
            s.read(a, 2);
            RespFrame info = s.control("INFO stats");
            s.note("INFO pubsub_channels " + Differential.infoField(info, "pubsub_channels") + " pubsub_patterns "
                    + Differential.infoField(info, "pubsub_patterns") + " pubsubshard_channels "
                    + Differential.infoField(info, "pubsubshard_channels"));
            for (String line : new String[] {"PUBSUB HELP", "pubsub help", "PUBSUB FOO", "PUBSUB CHANNELS a b",
                "PUBSUB SHARDCHANNELS a b", "PUBSUB NUMPAT x", "PUBSUB HELP x", "PUBSUB", "SUBSCRIBE", "PSUBSCRIBE",
                "SSUBSCRIBE", "PUBLISH ch", "PUBLISH ch a b", "SPUBLISH ch"}) {
                s.call(q, line);
            }
            s.close(b);
            awaitSubscribers(s, q, "news.tech", 1);
            s.call(q, "PUBSUB NUMSUB news.tech");
            s.call(q, "PUBSUB NUMPAT");
            s.call(q, "PUBLISH news.tech after-b-left");
            s.read(a, 2);
        });
    }

    /** Waits (bounded) until {@code channel} has {@code n} subscribers: a disconnect is processed asynchronously. */
    private static void awaitSubscribers(MultiClientDifferential.Session s, RawRespClient q, String channel, long n)
            throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        long last = -1;
        while (System.nanoTime() < end) {
            last = s.control("PUBSUB NUMSUB " + channel).elements().get(1).integer();
            if (last == n) {
                return;
            }
            Thread.sleep(5);
        }
        fail(s.target() + ": " + channel + " kept " + last + " subscribers");
    }

    @ProtocolTest
    void pendingMessagesArriveBeforeTheUnsubscribeConfirmation(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient sub = s.client("S");
            RawRespClient pub = s.client("P");
            s.send(sub, "SUBSCRIBE a b");
            s.read(sub, 2);
            for (int i = 0; i < 5; i++) {
                s.call(pub, "PUBLISH a m" + i);
            }
            s.send(sub, "UNSUBSCRIBE a");
            s.read(sub, 6);
            s.call(pub, "PUBLISH a late");
            s.call(pub, "PUBLISH b still");
            s.read(sub);
            s.quiet(sub);
        });
    }

    @ProtocolTest
    void configOfTheOutputBufferLimit(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            try {
                d.checkSequence("CONFIG GET client-output-buffer-limit",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1mb 512kb 5\"",
                        "CONFIG GET client-output-buffer-limit",
                        "CONFIG SET client-output-buffer-limit \"PUBSUB 1k 2KB 0 normal 0 0 0\"",
                        "CONFIG GET client-output-buffer-limit",
                        "CONFIG SET client-output-buffer-limit \"replica 1g 1gb 1 slave 1m 1mb 2\"",
                        "CONFIG GET client-output-buffer-limit",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1 2 3 pubsub 4 5 6\"",
                        "CONFIG GET client-output-buffer-limit",
                        "CONFIG SET client-output-buffer-limit \"\"",
                        "CONFIG SET client-output-buffer-limit \"foo 1 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"master 1 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub x 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1.5mb 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1 1 -1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub -1 1 1\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1 1 x\"",
                        "CONFIG SET client-output-buffer-limit \"pubsub 1 1 1 foo 1 1 1\"",
                        "CONFIG GET client-output-buffer-limit");
            } finally {
                d.sendBoth("CONFIG", "SET", "client-output-buffer-limit",
                        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
