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
}
