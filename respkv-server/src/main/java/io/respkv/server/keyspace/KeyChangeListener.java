package io.respkv.server.keyspace;

import io.respkv.api.ReadView;

/**
 * Hears which keys a transaction changed just before it commits (the server's WATCH registry:
 * a commit that modified a watched key makes the watcher's EXEC fail).
 */
@FunctionalInterface
public interface KeyChangeListener {

    /** Hears nothing. */
    KeyChangeListener NONE = (txn, changes) -> { };

    /**
     * Called with the transaction about to commit ({@code txn} reads see its own writes) and the
     * keys it changed. It may be called again for a retry of the same work, and for an attempt
     * whose commit then fails.
     */
    void beforeCommit(ReadView txn, KeyChanges changes);
}
