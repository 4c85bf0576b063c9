package io.respkv.raft;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A replica's whole engine content in one file: what a Raft snapshot of respkv is. Written from
 * an engine snapshot, so the file is the state at one log index; read back into an emptied
 * engine on a replica that installs it (a new or lagging member) or whose engine lost its data
 * (the memory engine after a restart). Engine-agnostic: any engine snapshots to and loads from
 * it, so a group may mix engines.
 *
 * <pre>
 * magic "RKVSNAP1" | log index:u64 | (key length:u32 | key | value length:u32 | value)* | 0xFFFFFFFF
 *   | replica state length:u32 | replica state (the WATCH table, see ReplicaApplier#modificationState)
 * </pre>
 *
 * All integers big-endian; the end marker tells a complete file from a truncated one (Ratis
 * keeps an MD5 beside it as well).
 */
final class EngineSnapshotFile {

    private static final long MAGIC = 0x524B56534E415031L; // "RKVSNAP1"
    private static final int END = -1;
    /** Entries per engine transaction while loading. */
    private static final int LOAD_BATCH = 1024;

    private EngineSnapshotFile() {
    }

    /** What a snapshot file held besides the engine's entries. */
    record Loaded(long index, byte[] replicaState) {
    }

    /**
     * Writes every entry of {@code engine} (as of one engine snapshot) and the replica's own
     * state to {@code file}, atomically.
     */
    static void write(KeyspaceEngine engine, long index, byte[] replicaState, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Snapshot snapshot = engine.snapshot();
             KvCursor c = snapshot.scan(null, null, false);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeLong(MAGIC);
            out.writeLong(index);
            while (c.next()) {
                byte[] key = c.key();
                byte[] value = c.value();
                out.writeInt(key.length);
                out.write(key);
                out.writeInt(value.length);
                out.write(value);
            }
            out.writeInt(END);
            out.writeInt(replicaState.length);
            out.write(replicaState);
        }
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads the file; with {@code intoEngine}, replaces the whole content of {@code engine} with
     * the file's entries (otherwise skips them).
     */
    static Loaded load(Path file, KeyspaceEngine engine, boolean intoEngine) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readLong() != MAGIC) {
                throw new IOException("not a respkv snapshot: " + file);
            }
            long index = in.readLong();
            if (!intoEngine) {
                for (int keyLength; (keyLength = in.readInt()) != END; ) {
                    in.skipNBytes(keyLength);
                    in.skipNBytes(in.readInt());
                }
                return new Loaded(index, in.readNBytes(in.readInt()));
            }
            engine.transact(txn -> {
                txn.deleteRange(new byte[0], null);
                return null;
            });
            int pending = 0;
            Transaction txn = engine.begin();
            try {
                for (int keyLength; (keyLength = in.readInt()) != END; ) {
                    byte[] key = in.readNBytes(keyLength);
                    byte[] value = in.readNBytes(in.readInt());
                    if (key.length != keyLength) {
                        throw new EOFException("truncated snapshot " + file);
                    }
                    txn.put(key, value);
                    if (++pending == LOAD_BATCH) {
                        txn.commit();
                        txn.close();
                        txn = engine.begin();
                        pending = 0;
                    }
                }
                txn.commit();
            } finally {
                txn.close();
            }
            engine.syncCommitted();
            return new Loaded(index, in.readNBytes(in.readInt()));
        }
    }
}
