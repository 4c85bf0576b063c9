package io.respkv.server.script;

/**
 * Ends a script run from inside the Lua VM so that no {@code pcall} can catch it: a write
 * conflict or unavailable engine (the script then runs again, or fails as a whole), or SCRIPT
 * KILL. Carries the original exception, rethrown once the VM has unwound.
 */
final class ScriptAbort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptAbort(RuntimeException cause) {
        super(cause.getMessage(), cause, false, false);
    }

    RuntimeException original() {
        return (RuntimeException) getCause();
    }
}
