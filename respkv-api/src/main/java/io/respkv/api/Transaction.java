package io.respkv.api;

/**
 * A read-write transaction: the unit that makes one command atomic.
 *
 * <p>Writes are buffered and become visible to others all at once on {@link #commit()}, or
 * never. Reads see the transaction's own writes. A transaction whose point reads
 * ({@link #get}) were overwritten by another transaction that committed first fails with
 * {@link TransactionConflictException}, at a read or at commit; the caller retries the whole
 * transaction (see {@link KeyspaceEngine#transact}). Not thread-safe: one thread uses a
 * transaction at a time.
 */
public interface Transaction extends ReadView, AutoCloseable {

    /** Sets {@code key} to {@code value}. */
    void put(byte[] key, byte[] value);

    /**
     * Reads {@code key} like {@link #get}, as this transaction's only operation: the caller reads
     * and writes nothing else in it before it ends (a single-key read command such as GET). Such a
     * read needs no lock to stay consistent with anything, so an engine that keeps the latest
     * committed values of keys for point reads may answer it from there without locking the key
     * (on RocksDB a lock taken and released was 11% of a pipelined GET's CPU). The value is the
     * latest committed one at some instant during the call. An engine that answers without a lock
     * fails any later read or write of the transaction with {@link IllegalStateException}, as
     * that would not be atomic with this read; committing or closing is fine. Called after other
     * operations it is an ordinary {@link #get}. The default is {@link #get}.
     */
    default byte[] getSole(byte[] key) {
        return get(key);
    }

    /**
     * Sets {@code key} to {@code value} like {@link #put}, for a key that is read only by scans
     * (an index entry, e.g. a sorted set's score index): an engine that keeps the latest committed
     * values of keys for point reads may leave such a write out of that cache altogether, not even
     * looking for an entry of the key there (a lookup of a key not there is a cache miss or two
     * per write; on RocksDB, with the delete below, 6-11% of a ZADD's CPU). So the caller must never
     * read the key with {@link #get}: it could be answered from a stale entry or not at all.
     * Scans always see the write. The default is {@link #put}.
     */
    default void putScanned(byte[] key, byte[] value) {
        put(key, value);
    }

    /** Removes {@code key} like {@link #delete}, for a key read only by scans (see {@link #putScanned}). */
    default void deleteScanned(byte[] key) {
        delete(key);
    }

    /**
     * Puts {@code value} at {@code key} without reading {@code key} first, for a caller whose
     * writes are right only if {@code key} is absent or holds a value starting with
     * {@code expectedPrefix}: instead of a read now, the engine checks that at commit, and the
     * commit fails with a {@link TransactionConflictException} if it does not hold then (the
     * caller's retry should read the key: an engine answers false for a key whose expectation just
     * failed on the retrying thread). It saves a read on engines where a read is a network round
     * trip (a plain SET over an absent key or a plain string).
     *
     * <p>Returns false, and writes nothing, if the engine does not do this (the default) or not
     * for this key now (e.g. this transaction already read or wrote it); the caller then reads
     * the key and writes as usual. After true, {@code key} reads as {@code value} in this
     * transaction, like any own write.
     */
    default boolean putExpecting(byte[] key, byte[] value, byte[] expectedPrefix) {
        return false;
    }

    /**
     * Declares that no committed key starts with {@code prefix} and that, until this transaction
     * commits, no other transaction writes one (e.g. the element prefix of a new collection's
     * version, which nobody can name before the commit that creates it). An engine that caches
     * what it commits may then answer later point reads under the prefix from that cache alone,
     * as long as the cache holds everything written there. A hint: the default does nothing, and
     * the declaration has effect only if this transaction commits. Declaring a prefix under which
     * keys do exist makes reads miss them: the caller must know.
     */
    default void declareEmptyPrefix(byte[] prefix) {
    }

    /** Removes {@code key} if present. */
    void delete(byte[] key);

    /**
     * Removes every key with {@code low <= key < high} ({@code null} high: unbounded). Engines
     * with {@link EngineFeature#NATIVE_RANGE_DELETE} do this without visiting the keys.
     */
    void deleteRange(byte[] low, byte[] high);

    /**
     * Makes every write of this transaction visible atomically and durably as configured.
     *
     * @throws TransactionConflictException if a concurrent commit invalidated this transaction's reads
     */
    void commit();

    /** Ends the transaction; discards its writes unless it was committed. Idempotent. */
    @Override
    void close();
}
