package io.respkv.engine.postgres;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.keyspace.VersionSweeperContract;

/** {@link VersionSweeperContract} on PostgreSQL (native range deletes, a fresh schema per test). */
class PostgresVersionSweeperTest extends VersionSweeperContract {

    @Override
    protected KeyspaceEngine newEngine() {
        return EmbeddedPostgresServer.engine().poolSize(4).build();
    }
}
