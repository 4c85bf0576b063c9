package io.respkv.engine.postgres;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.util.Map;

/**
 * A test-only engine provider, {@code postgres-embedded}: the PostgreSQL engine over the
 * {@linkplain EmbeddedPostgresServer embedded PostgreSQL of this JVM} (started on first use, once),
 * each engine in a fresh schema. It is how the server's differential tests rerun on this engine:
 * their base class opens the engine named by {@code -Drespkv.test.engine} through
 * {@link KeyspaceEngineProvider}, passing a temporary {@code dir}, which a PostgreSQL engine has
 * no use for. Other options go to {@link PostgresEngineProvider} unchanged.
 */
public final class EmbeddedPostgresEngineProvider implements KeyspaceEngineProvider {

    @Override
    public String name() {
        return "postgres-embedded";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        Map<String, String> rest = new java.util.HashMap<>(options);
        rest.remove("dir");
        rest.putIfAbsent("url", EmbeddedPostgresServer.jdbcUrl());
        rest.putIfAbsent("user", "postgres");
        rest.putIfAbsent("schema", EmbeddedPostgresServer.newSchema("difftest"));
        rest.putIfAbsent("pool-size", "4");
        return PostgresEngineProvider.builder(rest).build();
    }
}
