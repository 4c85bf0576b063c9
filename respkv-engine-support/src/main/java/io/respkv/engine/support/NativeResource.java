package io.respkv.engine.support;

/**
 * Something that holds native handles (of RocksDB, LevelDB...) and may be released by its owner
 * or by the engine closing, whichever comes first.
 *
 * <p>Why: a native handle used after it was freed crashes the JVM. Every native call a resource
 * makes runs while holding the resource's monitor and after checking {@link #released}; releasing
 * takes the same monitor. So an engine's {@code close()} can free a cursor or snapshot that
 * another thread is still using: it waits for the call in flight, and the next call throws an
 * {@link IllegalStateException} instead of touching freed memory. The monitor is uncontended in
 * normal use (one thread per transaction, snapshot or cursor).
 */
public abstract class NativeResource {

    /** Guarded by {@code this}. */
    private boolean released;

    /** Frees the native handles; called once, holding the monitor. */
    protected abstract void freeNative();

    /** Frees the native handles if not yet done. Idempotent; waits for a call in flight. */
    public final void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            freeNative();
        }
    }

    /** Whether the native handles are gone; call holding the monitor. */
    protected final boolean released() {
        assert Thread.holdsLock(this);
        return released;
    }
}
