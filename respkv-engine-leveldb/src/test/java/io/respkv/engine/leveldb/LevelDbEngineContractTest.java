package io.respkv.engine.leveldb;

import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.KeyspaceEngineContractTest;
import java.nio.file.Path;

/** The engine contract suite over LevelDB with its default options (SYNC durability, group commit). */
class LevelDbEngineContractTest extends KeyspaceEngineContractTest {

    @Override
    protected KeyspaceEngine open(Path dir) {
        return LevelDbEngine.builder().path(dir).build();
    }
}
