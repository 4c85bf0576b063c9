package io.respkv.engine.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class RocksDbEngineProviderTest {

    @TempDir
    Path dir;

    private static KeyspaceEngineProvider provider() {
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            if (p.name().equals("rocksdb")) {
                return p;
            }
        }
        throw new AssertionError("no rocksdb provider registered with ServiceLoader");
    }

    @Test
    void serviceLoaderFindsTheProviderAndItOpensAWorkingEngine() {
        KeyspaceEngineProvider p = provider();
        assertInstanceOf(RocksDbEngineProvider.class, p);
        try (KeyspaceEngine engine = p.open(Map.of("dir", dir.toString()))) {
            assertEquals("rocksdb", engine.name());
            engine.transact(txn -> {
                txn.put(new byte[] {1}, new byte[] {2});
                return null;
            });
            try (Snapshot s = engine.snapshot()) {
                assertArrayEquals(new byte[] {2}, s.get(new byte[] {1}));
            }
        }
        assertTrue(Files.exists(dir.resolve("CURRENT")), "not a RocksDB directory");
    }

    @Test
    void defaultsAreTheSmallMachineDefaults() {
        RocksDbEngine.Builder b = RocksDbEngineProvider.builder(Map.of());
        assertEquals(Path.of("./respkv-data"), b.path);
        try (RocksDbEngine engine = (RocksDbEngine) provider().open(Map.of("dir", dir.toString()))) {
            assertEquals(dir, engine.path());
            assertEquals(Durability.SYNC, engine.durability());
            assertEquals(64L << 20, engine.blockCacheSize());
            assertEquals(16L << 20, engine.writeBufferSize());
            assertEquals(RocksDbEngine.Compression.LZ4, engine.compression());
            assertEquals(Runtime.getRuntime().maxMemory() / 4, engine.readCacheSize(), "a quarter of the heap");
            assertEquals(Duration.ofSeconds(1), engine.walSyncInterval());
            assertEquals(Duration.ofSeconds(1), engine.lockTimeout());
        }
    }

    @Test
    void everyOptionReachesTheEngineAndRocksDb() throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("dir", dir.toString());
        options.put("durability", "ASYNC");
        options.put("block-cache-size", "8mb");
        options.put("read-cache-size", "2mb");
        options.put("write-buffer-size", "1m");
        options.put("compression", "zstd");
        options.put("wal-sync-interval-ms", "0");
        options.put("lock-timeout-ms", "250");
        try (RocksDbEngine engine = (RocksDbEngine) provider().open(options)) {
            assertEquals(Durability.ASYNC, engine.durability());
            assertEquals(8L << 20, engine.blockCacheSize());
            assertEquals(2L << 20, engine.readCacheSize());
            assertEquals(1_000_000, engine.writeBufferSize());
            assertEquals(RocksDbEngine.Compression.ZSTD, engine.compression());
            assertEquals(Duration.ZERO, engine.walSyncInterval());
            assertEquals(Duration.ofMillis(250), engine.lockTimeout());
            assertEquals("8388608", engine.property("rocksdb.block-cache-capacity"));
        }
        // RocksDB writes the options it actually ran with into OPTIONS-nnnnnn
        String written;
        try (Stream<Path> files = Files.list(dir)) {
            Path optionsFile = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                    .max(Path::compareTo).orElseThrow();
            written = Files.readString(optionsFile);
        }
        assertTrue(written.contains("compression=kZSTD"), "compression not applied");
        assertTrue(written.contains("write_buffer_size=1000000"), "write buffer size not applied");
        assertTrue(written.contains("cache_index_and_filter_blocks=true"), "index and filters not in the block cache");
        assertTrue(written.contains("filter_policy=bloomfilter"), "no bloom filter");
    }

    @Test
    void unknownOptionsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("dir", dir.toString(), "cache", "1", "fsync", "yes")));
        assertEquals("unknown rocksdb engine options [cache, fsync]; known: [dir, durability, block-cache-size, "
                + "read-cache-size, write-buffer-size, compression, wal-sync-interval-ms, lock-timeout-ms]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider().open(Map.of("Dir", "x")));
        assertTrue(e.getMessage().startsWith("unknown rocksdb engine option [Dir];"), e.getMessage());
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
                "compression", "gzip",
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
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RocksDbEngine.builder().build());
        assertEquals("path is required", e.getMessage());
    }

    @Test
    void aSecondEngineOnTheSameDirectoryFailsCleanly() {
        try (RocksDbEngine first = RocksDbEngine.builder().path(dir).build()) {
            RocksDbEngineException e = assertThrows(RocksDbEngineException.class,
                    () -> RocksDbEngine.builder().path(dir).build());
            assertTrue(e.getMessage().startsWith("cannot open rocksdb at " + dir), e.getMessage());
            assertTrue(e.getMessage().contains("lock"), e.getMessage());
            assertEquals("rocksdb", first.name());
        }
    }
}
