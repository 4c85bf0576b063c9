package io.respkv.engine.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * An engine's open cursors and snapshots, so that its {@code close()} can release whatever the
 * callers left open: cursors first (they read through the snapshots), then snapshots.
 *
 * <p>Registering races {@code close()} safely as long as the engine sets its closed flag before
 * {@link #releaseAll()}: whoever comes first wins, either {@code releaseAll} sees the resource
 * and releases it, or the resource sees the flag and is not registered.
 */
public final class OpenResources {

    /** Cursors, released first on close: they read through the views below. */
    private final Set<NativeResource> cursors = ConcurrentHashMap.newKeySet();
    /** Snapshots. */
    private final Set<NativeResource> views = ConcurrentHashMap.newKeySet();
    private final BooleanSupplier closed;
    private final Supplier<? extends RuntimeException> closedException;

    /**
     * @param closed          whether the engine is closed (a volatile read)
     * @param closedException what registering on a closed engine throws
     */
    public OpenResources(BooleanSupplier closed, Supplier<? extends RuntimeException> closedException) {
        this.closed = closed;
        this.closedException = closedException;
    }

    /** Registers a cursor; on a closed engine releases it and throws. */
    public void registerCursor(NativeResource cursor) {
        register(cursors, cursor);
    }

    /** Registers a snapshot; on a closed engine releases it and throws. */
    public void registerView(NativeResource view) {
        register(views, view);
    }

    /** Forgets a resource (released by its owner). */
    public void unregister(NativeResource resource) {
        if (!cursors.remove(resource)) {
            views.remove(resource);
        }
    }

    /** Number of open cursors and snapshots; for leak tests. */
    public int size() {
        return cursors.size() + views.size();
    }

    /** Releases every cursor, then every snapshot, and forgets them; call once the engine is closed. */
    public void releaseAll() {
        cursors.forEach(NativeResource::release);
        views.forEach(NativeResource::release);
        cursors.clear();
        views.clear();
    }

    private void register(Set<NativeResource> set, NativeResource resource) {
        set.add(resource);
        if (closed.getAsBoolean()) {
            set.remove(resource);
            resource.release();
            throw closedException.get();
        }
    }
}
