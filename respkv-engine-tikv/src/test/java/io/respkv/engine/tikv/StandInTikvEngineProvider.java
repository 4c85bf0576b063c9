package io.respkv.engine.tikv;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.util.HashMap;
import java.util.Map;

/**
 * A test-only engine provider, {@code tikv-standin}: the TiKV engine over this JVM's
 * {@linkplain StandInTikvCluster stand-in cluster} (or the real cluster named by
 * {@code -Dtikv.pd}), each engine on a fresh key prefix. It is how the server's differential tests
 * rerun on this engine: their base class opens the engine named by {@code -Drespkv.test.engine}
 * through {@link KeyspaceEngineProvider}, passing a temporary {@code dir}, which this engine
 * ignores. Other options go to {@link TikvEngineProvider} unchanged.
 */
public final class StandInTikvEngineProvider implements KeyspaceEngineProvider {

    @Override
    public String name() {
        return "tikv-standin";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        Map<String, String> rest = new HashMap<>(options);
        rest.putIfAbsent("pd", TikvTestCluster.pd());
        rest.putIfAbsent("prefix", TikvTestCluster.newPrefix("difftest"));
        return TikvEngineProvider.builder(rest).build();
    }
}
