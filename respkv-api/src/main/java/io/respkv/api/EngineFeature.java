package io.respkv.api;

/** Capabilities an engine declares in {@link KeyspaceEngine#features()}. */
public enum EngineFeature {
    /** Data survives closing and reopening the engine (and, with {@link Durability#SYNC}, a crash). */
    PERSISTENT,
    /** {@link Transaction#deleteRange} is native (constant cost), not a scan plus deletes. */
    NATIVE_RANGE_DELETE,
    /** {@link KeyspaceEngine#checkpoint} is supported. */
    CHECKPOINT,
    /** Several respkv instances may share the store; correctness comes from its transactions. */
    SHARED_STORE,
    /** Calls may block on network or disk for long: run commands off the event loop. */
    BLOCKING_IO,
    /**
     * Commits of {@link KeyspaceEngine#beginDeferringSync()} transactions wait for no fsync, and
     * {@link KeyspaceEngine#syncCommitted()} makes them durable together (group commit): the
     * server then acknowledges a batch of writes after one sync instead of one sync each.
     */
    GROUP_COMMIT,
    /**
     * {@link Transaction#putExpecting} can write a key without reading it first (the engine checks
     * the expectation at commit). Without it the server never calls {@code putExpecting}.
     */
    UNREAD_WRITES,
    /**
     * {@link Transaction#get} locks the key until the transaction ends (two-phase locking): no
     * other transaction writes a key this one read before this one commits or closes. Reading a
     * collection's metadata then serializes every writer of the collection, so a command that
     * changes elements but not the metadata need not rewrite it to conflict with them (engines
     * that validate reads at commit instead need that rewrite: a scan's entries join no read set).
     */
    LOCKING_READS,
    /**
     * {@link KeyspaceEngine#prefetch} loads memory (the engine keeps keys on the heap): the server
     * then passes it the keys of a client's pipelined requests before running them.
     */
    PREFETCH
}
