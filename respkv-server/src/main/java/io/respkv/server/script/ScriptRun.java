package io.respkv.server.script;

import io.respkv.api.ProtocolVersion;

/**
 * The state of one script execution: who runs its commands, its protocol
 * ({@code redis.setresp}), its random generator, whether it wrote, and whether SCRIPT KILL
 * asked it to stop. A compiled script holds none of this: each run has its own.
 */
public final class ScriptRun {

    final CommandCaller caller;
    /** The name in error lines: the script's SHA1, or the function's name. */
    final String name;
    final boolean readOnly;
    ProtocolVersion resp = ProtocolVersion.RESP2;
    final Lrand48 random = new Lrand48();
    /** The abort that ended the run (a conflict, an unavailable engine, a kill), rethrown once the VM unwound. */
    ScriptAbort abort;
    private volatile boolean wrote;
    private volatile boolean killRequested;
    private final long startNanos = System.nanoTime();

    /**
     * @param caller   runs the script's commands
     * @param name     the script's SHA1 (EVAL) or the function's name (FCALL), for error lines
     * @param readOnly EVAL_RO/EVALSHA_RO/FCALL_RO or a no-writes script: writes are refused
     * @param seed     the execution's seed: math.random's initial state
     */
    public ScriptRun(CommandCaller caller, String name, boolean readOnly, long seed) {
        this(caller, name, readOnly, seed, false);
    }

    /** @param function an FCALL of a library function (rather than an EVAL script) */
    public ScriptRun(CommandCaller caller, String name, boolean readOnly, long seed, boolean function) {
        this.caller = caller;
        this.name = name;
        this.readOnly = readOnly;
        this.function = function;
        this.random.state(seed);
    }

    private final boolean function;

    /** Whether this runs a library function (FCALL) rather than a script (EVAL). */
    public boolean function() {
        return function;
    }

    /** The script's SHA1 or the function's name. */
    public String name() {
        return name;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Records that the script ran a write command: SCRIPT KILL can no longer stop it. */
    public void wrote() {
        wrote = true;
    }

    public boolean hasWritten() {
        return wrote;
    }

    /** Asks the script to stop at its next instruction check (SCRIPT KILL). */
    public void kill() {
        killRequested = true;
    }

    boolean killRequested() {
        return killRequested;
    }

    /** Milliseconds since the run started. */
    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
