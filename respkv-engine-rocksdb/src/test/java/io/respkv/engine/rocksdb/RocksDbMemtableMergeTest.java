package io.respkv.engine.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full memtable waits for a second one, and the two are flushed as one table file
 * ({@link RocksDbEngine#MEMTABLES_PER_FLUSH}): a key overwritten in both is written to the file
 * once, so an overwrite-heavy load (redis-benchmark's SET, HSET, ZADD on 100,000 keys) flushes and
 * compacts half as often.
 */
class RocksDbMemtableMergeTest {

    private static final int KEYS = 200;
    /** The least write buffer the engine accepts: a memtable fills after a few hundred puts. */
    private static final long WRITE_BUFFER = 64 << 10;

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
    void aFullMemtableWaitsForASecondAndBothFlushAsOneTableFile() throws Exception {
        engine = RocksDbEngine.builder().path(dir).durability(Durability.ASYNC).writeBufferSize(WRITE_BUFFER)
                .readCacheSize(0).build();
        int round = 0;
        while (longProperty("rocksdb.num-immutable-mem-table") == 0) {
            overwriteAll(round++);
            assertTrue(round < 1_000, "no memtable filled up");
        }
        Thread.sleep(200); // a flush RocksDB would start for one memtable would have begun by now
        assertEquals(1, longProperty("rocksdb.num-immutable-mem-table"));
        assertEquals(0, longProperty("rocksdb.num-running-flushes"));
        assertEquals(0, engine.db().getLiveFilesMetaData().size(), "the first full memtable was flushed alone");

        while (longProperty("rocksdb.num-immutable-mem-table") == 1) {
            overwriteAll(round++);
            assertTrue(round < 2_000, "no second memtable filled up");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (engine.db().getLiveFilesMetaData().isEmpty() || longProperty("rocksdb.num-immutable-mem-table") > 0) {
            assertTrue(System.nanoTime() < deadline, "the two memtables were not flushed in 10 s");
            Thread.sleep(10);
        }
        var files = engine.db().getLiveFilesMetaData();
        assertEquals(1, files.size(), "two memtables, one table file");
        // Every key was overwritten in both memtables; the file holds each once.
        assertEquals(KEYS, files.get(0).numEntries());

        for (int i = 0; i < KEYS; i++) {
            int key = i;
            assertArrayEquals(value(key, round - 1), engine.transact(txn -> txn.get(key(key))), "key " + i);
        }
    }

    /** Writes every key once more, with round {@code round}'s values. */
    private void overwriteAll(int round) {
        try (Transaction txn = engine.begin()) {
            for (int i = 0; i < KEYS; i++) {
                txn.put(key(i), value(i, round));
            }
            txn.commit();
        }
    }

    private long longProperty(String name) throws Exception {
        return engine.db().getLongProperty(name);
    }

    private static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i, int round) {
        byte[] v = new byte[40];
        Arrays.fill(v, (byte) ('a' + (i + round) % 26));
        return v;
    }
}
