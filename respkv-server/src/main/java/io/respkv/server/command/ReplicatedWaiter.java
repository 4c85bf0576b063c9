package io.respkv.server.command;

import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.replication.ReplicatedEntry;
import io.respkv.server.replication.Replication;
import io.respkv.server.replication.WouldBlock;

/**
 * A client blocked under replication (BLPOP and the other blocking commands): it waits on its
 * node like any blocked client ({@link BlockingKeys}, with its timeout, FIFO order and
 * disconnect handling), and when this node applies a write to one of its keys, its command is
 * submitted to the log again; the log's answer serves it, or, if another node's client took the
 * data first, it keeps waiting. The data is taken by the replicated command, never locally.
 */
final class ReplicatedWaiter implements BlockedCommand {

    private final Replication replication;
    private final RedisType consumes;
    private final RespRequest request;

    ReplicatedWaiter(Replication replication, RedisType consumes, RespRequest request) {
        this.replication = replication;
        this.consumes = consumes;
        this.request = request;
    }

    @Override
    public RedisType consumes() {
        return consumes;
    }

    @Override
    public Outcome serve(ExecutionContext ctx, byte[] key, KeyMeta meta) {
        byte[] replied;
        try {
            replied = replication.submit(ReplicatedEntry.command(ctx.client().protocol(), ctx.client().db(), request));
        } catch (io.respkv.server.replication.ReplicationUnavailableException unavailable) {
            ctx.reply().error(Errors.NO_REPLICAS); // the client learns it, as from any write
            return Outcome.SERVED;
        }
        if (WouldBlock.is(replied)) {
            return Outcome.EMPTY;
        }
        ctx.reply().target().writeBytes(replied);
        return Outcome.SERVED;
    }
}
