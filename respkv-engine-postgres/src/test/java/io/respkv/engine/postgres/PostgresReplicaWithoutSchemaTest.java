package io.respkv.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A replica without respkv's table (a standby that has not replayed its creation yet, here a
 * database of the embedded server where respkv's schema does not exist): STALE reads answer from
 * the primary, without an error, and go to the replica once it has the table.
 */
@Timeout(60)
class PostgresReplicaWithoutSchemaTest {

    private static final ProtocolCommand CONSISTENCY = () -> "RESPKV.CONSISTENCY".getBytes(StandardCharsets.US_ASCII);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String database;

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (database != null) {
            try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
                 Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    @Test
    void staleReadsGoToThePrimaryWhileTheReplicaLacksTheTableThenToTheReplica() throws Exception {
        database = EmbeddedPostgresServer.newSchema("replica_db");
        try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        String replicaUrl = EmbeddedPostgresServer.get().getJdbcUrl("postgres", database);
        String schema = EmbeddedPostgresServer.newSchema("t");
        PostgresEngine engine = PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres")
                .schema(schema).replicaUrl(replicaUrl).poolSize(2).build();
        RespServer server = closing(RespServer.builder().port(0).ownedEngine(engine).start().join());
        Jedis linear = closing(new Jedis("127.0.0.1", server.activePort(), 10_000));
        Jedis stale = closing(new Jedis("127.0.0.1", server.activePort(), 10_000));
        assertEquals("OK", linear.set("k", "on-primary"));
        assertEquals("OK", stale.readonly());
        assertEquals("STALE", new String((byte[]) stale.sendCommand(CONSISTENCY), StandardCharsets.UTF_8));

        // before: ERR internal error ... relation "t_..._2.respkv_kv" does not exist [SQLSTATE 42P01]
        for (int i = 0; i < 5; i++) {
            assertEquals("on-primary", stale.get("k"), "STALE read " + i + " while the replica lacks the table");
        }
        assertEquals(List.of("on-primary"), stale.mget("k"));
        assertEquals(null, stale.get("absent"));
        assertTrue(engine.replicaFallbacks() >= 5, "fallbacks: " + engine.replicaFallbacks());

        // The "replica" gets respkv's table (and a value of its own, to tell which one answers).
        PostgresEngine onReplicaDb = PostgresEngine.builder().url(replicaUrl).user("postgres").schema(schema)
                .poolSize(1).build();
        RespServer replicaServer = closing(RespServer.builder().port(0).ownedEngine(onReplicaDb).start().join());
        try (Jedis direct = new Jedis("127.0.0.1", replicaServer.activePort(), 10_000)) {
            assertEquals("OK", direct.set("k", "on-replica"));
        }
        long reads = engine.replicaReads();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String got;
        while (!"on-replica".equals(got = stale.get("k"))) {
            assertEquals("on-primary", got);
            assertTrue(System.nanoTime() < deadline, "STALE reads go to the replica again once it has the table");
            Thread.sleep(50);
        }
        assertTrue(engine.replicaReads() > reads);
        assertEquals("on-primary", linear.get("k"), "the others read the primary");
    }
}
