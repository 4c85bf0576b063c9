package io.respkv.engine.tikv;

import io.respkv.api.KeyspaceEngine;
import io.respkv.testkit.KeyspaceEngineContractTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine contract suite over the real tikv-client-java and the stand-in cluster (or a real one,
 * {@code -Dtikv.pd}). The suite's directory stands for a deployment: each directory gets its own
 * key prefix, and reopening the same directory reopens the same prefix (the persistence tests).
 */
class TikvEngineContractTest extends KeyspaceEngineContractTest {

    private static final Map<Path, String> PREFIXES = new ConcurrentHashMap<>();

    @Override
    protected KeyspaceEngine open(Path dir) {
        String prefix = PREFIXES.computeIfAbsent(dir, d -> TikvTestCluster.newPrefix("tck"));
        return TikvEngine.builder().pd(TikvTestCluster.pd()).prefix(prefix).build();
    }
}
