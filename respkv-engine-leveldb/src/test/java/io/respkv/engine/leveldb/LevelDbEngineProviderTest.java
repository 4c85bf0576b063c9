package io.respkv.engine.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import io.respkv.api.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LevelDbEngineProviderTest {

    @TempDir
    Path dir;

    private static KeyspaceEngineProvider provider() {
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            if (p.name().equals("leveldb")) {
                return p;
            }
        }
        throw new AssertionError("no leveldb provider registered with ServiceLoader");
    }

    @Test
    void serviceLoaderFindsTheProviderAndItOpensAWorkingEngine() {
        KeyspaceEngineProvider p = provider();
        assertInstanceOf(LevelDbEngineProvider.class, p);
        try (KeyspaceEngine engine = p.open(Map.of("dir", dir.toString()))) {
            assertEquals("leveldb", engine.name());
            engine.transact(txn -> {
                txn.put(new byte[] {1}, new byte[] {2});
                return null;
            });
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(new byte[] {2}, s.get(new byte[] {1}));
            }
        }
        assertTrue(Files.exists(dir.resolve("CURRENT")), "not a LevelDB directory");
        assertTrue(Files.exists(dir.resolve("LOCK")), "not a LevelDB directory");
    }

    @Test
    void defaultsAreTheSmallMachineDefaults() {
        LevelDbEngine.Builder b = LevelDbEngineProvider.builder(Map.of());
        assertEquals(Path.of("./respkv-data"), b.path);
        try (LevelDbEngine engine = (LevelDbEngine) provider().open(Map.of("dir", dir.toString()))) {
            assertEquals(dir, engine.path());
            assertEquals(Durability.SYNC, engine.durability());
            assertEquals(64L << 20, engine.blockCacheSize());
            assertEquals(16L << 20, engine.writeBufferSize());
            assertTrue(engine.compression());
            assertEquals(io.respkv.engine.support.ReadCache.defaultCapacity(), engine.readCacheSize());
            assertEquals(Duration.ofSeconds(1), engine.walSyncInterval());
            assertEquals(Duration.ofSeconds(1), engine.lockTimeout());
        }
    }

    @Test
    void everyOptionReachesTheEngineAndLevelDb() throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("dir", dir.toString());
        options.put("durability", "ASYNC");
        options.put("block-cache-size", "8mb");
        options.put("read-cache-size", "2mb");
        options.put("write-buffer-size", "1m");
        options.put("compression", "none");
        options.put("wal-sync-interval-ms", "0");
        options.put("lock-timeout-ms", "250");
        try (LevelDbEngine engine = (LevelDbEngine) provider().open(options)) {
            assertEquals(Durability.ASYNC, engine.durability());
            assertEquals(8L << 20, engine.blockCacheSize());
            assertEquals(2L << 20, engine.readCacheSize());
            assertEquals(1_000_000, engine.writeBufferSize());
            assertFalse(engine.compression());
            assertEquals(Duration.ZERO, engine.walSyncInterval());
            assertEquals(Duration.ofMillis(250), engine.lockTimeout());
            assertTrue(engine.property("leveldb.stats").contains("Compactions"), engine.property("leveldb.stats"));
            assertNull(engine.property("leveldb.no-such-property"));
        }
    }

    @Test
    void theWriteBufferSizeReachesLevelDb() throws Exception {
        // 3 MB of writes fill a 1 MB memtable several times: LevelDB must have written tables
        // (with the default 16 MiB it would write none)
        try (LevelDbEngine engine = (LevelDbEngine) provider().open(Map.of("dir", dir.toString(), "write-buffer-size", "1mb"))) {
            for (int i = 0; i < 30; i++) {
                int batch = i;
                engine.transact(txn -> {
                    for (int j = 0; j < 100; j++) {
                        txn.put(("k" + batch + "-" + j).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[1000]);
                    }
                    return null;
                });
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (tables() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(tables() > 0, "no table written: " + engine.property("leveldb.sstables"));
        }
    }

    private long tables() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".sst") || n.endsWith(".ldb")).count();
        }
    }

    @Test
    void unknownOptionsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("dir", dir.toString(), "cache", "1", "fsync", "yes")));
        assertEquals("unknown leveldb engine options [cache, fsync]; known: [dir, durability, block-cache-size, "
                + "read-cache-size, write-buffer-size, compression, wal-sync-interval-ms, lock-timeout-ms]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider().open(Map.of("Dir", "x")));
        assertTrue(e.getMessage().startsWith("unknown leveldb engine option [Dir];"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "a rejected configuration must not create anything");
        } catch (IOException io) {
            throw new AssertionError(io);
        }
    }

    @Test
    void badValuesAreRejectedWithTheOptionName() {
        Map<String, String> cases = Map.of(
                "durability", "always",
                "compression", "lz4",
                "block-cache-size", "lots",
                "write-buffer-size", "1kb",
                "wal-sync-interval-ms", "-5",
                "lock-timeout-ms", "0");
        cases.forEach((option, value) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> provider().open(Map.of("dir", dir.toString(), option, value)), option);
            assertTrue(e.getMessage().startsWith(option), option + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("'" + value + "'"), option + ": " + e.getMessage());
        });
    }

    @Test
    void builderRequiresAPath() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LevelDbEngine.builder().build());
        assertEquals("path is required", e.getMessage());
    }

    @Test
    void aSecondEngineOnTheSameDirectoryFailsCleanly() {
        try (LevelDbEngine first = LevelDbEngine.builder().path(dir).build()) {
            LevelDbEngineException e = assertThrows(LevelDbEngineException.class,
                    () -> LevelDbEngine.builder().path(dir).build());
            assertTrue(e.getMessage().startsWith("cannot open leveldb at " + dir), e.getMessage());
            assertTrue(e.getMessage().contains("LOCK"), e.getMessage());
            assertEquals("leveldb", first.name());
        }
    }
}
