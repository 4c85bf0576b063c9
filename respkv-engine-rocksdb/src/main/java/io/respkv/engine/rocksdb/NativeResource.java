package io.respkv.engine.rocksdb;

/**
 * Something that holds RocksDB native handles and may be released by its owner or by the engine
 * closing, whichever comes first.
 *
 * <p>Why: a RocksDB handle used after it was freed crashes the JVM. Every native call a resource
 * makes runs while holding the resource's monitor and after checking {@link #released}; releasing
 * takes the same monitor. So {@link RocksDbEngine#close()} can free a cursor or transaction that
 * another thread is still using: it waits for the call in flight, and the next call throws an
 * {@link IllegalStateException} instead of touching freed memory. The monitor is uncontended in
 * normal use (one thread per transaction, snapshot or cursor).
 */
abstract class NativeResource {

    /** Guarded by {@code this}. */
    private boolean released;

    /** Frees the native handles; called once, holding the monitor. */
    abstract void freeNative();

    /** Frees the native handles if not yet done. Idempotent; waits for a call in flight. */
    final void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            freeNative();
        }
    }

    /** Whether the native handles are gone; call holding the monitor. */
    final boolean released() {
        assert Thread.holdsLock(this);
        return released;
    }
}
