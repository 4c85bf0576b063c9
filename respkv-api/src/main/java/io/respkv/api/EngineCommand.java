package io.respkv.api;

import static java.util.Objects.requireNonNull;

/**
 * A command an engine adds to the server running over it (see {@link KeyspaceEngine#commands()}):
 * its declaration and its behaviour. The server registers it beside the built-in commands, checks
 * its arity like theirs and runs it like them (off the event loop for a
 * {@link EngineFeature#BLOCKING_IO} engine); the command sees only {@link CommandContext}.
 *
 * @param spec    the declaration; its name must not be a command the server already has
 * @param command the behaviour
 */
public record EngineCommand(CommandSpec spec, Command<CommandContext> command) {

    public EngineCommand {
        requireNonNull(spec, "spec");
        requireNonNull(command, "command");
    }
}
