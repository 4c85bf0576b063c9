package io.respkv.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import io.respkv.api.Snapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PostgresEngineProviderTest {

    private static KeyspaceEngineProvider provider() {
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            if (p.name().equals("postgres")) {
                return p;
            }
        }
        throw new AssertionError("no postgres provider registered with ServiceLoader");
    }

    @Test
    void serviceLoaderFindsTheProviderAndItOpensAWorkingEngine() {
        KeyspaceEngineProvider p = provider();
        assertInstanceOf(PostgresEngineProvider.class, p);
        String schema = EmbeddedPostgresServer.newSchema("prov");
        try (KeyspaceEngine engine = p.open(Map.of("url", EmbeddedPostgresServer.jdbcUrl(), "schema", schema))) {
            assertEquals("postgres", engine.name());
            engine.transact(txn -> {
                txn.put(new byte[] {1}, new byte[] {2});
                return null;
            });
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(new byte[] {2}, s.get(new byte[] {1}));
            }
            assertEquals(schema, ((PostgresEngine) engine).schema());
        }
    }

    @Test
    void defaults() {
        try (PostgresEngine engine = (PostgresEngine) provider().open(Map.of("url", EmbeddedPostgresServer.jdbcUrl()))) {
            assertEquals(PostgresEngine.DEFAULT_SCHEMA, engine.schema());
            assertEquals(PostgresEngine.DEFAULT_POOL_SIZE, engine.poolSize());
            assertEquals(Durability.SYNC, engine.durability());
            assertEquals(Duration.ofSeconds(1), engine.connectionTimeout());
            assertEquals(Duration.ofSeconds(1), engine.lockTimeout());
            assertEquals(Duration.ZERO, engine.statementTimeout());
            assertEquals(null, engine.user());
        }
    }

    @Test
    void everyOptionReachesTheEngineAndItsSessions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("url", EmbeddedPostgresServer.jdbcUrl());
        options.put("user", "postgres");
        options.put("password", "unused-by-trust-auth");
        options.put("schema", EmbeddedPostgresServer.newSchema("opts"));
        options.put("pool-size", "3");
        options.put("durability", "ASYNC");
        options.put("connection-timeout-ms", "2500");
        options.put("lock-timeout-ms", "250");
        options.put("statement-timeout-ms", "60000");
        options.put("replica-url", EmbeddedPostgresServer.jdbcUrl());
        options.put("replica-pool-size", "2");
        try (PostgresEngine engine = (PostgresEngine) provider().open(options)) {
            assertEquals(options.get("schema"), engine.schema());
            assertEquals("postgres", engine.user());
            assertEquals(3, engine.poolSize());
            assertEquals(Durability.ASYNC, engine.durability());
            assertEquals(Duration.ofMillis(2500), engine.connectionTimeout());
            assertEquals(Duration.ofMillis(250), engine.lockTimeout());
            assertEquals(Duration.ofMinutes(1), engine.statementTimeout());
            assertEquals("off", engine.sessionSetting("synchronous_commit"));
            assertEquals("250ms", engine.sessionSetting("lock_timeout"));
            assertEquals("1min", engine.sessionSetting("statement_timeout"));
            assertEquals(options.get("replica-url"), engine.replicaUrl());
            assertEquals(2, engine.replicaPoolSize());
        }
    }

    @Test
    void unknownOptionsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("url", "jdbc:postgresql://x/y", "dir", "d", "host", "h")));
        assertEquals("unknown postgres engine options [dir, host]; known: [url, user, password, schema, pool-size,"
                + " durability, connection-timeout-ms, lock-timeout-ms, statement-timeout-ms, replica-url, replica-pool-size]",
                e.getMessage());
    }

    @Test
    void theUrlIsRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider().open(Map.of()));
        assertTrue(e.getMessage().contains("--pg-url"), e.getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheOptionName() {
        Map<String, String> cases = Map.of(
                "durability", "always",
                "pool-size", "0",
                "schema", "no-dashes",
                "connection-timeout-ms", "10",
                "lock-timeout-ms", "0",
                "statement-timeout-ms", "soon");
        cases.forEach((option, value) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> provider().open(Map.of("url", "jdbc:postgresql://127.0.0.1:1/none", option, value)), option);
            assertTrue(e.getMessage().startsWith(option), option + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("'" + value + "'"), option + ": " + e.getMessage());
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("url", "jdbc:mysql://localhost/db")));
        assertTrue(e.getMessage().startsWith("url must be a jdbc:postgresql: URL"), e.getMessage());
    }
}
