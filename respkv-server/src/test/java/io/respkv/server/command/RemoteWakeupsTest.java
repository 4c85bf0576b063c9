package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeySignals;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RemoteWakeups}: two servers over one store (one memory engine, as two instances over a
 * shared database), their {@link KeySignals} joined by an in-process bus that delivers each
 * signal on a thread of its own, as an engine would, or drops it.
 */
@Timeout(30)
class RemoteWakeupsTest {

    /** Delivers the signals of the instances joined to it; may drop them all. */
    private static final class Bus {
        final List<Node> nodes = new CopyOnWriteArrayList<>();
        final ExecutorService delivery = Executors.newSingleThreadExecutor();
        volatile boolean drop;
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger sent = new AtomicInteger();
    }

    /** One instance's end of the bus. */
    private static final class Node implements KeySignals {
        final Bus bus;
        final Set<ByteBuffer> mine = ConcurrentHashMap.newKeySet();
        volatile Consumer<byte[]> listener = t -> { };

        Node(Bus bus) {
            this.bus = bus;
            bus.nodes.add(this);
        }

        @Override
        public void waiting(byte[] token, boolean waiting) {
            if (waiting) {
                mine.add(ByteBuffer.wrap(token.clone()));
            } else {
                mine.remove(ByteBuffer.wrap(token));
            }
        }

        @Override
        public boolean othersWaiting() {
            return bus.nodes.stream().anyMatch(n -> n != this && !n.mine.isEmpty());
        }

        @Override
        public void signal(Collection<byte[]> tokens) {
            for (byte[] token : tokens) {
                for (Node n : bus.nodes) {
                    if (n != this && n.mine.contains(ByteBuffer.wrap(token))) {
                        bus.sent.incrementAndGet();
                        if (!bus.drop) {
                            byte[] copy = token.clone();
                            bus.delivery.execute(() -> {
                                bus.delivered.incrementAndGet();
                                n.listener.accept(copy);
                            });
                        }
                    }
                }
            }
        }

        @Override
        public void listener(Consumer<byte[]> onSignal) {
            this.listener = onSignal;
        }
    }

    /** The shared store as one instance sees it: the memory engine plus this instance's signals. */
    private static final class Instance implements KeyspaceEngine {
        final KeyspaceEngine store;
        final Node signals;

        Instance(KeyspaceEngine store, Node signals) {
            this.store = store;
            this.signals = signals;
        }

        @Override
        public String name() {
            return "shared-memory";
        }

        @Override
        public Set<EngineFeature> features() {
            return store.features();
        }

        @Override
        public Transaction begin() {
            return store.begin();
        }

        @Override
        public Snapshot snapshot() {
            return store.snapshot();
        }

        @Override
        public KeySignals keySignals() {
            return signals;
        }

        @Override
        public void close() {
        }
    }

    private final MemoryEngine store = new MemoryEngine();
    private final Bus bus = new Bus();
    private RespServer a;
    private RespServer b;
    private final List<RawRespClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        a = RespServer.builder().port(0).engine(new Instance(store, new Node(bus))).start().join();
        b = RespServer.builder().port(0).engine(new Instance(store, new Node(bus))).start().join();
    }

    @AfterEach
    void stop() throws Exception {
        for (RawRespClient c : clients) {
            c.close();
        }
        a.close();
        b.close();
        bus.delivery.shutdownNow();
        store.close();
    }

    private RawRespClient client(RespServer server) throws Exception {
        RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()),
                Duration.ofSeconds(10));
        clients.add(c);
        return c;
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private Node node(int i) {
        return bus.nodes.get(i);
    }

    private static byte[] token(int db, String key) {
        return RemoteWakeups.token(new BlockingKeys.WaitKey(db, key.getBytes(UTF_8)));
    }

    @Test
    void aPushOnOneInstanceWakesAClientBlockedOnTheOtherBySignal() throws Exception {
        RawRespClient waiter = client(a);
        RawRespClient pusher = client(b);
        assertEquals("+OK\r\n", new String(waiter.call("SELECT", "3").raw(), UTF_8));
        waiter.send(RespCommand.of("BLPOP", "q", "5"));
        assertTrue(await(() -> node(0).mine.contains(ByteBuffer.wrap(token(3, "q")))), "A waits on db 3 key q");
        assertEquals("+OK\r\n", new String(pusher.call("SELECT", "3").raw(), UTF_8));
        long start = System.nanoTime();
        assertEquals(":1\r\n", new String(pusher.call("RPUSH", "q", "v").raw(), UTF_8));
        assertEquals("*2\r\n$1\r\nq\r\n$1\r\nv\r\n", new String(waiter.readReply().raw(), UTF_8));
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(RemoteWakeups.RECHECK_MILLIS),
                "woken by the signal, not the periodic look");
        assertEquals(1, bus.delivered.get());
        assertTrue(await(() -> node(0).mine.isEmpty()), "served: A no longer waits");
        assertEquals(":1\r\n", new String(pusher.call("RPUSH", "q", "w").raw(), UTF_8));
        assertEquals(1, bus.sent.get(), "nothing signalled once nobody waits");
    }

    @Test
    void aLostSignalIsMadeUpForByThePeriodicLook() throws Exception {
        bus.drop = true;
        RawRespClient waiter = client(a);
        RawRespClient pusher = client(b);
        waiter.send(RespCommand.of("BLPOP", "q", "10"));
        assertTrue(await(() -> !node(0).mine.isEmpty()));
        long start = System.nanoTime();
        assertEquals(":1\r\n", new String(pusher.call("RPUSH", "q", "v").raw(), UTF_8));
        assertEquals("*2\r\n$1\r\nq\r\n$1\r\nv\r\n", new String(waiter.readReply().raw(), UTF_8));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(1, bus.sent.get());
        assertEquals(0, bus.delivered.get());
        assertTrue(waited <= RemoteWakeups.RECHECK_MILLIS + 1_000, "woken after " + waited + " ms");
    }

    @Test
    void aKeyIsWaitedOnFromItsFirstWaiterToItsLast() throws Exception {
        RawRespClient w1 = client(a);
        RawRespClient w2 = client(a);
        RawRespClient other = client(b);
        w1.send(RespCommand.of("BLPOP", "k", "10"));
        w2.send(RespCommand.of("BLPOP", "k", "0.3"));
        assertTrue(await(() -> node(0).mine.size() == 1));
        assertEquals("*-1\r\n", new String(w2.readReply().raw(), UTF_8), "w2 timed out");
        assertEquals(1, node(0).mine.size(), "w1 still waits");
        assertTrue(node(1).othersWaiting());
        w1.close();
        clients.remove(w1);
        assertTrue(await(() -> node(0).mine.isEmpty()), "the last waiter left");
        assertTrue(await(() -> !node(1).othersWaiting()));
        assertEquals(":1\r\n", new String(other.call("LPUSH", "k", "v").raw(), UTF_8));
        assertEquals(0, bus.sent.get());
    }
}
