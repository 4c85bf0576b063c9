package io.respkv.proxy;

import io.respkv.api.ProtocolVersion;

/**
 * The few connections one event loop keeps to one node for one protocol (and role), shared by
 * all of the loop's clients and used in turn. A connection that closes is replaced on next use.
 * After a connection to the node fails, the node counts as down for a short while: requests for
 * it then fail at once with the reason instead of each waiting for a connect attempt.
 */
final class BackendPool {

    private final LoopContext loop;
    final ClusterNode node;
    final ProtocolVersion protocol;
    final boolean replica;
    private final BackendConnection[] connections;
    private int next;
    private long downUntilNanos;
    private String downReason;

    BackendPool(LoopContext loop, ClusterNode node, ProtocolVersion protocol, boolean replica) {
        this.loop = loop;
        this.node = node;
        this.protocol = protocol;
        this.replica = replica;
        this.connections = new BackendConnection[loop.config.backendConnections()];
    }

    /** A connection to use, or null while the node is down (see {@link #downReason()}). */
    BackendConnection connection() {
        if (downReason != null) {
            if (System.nanoTime() - downUntilNanos < 0) {
                return null;
            }
            downReason = null;
        }
        int i = next;
        next = i + 1 == connections.length ? 0 : i + 1;
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
