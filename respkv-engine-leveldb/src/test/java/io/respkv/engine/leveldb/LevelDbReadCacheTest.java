package io.respkv.engine.leveldb;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.ReadCacheCoherenceTest;
import java.nio.file.Path;

/** The engine's read cache never serves a value LevelDB no longer has. */
class LevelDbReadCacheTest extends ReadCacheCoherenceTest {

    @Override
    protected KeyspaceEngine openAsync(Path dir) {
        return LevelDbEngine.builder().path(dir).durability(Durability.ASYNC).build();
    }

    @Override
    protected long cachedEntries(KeyspaceEngine engine) {
        return ((LevelDbEngine) engine).cache().size();
    }

    @Override
    protected long completePrefixes(KeyspaceEngine engine) {
        return ((LevelDbEngine) engine).cache().completePrefixes();
    }
}
