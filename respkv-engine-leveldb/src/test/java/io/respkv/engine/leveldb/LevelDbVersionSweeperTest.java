package io.respkv.engine.leveldb;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.keyspace.VersionSweeperContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link VersionSweeperContract} on LevelDB (range deletes emulated key by key, so the sweeper deletes in batches; key-lock transactions). */
class LevelDbVersionSweeperTest extends VersionSweeperContract {

    @TempDir
    Path dir;

    @Override
    protected KeyspaceEngine newEngine() {
        try {
            return LevelDbEngine.builder().path(Files.createTempDirectory(dir, "db")).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
