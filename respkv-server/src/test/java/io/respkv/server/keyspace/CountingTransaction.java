package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction decorator that counts point reads, cursors opened and entries the cursors
 * returned, so a test can bound what an operation reads: "one point read", "no scan of the set".
 */
final class CountingTransaction implements Transaction {

    private final Transaction delegate;
    int gets;
    int scans;
    long scanned;
    /** Keys written (put or deleted), in order. */
    final List<byte[]> written = new ArrayList<>();
    /** Prefixes declared empty, in order. */
    final List<byte[]> declaredEmpty = new ArrayList<>();

    CountingTransaction(Transaction delegate) {
        this.delegate = delegate;
    }

    void reset() {
        gets = 0;
        scans = 0;
        scanned = 0;
        written.clear();
        declaredEmpty.clear();
    }

    @Override
    public byte[] get(byte[] key) {
        gets++;
        return delegate.get(key);
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        scans++;
        KvCursor c = delegate.scan(low, high, reverse);
        return new KvCursor() {
            @Override
            public boolean next() {
                boolean more = c.next();
                if (more) {
                    scanned++;
                }
                return more;
            }

            @Override
            public byte[] key() {
                return c.key();
            }

            @Override
            public byte[] value() {
                return c.value();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    @Override
    public void put(byte[] key, byte[] value) {
        written.add(key);
        delegate.put(key, value);
    }

    @Override
    public void delete(byte[] key) {
        written.add(key);
        delegate.delete(key);
    }

    @Override
    public void declareEmptyPrefix(byte[] prefix) {
        declaredEmpty.add(prefix);
        delegate.declareEmptyPrefix(prefix);
    }

    @Override
    public void deleteRange(byte[] low, byte[] high) {
        delegate.deleteRange(low, high);
    }

    @Override
    public void commit() {
        delegate.commit();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
