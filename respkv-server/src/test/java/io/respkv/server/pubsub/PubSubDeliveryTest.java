package io.respkv.server.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.EngineFeature;
import io.respkv.server.RespServer;
import io.respkv.server.SlowSyncEngine;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What differential tests cannot show: how respkv delivers pub/sub messages. A subscriber that
 * does not read is closed at the output-buffer limit (hard, and soft after its seconds) instead
 * of growing the server's memory; messages of one publisher keep their order across event
 * loops; keyspace events of a write wait for the group-commit sync; CLIENT LIST shows
 * subscribers. Every wait is bounded.
 */
@Timeout(60)
class PubSubDeliveryTest {

    private static final Pattern OMEM = Pattern.compile(" omem=(\\d+) ");

    private static RawRespClient connect(RespServer server) throws Exception {
        return RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()));
    }

    /**
     * A subscriber that never reads: a socket with a small receive buffer that subscribes and then
     * ignores what arrives.
     */
    private static Socket deafSubscriber(RespServer server, String channel) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.activePort()), 5_000);
        OutputStream out = s.getOutputStream();
        out.write(RespCommand.of("SUBSCRIBE", channel).encode());
        out.flush();
        return s;
    }

    private static long subscribers(RawRespClient c, String channel) throws Exception {
        return c.call("PUBSUB", "NUMSUB", channel).elements().get(1).integer();
    }

    private static void awaitSubscribers(RawRespClient c, String channel, long n) throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        while (subscribers(c, channel) != n) {
            if (System.nanoTime() > end) {
                fail(channel + " never had " + n + " subscribers");
            }
            Thread.sleep(5);
        }
    }

    /** The largest omem CLIENT LIST reports for pub/sub clients. */
    private static long pubsubOmem(RawRespClient c) throws Exception {
        Matcher m = OMEM.matcher(c.call("CLIENT", "LIST", "TYPE", "pubsub").text());
        long max = 0;
        while (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }

    @Test
    void aSubscriberThatDoesNotReadIsClosedAtTheHardLimit() throws Exception {
        try (RespServer server = RespServer.builder().port(0).start().join();
                RawRespClient pub = connect(server)) {
            int hard = 1 << 20;
            assertEquals("OK", pub.call("CONFIG", "SET", "client-output-buffer-limit",
                    "pubsub " + hard + " 0 0").text());
            try (Socket deaf = deafSubscriber(server, "firehose")) {
                awaitSubscribers(pub, "firehose", 1);
                String message = "x".repeat(64 * 1024);
                long maxSeen = 0;
                int published = 0;
                long end = System.nanoTime() + 20_000_000_000L;
                // bounded: 2048 messages of 64 KB (128 MB) or 20 s, far beyond any socket buffer
                while (published < 2048 && System.nanoTime() < end) {
                    long receivers = pub.call("PUBLISH", "firehose", message).integer();
                    published++;
                    if (receivers == 0) {
                        break;
                    }
                    if (published % 8 == 0) {
                        maxSeen = Math.max(maxSeen, pubsubOmem(pub));
                    }
                }
                awaitSubscribers(pub, "firehose", 0);
                assertTrue(published < 2048, "the subscriber was never closed");
                // what waited for the socket never exceeded the limit by more than one message
                assertTrue(maxSeen <= hard + message.length() + 64, "pending bytes reached " + maxSeen);
                assertEquals(0L, pub.call("PUBLISH", "firehose", "after").integer());
                assertEquals("", pub.call("CLIENT", "LIST", "TYPE", "pubsub").text());
                // the connection is gone: reading reaches its end after what the socket held
                deaf.setSoTimeout(5_000);
                InputStream in = deaf.getInputStream();
                byte[] buf = new byte[1 << 16];
                long drained = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    drained += n;
                }
                assertTrue(drained < (long) published * message.length(), "not every message was kept");
            }
            assertEquals("PONG", pub.call("PING").text());
        }
    }

    @Test
    void overTheSoftLimitForItsSecondsClosesTheSubscriber() throws Exception {
        try (RespServer server = RespServer.builder().port(0).start().join();
                RawRespClient pub = connect(server)) {
            assertEquals("OK", pub.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1").text());
            try (Socket deaf = deafSubscriber(server, "slow")) {
                awaitSubscribers(pub, "slow", 1);
                String message = "y".repeat(16 * 1024);
                long firstOver = 0;
                long closedAt = 0;
                long end = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < end) {
                    if (pub.call("PUBLISH", "slow", message).integer() == 0) {
                        closedAt = System.nanoTime();
                        break;
                    }
                    if (firstOver == 0 && pubsubOmem(pub) >= 256 * 1024) {
                        firstOver = System.nanoTime();
                    }
                    Thread.sleep(2);
                }
                assertTrue(closedAt != 0, "the subscriber was never closed");
                assertTrue(firstOver != 0, "the soft limit was never reached before the close");
                long overMillis = (closedAt - firstOver) / 1_000_000;
                assertTrue(overMillis >= 900, "closed " + overMillis + " ms after going over the soft limit");
            }
        }
    }

    @Test
    void messagesOfOnePublisherKeepTheirOrderAcrossEventLoops() throws Exception {
        try (RespServer server = RespServer.builder().port(0).eventLoopThreads(4).start().join()) {
            int publishers = 4;
            int perPublisher = 500;
            List<RawRespClient> subs = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawRespClient s = connect(server);
                    s.call("SUBSCRIBE", "ordered");
                    subs.add(s);
                }
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    int id = p;
                    Thread t = new Thread(() -> {
                        try (RawRespClient c = connect(server)) {
                            StringBuilder pipeline = new StringBuilder();
                            for (int n = 0; n < perPublisher; n++) {
                                pipeline.append(new String(RespCommand.of("PUBLISH", "ordered", id + ":" + n).encode(),
                                        StandardCharsets.UTF_8));
                            }
                            c.sendRaw(pipeline.toString().getBytes(StandardCharsets.UTF_8));
                            for (int n = 0; n < perPublisher; n++) {
                                c.readReply();
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    });
                    threads.add(t);
                    t.start();
                }
                for (Thread t : threads) {
                    t.join(30_000);
                }
                assertEquals(List.of(), failures);
                for (RawRespClient s : subs) {
                    int[] next = new int[publishers];
                    for (int i = 0; i < publishers * perPublisher; i++) {
                        String[] m = s.readReply().elements().get(2).text().split(":");
                        int id = Integer.parseInt(m[0]);
                        assertEquals(next[id], Integer.parseInt(m[1]), "publisher " + id + " out of order");
                        next[id]++;
                    }
                }
            } finally {
                for (RawRespClient s : subs) {
                    s.close();
                }
            }
        }
    }

    @Test
    void keyspaceEventsOfAWriteWaitForItsGroupSync() throws Exception {
        SlowSyncEngine engine = new SlowSyncEngine();
        // two event loops: the subscriber's is not the one that syncs the publisher's write
        try (RespServer server = RespServer.builder().port(0).eventLoopThreads(2).ownedEngine(engine).start().join();
                RawRespClient sub = connect(server);
                RawRespClient pub = connect(server)) {
            pub.call("CONFIG", "SET", "notify-keyspace-events", "E$");
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            for (int i = 0; i < 3; i++) {
                long before = engine.commits.get();
                pub.send(RespCommand.of("SET", "k" + i, "v"));
                RespFrame event = sub.readReply();
                assertEquals("k" + i, event.elements().get(3).text());
                // the event left only after a sync that covered the SET's commit
                assertTrue(engine.synced.get() > before, "event before the sync: synced " + engine.synced.get()
                        + ", commits before the SET " + before);
                assertEquals("OK", pub.readReply().text());
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aClientThatLeftSubscribedModeNeverReadsALateMessage(boolean commandThreads) throws Exception {
        RespServer.Builder b = RespServer.builder().port(0).eventLoopThreads(2);
        if (commandThreads) {
            b.ownedEngine(new SlowSyncEngine(EngineFeature.BLOCKING_IO, 150));
        }
        try (RespServer server = b.start().join();
                RawRespClient sub = connect(server)) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread flood = new Thread(() -> {
                try (RawRespClient pub = connect(server)) {
                    while (!stop.get()) {
                        pub.call("PUBLISH", "busy", "m");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            flood.start();
            try {
                for (int round = 0; round < 50; round++) {
                    sub.call("SUBSCRIBE", "busy");
                    sub.send(RespCommand.of("UNSUBSCRIBE"));
                    // messages published before the UNSUBSCRIBE may come first; nothing after it
                    while (true) {
                        RespFrame f = sub.readReply();
                        if (f.elements().get(0).text().equals("unsubscribe")) {
                            assertEquals(0L, f.elements().get(2).integer());
                            break;
                        }
                        assertEquals("message", f.elements().get(0).text());
                    }
                    assertEquals("PONG", sub.call("PING").text(), "round " + round);
                }
            } finally {
                stop.set(true);
                flood.join(10_000);
            }
            assertEquals(List.of(), failures);
        }
    }

    @Test
    void pdelReportsEveryKeyItDeletes() throws Exception {
        try (RespServer server = RespServer.builder().port(0).start().join();
                RawRespClient sub = connect(server);
                RawRespClient c = connect(server)) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "Eg");
            sub.call("SUBSCRIBE", "__keyevent@0__:del");
            int n = 2500; // more than one PDEL batch
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < n; i++) {
                pipeline.append(new String(RespCommand.of("SET", String.format("p:%05d", i), "v").encode(),
                        StandardCharsets.UTF_8));
            }
            c.sendRaw(pipeline.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < n; i++) {
                c.readReply();
            }
            c.call("SET", "other", "v");
            assertEquals(n, c.call("PDEL", "p:*").integer());
            for (int i = 0; i < n; i++) {
                assertEquals(String.format("p:%05d", i), sub.readReply().elements().get(2).text());
            }
            assertEquals(1L, c.call("DEL", "other").integer());
            assertEquals("other", sub.readReply().elements().get(2).text());
        }
    }

    @Test
    void clientListShowsSubscribers() throws Exception {
        try (RespServer server = RespServer.builder().port(0).start().join();
                RawRespClient sub = connect(server);
                RawRespClient other = connect(server)) {
            sub.call("CLIENT", "SETNAME", "listener");
            sub.call("SUBSCRIBE", "a");
            sub.call("SUBSCRIBE", "b");
            sub.call("PSUBSCRIBE", "p*");
            sub.call("SSUBSCRIBE", "s");
            String line = other.call("CLIENT", "LIST", "TYPE", "pubsub").text();
            assertTrue(line.contains(" name=listener ") && line.contains(" flags=P ")
                    && line.contains(" sub=2 psub=1 ssub=1 "), line);
            assertTrue(!other.call("CLIENT", "LIST", "TYPE", "normal").text().contains("name=listener"));
            assertEquals(1L, other.call("CLIENT", "KILL", "TYPE", "pubsub").integer());
            awaitSubscribers(other, "a", 0);
            assertEquals(0L, other.call("PUBSUB", "NUMPAT").integer());
        }
    }
}
