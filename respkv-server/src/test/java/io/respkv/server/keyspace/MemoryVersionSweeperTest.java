package io.respkv.server.keyspace;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.engine.MemoryEngine;

/** {@link VersionSweeperContract} on the memory engine. */
class MemoryVersionSweeperTest extends VersionSweeperContract {

    @Override
    protected KeyspaceEngine newEngine() {
        return new MemoryEngine();
    }
}
