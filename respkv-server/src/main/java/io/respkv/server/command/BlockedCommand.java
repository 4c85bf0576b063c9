package io.respkv.server.command;

import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.RedisType;

/**
 * A blocking command waiting for data (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP): what it consumes and how it completes once one of its keys is ready.
 *
 * <p>A blocking command first runs like any command: if one of its keys has data it takes it
 * and replies; otherwise, when {@link ExecutionContext#mayBlock()}, it calls
 * {@link ExecutionContext#block} with its keys, its timeout and an instance of this interface
 * holding what it parsed (the request's argument buffer is reused once the command returns, so
 * copy what is needed). When a write command commits and touches one of the keys, the
 * {@link BlockingKeys} registry calls {@link #serve} for the waiters of that key in the order
 * they blocked, each in its own engine transaction with its own reply.
 *
 * <p>Adding a blocking command that consumes another type (as the sorted-set BZ* family did, in
 * {@link ZSetBlockingCommands}) is: parse, try without blocking, call
 * {@code ctx.block(keys, timeout, op)} with an op whose {@link #consumes()} is that type, and
 * register the command. Nothing else changes. (A command that reads without consuming, such as
 * XREAD BLOCK, would need the registry to go on past a waiter that found nothing new.)
 */
public interface BlockedCommand {

    /** What an attempt to complete a blocked command found. */
    enum Outcome {
        /** The command completed (and wrote its reply, possibly an error): the client is unblocked. */
        SERVED,
        /** The key does not exist (or is empty): neither this waiter nor those after it can be served now. */
        EMPTY,
        /** The key holds another type than {@link #consumes()}: this waiter stays blocked. */
        WRONG_TYPE
    }

    /** The type of key this command takes data from. */
    RedisType consumes();

    /**
     * Tries to complete the command with the data of {@code key} (one of the keys it blocked on,
     * in the client's database), inside {@code ctx}'s transaction. The registry calls it only when
     * the key exists and holds the type this command {@link #consumes()}; {@code meta} is its
     * metadata. On {@link Outcome#SERVED} the command has written its reply to
     * {@code ctx.reply()} and its writes are committed; on the other outcomes (an empty
     * collection) it must have written nothing, and its transaction is discarded. Throwing
     * {@link io.respkv.server.keyspace.WrongTypeException} (a wrong-type destination of BLMOVE)
     * rolls back and unblocks the client with the WRONGTYPE error, as Redis does.
     * {@code ctx.args()} is not available.
     */
    Outcome serve(ExecutionContext ctx, byte[] key, KeyMeta meta);
}
