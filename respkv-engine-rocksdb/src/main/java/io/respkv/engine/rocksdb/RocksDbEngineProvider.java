package io.respkv.engine.rocksdb;

import io.respkv.engine.support.ByteSizes;
import io.respkv.engine.support.EngineOptions;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ServiceLoader provider for {@link RocksDbEngine} ({@code --engine rocksdb}). Options:
 *
 * <table>
 *   <caption>rocksdb engine options</caption>
 *   <tr><th>option</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code dir}</td><td>database directory</td><td>{@code ./respkv-data}</td></tr>
 *   <tr><td>{@code durability}</td><td>{@code sync} | {@code async}</td><td>{@code sync}</td></tr>
 *   <tr><td>{@code block-cache-size}</td><td>bytes, e.g. {@code 256mb} (0 = none)</td><td>64mb</td></tr>
 *   <tr><td>{@code read-cache-size}</td><td>bytes of hot keys and values on the Java heap (0 = none)</td><td>a quarter of the maximum heap</td></tr>
 *   <tr><td>{@code write-buffer-size}</td><td>bytes, e.g. {@code 32mb}</td><td>16mb</td></tr>
 *   <tr><td>{@code compression}</td><td>{@code none} | {@code lz4} | {@code zstd} | {@code snappy}</td><td>{@code lz4}</td></tr>
 *   <tr><td>{@code wal-sync-interval-ms}</td><td>ms between WAL fsyncs with async (0 = OS decides)</td><td>1000</td></tr>
 *   <tr><td>{@code lock-timeout-ms}</td><td>ms a transaction waits for another's key lock</td><td>1000</td></tr>
 * </table>
 *
 * Sizes take redis.conf units ({@code k}=1000, {@code kb}=1024, {@code m}, {@code mb}, {@code g},
 * {@code gb}). Unknown options and bad values are an {@link IllegalArgumentException} naming them.
 */
public final class RocksDbEngineProvider implements KeyspaceEngineProvider {

    /** Where the data goes when no {@code dir} is given (relative to the working directory). */
    public static final String DEFAULT_DIR = "./respkv-data";

    private static final List<String> KNOWN = List.of(
            "dir", "durability", "block-cache-size", "read-cache-size", "write-buffer-size", "compression", "wal-sync-interval-ms", "lock-timeout-ms");

    @Override
    public String name() {
        return "rocksdb";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        return builder(options).build();
    }

    /** The builder the options describe, not yet opened. */
    static RocksDbEngine.Builder builder(Map<String, String> options) {
        EngineOptions.requireKnown("rocksdb", options, KNOWN);
        RocksDbEngine.Builder b = RocksDbEngine.builder();
        b.path(Path.of(options.getOrDefault("dir", DEFAULT_DIR)));
        String durability = options.get("durability");
        if (durability != null) {
            b.durability(EngineOptions.durability(durability));
        }
        String cache = options.get("block-cache-size");
        if (cache != null) {
            b.blockCacheSize(ByteSizes.parse("block-cache-size", cache));
        }
        String readCache = options.get("read-cache-size");
        if (readCache != null) {
            b.readCacheSize(ByteSizes.parse("read-cache-size", readCache));
        }
        String buffer = options.get("write-buffer-size");
        if (buffer != null) {
            long bytes = ByteSizes.parse("write-buffer-size", buffer);
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("write-buffer-size must be at least 64kb, got '" + buffer + "'");
            }
            b.writeBufferSize(bytes);
        }
        String compression = options.get("compression");
        if (compression != null) {
            b.compression(switch (compression.toLowerCase(Locale.ROOT)) {
                case "none" -> RocksDbEngine.Compression.NONE;
                case "lz4" -> RocksDbEngine.Compression.LZ4;
                case "zstd" -> RocksDbEngine.Compression.ZSTD;
                case "snappy" -> RocksDbEngine.Compression.SNAPPY;
                default -> throw new IllegalArgumentException(
                        "compression must be none, lz4, zstd or snappy, got '" + compression + "'");
            });
        }
        String interval = options.get("wal-sync-interval-ms");
        if (interval != null) {
            b.walSyncInterval(Duration.ofMillis(EngineOptions.millis("wal-sync-interval-ms", interval, 0)));
        }
        String lockTimeout = options.get("lock-timeout-ms");
        if (lockTimeout != null) {
            b.lockTimeout(Duration.ofMillis(EngineOptions.millis("lock-timeout-ms", lockTimeout, 1)));
        }
        return b;
    }
}
