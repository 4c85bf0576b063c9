package io.respkv.api;

/**
 * A consistent, read-only, point-in-time view of committed data: later commits are invisible
 * to it. Used for multi-key reads (SCAN, KEYS, MGET). Must be closed; may be used by one thread
 * at a time.
 */
public interface Snapshot extends ReadView, AutoCloseable {

    @Override
    void close();
}
