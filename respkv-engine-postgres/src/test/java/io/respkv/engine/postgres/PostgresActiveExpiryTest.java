package io.respkv.engine.postgres;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.keyspace.ActiveExpiryContract;

/** {@link ActiveExpiryContract} on PostgreSQL (a fresh schema per test). */
class PostgresActiveExpiryTest extends ActiveExpiryContract {

    @Override
    protected KeyspaceEngine newEngine() {
        return EmbeddedPostgresServer.engine().poolSize(4).build();
    }
}
