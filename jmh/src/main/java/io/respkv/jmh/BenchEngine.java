package io.respkv.jmh;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.engine.rocksdb.RocksDbEngine;
import io.respkv.server.engine.MemoryEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An engine a benchmark runs on, by its {@code @Param} name: {@code memory}, or {@code rocksdb} in
 * a fresh temporary directory with ASYNC durability (WAL written, not fsynced per commit, so a
 * benchmark measures the engine, not the disk). Closing it closes the engine and deletes the
 * directory.
 */
record BenchEngine(KeyspaceEngine engine, Path dir) implements AutoCloseable {

    static BenchEngine open(String name) throws IOException {
        return switch (name) {
            case "memory" -> new BenchEngine(new MemoryEngine(), null);
            case "rocksdb" -> {
                Path dir = Files.createTempDirectory("respkv-jmh-rocksdb");
                yield new BenchEngine(RocksDbEngine.builder().path(dir).durability(Durability.ASYNC).build(), dir);
            }
            default -> throw new IllegalArgumentException("unknown engine " + name);
        };
    }

    @Override
    public void close() throws IOException {
        engine.close();
        TempDirs.deleteTree(dir);
    }
}
