package io.respkv.api;

import java.util.Map;

/**
 * Creates engines by name; registered through {@link java.util.ServiceLoader} under
 * {@code META-INF/services/io.respkv.api.KeyspaceEngineProvider} so the standalone server finds
 * every engine on its classpath.
 */
public interface KeyspaceEngineProvider {

    /** The name users select the engine by, e.g. {@code rocksdb}. */
    String name();

    /**
     * Opens an engine from string options (as given on a command line or in a config file, e.g.
     * {@code dir}, {@code durability}). Unknown option names are an error.
     */
    KeyspaceEngine open(Map<String, String> options);
}
