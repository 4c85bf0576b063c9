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
