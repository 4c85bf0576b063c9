package io.respkv.engine.postgres;

import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.KeyspaceEngineContractTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine contract suite over a real PostgreSQL (embedded, one per test JVM). The suite's
 * directory stands for a deployment: each directory gets its own schema, and reopening the same
 * directory reopens the same schema (the persistence tests).
 */
class PostgresEngineContractTest extends KeyspaceEngineContractTest {

    private static final Map<Path, String> SCHEMAS = new ConcurrentHashMap<>();

    @Override
    protected KeyspaceEngine open(Path dir) {
        String schema = SCHEMAS.computeIfAbsent(dir, d -> EmbeddedPostgresServer.newSchema("tck"));
        return PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(12).build();
    }
}
