package io.respkv.server.replication;

import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a replica applies: one command, one MULTI/EXEC transaction, one step of active expiry,
 * or an ACL LOAD, with what the command needs from its connection (protocol and database). The log
 * carries these bytes; the leader adds the time and seed (see respkv-raft).
 *
 * <pre>
 * format:u8 = 1 | kind:u8 | protocol:u8 (2|3) | db:u16 | [watches] | count:u32 | request * count
 * request:      argc:u32 | (length:u32 | argument bytes) * argc
 * watches:      watch index:u64 | n:u32 | (db:u16 | expired at WATCH:u8 | length:u32 | key) * n   (kind 'T' only)
 *
 * kind 'C'  one command: count = 1
 * kind 'T'  a MULTI/EXEC transaction: its queued commands, count >= 0, run as EXEC runs them,
 *           unless the log modified a watched key after the watch index (watch index -1: none)
 * kind 'X'  active expiry of database db: count = 1, a request of one argument, the
 *           number of keys to look at as 4 big-endian bytes
 * kind 'A'  ACL LOAD: count = 1, a request of two arguments: the ACL file's path on the node
 *           that read it (UTF-8, named in errors) and its content (the file's bytes)
 * </pre>
 *
 * All integers big-endian. Arguments are bytes, never text.
 */
public record ReplicatedEntry(byte kind, ProtocolVersion protocol, int db, long watchIndex, List<WatchedKey> watched,
                              List<byte[][]> requests) {

    /** A key the client WATCHed before EXEC, and whether it was stored past its deadline then. */
    public record WatchedKey(int db, byte[] key, boolean expiredAtWatch) {
    }

    public static final byte FORMAT = 1;
    public static final byte COMMAND = 'C';
    public static final byte TRANSACTION = 'T';
    public static final byte EXPIRE = 'X';
    public static final byte ACL_LOAD = 'A';

    /** One command of a connection using {@code protocol} and database {@code db}. */
    public static byte[] command(ProtocolVersion protocol, int db, RespRequest request) {
        return encode(COMMAND, protocol, db, -1, List.of(), List.<byte[][]>of(request.arguments()));
    }

    /**
     * A MULTI/EXEC transaction: the queued commands, run in one engine transaction, and the keys
     * watched since log index {@code watchIndex} (-1 and none if nothing is watched).
     */
    public static byte[] transaction(ProtocolVersion protocol, int db, List<RespRequest> queued, long watchIndex,
                                     List<WatchedKey> watched) {
        List<byte[][]> requests = new ArrayList<>(queued.size());
        for (RespRequest r : queued) {
            requests.add(r.arguments());
        }
        return encode(TRANSACTION, protocol, db, watchIndex, watched, requests);
    }

    /** One active-expiry step: up to {@code keys} due keys of database {@code db} are removed. */
    public static byte[] expire(int db, int keys) {
        byte[] limit = ByteBuffer.allocate(4).putInt(keys).array();
        return encode(EXPIRE, ProtocolVersion.RESP2, db, -1, List.of(), List.<byte[][]>of(new byte[][] {limit}));
    }

    /** ACL LOAD of the content {@code text} of the ACL file at {@code path}: every replica gets those users. */
    public static byte[] aclLoad(String path, String text) {
        return encode(ACL_LOAD, ProtocolVersion.RESP2, 0, -1, List.of(), List.<byte[][]>of(new byte[][] {
                path.getBytes(java.nio.charset.StandardCharsets.UTF_8), text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)}));
    }

    /** First byte of a group of entries ({@link #group}); an entry starts with {@link #FORMAT}. */
    public static final byte GROUP = 'G';

    /**
     * Several entries (of different connections) in one log entry, applied one after the other
     * as if each were alone: {@code 'G' | count:u32 | (length:u32 | entry)*}.
     */
    public static byte[] group(List<byte[]> entries) {
        return frame(GROUP, entries);
    }

    /** Whether {@code bytes} is a {@link #group}. */
    public static boolean isGroup(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == GROUP;
    }

    /** The entries of a {@link #group}. */
    public static List<byte[]> groupMembers(byte[] group) {
        return unframe(group, GROUP);
    }

    /** The replies of a group's entries, in order: {@code 'g' | count:u32 | (length:u32 | reply)*}. */
    public static byte[] groupReplies(List<byte[]> replies) {
        return frame((byte) 'g', replies);
    }

    /** The replies {@link #groupReplies} framed. */
    public static List<byte[]> splitGroupReplies(byte[] framed) {
        return unframe(framed, (byte) 'g');
    }

    private static byte[] frame(byte tag, List<byte[]> parts) {
        int size = 1 + 4;
        for (byte[] p : parts) {
            size += 4 + p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(tag).putInt(parts.size());
        for (byte[] p : parts) {
            out.putInt(p.length).put(p);
        }
        return out.array();
    }

    private static List<byte[]> unframe(byte[] framed, byte tag) {
        ByteBuffer in = ByteBuffer.wrap(framed);
        if (in.get() != tag) {
            throw new IllegalArgumentException("not a framed list " + (char) tag);
        }
        int n = in.getInt();
        List<byte[]> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[in.getInt()];
            in.get(p);
            parts.add(p);
        }
        return parts;
    }

    /** The limit of an {@link #EXPIRE} entry. */
    public int expireLimit() {
        return ByteBuffer.wrap(requests.get(0)[0]).getInt();
    }

    private static byte[] encode(byte kind, ProtocolVersion protocol, int db, long watchIndex, List<WatchedKey> watched,
                                 List<byte[][]> requests) {
        int size = 1 + 1 + 1 + 2 + 4;
        if (kind == TRANSACTION) {
            size += 8 + 4;
            for (WatchedKey w : watched) {
                size += 2 + 1 + 4 + w.key().length;
            }
        }
        for (byte[][] r : requests) {
            size += 4;
            for (byte[] a : r) {
                size += 4 + a.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).put(kind).put((byte) (protocol == ProtocolVersion.RESP3 ? 3 : 2)).putShort((short) db);
        if (kind == TRANSACTION) {
            out.putLong(watchIndex).putInt(watched.size());
            for (WatchedKey w : watched) {
                out.putShort((short) w.db()).put((byte) (w.expiredAtWatch() ? 1 : 0)).putInt(w.key().length).put(w.key());
            }
        }
        out.putInt(requests.size());
        for (byte[][] r : requests) {
            out.putInt(r.length);
            for (byte[] a : r) {
                out.putInt(a.length).put(a);
            }
        }
        return out.array();
    }

    /** Parses what {@link #command}, {@link #transaction}, {@link #expire} or {@link #aclLoad} wrote. */
    public static ReplicatedEntry decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown replicated entry format " + format);
        }
        byte kind = in.get();
        if (kind != COMMAND && kind != TRANSACTION && kind != EXPIRE && kind != ACL_LOAD) {
            throw new IllegalArgumentException("unknown replicated entry kind " + kind);
        }
        ProtocolVersion protocol = in.get() == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2;
        int db = Short.toUnsignedInt(in.getShort());
        long watchIndex = -1;
        List<WatchedKey> watched = List.of();
        if (kind == TRANSACTION) {
            watchIndex = in.getLong();
            int n = in.getInt();
            watched = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int wdb = Short.toUnsignedInt(in.getShort());
                boolean expired = in.get() != 0;
                byte[] key = new byte[in.getInt()];
                in.get(key);
                watched.add(new WatchedKey(wdb, key, expired));
            }
        }
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
        return new ReplicatedEntry(kind, protocol, db, watchIndex, watched, requests);
    }
}
