package io.respkv.server.script;

import io.respkv.api.ProtocolVersion;

/**
 * Runs the commands a script calls ({@code redis.call}, {@code redis.pcall}) inside the
 * script's own execution, so they share its engine transaction. Implemented by the server's
 * command layer.
 */
public interface CommandCaller {

    /**
     * Runs {@code argv} (the command name first) and returns its whole reply, encoded in
     * {@code protocol}.
     *
     * @throws Rejected if the command may not run from this script (unknown, wrong arity,
     *         {@code noscript}, ACL, a write in a read-only script): Redis's {@code scriptCall} errors
     */
    byte[] call(byte[][] argv, ProtocolVersion protocol) throws Rejected;

    /**
     * {@code redis.acl_check_cmd}: whether the script's user may run {@code argv}.
     *
     * @throws Rejected if the command is unknown ("Invalid command passed to redis.acl_check_cmd()")
     */
    boolean permitted(byte[][] argv) throws Rejected;

    /** A command refused before it ran; the message is Redis's, without the error code. */
    final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        public Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
