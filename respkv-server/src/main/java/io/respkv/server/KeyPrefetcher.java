package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
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
 *
 * <p>One per server; thread-safe: the look-ahead works in buffers of the calling thread (an event
 * loop, or a command thread), so an idle connection costs nothing.
 */
final class KeyPrefetcher {

    /** Requests looked at ahead at a time: then this many run before the next look. */
    static final int WINDOW = 32;
    /** Buffered input looked at, at most: requests beyond it wait for the next look. */
    static final int WINDOW_BYTES = 4096;
    /** The most input {@link #firstKey} looks at: more is a pipeline or a long request, not hinted. */
    static final int FIRST_REQUEST_BYTES = 512;
    /** Longer keys are not hinted (copying them to hash costs more than a miss saves). */
    static final int MAX_KEY_LENGTH = 256;

    /** A thread's look-ahead buffers. */
    private static final class Scratch {
        /** A copy of the input looked at: parsing a heap array beats a checked read per byte. */
        final byte[] input = new byte[WINDOW_BYTES];
        final int[] offsets = new int[WINDOW];
        final int[] lengths = new int[WINDOW];
        final int[] hashes = new int[WINDOW];
        final byte[] metaKey = new byte[KeyCodec.META_HEADER + MAX_KEY_LENGTH];
        /** What the engine's reads added up to: kept so the JIT cannot drop them as unused. */
        int sink;
    }

    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private final KeyspaceEngine engine;

    KeyPrefetcher(KeyspaceEngine engine) {
        this.engine = engine;
    }

    /**
     * Hints the key of {@code current}, a request just decoded, and those of the requests
     * buffered after it in {@code in} from its reader index (up to {@link #WINDOW} keys in all,
     * within {@link #WINDOW_BYTES}), in database {@code db}; returns how many requests to run
     * before looking again.
     */
    int ahead(RespRequest current, ByteBuf in, int db) {
        Scratch s = SCRATCH.get();
        KeyCodec.putMetaHeader(s.metaKey, db);
        int keys = 0;
        if (current.count() >= 2 && current.length(1) <= MAX_KEY_LENGTH) {
            int length = current.length(1);
            current.buffer().getBytes(current.offset(1), s.metaKey, KeyCodec.META_HEADER, length);
            s.hashes[keys++] = KeyHash.of(s.metaKey, KeyCodec.META_HEADER + length);
        }
        int bytes = Math.min(in.readableBytes(), WINDOW_BYTES);
        in.getBytes(in.readerIndex(), s.input, 0, bytes);
        int peeked = RespRequestDecoder.peekKeys(s.input, 0, bytes, WINDOW - 1, MAX_KEY_LENGTH, s.offsets, s.lengths);
        for (int k = 0; k < peeked && keys < WINDOW; k++) {
            s.hashes[keys++] = peekedKeyHash(s, k);
        }
        if (keys >= 2) { // one key alone waits for its misses with or without a hint
            s.sink += engine.prefetch(s.hashes, keys);
        }
        return WINDOW;
    }

    /**
     * For a connection that sent one request: puts the hash of its key (argument 1) in database
     * {@code db} at {@code hashes[at]} and returns 1. Returns 0 if {@code in} (from its reader
     * index; nothing consumed) holds more than {@link #FIRST_REQUEST_BYTES}, or no complete
     * request with a key of at most {@link #MAX_KEY_LENGTH} bytes, or two such requests: a
     * pipeline, whose keys {@link #ahead} hints as it runs. (Of a keyless request
     * followed by one with a key, such as a PING then a GET, the GET's key is hinted: the next
     * key the connection reads.)
     */
    int firstKey(ByteBuf in, int db, int[] hashes, int at) {
        int bytes = in.readableBytes();
        if (bytes > FIRST_REQUEST_BYTES) {
            return 0; // a pipeline, or a request too long to look at: nothing to copy
        }
        Scratch s = SCRATCH.get();
        in.getBytes(in.readerIndex(), s.input, 0, bytes);
        if (RespRequestDecoder.peekKeys(s.input, 0, bytes, 2, MAX_KEY_LENGTH, s.offsets, s.lengths) != 1) {
            return 0;
        }
        KeyCodec.putMetaHeader(s.metaKey, db);
        hashes[at] = peekedKeyHash(s, 0);
        return 1;
    }

    /** The hash of peeked key {@code k} of {@code s.input} as a metadata key, under the header already in {@code s.metaKey}. */
    private static int peekedKeyHash(Scratch s, int k) {
        System.arraycopy(s.input, s.offsets[k], s.metaKey, KeyCodec.META_HEADER, s.lengths[k]);
        return KeyHash.of(s.metaKey, KeyCodec.META_HEADER + s.lengths[k]);
    }

    /** Hints the engine at the keys with these hashes (of {@link #firstKey}), if there are two or more. */
    void hint(int[] hashes, int count) {
        if (count >= 2) {
            Scratch s = SCRATCH.get();
            s.sink += engine.prefetch(hashes, count);
        }
    }
}
