package io.respkv.server.replication;

import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a replica applies: one command, one MULTI/EXEC transaction, or one step of active
 * expiry, with what the command needs from its connection (protocol and database). The log
 * carries these bytes; the leader adds the time and seed (see respkv-raft).
 *
 * <pre>
 * format:u8 = 1 | kind:u8 | protocol:u8 (2|3) | db:u16 | count:u32 | request * count
 * request:      argc:u32 | (length:u32 | argument bytes) * argc
 *
 * kind 'C'  one command: count = 1
 * kind 'T'  a MULTI/EXEC transaction: its queued commands, count >= 0, run as EXEC runs them
 * kind 'X'  active expiry of database db: count = 1, a request of one argument, the
 *           number of keys to look at as 4 big-endian bytes
 * </pre>
 *
 * All integers big-endian. Arguments are bytes, never text.
 */
public record ReplicatedEntry(byte kind, ProtocolVersion protocol, int db, List<byte[][]> requests) {

    public static final byte FORMAT = 1;
    public static final byte COMMAND = 'C';
    public static final byte TRANSACTION = 'T';
    public static final byte EXPIRE = 'X';

    /** One command of a connection using {@code protocol} and database {@code db}. */
    public static byte[] command(ProtocolVersion protocol, int db, RespRequest request) {
        return encode(COMMAND, protocol, db, List.<byte[][]>of(arguments(request)));
    }

    /** A MULTI/EXEC transaction: the queued commands, run in one engine transaction. */
    public static byte[] transaction(ProtocolVersion protocol, int db, List<RespRequest> queued) {
        List<byte[][]> requests = new ArrayList<>(queued.size());
        for (RespRequest r : queued) {
            requests.add(arguments(r));
        }
        return encode(TRANSACTION, protocol, db, requests);
    }

    /** One active-expiry step: up to {@code keys} due keys of database {@code db} are removed. */
    public static byte[] expire(int db, int keys) {
        byte[] limit = ByteBuffer.allocate(4).putInt(keys).array();
        return encode(EXPIRE, ProtocolVersion.RESP2, db, List.<byte[][]>of(new byte[][] {limit}));
    }

    /** The limit of an {@link #EXPIRE} entry. */
    public int expireLimit() {
        return ByteBuffer.wrap(requests.get(0)[0]).getInt();
    }

    private static byte[][] arguments(RespRequest request) {
        byte[][] args = new byte[request.count()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = request.bytes(i);
        }
        return args;
    }

    private static byte[] encode(byte kind, ProtocolVersion protocol, int db, List<byte[][]> requests) {
        int size = 1 + 1 + 1 + 2 + 4;
        for (byte[][] r : requests) {
            size += 4;
            for (byte[] a : r) {
                size += 4 + a.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).put(kind).put((byte) (protocol == ProtocolVersion.RESP3 ? 3 : 2)).putShort((short) db)
                .putInt(requests.size());
        for (byte[][] r : requests) {
            out.putInt(r.length);
            for (byte[] a : r) {
                out.putInt(a.length).put(a);
            }
        }
        return out.array();
    }

    /** Parses what {@link #command}, {@link #transaction} or {@link #expire} wrote. */
    public static ReplicatedEntry decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown replicated entry format " + format);
        }
        byte kind = in.get();
        if (kind != COMMAND && kind != TRANSACTION && kind != EXPIRE) {
            throw new IllegalArgumentException("unknown replicated entry kind " + kind);
        }
        ProtocolVersion protocol = in.get() == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2;
        int db = Short.toUnsignedInt(in.getShort());
        int count = in.getInt();
        List<byte[][]> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[][] args = new byte[in.getInt()][];
            for (int j = 0; j < args.length; j++) {
                args[j] = new byte[in.getInt()];
                in.get(args[j]);
            }
            requests.add(args);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes after a replicated entry");
        }
        return new ReplicatedEntry(kind, protocol, db, requests);
    }
}
