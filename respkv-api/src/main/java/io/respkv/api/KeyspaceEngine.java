package io.respkv.api;

import java.nio.file.Path;
import java.util.Set;

/**
 * An ordered binary key space: the storage contract every respkv engine implements.
 *
 * <p>Keys and values are byte arrays; keys are ordered by unsigned lexicographic comparison
 * ({@link java.util.Arrays#compareUnsigned(byte[], byte[])}), so the empty key sorts first and
 * {@code 0xFF...} keys sort last. The data-type layer of the server lays Redis types out on this
 * space; engines know nothing of Redis, RESP or Netty.
 *
 * <p>What every engine gives (and the contract suite in {@code respkv-engine-testkit} checks):
 * <ul>
 *   <li>point reads, forward and reverse range scans, puts, deletes and range deletes;</li>
 *   <li>{@link Transaction}s that make one command atomic: all writes land or none do, and a
 *       read-modify-write never loses an update to a concurrent transaction: a transaction whose
 *       {@link ReadView#get point reads} were overwritten by another commit fails with a
 *       {@link TransactionConflictException}, which {@link #transact} retries;</li>
 *   <li>{@link Snapshot}s: consistent point-in-time views for multi-key reads;</li>
 *   <li>a declared {@link EngineFeature feature set}, so the server adapts instead of guessing;</li>
 *   <li>durability as configured ({@link Durability}).</li>
 * </ul>
 *
 * <p>Engines are thread-safe: any number of transactions and snapshots may be open at once.
 */
public interface KeyspaceEngine extends AutoCloseable {

    /** A short lower-case name, e.g. {@code memory} or {@code rocksdb}; the ServiceLoader name. */
    String name();

    /** What this engine can do natively; constant for the engine's lifetime. */
    Set<EngineFeature> features();

    /** Convenience for {@code features().contains(feature)}. */
    default boolean has(EngineFeature feature) {
        return features().contains(feature);
    }

    /**
     * Begins a read-write transaction. The caller must {@link Transaction#close() close} it;
     * closing without {@link Transaction#commit() commit} discards its writes.
     */
    Transaction begin();

    /**
     * Begins a transaction whose {@link Transaction#commit() commit} may return before the commit
     * is on stable storage (it is visible to others at once); {@link #syncCommitted()} then makes
     * it, and every earlier commit, durable. This is how a server groups the fsyncs of many
     * commands into one while still acknowledging nothing that is not durable: it commits each
     * command this way, and calls {@code syncCommitted()} once before sending the replies of a
     * batch. Engines that cannot defer return an ordinary transaction.
     */
    default Transaction beginDeferringSync() {
        return begin();
    }

    /**
     * Begins a transaction for a command that only reads, which its client wants at consistency
     * {@code level} (chosen per connection, see {@link ConsistencyLevel}). An engine with replicas
     * may serve a {@link ConsistencyLevel#STALE} read from one, and a replicated engine may use
     * the level to decide how to confirm its leadership; the caller must not write in the
     * transaction (an engine may refuse writes in it). Closed and committed like any other.
     *
     * <p>The default ignores the level: {@link #beginDeferringSync()} (a transaction that writes
     * nothing has nothing to sync), so every read is as fresh as {@code LINEARIZABLE}.
     */
    default Transaction beginRead(ConsistencyLevel level) {
        return beginDeferringSync();
    }

    /**
     * Makes every commit made so far durable as the engine's {@link Durability} requires (with
     * {@code SYNC}: on stable storage). Cheap when nothing is pending; a no-op for engines that
     * make each commit durable before it returns.
     */
    default void syncCommitted() {
    }

    /**
     * A hint that point reads of the keys whose {@link KeyHash} values are the first
     * {@code count} of {@code keyHashes} come next (the server passes the keys of a client's
     * pipelined requests before it runs them). An engine that keeps keys in memory may load the
     * memory their entries live in, so that the cache misses of many keys overlap instead of
     * adding up one command at a time. Changes nothing anyone can observe; may be called from any
     * thread without locks. Returns a value computed from what it read, which the caller keeps
     * (so that the JIT cannot drop the reads as unused); the default reads nothing.
     */
    default int prefetch(int[] keyHashes, int count) {
        return 0;
    }

    /** Opens a consistent read-only view of the committed state as of now. Must be closed. */
    Snapshot snapshot();

    /**
     * Runs {@code body} in a transaction and commits it, retrying from scratch (a new
     * transaction) when a {@link TransactionConflictException} is thrown, up to
     * {@link #MAX_TRANSACTION_ATTEMPTS} attempts with a short randomized backoff. Any other
     * exception rolls the transaction back and propagates. The body may therefore run more than
     * once and must have no effects outside the transaction.
     */
    default <T> T transact(TransactionBody<T> body) {
        TransactionConflictException last = null;
        for (int attempt = 0; attempt < MAX_TRANSACTION_ATTEMPTS; attempt++) {
            try (Transaction txn = begin()) {
                T result = body.run(txn);
                txn.commit();
                return result;
            } catch (TransactionConflictException conflict) {
                last = conflict;
                TransactionConflictException.backoff(attempt);
            }
        }
        throw last;
    }

    /**
     * Whether this respkv instance should run the background task {@code task} now (the server's
     * {@code "active-expiry"} and {@code "version-sweeper"}). The server's background loops ask
     * before each round and skip it when the answer is false. An engine whose store several
     * instances share ({@link EngineFeature#SHARED_STORE}) grants each task to one instance at a
     * time, so N instances do not do the work N times, and to another one when the holder stops
     * or loses the store. The work itself stays transactional, so a moment when two instances
     * both run it (a lease changing hands) costs only duplicate effort. The default, for a store
     * of this instance alone: true. Called often: answer from memory, checking at most every so
     * often.
     */
    default boolean holdsBackgroundLease(String task) {
        return true;
    }

    /**
     * The signals between the respkv instances that share this engine's store (how a push on one
     * wakes a client blocked on another, see {@link KeySignals}), or null (the default) when no
     * other instance shares it. The server asks once, when it starts.
     */
    default KeySignals keySignals() {
        return null;
    }

    /**
     * The message bus between the respkv instances that share this engine's store (how a PUBLISH
     * on one reaches subscribers on another, see {@link MessageBus}), or null (the default) when
     * no other instance shares it. The server asks once, when it starts.
     */
    default MessageBus messageBus() {
        return null;
    }

    /**
     * Commands this engine adds to the server running over it (e.g. the TiKV engine's
     * {@code TIKV.*}), registered once, when the server is built. The default: none.
     */
    default java.util.List<EngineCommand> commands() {
        return java.util.List.of();
    }

    /** How many times {@link #transact} tries a conflicting transaction before giving up. */
    int MAX_TRANSACTION_ATTEMPTS = 64;

    /**
     * Writes a consistent copy of the committed state to {@code target} (which must not exist)
     * that an engine of the same kind can open. Only engines declaring
     * {@link EngineFeature#CHECKPOINT} support it.
     *
     * @throws UnsupportedOperationException if the engine has no checkpoints
     */
    default void checkpoint(Path target) {
        throw new UnsupportedOperationException(name() + " engine has no checkpoints");
    }

    /** Releases the engine's resources. Idempotent. Open transactions and snapshots become invalid. */
    @Override
    void close();
}
