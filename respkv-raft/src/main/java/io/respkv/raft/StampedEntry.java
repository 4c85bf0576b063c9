package io.respkv.raft;

import java.nio.ByteBuffer;

/**
 * A log entry as the leader writes it: the time and random seed it stamps, then the server's
 * {@link io.respkv.server.replication.ReplicatedEntry} bytes. Every replica applies the entry
 * with this time and seed, never its own clock or random source, so expiry, SPOP, SRANDMEMBER,
 * RANDOMKEY and INCRBYFLOAT come out the same everywhere.
 *
 * <pre>
 * now ms:u64 | seed:u64 | entry bytes
 * </pre>
 */
record StampedEntry(long nowMillis, long seed, byte[] entry) {

    static final int HEADER = 2 * Long.BYTES;

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + entry.length).putLong(nowMillis).putLong(seed).put(entry).array();
    }

    static byte[] header(long nowMillis, long seed) {
        return ByteBuffer.allocate(HEADER).putLong(nowMillis).putLong(seed).array();
    }

    static StampedEntry decode(ByteBuffer in) {
        long now = in.getLong();
        long seed = in.getLong();
        byte[] entry = new byte[in.remaining()];
        in.get(entry);
        return new StampedEntry(now, seed, entry);
    }
}
