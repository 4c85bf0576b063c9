package io.respkv.engine.rocksdb;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.ReadCacheCoherenceTest;
import java.nio.file.Path;

/** The engine's read cache never serves a value RocksDB no longer has. */
class RocksDbReadCacheTest extends ReadCacheCoherenceTest {

    @Override
    protected KeyspaceEngine openAsync(Path dir) {
        return RocksDbEngine.builder().path(dir).durability(Durability.ASYNC).build();
    }

    @Override
    protected long cachedEntries(KeyspaceEngine engine) {
        return ((RocksDbEngine) engine).cache().size();
    }

    @Override
    protected long completePrefixes(KeyspaceEngine engine) {
        return ((RocksDbEngine) engine).cache().completePrefixes();
    }
}
