package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.EngineFeature;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An engine whose store cannot be reached ({@link EngineUnavailableException}): every command
 * that needs it answers {@code -ERR engine unavailable: <message>}, EXEC fails as a whole, the
 * others keep working, and nothing is left behind once the store is back.
 */
@Timeout(30)
class EngineUnavailableTest {

    /** The memory engine, with a switch that makes every new transaction or snapshot fail as unreachable. */
    private static final class SwitchableEngine implements KeyspaceEngine {
        private final MemoryEngine store = new MemoryEngine();
        volatile boolean down;

        private void check() {
            if (down) {
                throw new EngineUnavailableException("store down\r\nsecond line");
            }
        }

        @Override
        public String name() {
            return "switchable";
        }

        @Override
        public Set<EngineFeature> features() {
            return store.features();
        }

        @Override
        public Transaction begin() {
            check();
            return store.begin();
        }

        @Override
        public Snapshot snapshot() {
            check();
            return store.snapshot();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private final SwitchableEngine engine = new SwitchableEngine();
    private RespServer server;
    private RawRespClient c;

    @BeforeEach
    void start() throws Exception {
        server = RespServer.builder().port(0).ownedEngine(engine).start().join();
        c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()));
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        server.close();
    }

    private String reply(String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }

    @Test
    void commandsNeedingTheStoreFailWithTheReasonOthersWork() throws Exception {
        assertEquals("+OK\r\n", reply("SET", "k", "before"));
        engine.down = true;
        String unavailable = "-ERR engine unavailable: store down  second line\r\n";
        assertEquals(unavailable, reply("SET", "k", "during"));
        assertEquals(unavailable, reply("GET", "k"));
        assertEquals(unavailable, reply("INCR", "n"));
        assertEquals("+PONG\r\n", reply("PING"));
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("SET", "a", "1"));
        assertEquals("+QUEUED\r\n", reply("INCR", "n"));
        assertEquals(unavailable, reply("EXEC"), "EXEC fails as a whole");
        assertEquals("-ERR EXEC without MULTI\r\n", reply("EXEC"), "the transaction ended");
        engine.down = false;
        assertEquals("$6\r\nbefore\r\n", reply("GET", "k"));
        assertEquals("*2\r\n$-1\r\n$-1\r\n", reply("MGET", "a", "n"), "nothing of the failed commands");
        assertEquals("+OK\r\n", reply("SET", "k", "after"));
        assertEquals("$5\r\nafter\r\n", reply("GET", "k"));
    }
}
