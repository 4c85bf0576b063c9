package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * PUBLISH on one respkv instance reaches SUBSCRIBE and PSUBSCRIBE clients (real Jedis) on another
 * instance over the same schema, through the engines' {@link PostgresMessageBus}: exact bytes of
 * any size, in order, exactly once; keyspace notifications too.
 */
@Timeout(120)
class PostgresCrossInstancePubSubTest {

    private static final byte[] BINARY_CHANNEL = {'c', 'h', 0x00, (byte) 0xff, '\r', '\n', 'x'};

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private PostgresEngine engineA;
    private PostgresEngine engineB;
    private RespServer a;
    private RespServer b;

    @BeforeEach
    void start() {
        String schema = EmbeddedPostgresServer.newSchema("pubsub");
        engineA = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(4).build();
        engineB = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(4).build();
        a = RespServer.builder().port(0).ownedEngine(engineA).start().join();
        toClose.add(a);
        b = RespServer.builder().port(0).ownedEngine(engineB).start().join();
        toClose.add(b);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private Jedis jedis(RespServer server) {
        return closing(new Jedis("127.0.0.1", server.activePort(), 10_000));
    }

    private static PostgresMessageBus bus(PostgresEngine engine) {
        return (PostgresMessageBus) engine.messageBus();
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static void assertMessage(List<byte[]> got, String kind, byte[] pattern, byte[] channel, byte[] message) {
        assertNotNull(got, "a " + kind + " arrived");
        assertEquals(kind, new String(got.get(0), UTF_8));
        int i = 1;
        if (pattern != null) {
            assertArrayEquals(pattern, got.get(i++), "pattern");
        }
        assertArrayEquals(channel, got.get(i++), "channel");
        assertArrayEquals(message, got.get(i), "message");
    }

    @Test
    void binaryMessagesOfAnySizeReachTheOtherInstanceExactlyOnce() throws Exception {
        BusSubscriber onB = closing(BusSubscriber.channels(b.activePort(), BINARY_CHANNEL));
        BusSubscriber patternOnB = closing(BusSubscriber.patterns(b.activePort(), b("ch*")));
        BusSubscriber onA = closing(BusSubscriber.channels(a.activePort(), BINARY_CHANNEL));
        assertTrue(await(() -> bus(engineA).othersListening()), "A knows B listens");
        Jedis publisher = jedis(a);

        byte[] small = {0x00, (byte) 0xff, '\r', '\n', 'v', 0x00, (byte) 0x80};
        byte[] empty = {};
        byte[] large = new byte[1 << 20]; // 1 MB: about 180 notifications of one transaction
        new Random(7).nextBytes(large);
        for (int i = 0; i < 256; i++) {
            large[i] = (byte) i;
        }
        large[256] = '\r';
        large[257] = '\n';

        for (byte[] message : List.of(small, empty, large)) {
            // PUBLISH counts the receivers on the publishing instance only
            assertEquals(1L, publisher.publish(BINARY_CHANNEL, message));
            assertMessage(onB.next(20), "message", null, BINARY_CHANNEL, message);
            assertMessage(patternOnB.next(20), "pmessage", b("ch*"), BINARY_CHANNEL, message);
            assertMessage(onA.next(20), "message", null, BINARY_CHANNEL, message);
        }
        // A PUBLISH with no subscriber on its own instance replies 0 and still reaches B's.
        assertEquals(0L, jedis(b).publish(b("only-a"), b("x")) + publisher.publish(b("chan-b"), b("to-b")));
        assertMessage(patternOnB.next(20), "pmessage", b("ch*"), b("chan-b"), b("to-b"));

        Thread.sleep(300);
        assertNull(onA.received.poll(), "A's subscriber got each message once (no copy back from the bus)");
        assertNull(onB.received.poll(), "B's subscriber got each message once");
        assertNull(patternOnB.received.poll());
        assertEquals(0, bus(engineB).duplicates());
    }

    @Test
    void aThousandMessagesArriveInPublishOrder() throws Exception {
        BusSubscriber onB = closing(BusSubscriber.channels(b.activePort(), b("seq")));
        assertTrue(await(() -> bus(engineA).othersListening()));
        Jedis publisher = jedis(a);
        Pipeline p = publisher.pipelined();
        for (int i = 0; i < 1_000; i++) {
            p.publish("seq", Integer.toString(i));
        }
        p.sync();
        for (int i = 0; i < 1_000; i++) {
            assertMessage(onB.next(20), "message", null, b("seq"), b(Integer.toString(i)));
        }
        Thread.sleep(300);
        assertNull(onB.received.poll(), "exactly 1,000");
        long statements = bus(engineA).statements();
        System.out.println("1,000 PUBLISH from A: " + statements + " NOTIFY statements");
        assertTrue(statements <= 1_000, "never more than one statement per message");
    }

    @Test
    void concurrentPublishersLoseNothingAndKeepTheirOwnOrder() throws Exception {
        BusSubscriber onB = closing(BusSubscriber.channels(b.activePort(), b("many")));
        assertTrue(await(() -> bus(engineA).othersListening()));
        int publishers = 8;
        int each = 500;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < publishers; p++) {
            int publisher = p;
            Jedis jedis = jedis(a);
            threads.add(new Thread(() -> {
                try {
                    Pipeline pipe = jedis.pipelined();
                    for (int i = 0; i < each; i++) {
                        pipe.publish("many", publisher + ":" + i);
                    }
                    pipe.sync();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertEquals(List.of(), failures);
        int[] next = new int[publishers];
        for (int n = 0; n < publishers * each; n++) {
            List<byte[]> m = onB.next(20);
            assertNotNull(m, "message " + n + " of " + publishers * each + " arrived");
            String[] parts = new String(m.get(2), UTF_8).split(":");
            int publisher = Integer.parseInt(parts[0]);
            assertEquals(next[publisher]++, Integer.parseInt(parts[1]), "publisher " + publisher + "'s order");
        }
        Thread.sleep(300);
        assertNull(onB.received.poll(), "each exactly once");
        assertEquals(0, bus(engineB).duplicates());
    }

    @Test
    void keyspaceNotificationsOfAWriteReachSubscribersOfBothInstancesOnce() throws Exception {
        Jedis writer = jedis(a);
        assertEquals("OK", writer.configSet("notify-keyspace-events", "KEA"));
        BusSubscriber onB = closing(BusSubscriber.patterns(b.activePort(), b("__key*__:*")));
        BusSubscriber onA = closing(BusSubscriber.patterns(a.activePort(), b("__key*__:*")));
        assertTrue(await(() -> bus(engineA).othersListening()));
        byte[] key = {'k', 0x00, (byte) 0xff};
        writer.set(key, b("v"));
        writer.lpush(b("list"), b("x"));
        for (BusSubscriber s : List.of(onA, onB)) {
            assertMessage(s.next(20), "pmessage", b("__key*__:*"), concat(b("__keyspace@0__:"), key), b("set"));
            assertMessage(s.next(20), "pmessage", b("__key*__:*"), b("__keyevent@0__:set"), key);
            assertMessage(s.next(20), "pmessage", b("__key*__:*"), b("__keyspace@0__:list"), b("lpush"));
            assertMessage(s.next(20), "pmessage", b("__key*__:*"), b("__keyevent@0__:lpush"), b("list"));
        }
        Thread.sleep(300);
        assertNull(onA.received.poll(), "no copy of A's own events back from the bus");
        assertNull(onB.received.poll());
    }

    @Test
    void aLoneInstanceSendsNothingToTheDatabaseAndLearnsAtOnceWhenAnotherStarts() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("pubsub_alone");
        PostgresEngine alone = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres")
                .schema(schema).poolSize(2).build();
        RespServer server = closing(RespServer.builder().port(0).ownedEngine(alone).start().join());
        Jedis publisher = jedis(server);
        BusSubscriber local = closing(BusSubscriber.channels(server.activePort(), b("c")));
        assertFalse(bus(alone).othersListening());
        for (int i = 0; i < 100; i++) {
            assertEquals(1L, publisher.publish("c", "m" + i));
        }
        assertEquals(0, bus(alone).statements(), "no NOTIFY while no other instance listens");
        assertEquals(0, bus(alone).published());

        PostgresEngine other = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres")
                .schema(schema).poolSize(2).build();
        RespServer otherServer = closing(RespServer.builder().port(0).ownedEngine(other).start().join());
        assertTrue(await(() -> bus(alone).othersListening()), "the newcomer's hello");
        BusSubscriber remote = closing(BusSubscriber.channels(otherServer.activePort(), b("c")));
        assertEquals(1L, publisher.publish("c", "hello"));
        assertMessage(remote.next(20), "message", null, b("c"), b("hello"));
        for (int i = 0; i < 100; i++) {
            assertMessage(local.next(5), "message", null, b("c"), b("m" + i));
        }
        assertMessage(local.next(5), "message", null, b("c"), b("hello"));
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = new byte[x.length + y.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }
}
