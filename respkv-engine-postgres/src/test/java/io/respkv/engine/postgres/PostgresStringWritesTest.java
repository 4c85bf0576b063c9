package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SET, SETEX and MSET write a key without reading it first on PostgreSQL (the commit statement
 * checks that it was absent or a string without TTL): what is stored when the key held something
 * else, through a server. Exact replies; the table's rows are checked with plain SQL.
 */
@Timeout(60)
class PostgresStringWritesTest {

    private PostgresEngine engine;
    private RespServer server;
    private RawRespClient c;

    @BeforeEach
    void start() throws Exception {
        engine = EmbeddedPostgresServer.engine().poolSize(4).build();
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

    /** Rows of the engine table whose key starts with the family byte {@code family} ('E', 'G', 'X', 'M'). */
    private long rows(char family) throws Exception {
        try (Connection conn = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + engine.schema() + "\".respkv_kv"
                     + " WHERE get_byte(k, 0) = " + (int) family)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits (at most 10 s) until the version sweeper has reclaimed every retired collection. */
    private void awaitSwept() throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((rows('E') > 0 || rows('G') > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, rows('E'), "elements of the replaced collections");
        assertEquals(0, rows('G'), "garbage markers");
    }

    @Test
    void setOverACollectionRetiresItsVersion() throws Exception {
        assertEquals(":2\r\n", reply("HSET", "h", "f1", "v1", "f2", "v2"));
        assertEquals(":3\r\n", reply("RPUSH", "l", "a", "b", "c"));
        assertEquals(2 + 3, rows('E'));
        long conflicts = engine.conflicts();
        assertEquals("+OK\r\n", reply("SET", "h", "s"));
        assertEquals(1, engine.conflicts() - conflicts, "written unread, expectation failed, retried with the read");
        assertEquals("+OK\r\n", reply("SETEX", "l", "100", "s"));
        assertEquals("+string\r\n", reply("TYPE", "h"));
        assertEquals("$1\r\ns\r\n", reply("GET", "h"));
        assertEquals("+string\r\n", reply("TYPE", "l"));
        assertEquals(":1\r\n", reply("EXISTS", "l"));
        awaitSwept();
        assertEquals("$1\r\ns\r\n", reply("GET", "h"));
    }

    @Test
    void setOverAKeyWithATtlRemovesItsExpiryIndexEntry() throws Exception {
        long conflicts = engine.conflicts();
        assertEquals("+OK\r\n", reply("SET", "t", "v", "EX", "100"));
        assertEquals(0, engine.conflicts() - conflicts, "absent, as expected");
        assertEquals("+OK\r\n", reply("SET", "t", "v2", "EX", "200"));
        assertEquals(1, engine.conflicts() - conflicts, "it had a TTL: retried with the read");
        assertEquals(1, rows('X'), "one expiry-index entry: the new deadline's");
        String pttl = reply("PTTL", "t");
        long ms = Long.parseLong(pttl.substring(1, pttl.length() - 2));
        assertTrue(ms > 190_000 && ms <= 200_000, pttl);
        assertEquals("+OK\r\n", reply("SET", "t", "v3", "KEEPTTL"));
        assertEquals(1, rows('X'));
        pttl = reply("PTTL", "t");
        assertTrue(Long.parseLong(pttl.substring(1, pttl.length() - 2)) > 190_000, "KEEPTTL kept it: " + pttl);
        assertEquals("+OK\r\n", reply("SET", "t", "v4"));
        assertEquals(0, rows('X'));
        assertEquals(":-1\r\n", reply("PTTL", "t"));
        assertEquals("+OK\r\n", reply("SET", "t", "v5", "KEEPTTL"));
        assertEquals(":-1\r\n", reply("PTTL", "t"));
        assertEquals("$2\r\nv5\r\n", reply("GET", "t"));
    }

    @Test
    void msetOverMixedKeysAndSetInsideExec() throws Exception {
        assertEquals(":1\r\n", reply("SADD", "s", "m"));
        assertEquals("+OK\r\n", reply("SET", "ttl", "v", "PX", "100000"));
        assertEquals("+OK\r\n", reply("MSET", "plain", "1", "s", "2", "ttl", "3", "new", "4"));
        assertEquals("*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", reply("MGET", "plain", "s", "ttl", "new"));
        assertEquals(":-1\r\n", reply("PTTL", "ttl"));
        assertEquals(0, rows('X'));
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("ZADD", "z", "1", "a"));
        assertEquals("+QUEUED\r\n", reply("SET", "z", "s"));
        assertEquals("+QUEUED\r\n", reply("SET", "z", "t", "EX", "100"));
        assertEquals("+QUEUED\r\n", reply("TYPE", "z"));
        assertEquals("*4\r\n:1\r\n+OK\r\n+OK\r\n+string\r\n", reply("EXEC"));
        assertEquals(1, rows('X'));
        awaitSwept();
        assertEquals("$1\r\nt\r\n", reply("GET", "z"));
    }
}
