package io.respkv.server.script;

/** A script stopped by SCRIPT KILL (or FUNCTION KILL): the caller gets Redis's kill error. */
public final class ScriptKilledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScriptKilledException() {
        super("Script killed by user with SCRIPT KILL...", null, false, false);
    }
}
