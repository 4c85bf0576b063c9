package io.respkv.engine.rocksdb;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.keyspace.VersionSweeperContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link VersionSweeperContract} on RocksDB (native range deletes, pessimistic transactions). */
class RocksDbVersionSweeperTest extends VersionSweeperContract {

    @TempDir
    Path dir;

    @Override
    protected KeyspaceEngine newEngine() {
        try {
            return RocksDbEngine.builder().path(Files.createTempDirectory(dir, "db")).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
