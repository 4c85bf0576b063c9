package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.respkv.api.KeyHash;
import io.respkv.api.KeyspaceEngine;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import io.respkv.server.keyspace.KeyCodec;

/**
 * Tells the engine which keys a client's pipelined requests will read, before they run
 * ({@link KeyspaceEngine#prefetch}): the metadata key of argument 1 of each buffered request (the
 * first key, for most commands), as {@link KeyHash} values. Run one at a time, sixteen pipelined
 * SETs each waited for their key's entry in the engine's read cache to come from memory (cache
 * misses over 100,000 keys); hinted together, the misses overlap. A wrong guess (a request whose
 * argument 1 is no key, a SELECT in the pipeline) costs a wasted load, never a wrong result.
 * One per connection; event loop or the connection's command thread, never both at once.
 */
final class KeyPrefetcher {

    /** Requests looked at ahead at a time: then this many run before the next look. */
    static final int WINDOW = 32;
    /** Longer keys are not hinted (copying them to hash costs more than a miss saves). */
    static final int MAX_KEY_LENGTH = 256;

    private final KeyspaceEngine engine;
    /** Allocated on first use: idle connections never need them. */
    private int[] offsets;
    private int[] lengths;
    private int[] hashes;
    private byte[] metaKey;
    /** What the engine's reads added up to: kept so the JIT cannot drop them as unused. */
    private int sink;

    KeyPrefetcher(KeyspaceEngine engine) {
        this.engine = engine;
    }

    /**
     * Hints the key of {@code current}, a request just decoded, and those of the requests
     * buffered after it in {@code in} from its reader index (up to {@link #WINDOW} in all), in
     * database {@code db}; returns how many requests to run before looking again.
     */
    int ahead(RespRequest current, ByteBuf in, int db) {
        if (offsets == null) {
            offsets = new int[WINDOW];
            lengths = new int[WINDOW];
            hashes = new int[WINDOW];
            metaKey = new byte[KeyCodec.META_HEADER + MAX_KEY_LENGTH];
        }
        KeyCodec.putMetaHeader(metaKey, db);
        int keys = 0;
        if (current.count() >= 2 && current.length(1) <= MAX_KEY_LENGTH) {
            hashes[keys++] = hash(current.buffer(), current.offset(1), current.length(1));
        }
        int peeked = RespRequestDecoder.peekKeys(in, WINDOW - 1, MAX_KEY_LENGTH, offsets, lengths);
        for (int k = 0; k < peeked && keys < WINDOW; k++) {
            hashes[keys++] = hash(in, offsets[k], lengths[k]);
        }
        if (keys >= 2) { // one key alone waits for its misses with or without a hint
            sink += engine.prefetch(hashes, keys);
        }
        return WINDOW;
    }

    /** The {@link KeyHash} of the metadata key of the {@code length} bytes at {@code offset} of {@code buffer}. */
    private int hash(ByteBuf buffer, int offset, int length) {
        buffer.getBytes(offset, metaKey, KeyCodec.META_HEADER, length);
        return KeyHash.of(metaKey, KeyCodec.META_HEADER + length);
    }
}
