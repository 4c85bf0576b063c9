package io.respkv.server.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.Transaction;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.keyspace.ActiveExpiry;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.replication.ReplicatedEntry;
import java.nio.ByteBuffer;

/**
 * Applies the replicated log on one replica: each committed entry ({@link ReplicatedEntry}) runs
 * through the command table on the local engine exactly as a client's command would, on a
 * connection of its own, with the time and random seed the leader stamped into the entry, so
 * every replica computes the same state and the same reply.
 *
 * <p>The index of the entry is written in the same engine transaction as its changes (engine
 * key {@link KeyCodec#REPLICATION} {@code "applied"}): after a restart, entries the engine
 * already holds are skipped, and those it lost (an engine with asynchronous durability, killed)
 * are applied again from the log. An entry that changed nothing records nothing; applying it
 * again changes nothing either.
 *
 * <p>Entries arrive one at a time, in log order, from one thread.
 */
public final class ReplicaApplier {

    /** Engine key of the last applied log index: {@code 'R' | "applied"} -> index as u64. */
    static final byte[] APPLIED_KEY = KeyCodec.replicationKey("applied");
    private static final byte[] NOTHING = new byte[0];

    private final ServerState server;
    private final ClientConnection replica;
    private final RespReplyWriter reply = new RespReplyWriter();
    private final ByteBuf out = Unpooled.buffer(256);
    private final CommandDispatcher dispatcher;
    private volatile long applied;

    public ReplicaApplier(ServerState server) {
        this.server = server;
        this.replica = server.replicaClient();
        this.dispatcher = CommandDispatcher.forReplica(server, replica, reply);
        reply.target(out);
        // a blocking command that finds nothing says so (WouldBlock) instead of blocking here
        byte[] stored;
        try (Transaction t = server.engine().begin()) {
            stored = t.get(APPLIED_KEY);
        }
        this.applied = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
    }

    /** The server's active expiry: what the leader's expiry entries run, and how it finds due keys. */
    public ActiveExpiry activeExpiry() {
        return server.activeExpiry();
    }

    /** The engine the log is applied to. */
    public io.respkv.api.KeyspaceEngine engine() {
        return server.engine();
    }

    /**
     * The engine was just loaded with a snapshot of the state at log {@code index} (everything
     * else replaced): entries up to it count as applied.
     */
    public synchronized void restored(long index) {
        server.engine().transact(txn -> {
            recordApplied(txn, index);
            return null;
        });
        applied = index;
    }

    /** The last log index whose changes this replica's engine holds (0 if none). */
    public long appliedIndex() {
        return applied;
    }

    /**
     * Applies the entry at log {@code index} with the leader's {@code nowMillis} and
     * {@code seed}; returns the reply it wrote (RESP in the entry's protocol; empty for an entry
     * this replica had already applied before a restart, or an expiry step).
     */
    public synchronized byte[] apply(long index, long nowMillis, long seed, byte[] entryBytes) {
        if (index <= applied) {
            return NOTHING;
        }
        ReplicatedEntry entry = ReplicatedEntry.decode(entryBytes);
        out.clear();
        replica.db(entry.db());
        replica.protocol(entry.protocol());
        reply.protocol(entry.protocol());
        switch (entry.kind()) {
            case ReplicatedEntry.COMMAND -> dispatcher.applyReplicated(RespRequest.of(entry.requests().get(0)), nowMillis, seed, index);
            case ReplicatedEntry.TRANSACTION -> applyTransaction(entry, index, nowMillis, seed);
            case ReplicatedEntry.EXPIRE -> {
                ActiveExpiry expiry = server.activeExpiry();
                expiry.expireBatch(entry.db(), nowMillis, entry.expireLimit(), txn -> recordApplied(txn, index));
            }
            default -> throw new IllegalStateException("unknown entry kind " + entry.kind());
        }
        applied = index;
        byte[] result = new byte[out.readableBytes()];
        out.readBytes(result);
        out.clear();
        return result;
    }

    /** MULTI, the queued commands, EXEC: the reply is EXEC's alone. */
    private void applyTransaction(ReplicatedEntry entry, long index, long nowMillis, long seed) {
        dispatcher.applyReplicated(RespRequest.of("MULTI"), nowMillis, seed, index);
        for (byte[][] args : entry.requests()) {
            dispatcher.applyReplicated(RespRequest.of(args), nowMillis, seed, index);
        }
        out.clear(); // +OK and +QUEUED: the client saw its own while queuing
        dispatcher.applyReplicated(RespRequest.of("EXEC"), nowMillis, seed, index);
        if (replica.transaction().inMulti()) {
            replica.transaction().discard(server.watches()); // (EXEC always ends MULTI; never left open)
        }
    }

    /** Writes the applied index into {@code txn}, the transaction of the entry's changes. */
    static void recordApplied(Transaction txn, long index) {
        txn.put(APPLIED_KEY, ByteBuffer.allocate(Long.BYTES).putLong(index).array());
    }
}
