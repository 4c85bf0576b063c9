package io.respkv.proxy;

import io.respkv.api.ProtocolVersion;

/**
 * The few connections one event loop keeps to one node for one protocol (and role), shared by
 * all of the loop's clients and each client always on the same one. A connection that closes is replaced on next use.
 * After a connection to the node fails, the node counts as down for a short while: requests for
 * it then fail at once with the reason instead of each waiting for a connect attempt.
 */
final class BackendPool {

    private final LoopContext loop;
    final ClusterNode node;
    final ProtocolVersion protocol;
    final boolean replica;
    private final BackendConnection[] connections;
    private long downUntilNanos;
    private String downReason;

    BackendPool(LoopContext loop, ClusterNode node, ProtocolVersion protocol, boolean replica) {
        this.loop = loop;
        this.node = node;
        this.protocol = protocol;
        this.replica = replica;
        this.connections = new BackendConnection[loop.config.backendConnections()];
    }

    /**
     * The connection for a client with {@code affinity} (its id), or null while the node is down
     * (see {@link #downReason()}). A client always gets the same connection of a pool, so its
     * requests to one node run in the order it sent them (two connections would race).
     */
    BackendConnection connection(long affinity) {
        if (downReason != null) {
            if (System.nanoTime() - downUntilNanos < 0) {
                return null;
            }
            downReason = null;
        }
        int i = (int) Math.floorMod(affinity, (long) connections.length);
        BackendConnection c = connections[i];
        if (c == null || c.closed()) {
            c = BackendConnection.open(loop, node, protocol, replica, this);
            connections[i] = c;
        }
        return c;
    }

    /** Why the node is down, or null if it is not. */
    String downReason() {
        return downReason;
    }

    /** A connection could not be opened: fail fast for a while (the shorter of 1 s and the reload interval). */
    void markDown(String reason) {
        long window = Math.min(1_000_000_000L, loop.config.slotsReloadInterval().toNanos());
        downUntilNanos = System.nanoTime() + window;
        downReason = reason;
    }
}
