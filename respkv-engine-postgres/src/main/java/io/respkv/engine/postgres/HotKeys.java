package io.respkv.engine.postgres;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys that recently made a commit of this engine conflict. A transaction reads such a key with
 * {@code SELECT ... FOR UPDATE} inside a database transaction (pessimistically) instead of
 * optimistically, so concurrent read-modify-writes of one hot key (INCR on a counter from many
 * clients and instances) queue on PostgreSQL's row lock instead of failing validation over and
 * over: optimistic validation lets the transaction that read while another committed lose every
 * round, and {@link io.respkv.api.KeyspaceEngine#transact} gives up after 64.
 *
 * <p>A key stays hot for {@link #TTL_NANOS} after its last conflict. Bounded: when it holds more
 * than {@link #MAX_KEYS} keys it is cleared (losing the marks costs retries, never correctness).
 */
final class HotKeys {

    static final long TTL_NANOS = 5_000_000_000L;
    static final int MAX_KEYS = 10_000;
    /** A conflicting transaction with more reads than this marks none: it was not about one key. */
    static final int MAX_MARKS_PER_CONFLICT = 16;

    private final ConcurrentHashMap<Key, Long> until = new ConcurrentHashMap<>();

    boolean isHot(byte[] key) {
        if (until.isEmpty()) {
            return false;
        }
        Key k = new Key(key);
        Long deadline = until.get(k);
        if (deadline == null) {
            return false;
        }
        if (System.nanoTime() - deadline > 0) {
            until.remove(k, deadline);
            return false;
        }
        return true;
    }

    void mark(byte[] key) {
        if (until.size() >= MAX_KEYS) {
            until.clear();
        }
        until.put(new Key(key), System.nanoTime() + TTL_NANOS);
    }

    int size() {
        return until.size();
    }

    /** A byte[] with value equality. */
    static final class Key {
        final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }
}
