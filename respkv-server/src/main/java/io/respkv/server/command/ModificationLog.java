package io.respkv.server.command;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.codec.RespRequest;
import io.respkv.server.replication.ReplicatedEntry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WATCH across the nodes of a replicated group: for each key, the last log index whose entry
 * may have modified it, kept by every replica from the entries alone (their commands' key
 * positions), never from how they ran, so every replica holds the same table at the same index
 * and fails the same EXECs. A MULTI/EXEC entry fails if one of its watched keys was modified
 * after the index its client watched at (Redis's "touched" watched key).
 *
 * <p>Over-approximations (an EXEC may fail that Redis would run, never the reverse): an entry
 * counts as modifying its keys even if it failed or changed nothing; commands whose keys are
 * not at fixed positions (movable keys, PDEL, DELRANGE, FLUSHDB, active-expiry steps) count as
 * modifying their whole database, and FLUSHALL, SWAPDB, MOVE and COPY every database. The
 * table forgets entries older than {@link #WINDOW} log indexes: an EXEC whose keys were
 * watched before that fails.
 *
 * <p>It is part of a replica's state: snapshots carry it ({@link #write}, {@link #read}), and a
 * replica that skips entries its engine already holds still records them.
 */
final class ModificationLog {

    /** How many log indexes back the table remembers. */
    static final long WINDOW = 100_000;
    private static final int PRUNE_EVERY = 4096;

    private final CommandTable table;
    private final Map<BlockingKeys.WaitKey, Long> keys = new HashMap<>();
    private final Map<Integer, Long> databases = new HashMap<>();
    private long everything;
    private long floor;

    ModificationLog(CommandTable table) {
        this.table = table;
    }

    /** Records what the entry at {@code index} may modify. */
    void record(ReplicatedEntry entry, long index) {
        switch (entry.kind()) {
            case ReplicatedEntry.COMMAND -> recordCommand(entry.db(), entry.requests().get(0), index);
            case ReplicatedEntry.TRANSACTION -> {
                int db = entry.db();
                for (byte[][] args : entry.requests()) {
                    db = recordCommand(db, args, index);
                }
            }
            case ReplicatedEntry.EXPIRE -> databases.put(entry.db(), index); // some keys of that database
            default -> { } // ACL LOAD: no keys
        }
        if (index % PRUNE_EVERY == 0) {
            prune(index - WINDOW);
        }
    }

    /** Records one command run in database {@code db}; returns the database the next one runs in. */
    private int recordCommand(int db, byte[][] args, long index) {
        CommandEntry command = table.lookup(RespRequest.of(args), 0);
        if (command == null) {
            return db;
        }
        String name = command.name();
        if (name.equals("select") && args.length == 2) {
            try {
                return Integer.parseInt(new String(args[1], java.nio.charset.StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return db;
            }
        }
        CommandSpec spec = command.spec();
        if (!spec.isWrite()) {
            return db;
        }
        switch (name) {
            case "flushall", "swapdb", "move", "copy" -> everything = index;
            case "flushdb", "pdel", "delrange" -> databases.put(db, index);
            default -> {
                if (spec.is(CommandFlag.MOVABLEKEYS)) {
                    databases.put(db, index);
                } else {
                    for (int i : spec.keyIndexes(args.length)) {
                        keys.put(new BlockingKeys.WaitKey(db, args[i]), index);
                    }
                }
            }
        }
        return db;
    }

    /** Whether a watched key may have been modified after log index {@code watchIndex}. */
    boolean modifiedAfter(List<ReplicatedEntry.WatchedKey> watched, long watchIndex) {
        if (watchIndex < floor || everything > watchIndex) {
            return true;
        }
        for (ReplicatedEntry.WatchedKey w : watched) {
            if (databases.getOrDefault(w.db(), 0L) > watchIndex
                    || keys.getOrDefault(new BlockingKeys.WaitKey(w.db(), w.key()), 0L) > watchIndex) {
                return true;
            }
        }
        return false;
    }

    private void prune(long newFloor) {
        if (newFloor <= floor) {
            return;
        }
        floor = newFloor;
        keys.values().removeIf(i -> i < newFloor);
        databases.values().removeIf(i -> i < newFloor);
    }

    /** Writes the table (for a snapshot). */
    void write(DataOutputStream out) throws IOException {
        out.writeLong(floor);
        out.writeLong(everything);
        out.writeInt(databases.size());
        for (Map.Entry<Integer, Long> e : databases.entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeInt(keys.size());
        for (Map.Entry<BlockingKeys.WaitKey, Long> e : keys.entrySet()) {
            out.writeInt(e.getKey().db);
            out.writeInt(e.getKey().key.length);
            out.write(e.getKey().key);
            out.writeLong(e.getValue());
        }
    }

    /** Replaces the table with one {@link #write} wrote. */
    void read(DataInputStream in) throws IOException {
        keys.clear();
        databases.clear();
        floor = in.readLong();
        everything = in.readLong();
        for (int n = in.readInt(); n > 0; n--) {
            databases.put(in.readInt(), in.readLong());
        }
        for (int n = in.readInt(); n > 0; n--) {
            int db = in.readInt();
            byte[] key = in.readNBytes(in.readInt());
            keys.put(new BlockingKeys.WaitKey(db, key), in.readLong());
        }
    }
}
