/**
 * Redis command metadata, from data captured from a real redis-server 7.0.15 and checked in
 * (see {@code README.md} and {@code NOTICE-redis.txt} next to the data in this package's
 * resources).
 *
 * <ul>
 *   <li>{@link io.respkv.server.command.meta.CommandCatalog} loads the data: per command a
 *       {@link io.respkv.api.CommandSpec}, its key specs, subcommands and the raw
 *       {@code COMMAND INFO} / {@code COMMAND DOCS} replies as
 *       {@link io.respkv.server.command.meta.ReplyTree}s.</li>
 *   <li>{@link io.respkv.server.command.meta.KeyFinder} finds a request's key arguments as Redis
 *       does, from the key specs or the command's own rule.</li>
 *   <li>{@link io.respkv.server.command.meta.CommandReplies} writes the {@code COMMAND} family's
 *       replies for the commands a server implements.</li>
 * </ul>
 */
package io.respkv.server.command.meta;
