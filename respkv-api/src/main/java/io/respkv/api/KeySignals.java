package io.respkv.api;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * Signals between the respkv instances that share one store ({@link EngineFeature#SHARED_STORE}):
 * how a write on one instance wakes what waits for it on another (a client blocked by BLPOP on a
 * key another instance pushes to). Tokens are opaque bytes the server chooses (a database and a
 * key); the engine carries them and knows nothing of their meaning.
 *
 * <p>Every method returns at once: the engine does its I/O on a thread of its own, so the server
 * may call them from any thread, an event loop included. Delivery is best effort (a signal sent
 * while the store is unreachable is lost, and one may arrive twice): a receiver treats a signal
 * as "look again", never as data, and looks again now and then by itself.
 */
public interface KeySignals {

    /**
     * This instance now has something waiting on {@code token} ({@code true}), or no longer has
     * ({@code false}): the other instances then signal {@code token} to it when they write it.
     */
    void waiting(byte[] token, boolean waiting);

    /** Whether some other instance waits on some token; when false, {@link #signal} would send nothing. Cheap. */
    boolean othersWaiting();

    /** A committed write touched {@code tokens}: sends those another instance waits on to it. */
    void signal(Collection<byte[]> tokens);

    /**
     * Where the tokens other instances signalled, and this instance waits on, are delivered (on a
     * thread of the engine's; it should hand heavy work elsewhere). Replaces the previous listener.
     */
    void listener(Consumer<byte[]> onSignal);
}
