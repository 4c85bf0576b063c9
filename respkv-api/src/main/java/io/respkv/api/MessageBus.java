package io.respkv.api;

/**
 * Messages between the respkv instances that share one store ({@link EngineFeature#SHARED_STORE}):
 * how a PUBLISH on one instance reaches the subscribers connected to another. The channel and the
 * message are opaque bytes the server chooses (any bytes, any length); the engine carries them and
 * knows nothing of their meaning.
 *
 * <p>Delivery guarantees an engine gives (unlike {@link KeySignals}, messages are data):
 * <ul>
 *   <li>each message {@link #publish published} on one instance is handed to the
 *       {@link #listener listener} of every other instance that was listening when it was sent,
 *       exactly once, with the exact bytes; never to the publishing instance's own listener;</li>
 *   <li>the messages of one instance arrive in the order it published them;</li>
 *   <li>none is lost while the receiving instance's connection to the store stays up. Messages
 *       sent while a receiver is cut off from the store are lost for it (as a Redis subscriber
 *       misses what is published while its connection is down); the receiver reconnects by
 *       itself. A publisher cut off from the store keeps its messages (up to a bound the engine
 *       documents) and sends them, still once each, when it is back.</li>
 * </ul>
 *
 * <p>Every method returns at once: the engine does its I/O on threads of its own, so the server
 * may call them from any thread, an event loop included.
 */
public interface MessageBus {

    /**
     * Whether another instance could be listening; when false, {@link #publish} would send
     * nothing and the server may skip building the message. Cheap (answered from memory).
     */
    boolean othersListening();

    /**
     * Sends {@code message} on {@code channel} to the other instances. The arrays are not modified
     * and may be kept by the engine: the caller must not change them afterwards.
     */
    void publish(byte[] channel, byte[] message);

    /**
     * Where the messages of the other instances are delivered, one at a time and in each
     * publisher's order, on a thread of the engine's (the listener should hand heavy work
     * elsewhere). Replaces the previous listener.
     */
    void listener(Listener listener);

    /** Receives the messages other instances published. */
    @FunctionalInterface
    interface Listener {
        /** One message another instance {@linkplain MessageBus#publish published}. */
        void message(byte[] channel, byte[] message);
    }
}
