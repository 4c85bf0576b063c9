package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.ConsistencyLevel;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RESPKV.CONSISTENCY, READONLY, READWRITE and {@code respkv-consistency}: a connection's read
 * consistency, and what the dispatcher asks of the engine with it (the level goes with read-only
 * commands only).
 */
class ConsistencyCommandsTest {

    /** The memory engine, remembering the level of every {@link #beginRead} (a recording wrapper, not a fake). */
    static final class RecordingEngine implements KeyspaceEngine {
        final MemoryEngine delegate = new MemoryEngine();
        final List<ConsistencyLevel> reads = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Set<EngineFeature> features() {
            return delegate.features();
        }

        @Override
        public Transaction begin() {
            return delegate.begin();
        }

        @Override
        public Transaction beginDeferringSync() {
            return delegate.beginDeferringSync();
        }

        @Override
        public void syncCommitted() {
            delegate.syncCommitted();
        }

        @Override
        public Transaction beginRead(ConsistencyLevel level) {
            reads.add(level);
            return delegate.beginRead(level);
        }

        @Override
        public Snapshot snapshot() {
            return delegate.snapshot();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private RespServer server(RespServer.Builder builder) {
        RespServer s = builder.port(0).start().join();
        toClose.add(s);
        return s;
    }

    private RawRespClient client(RespServer server) throws Exception {
        RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()));
        toClose.add(c);
        return c;
    }

    private static String call(RawRespClient c, String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }

    @Test
    void theCommandReadsAndSetsTheConnectionsLevel() throws Exception {
        RespServer server = server(RespServer.builder());
        RawRespClient c = client(server);
        RawRespClient other = client(server);
        assertEquals("$12\r\nLINEARIZABLE\r\n", call(c, "RESPKV.CONSISTENCY"));
        assertEquals("+OK\r\n", call(c, "respkv.consistency", "stale"));
        assertEquals("$5\r\nSTALE\r\n", call(c, "RESPKV.CONSISTENCY"));
        assertEquals("$12\r\nLINEARIZABLE\r\n", call(other, "RESPKV.CONSISTENCY"), "per connection");
        assertEquals("+OK\r\n", call(c, "RESPKV.CONSISTENCY", "Lease"));
        assertEquals("$5\r\nLEASE\r\n", call(c, "RESPKV.CONSISTENCY"));
        assertEquals("-ERR unknown consistency level 'EVENTUAL', expected LINEARIZABLE, LEASE or STALE\r\n",
                call(c, "RESPKV.CONSISTENCY", "eventual"));
        assertEquals("$5\r\nLEASE\r\n", call(c, "RESPKV.CONSISTENCY"), "unchanged by a bad value");
        assertEquals("-ERR wrong number of arguments for 'respkv.consistency' command\r\n",
                call(c, "RESPKV.CONSISTENCY", "stale", "lease"));
    }

    @Test
    void readonlyMeansStaleAndReadwriteRestoresTheServerDefault() throws Exception {
        RespServer server = server(RespServer.builder().consistency(ConsistencyLevel.LEASE));
        RawRespClient c = client(server);
        assertEquals("$5\r\nLEASE\r\n", call(c, "RESPKV.CONSISTENCY"), "the server's default");
        assertEquals("+OK\r\n", call(c, "READONLY"));
        assertEquals("$5\r\nSTALE\r\n", call(c, "RESPKV.CONSISTENCY"));
        assertEquals("+OK\r\n", call(c, "READWRITE"));
        assertEquals("$5\r\nLEASE\r\n", call(c, "RESPKV.CONSISTENCY"));
        assertEquals("-ERR wrong number of arguments for 'readonly' command\r\n", call(c, "READONLY", "x"));
        // MULTI queues them like any command
        assertEquals("+OK\r\n", call(c, "MULTI"));
        assertEquals("+QUEUED\r\n", call(c, "READONLY"));
        assertEquals("*1\r\n+OK\r\n", call(c, "EXEC"));
        assertEquals("$5\r\nSTALE\r\n", call(c, "RESPKV.CONSISTENCY"));
    }

    @Test
    void configSetChangesTheDefaultOfNewConnections() throws Exception {
        RespServer server = server(RespServer.builder());
        RawRespClient c = client(server);
        assertEquals("*2\r\n$18\r\nrespkv-consistency\r\n$12\r\nlinearizable\r\n",
                call(c, "CONFIG", "GET", "respkv-consistency"));
        assertEquals("+OK\r\n", call(c, "CONFIG", "SET", "respkv-consistency", "STALE"));
        assertEquals("*2\r\n$18\r\nrespkv-consistency\r\n$5\r\nstale\r\n", call(c, "CONFIG", "GET", "respkv-*"));
        assertEquals("$12\r\nLINEARIZABLE\r\n", call(c, "RESPKV.CONSISTENCY"), "an open connection keeps its level");
        RawRespClient fresh = client(server);
        assertEquals("$5\r\nSTALE\r\n", call(fresh, "RESPKV.CONSISTENCY"));
        assertEquals("+OK\r\n", call(c, "READWRITE"));
        assertEquals("$5\r\nSTALE\r\n", call(c, "RESPKV.CONSISTENCY"), "READWRITE: the default as it is now");
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'respkv-consistency') - argument must be"
                + " one of LINEARIZABLE, LEASE, STALE\r\n", call(c, "CONFIG", "SET", "respkv-consistency", "x"));
    }

    @Test
    void readOnlyCommandsPassTheLevelToTheEngineOthersDoNot() throws Exception {
        RecordingEngine engine = new RecordingEngine();
        RespServer server = server(RespServer.builder().ownedEngine(engine));
        RawRespClient c = client(server);
        assertEquals("+OK\r\n", call(c, "SET", "k", "v"));
        assertEquals(List.of(), engine.reads, "a write is not a read");
        assertEquals("$1\r\nv\r\n", call(c, "GET", "k"));
        assertEquals(List.of(ConsistencyLevel.LINEARIZABLE), engine.reads);
        assertEquals("+OK\r\n", call(c, "READONLY"));
        assertEquals("*1\r\n$1\r\nv\r\n", call(c, "MGET", "k"));
        assertEquals(":1\r\n", call(c, "EXISTS", "k"));
        assertEquals(List.of(ConsistencyLevel.LINEARIZABLE, ConsistencyLevel.STALE, ConsistencyLevel.STALE), engine.reads);
        engine.reads.clear();
        assertEquals(":1\r\n", call(c, "INCR", "n"), "a STALE connection's writes are ordinary writes");
        assertEquals("+OK\r\n", call(c, "MULTI"));
        assertEquals("+QUEUED\r\n", call(c, "GET", "k"));
        assertEquals("*1\r\n$1\r\nv\r\n", call(c, "EXEC"));
        assertEquals(List.of(), engine.reads, "INCR and EXEC (even of reads only) are not read-only commands");
    }
}
