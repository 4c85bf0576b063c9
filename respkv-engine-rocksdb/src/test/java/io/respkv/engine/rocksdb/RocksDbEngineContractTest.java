package io.respkv.engine.rocksdb;

import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.KeyspaceEngineContractTest;
import java.nio.file.Path;

/** The engine contract suite over RocksDB with its default options (SYNC durability). */
class RocksDbEngineContractTest extends KeyspaceEngineContractTest {

    @Override
    protected KeyspaceEngine open(Path dir) {
        return RocksDbEngine.builder().path(dir).build();
    }
}
