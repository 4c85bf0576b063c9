package io.respkv.engine.rocksdb;

import io.respkv.engine.support.LockingTransaction;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds a RocksDB write batch in its serialized form in Java, so a commit crosses JNI once to
 * hand the whole batch over ({@code new WriteBatch(byte[])}) instead of once per key.
 *
 * <p>The format is RocksDB's {@code WriteBatch} rep (db/write_batch.cc), default column family:
 * <pre>
 * +----------------+------------+----------- records ------------
 * | sequence: 8 B  | count: 4 B | record ...
 * | (0; RocksDB    | little-    |
 * |  assigns it)   | endian     |
 * +----------------+------------+--------------------------------
 * put:          0x01 varint32(key length) key varint32(value length) value
 * delete:       0x00 varint32(key length) key
 * range delete: 0x0F varint32(begin length) begin varint32(end length) end   (end exclusive)
 * </pre>
 * varint32 is LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte.
 */
final class WriteBatchRep {

    static final byte TYPE_DELETION = 0x00;
    static final byte TYPE_VALUE = 0x01;
    static final byte TYPE_RANGE_DELETION = 0x0F;
    static final int HEADER = 12;

    private byte[] buf;
    private int size = HEADER;
    private int count;

    WriteBatchRep(int expectedBytes) {
        buf = new byte[Math.max(HEADER + 16, expectedBytes)];
    }

    void put(byte[] key, byte[] value) {
        ensure(1 + 5 + key.length + 5 + value.length);
        buf[size++] = TYPE_VALUE;
        slice(key);
        slice(value);
        count++;
    }

    void delete(byte[] key) {
        ensure(1 + 5 + key.length);
        buf[size++] = TYPE_DELETION;
        slice(key);
        count++;
    }

    void deleteRange(byte[] begin, byte[] end) {
        ensure(1 + 5 + begin.length + 5 + end.length);
        buf[size++] = TYPE_RANGE_DELETION;
        slice(begin);
        slice(end);
        count++;
    }

    /** Appends a put or (for {@link LockingTransaction#TOMBSTONE}) a delete of each key, in the map's order. */
    void writeAll(Map<byte[], byte[]> writes) {
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            if (w.getValue() == LockingTransaction.TOMBSTONE) {
                delete(w.getKey());
            } else {
                put(w.getKey(), w.getValue());
            }
        }
    }

    int count() {
        return count;
    }

    /** The serialized batch (a copy only if the buffer has spare room). */
    byte[] toBytes() {
        buf[8] = (byte) count;
        buf[9] = (byte) (count >>> 8);
        buf[10] = (byte) (count >>> 16);
        buf[11] = (byte) (count >>> 24);
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    /** Bytes needed to hold one write of a key and value of these lengths. */
    static int recordBytes(int keyLength, int valueLength) {
        return 1 + 5 + keyLength + 5 + valueLength;
    }

    private void slice(byte[] bytes) {
        int n = bytes.length;
        while ((n & ~0x7F) != 0) {
            buf[size++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[size++] = (byte) n;
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
