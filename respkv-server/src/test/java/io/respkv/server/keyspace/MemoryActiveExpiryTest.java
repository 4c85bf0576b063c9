package io.respkv.server.keyspace;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.engine.MemoryEngine;

/** {@link ActiveExpiryContract} on the memory engine. */
class MemoryActiveExpiryTest extends ActiveExpiryContract {

    @Override
    protected KeyspaceEngine newEngine() {
        return new MemoryEngine();
    }
}
