package io.respkv.api;

import java.util.random.RandomGenerator;

/**
 * What one command execution sees. Time and randomness come from here, never from the system
 * clock or a global random generator, so that a replicated command replays with the same result
 * on every replica (the leader stamps both into the log entry).
 */
public interface CommandContext {

    /** The request's arguments, argument 0 being the command name. */
    CommandArgs args();

    /** Where the reply goes. */
    ReplySink reply();

    /** "Now" for this command, in Unix milliseconds. Constant during one execution. */
    long nowMillis();

    /** The random source for this command. */
    RandomGenerator random();

    /** The storage engine behind the server. */
    KeyspaceEngine engine();

    /**
     * Sets {@code key} of the connection's selected database to the string {@code value}, in this
     * command's transaction, as {@code SET key value} would (replacing any value and type, clearing
     * the TTL, with its keyspace notification): how an {@link EngineCommand} writes into the Redis
     * key space without knowing its layout.
     *
     * @throws UnsupportedOperationException if this context has no Redis key space (the default)
     */
    default void setString(byte[] key, byte[] value) {
        throw new UnsupportedOperationException("this command context has no Redis key space");
    }
}
