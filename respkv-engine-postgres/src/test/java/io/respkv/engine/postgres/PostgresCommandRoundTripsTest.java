package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.keyspace.ActiveExpiry;
import io.respkv.server.keyspace.VersionSweeper;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How many statements (database round trips) commands cost through a server on PostgreSQL: a
 * plain SET is one, a plain GET is one. The background leases are held by another session for
 * the whole class, so the server's active expiry and sweeper send nothing and
 * {@link PostgresEngine#roundTrips()} counts the commands' statements alone.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresCommandRoundTripsTest {

    private Connection leaseHolder;
    private PostgresEngine engine;
    private RespServer server;
    private RawRespClient c;

    @BeforeAll
    void start() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("trips");
        leaseHolder = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
        PostgresBackgroundLeaseTest.holdLease(leaseHolder, schema, ActiveExpiry.LEASE);
        PostgresBackgroundLeaseTest.holdLease(leaseHolder, schema, VersionSweeper.LEASE);
        engine = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(2).build();
        server = RespServer.builder().port(0).ownedEngine(engine).start().join();
        c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()));
    }

    @AfterAll
    void stop() throws Exception {
        c.close();
        server.close();
        leaseHolder.close();
    }

    /** Sends a command, checks its exact reply, returns the statements it cost. */
    private long statements(String expectedReply, String... args) throws Exception {
        long before = engine.roundTrips();
        assertEquals(expectedReply, new String(c.call(args).raw(), UTF_8), String.join(" ", args));
        return engine.roundTrips() - before;
    }

    @Test
    void aPlainSetIsOneStatementAndAPlainGetOne() throws Exception {
        assertEquals(1, statements("+OK\r\n", "SET", "k", "v1"), "SET of a new key");
        assertEquals(1, statements("+OK\r\n", "SET", "k", "v2"), "SET over a string");
        assertEquals(1, statements("$2\r\nv2\r\n", "GET", "k"), "GET");
        assertEquals(1, statements("$-1\r\n", "GET", "missing"), "GET of a missing key");
        assertEquals(1, statements("+OK\r\n", "SET", "k", "v3", "KEEPTTL"), "KEEPTTL, no TTL to keep");
        assertEquals(1, statements("+OK\r\n", "SET", "k", "v4", "EX", "100"), "SET EX over a string without TTL");
        assertEquals(1, statements("+OK\r\n", "MSET", "a", "1", "b", "2", "c", "3"), "MSET: one statement");
        assertEquals(4, statements("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "MGET", "a", "b", "c"),
                "MGET of n keys: n reads, then one statement re-checking them together");
    }

    @Test
    void whatStillReadsFirst() throws Exception {
        assertEquals(1, statements("+OK\r\n", "SET", "t", "v", "EX", "100"));
        assertEquals(2, statements("+OK\r\n", "SET", "t", "v", "EX", "200"),
                "over a TTL: the unread write finds it, the retry commits with that read");
        assertEquals(2, statements("$1\r\nv\r\n", "SET", "t", "w", "GET"), "GET: reads, then commits");
        assertEquals(1, statements("$-1\r\n", "SET", "t", "x", "NX"), "NX on an existing key: the read alone");
        assertEquals(2, statements(":1\r\n", "INCR", "n"), "INCR: read, commit");
        statements(":1\r\n", "HSET", "h", "f", "v");
        assertEquals(3, statements("+OK\r\n", "SET", "h", "s"),
                "over a hash: the plain upsert writes nothing, the retry reads the key and commits");
        statements(":1\r\n", "HSET", "h2", "f", "v");
        assertEquals(2, statements("+OK\r\n", "SET", "h2", "s", "EX", "100"),
                "over a hash with EX (two writes: the commit function), which returns what it found: the retry"
                        + " commits with that as its read");
    }

    /** Sends the requests in one write, reads one reply each; returns the replies concatenated and the statements. */
    private String pipelined(long[] statements, String... requests) throws Exception {
        StringBuilder wire = new StringBuilder();
        for (String r : requests) {
            String[] args = r.split(" ");
            wire.append('*').append(args.length).append("\r\n");
            for (String a : args) {
                wire.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
            }
        }
        long before = engine.roundTrips();
        c.sendRaw(wire.toString().getBytes(UTF_8));
        StringBuilder replies = new StringBuilder();
        for (int i = 0; i < requests.length; i++) {
            replies.append(new String(c.readReply().raw(), UTF_8));
        }
        statements[0] = engine.roundTrips() - before;
        return replies.toString();
    }

    @Test
    void pipelinedPlainSetsCommitTogether() throws Exception {
        long[] trips = new long[1];
        String[] sets = new String[16];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = "SET p" + i + " v" + i;
        }
        assertEquals("+OK\r\n".repeat(16), pipelined(trips, sets));
        assertEquals(1, trips[0], "16 pipelined SETs: one commit statement");
        assertEquals("$2\r\nv7\r\n", new String(c.call("GET", "p7").raw(), UTF_8));

        // The same key twice, a GET between them (it sees the first), SET with options (not batched)
        assertEquals("+OK\r\n+OK\r\n$1\r\nb\r\n+OK\r\n+OK\r\n+OK\r\n",
                pipelined(trips, "SET d a", "SET d b", "GET d", "SET d c", "SET e 1 EX 100", "SET d e"));
        assertEquals("$1\r\ne\r\n", new String(c.call("GET", "d").raw(), UTF_8));

        // A batch over a hash: the commit finds it, nothing of the batch stays, the SETs run one by one
        assertEquals(":1\r\n", new String(c.call("HSET", "bh", "f", "v").raw(), UTF_8));
        assertEquals("+OK\r\n".repeat(3), pipelined(trips, "SET x1 1", "SET bh now-a-string", "SET x2 2"));
        assertEquals("+string\r\n", new String(c.call("TYPE", "bh").raw(), UTF_8));
        assertEquals("*3\r\n$1\r\n1\r\n$12\r\nnow-a-string\r\n$1\r\n2\r\n",
                new String(c.call("MGET", "x1", "bh", "x2").raw(), UTF_8));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                new String(c.call("HGETALL", "bh").raw(), UTF_8), "the hash's fields went with it");
    }
}
