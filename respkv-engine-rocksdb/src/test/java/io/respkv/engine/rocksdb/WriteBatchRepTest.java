package io.respkv.engine.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;

/** {@link WriteBatchRep} writes exactly the bytes RocksDB's own {@code WriteBatch} serializes to. */
class WriteBatchRepTest {

    static {
        RocksDB.loadLibrary();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void putDeleteAndRangeDeleteMatchRocksDb() throws Exception {
        byte[] big = new byte[300]; // a length needing a two-byte varint
        big[0] = 0;
        big[299] = (byte) 0xff;
        WriteBatchRep rep = new WriteBatchRep(16);
        rep.put(b("k1"), b("v1"));
        rep.delete(b("k2"));
        rep.deleteRange(b("a"), b("b"));
        rep.put(big, new byte[0]);
        rep.put(new byte[0], big);
        try (WriteBatch expected = new WriteBatch()) {
            expected.put(b("k1"), b("v1"));
            expected.delete(b("k2"));
            expected.deleteRange(b("a"), b("b"));
            expected.put(big, new byte[0]);
            expected.put(new byte[0], big);
            assertArrayEquals(expected.data(), rep.toBytes());
            assertEquals(5, rep.count());
        }
    }

    @Test
    void anEmptyBatchIsTheHeaderOnly() throws Exception {
        try (WriteBatch expected = new WriteBatch()) {
            assertArrayEquals(expected.data(), new WriteBatchRep(0).toBytes());
        }
    }

    @Test
    void aSerializedBatchIsAcceptedByRocksDb() throws Exception {
        WriteBatchRep rep = new WriteBatchRep(8);
        for (int i = 0; i < 1000; i++) {
            rep.put(b("key" + i), b("value" + i));
        }
        try (WriteBatch batch = new WriteBatch(rep.toBytes())) {
            assertEquals(1000, batch.count());
        }
    }
}
