package io.respkv.server.replication;

/**
 * The replicated log could not commit a write, or establish a read's freshness, in time: no
 * leader (an election is running, or this replica is cut off from the majority). The client
 * is told {@code -NOREPLICAS}, Redis's error for a write that lacks the replicas it needs.
 */
public final class ReplicationUnavailableException extends RuntimeException {

    public ReplicationUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ReplicationUnavailableException(String message) {
        super(message);
    }
}
