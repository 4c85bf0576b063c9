package io.respkv.server.replication;

import io.respkv.api.ConsistencyLevel;

/**
 * Replication of a server's commands through a replicated log (respkv-raft's Raft group).
 *
 * <p>With a replication installed ({@code RespServer.Builder.replication}), a connection's write
 * commands do not run on the local engine: the dispatcher hands them to {@link #submit}, the log
 * orders them, and every replica applies them in log order through {@link io.respkv.server.command.ReplicaApplier} with
 * the time and random seed the leader stamped, so each replica reaches the same state. Reads run
 * locally once {@link #awaitReadable} says the local state is fresh enough for the connection's
 * {@link ConsistencyLevel}. Both are called on the server's command threads and may block.
 */
public interface Replication extends AutoCloseable {

    /**
     * Starts replicating: committed entries are applied through {@code applier} from now on
     * (including those the log holds from before a restart and the local state lacks). Called
     * once, by the server, before it accepts connections.
     */
    void start(io.respkv.server.command.ReplicaApplier applier) throws java.io.IOException;

    /**
     * Appends {@code entry} ({@link ReplicatedEntry}) to the log and waits until it is committed
     * and applied on this replica; returns the reply its application wrote (RESP bytes in the
     * protocol the entry names), as the applying leader produced it.
     *
     * @throws ReplicationUnavailableException if no majority committed it in time (no leader,
     *         partitioned); the command may or may not have been applied
     */
    byte[] submit(byte[] entry);

    /**
     * Returns once this replica's state reflects what {@code level} requires: for
     * {@link ConsistencyLevel#LINEARIZABLE} every write committed before this call (Raft
     * ReadIndex); for {@link ConsistencyLevel#LEASE} the leader's state while its lease holds;
     * at once for {@link ConsistencyLevel#STALE}.
     *
     * @throws ReplicationUnavailableException if that cannot be established in time
     */
    void awaitReadable(ConsistencyLevel level);

    /** The last log index applied on this node. */
    long appliedIndex();

    /**
     * Adds the replication's own commands (membership, introspection) to the server's command
     * table; called once when the server is built. None by default.
     */
    default void registerCommands(io.respkv.server.command.CommandTable table) {
    }

    /** Lines for INFO's replication section ({@code name:value}, without line ends). */
    java.util.List<String> info();

    /** Stops replicating (the server stops it after its connections closed). */
    @Override
    void close();
}
