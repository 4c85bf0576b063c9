package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client blocked on one respkv instance is woken by a push on another instance over the same
 * schema: the engines' {@link PostgresKeySignals} (LISTEN/NOTIFY) tell the pushing instance that
 * the key is waited on, and carry the signal back.
 */
@Timeout(60)
class PostgresCrossInstanceBlockingTest {

    private static final Pattern BLOCKED = Pattern.compile("\r\nblocked_clients:(\\d+)\r\n");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private PostgresEngine engineA;
    private PostgresEngine engineB;
    private RespServer a;
    private RespServer b;

    @BeforeEach
    void start() {
        String schema = EmbeddedPostgresServer.newSchema("blocking");
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

    private RawRespClient client(RespServer server) throws Exception {
        RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()),
                Duration.ofSeconds(20));
        toClose.add(c);
        return c;
    }

    private static PostgresKeySignals signals(PostgresEngine engine) {
        return (PostgresKeySignals) engine.keySignals();
    }

    /** The token the server signals for {@code key} of database 0. */
    private static byte[] token(String key) {
        byte[] k = key.getBytes(UTF_8);
        byte[] t = new byte[k.length + 2];
        System.arraycopy(k, 0, t, 2, k.length);
        return t;
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

    private static int blockedClients(RawRespClient c) {
        try {
            Matcher m = BLOCKED.matcher(new String(c.call("INFO", "clients").raw(), UTF_8));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reply(RawRespClient c, String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }

    @Test
    void aPushOnOneInstanceWakesAClientBlockedOnTheOther() throws Exception {
        RawRespClient waiter = client(a);
        RawRespClient watcherA = client(a);
        RawRespClient pusher = client(b);
        waiter.send(RespCommand.of("BLPOP", "queue", "10"));
        assertTrue(await(() -> blockedClients(watcherA) == 1));
        assertTrue(await(() -> signals(engineB).othersWaitOn(token("queue"))), "B learnt that A waits on queue");
        assertFalse(signals(engineB).othersWaitOn(token("other")));

        long sentBefore = signals(engineB).sent();
        long start = System.nanoTime();
        assertEquals(":1\r\n", reply(pusher, "LPUSH", "queue", "job-1"));
        assertEquals("*2\r\n$5\r\nqueue\r\n$5\r\njob-1\r\n", new String(waiter.readReply().raw(), UTF_8));
        long wokenMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("BLPOP on A woken by LPUSH on B after " + wokenMillis + " ms");
        assertTrue(signals(engineB).sent() > sentBefore, "B signalled queue");
        assertTrue(await(() -> signals(engineA).received() > 0), "A received the signal");
        assertEquals(":0\r\n", reply(pusher, "LLEN", "queue"), "A's client took the job");

        // A no longer waits: B learns it and stops signalling the key.
        assertTrue(await(() -> !signals(engineB).othersWaitOn(token("queue"))));
        long sent = signals(engineB).sent();
        assertEquals(":1\r\n", reply(pusher, "LPUSH", "queue", "job-2"));
        assertEquals(":1\r\n", reply(pusher, "LPUSH", "other", "x"));
        assertEquals(sent, signals(engineB).sent(), "nothing sent for keys nobody waits on");
    }

    @Test
    void aBlmoveServedByASignalSignalsItsDestinationBack() throws Exception {
        RawRespClient mover = client(a);
        RawRespClient consumer = client(b);
        RawRespClient pusher = client(b);
        RawRespClient watcherA = client(a);
        RawRespClient watcherB = client(b);
        mover.send(RespCommand.of("BLMOVE", "src", "dst", "LEFT", "RIGHT", "10"));
        consumer.send(RespCommand.of("BLPOP", "dst", "10"));
        assertTrue(await(() -> blockedClients(watcherA) == 1 && blockedClients(watcherB) == 1));
        assertTrue(await(() -> signals(engineB).othersWaitOn(token("src"))));
        assertTrue(await(() -> signals(engineA).othersWaitOn(token("dst"))));
        assertEquals(":1\r\n", reply(pusher, "LPUSH", "src", "v"));
        assertEquals("$1\r\nv\r\n", new String(mover.readReply().raw(), UTF_8), "A's BLMOVE, woken by B's push");
        assertEquals("*2\r\n$3\r\ndst\r\n$1\r\nv\r\n", new String(consumer.readReply().raw(), UTF_8),
                "B's BLPOP, woken by A's move");
        assertEquals(":0\r\n", reply(pusher, "EXISTS", "src", "dst"));
    }

    @Test
    void aBlockedClientTimesOutAsUsualAndWaitersOnBothInstancesAreServed() throws Exception {
        RawRespClient onA = client(a);
        RawRespClient onB = client(b);
        RawRespClient pusher = client(b);
        assertEquals("*-1\r\n", reply(onA, "BLPOP", "nothing", "0.2"), "a timeout is still a timeout");
        onA.send(RespCommand.of("BLPOP", "q", "10"));
        assertTrue(await(() -> signals(engineB).othersWaitOn(token("q"))));
        onB.send(RespCommand.of("BLPOP", "q", "10"));
        assertTrue(await(() -> blockedClients(pusher) == 1));
        assertEquals(":2\r\n", reply(pusher, "RPUSH", "q", "1", "2"));
        String fromA = new String(onA.readReply().raw(), UTF_8);
        String fromB = new String(onB.readReply().raw(), UTF_8);
        // Order across instances is not FIFO: each got one of the two.
        assertEquals(List.of("*2\r\n$1\r\nq\r\n$1\r\n1\r\n", "*2\r\n$1\r\nq\r\n$1\r\n2\r\n"),
                fromA.compareTo(fromB) < 0 ? List.of(fromA, fromB) : List.of(fromB, fromA));
    }
}
