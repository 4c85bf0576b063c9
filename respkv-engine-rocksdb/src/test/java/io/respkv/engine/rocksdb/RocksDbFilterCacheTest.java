package io.respkv.engine.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.TableProperties;

/**
 * Table files carry partitioned index and filter blocks, kept in the block cache's high-priority
 * pool (see {@link RocksDbEngine#INDEX_AND_FILTER_CACHE_SHARE}). With one whole-file filter per
 * table (~750 KB for a 64 MB file, most of a 1 MB block-cache shard) data blocks evicted it, and
 * every point read that needed it read it back from the file and checksummed it: a GET that
 * missed the read cache cost 21 µs of CPU instead of 2 (docs/benchmarks.md, "Cold reads"). The
 * memtable has a bloom filter of its keys, so such a read skips the memtable's skip list too.
 */
class RocksDbFilterCacheTest {

    private static final int KEYS = 300_000;

    @TempDir
    Path dir;
    private RocksDbEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void tableFilesHavePartitionedIndexesAndFiltersInTheHighPriorityPool() throws Exception {
        engine = RocksDbEngine.builder().path(dir).durability(Durability.ASYNC).readCacheSize(0).build();
        for (int from = 0; from < KEYS; from += 10_000) {
            try (Transaction txn = engine.begin()) {
                for (int i = from; i < from + 10_000; i++) {
                    txn.put(key(i), value(i));
                }
                txn.commit();
            }
        }
        engine.db().compactRange();

        Map<String, TableProperties> tables = engine.db().getPropertiesOfAllTables();
        assertFalse(tables.isEmpty());
        tables.forEach((file, table) -> {
            assertTrue(table.getIndexPartitions() > 1, file + ": index partitions " + table.getIndexPartitions());
            assertTrue(table.getTopLevelIndexSize() * 10 < table.getIndexSize(),
                    file + ": top-level index " + table.getTopLevelIndexSize() + " of " + table.getIndexSize());
            assertTrue(table.getFilterSize() > 0, file + " has no filter");
        });
        BlockBasedTableConfig config = (BlockBasedTableConfig) engine.options().tableFormatConfig();
        assertTrue(config.partitionFilters());
        assertTrue(config.cacheIndexAndFilterBlocks());
        assertTrue(config.cacheIndexAndFilterBlocksWithHighPriority());
        assertTrue(config.pinTopLevelIndexAndFilter());
        assertTrue(engine.options().memtablePrefixBloomSizeRatio() > 0);
        assertTrue(engine.options().memtableWholeKeyFiltering());

        SplittableRandom random = new SplittableRandom(7);
        for (int r = 0; r < 1_000; r++) {
            int i = random.nextInt(KEYS);
            assertArrayEquals(value(i), engine.transact(txn -> txn.get(key(i))), "key " + i);
        }
    }

    /** 100 bytes that do not compress, so the table files hold ~35 MB. */
    private static byte[] value(int i) {
        byte[] v = new byte[100];
        new SplittableRandom(i).nextBytes(v);
        return v;
    }

    private static byte[] key(int i) {
        return String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
    }
}
