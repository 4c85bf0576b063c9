package io.respkv.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With an engine that declares {@link EngineFeature#BLOCKING_IO}, commands run on the server's
 * command threads, never on an event loop, each connection's requests in order; a slow engine call
 * holds up only its own connection.
 */
@Timeout(60)
class CommandThreadsTest {

    /** How long the engine takes to read a key containing "slow". */
    static final long SLOW_GET_MILLIS = 1_000;

    /** Memory engine that says it blocks, counts engine calls made on event loops, and is slow on keys containing "slow". */
    static final class SlowNetworkEngine implements KeyspaceEngine {
        final MemoryEngine delegate = new MemoryEngine();
        final AtomicInteger callsOnEventLoop = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        void check() {
            calls.incrementAndGet();
            if (Thread.currentThread().getName().startsWith("respkv-io")) {
                callsOnEventLoop.incrementAndGet();
            }
        }

        @Override
        public String name() {
            return "slow-network";
        }

        @Override
        public Set<EngineFeature> features() {
            Set<EngineFeature> f = EnumSet.of(EngineFeature.BLOCKING_IO);
            f.addAll(delegate.features());
            return f;
        }

        @Override
        public Transaction begin() {
            check();
            Transaction t = delegate.begin();
            return new Transaction() {
                @Override
                public byte[] get(byte[] key) {
                    check();
                    if (new String(key, UTF_8).contains("slow")) {
                        try {
                            Thread.sleep(SLOW_GET_MILLIS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return t.get(key);
                }

                @Override
                public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
                    check();
                    return t.scan(low, high, reverse);
                }

                @Override
                public void put(byte[] key, byte[] value) {
                    check();
                    t.put(key, value);
                }

                @Override
                public void delete(byte[] key) {
                    check();
                    t.delete(key);
                }

                @Override
                public void deleteRange(byte[] low, byte[] high) {
                    check();
                    t.deleteRange(low, high);
                }

                @Override
                public void commit() {
                    check();
                    t.commit();
                }

                @Override
                public void close() {
                    t.close();
                }
            };
        }

        @Override
        public Snapshot snapshot() {
            check();
            return delegate.snapshot();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private final SlowNetworkEngine engine = new SlowNetworkEngine();
    private RespServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = RespServer.builder().port(0).engine(engine).eventLoopThreads(2).commandThreads(4).start().join();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        server.close();
        engine.close();
    }

    private RawRespClient connect() throws Exception {
        RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()));
        clients.add(c);
        return c;
    }

    private static String text(RawRespClient c, String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }

    @Test
    void pipelinedRequestsOfManyConnectionsRunOffTheEventLoopInOrder() throws Exception {
        int connections = 6;
        int perConnection = 300;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int n = 0; n < connections; n++) {
            int id = n;
            done.add(CompletableFuture.runAsync(() -> {
                try (Socket s = new Socket("127.0.0.1", server.activePort())) {
                    s.setSoTimeout(20_000);
                    StringBuilder batch = new StringBuilder();
                    StringBuilder expected = new StringBuilder();
                    for (int i = 1; i <= perConnection; i++) {
                        String key = "own:" + id;
                        batch.append("*2\r\n$4\r\nINCR\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
                        expected.append(':').append(i).append("\r\n");
                        batch.append("*2\r\n$4\r\nINCR\r\n$6\r\nshared\r\n");
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(batch.toString().getBytes(UTF_8));
                    out.flush();
                    // the own counter's replies come in order, interleaved with the shared counter's
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), UTF_8));
                    long lastShared = 0;
                    for (int i = 1; i <= perConnection; i++) {
                        assertEquals(":" + i, in.readLine());
                        long shared = Long.parseLong(in.readLine().substring(1));
                        assertTrue(shared > lastShared, "shared counter went back");
                        lastShared = shared;
                    }
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        for (CompletableFuture<Void> f : done) {
            f.get(50, TimeUnit.SECONDS);
        }
        String total = Integer.toString(connections * perConnection);
        assertEquals("$" + total.length() + "\r\n" + total + "\r\n", text(connect(), "GET", "shared"));
        assertTrue(engine.calls.get() > connections * perConnection);
        assertEquals(0, engine.callsOnEventLoop.get(), "engine called on an event loop");
    }

    @Test
    void aSlowCommandHoldsUpOnlyItsOwnConnection() throws Exception {
        RawRespClient slow = connect();
        RawRespClient fast = connect();
        slow.send(RespCommand.of("GET", "slow:key"));
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertEquals("$-1\r\n", text(fast, "GET", "fast:key"));
        }
        long fastMillis = (System.nanoTime() - start) / 1_000_000;
        // Behind the slow one they would take over SLOW_GET_MILLIS; the rest is room for a loaded CI machine.
        assertTrue(fastMillis < SLOW_GET_MILLIS * 7 / 10, "the other connection waited " + fastMillis + " ms for the slow one");
        assertEquals("$-1\r\n", new String(slow.readReply().raw(), UTF_8));
        assertEquals(0, engine.callsOnEventLoop.get());
    }

    @Test
    void blockingPopsAreServedAcrossCommandThreads() throws Exception {
        RawRespClient waiter = connect();
        RawRespClient pusher = connect();
        waiter.send(RespCommand.of("BLPOP", "queue", "5"));
        Thread.sleep(100);
        assertEquals(":1\r\n", text(pusher, "LPUSH", "queue", "job"));
        assertEquals("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", new String(waiter.readReply().raw(), UTF_8));
        assertEquals("+PONG\r\n", text(waiter, "PING"));
    }

    @Test
    void aClientThatLeavesMidCommandDoesNotDisturbTheServer() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Socket s = new Socket("127.0.0.1", server.activePort())) {
                s.getOutputStream().write("*2\r\n$3\r\nGET\r\n$8\r\nslow:key\r\n*1\r\n$4\r\nPING\r\n".getBytes(UTF_8));
                s.getOutputStream().flush();
            }
        }
        Thread.sleep(400);
        assertEquals("+PONG\r\n", text(connect(), "PING"));
        assertEquals(0, engine.callsOnEventLoop.get());
    }

    @Test
    void aServerStoppedMidCommandLeavesTheCommandThreadNothingToTrip() throws Exception {
        List<Throwable> uncaught = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        try {
            RawRespClient slow = connect();
            slow.send(RespCommand.of("GET", "slow:key"));
            Thread.sleep(SLOW_GET_MILLIS / 5); // the command is running on a command thread
            server.close();
            // the command ends after the event loops are gone; it used to hand its replies to its
            // stopped loop (RejectedExecutionException) and leave the connection's buffers unfreed
            Thread.sleep(SLOW_GET_MILLIS + 500);
            assertEquals(List.of(), uncaught);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
