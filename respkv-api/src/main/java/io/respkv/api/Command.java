package io.respkv.api;

/**
 * A command's behaviour. What it declares about itself (arity, flags, keys) lives in its
 * {@link CommandSpec}; the server checks arity before calling {@link #execute}, so a command
 * parses its arguments knowing their count is acceptable, answers syntax errors through
 * {@link CommandContext#reply()}, and otherwise does its work and writes exactly one reply.
 *
 * @param <C> the context the command needs; built-in commands take the server's richer context,
 *            extension commands take {@link CommandContext}
 */
@FunctionalInterface
public interface Command<C extends CommandContext> {
    void execute(C ctx);
}
