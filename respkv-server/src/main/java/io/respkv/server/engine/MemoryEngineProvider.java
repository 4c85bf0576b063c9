package io.respkv.server.engine;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.util.Map;

/** ServiceLoader provider for {@link MemoryEngine} ({@code --engine memory}); it takes no options. */
public final class MemoryEngineProvider implements KeyspaceEngineProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("the memory engine takes no options, got " + options.keySet());
        }
        return new MemoryEngine();
    }
}
