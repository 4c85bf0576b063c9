package io.respkv.api;

/** When an engine acknowledges a commit relative to making it durable. */
public enum Durability {
    /** A commit returns after it is on stable storage: it survives a process kill and a machine crash. */
    SYNC,
    /**
     * A commit returns once it is in the engine's log or memory; it survives a process kill only
     * as far as the engine's buffers were flushed. Each engine documents its loss window.
     */
    ASYNC
}
