package io.respkv.proxy;

/** Where the proxy sends read-only commands. */
public enum ReadPrefer {
    /** Every command goes to the slot's master. */
    MASTER,
    /**
     * Read-only commands go to a replica of the slot's master (connections opened with
     * {@code READONLY}), or to the master when the slot has no reachable replica. Reads may then
     * miss the latest writes: Redis replicates asynchronously.
     */
    REPLICA
}
