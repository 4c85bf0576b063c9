package io.respkv.api;

/** How fresh a read must be on a replicated store; chosen per connection. */
public enum ConsistencyLevel {
    /** Reads reflect every write acknowledged before the read began (Raft ReadIndex). The default. */
    LINEARIZABLE,
    /** Reads served by the leader while its lease holds; linearizable unless clocks drift beyond the lease margin. */
    LEASE,
    /** Reads served locally by whichever node the client is connected to; may lag the leader. */
    STALE
}
