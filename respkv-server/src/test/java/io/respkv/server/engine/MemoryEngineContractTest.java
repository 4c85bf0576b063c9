package io.respkv.server.engine;

import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.KeyspaceEngineContractTest;
import java.nio.file.Path;

/** The memory engine against the engine contract suite. */
class MemoryEngineContractTest extends KeyspaceEngineContractTest {

    @Override
    protected KeyspaceEngine open(Path dir) {
        return new MemoryEngine();
    }
}
