package io.respkv.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyHash;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.RecordingEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connections that read input in one event-loop iteration are hinted together, one key
 * each (their first request's), and then run in the order they read, once the iteration's other
 * tasks queued before them are done; a connection that joins while a round runs waits for the
 * next.
 */
@Timeout(60)
class InputRoundTest {

    private final RecordingEngine engine = new RecordingEngine(new MemoryEngine(), Set.of(EngineFeature.PREFETCH));
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final InputRound round = new InputRound(loop, new KeyPrefetcher(engine));
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopLoop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** A connection with buffered input that records when it runs. */
    private final class Connection implements InputRound.Waiting {
        final String name;
        final ByteBuf input;
        /** Joins the round while it runs. */
        Connection joinsWhileRunning;

        Connection(String name, String... request) {
            this.name = name;
            this.input = Unpooled.wrappedBuffer(RespCommand.of(request).encode());
        }

        @Override
        public int firstKey(KeyPrefetcher prefetch, int[] hashes, int at) {
            return prefetch.firstKey(input, 0, hashes, at);
        }

        @Override
        public void runWaitingInput() {
            ran.add(name);
            if (joinsWhileRunning != null) {
                round.add(joinsWhileRunning);
            }
        }
    }

    private static int metaHash(String key) {
        return KeyHash.of(KeyCodec.metaKey(0, key.getBytes(UTF_8)));
    }

    /** Runs {@code work} as one task on the loop, then waits until the tasks it queued ran too. */
    private void onLoop(Runnable work) throws Exception {
        loop.submit(work).get();
        loop.submit(() -> { }).get();
        loop.submit(() -> { }).get();
    }

    @Test
    void connectionsReadInOneIterationAreHintedTogetherThenRunInOrder() throws Exception {
        Connection a = new Connection("a", "SET", "ka", "1");
        Connection ping = new Connection("ping", "PING");
        Connection b = new Connection("b", "GET", "kb");
        List<String> ranBeforeTheRound = new ArrayList<>();

        onLoop(() -> {
            round.add(a);
            round.add(ping);
            round.add(b);
            ranBeforeTheRound.addAll(ran); // nothing runs while the loop reads
        });

        assertEquals(List.of(), ranBeforeTheRound);
        assertEquals(List.of("a", "ping", "b"), ran);
        assertEquals(1, engine.prefetches().size());
        assertEquals(List.of(metaHash("ka"), metaHash("kb")), Arrays.stream(engine.prefetches().get(0)).boxed().toList());
    }

    @Test
    void aLoneConnectionIsNotHinted() throws Exception {
        onLoop(() -> round.add(new Connection("a", "GET", "ka")));
        assertEquals(List.of("a"), ran);
        assertEquals(0, engine.prefetches().size(), "one key alone waits for its misses with or without a hint");
    }

    @Test
    void aConnectionJoiningWhileARoundRunsWaitsForTheNext() throws Exception {
        Connection first = new Connection("first", "GET", "k1");
        Connection second = new Connection("second", "GET", "k2");
        first.joinsWhileRunning = new Connection("late", "GET", "k3");

        onLoop(() -> {
            round.add(first);
            round.add(second);
        });

        assertEquals(List.of("first", "second", "late"), ran);
        assertEquals(List.of(metaHash("k1"), metaHash("k2")), Arrays.stream(engine.prefetches().get(0)).boxed().toList());
        assertEquals(1, engine.prefetches().size(), "the late one ran alone, unhinted");
    }

    @Test
    void unpipelinedClientsOfAHintingEngineGetEveryReplyInOrder() throws Exception {
        RespServer server = RespServer.builder().port(0).engine(engine).start().join();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                String name = "c" + c;
                done.add(clients.submit(() -> {
                    try (RawRespClient client = connect(server)) {
                        for (int i = 0; i < 300; i++) {
                            String key = name + ":" + i;
                            String value = "v" + i;
                            assertEquals("+OK\r\n", raw(client.call("SET", key, value)));
                            assertEquals("$" + value.length() + "\r\n" + value + "\r\n", raw(client.call("GET", key)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
            server.close();
        }
    }

    @Test
    void aRequestSentRightBeforeTheClientClosesStillRuns() throws Exception {
        RespServer server = RespServer.builder().port(0).engine(engine).start().join();
        try {
            for (int i = 0; i < 20; i++) {
                try (RawRespClient client = connect(server)) {
                    client.send(RespCommand.of("RPUSH", "closing", "e" + i));
                }
            }
            try (RawRespClient client = connect(server)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                String reply;
                do {
                    reply = raw(client.call("LLEN", "closing"));
                } while (!reply.equals(":20\r\n") && System.nanoTime() < deadline);
                assertEquals(":20\r\n", reply, "every closed client's RPUSH ran");
            }
        } finally {
            server.close();
        }
    }

    private static RawRespClient connect(RespServer server) throws Exception {
        return RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()), Duration.ofSeconds(20));
    }

    private static String raw(RespFrame reply) {
        return new String(reply.raw(), UTF_8);
    }
}
