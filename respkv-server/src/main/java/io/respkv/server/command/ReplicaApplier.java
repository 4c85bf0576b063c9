package io.respkv.server.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.api.Transaction;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.keyspace.ActiveExpiry;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.replication.ReplicatedEntry;
import java.nio.ByteBuffer;

/**
 * Applies the replicated log on one replica: each committed entry ({@link ReplicatedEntry}) runs
 * through the command table on the local engine exactly as a client's command would, on a
 * connection of its own, with the time and random seed the leader stamped into the entry, so
 * every replica computes the same state and the same reply.
 *
 * <p>The index of the entry is written in the same engine transaction as its changes (engine
 * key {@link KeyCodec#REPLICATION} {@code "applied"}): after a restart, entries the engine
 * already holds are skipped, and those it lost (an engine with asynchronous durability, killed)
 * are applied again from the log. An entry that changed nothing records nothing; applying it
 * again changes nothing either.
 *
 * <p>The log also carries the ACL users (ACL SETUSER, DELUSER, LOAD): an entry that changes them
 * stores every user, in ACL file format, under {@code 'R' | "acl"} in the same transaction, and
 * a replica starting, or loading a snapshot into its engine, takes its users from there: the
 * users of the log position its engine holds.
 *
 * <p>Entries arrive one at a time, in log order, from one thread.
 */
public final class ReplicaApplier {

    /**
     * Engine key of the last applied log position: {@code 'R' | "applied"} -> position as u64,
     * the log index in the high 48 bits and the place in a group in the low {@link #SUB_BITS}.
     */
    static final byte[] APPLIED_KEY = KeyCodec.replicationKey("applied");
    /** Engine key of the ACL users as of the applied position: {@code 'R' | "acl"} -> ACL file text (ISO-8859-1). */
    static final byte[] USERS_KEY = KeyCodec.replicationKey("acl");
    private static final byte[] NOTHING = new byte[0];
    /** Bits of a log position that number the members of a group (fewer than 65,535 per entry). */
    static final int SUB_BITS = 16;
    /** The low bits of the position of an entry applied whole (its last group member, or a lone entry). */
    static final long WHOLE = (1L << SUB_BITS) - 1;

    private final ServerState server;
    private final ClientConnection replica;
    private final RespReplyWriter reply = new RespReplyWriter();
    private final ByteBuf out = Unpooled.buffer(256);
    private final CommandDispatcher dispatcher;
    /** What the log modified when: WATCH across nodes. Guarded by this. */
    private final ModificationLog modifications;
    private volatile long applied;

    public ReplicaApplier(ServerState server) {
        this.server = server;
        this.replica = server.replicaClient();
        this.dispatcher = CommandDispatcher.forReplica(server, replica, reply);
        this.modifications = new ModificationLog(server.commands());
        reply.target(out); // (a blocking command that finds nothing replies WouldBlock here: see CommandDispatcher)
        byte[] stored;
        try (Transaction t = server.engine().begin()) {
            stored = t.get(APPLIED_KEY);
        }
        this.applied = stored == null ? WHOLE : ByteBuffer.wrap(stored).getLong(); // (nothing: index 0, whole)
        loadStoredUsers();
    }

    /**
     * Replaces the server's ACL users with those the engine stored for its applied position, if
     * the log ever changed them (else the node keeps its configured users: aclfile, requirepass).
     */
    private void loadStoredUsers() {
        byte[] text;
        try (Transaction t = server.engine().begin()) {
            text = t.get(USERS_KEY);
        }
        if (text == null) {
            return;
        }
        java.util.List<io.respkv.server.acl.AclUser> replaced = new java.util.ArrayList<>();
        String errors = server.acl().loadText(new String(text, java.nio.charset.StandardCharsets.ISO_8859_1),
                "replicated users", replaced);
        if (errors != null) {
            throw new IllegalStateException("the replicated ACL users do not load: " + errors);
        }
        for (ClientConnection c : server.clients()) {
            if (replaced.contains(c.aclUser())) {
                c.channel().close(); // (connected while the snapshot was loading: their user is gone)
            }
        }
    }

    /** The server's active expiry: what the leader's expiry entries run, and how it finds due keys. */
    public ActiveExpiry activeExpiry() {
        return server.activeExpiry();
    }

    /** The engine the log is applied to. */
    public io.respkv.api.KeyspaceEngine engine() {
        return server.engine();
    }

    /**
     * The engine was just loaded with a snapshot of the state at log {@code index} (everything
     * else replaced): entries up to it count as applied.
     */
    public synchronized void restored(long index) {
        recordAppliedThrough(index);
        loadStoredUsers();
    }

    /**
     * Every entry up to log {@code index} has been applied, including those that changed
     * nothing and so recorded nothing (an expiry step that found no key): records it. Before a
     * snapshot at {@code index}, so that a restart does not take the engine for behind the
     * snapshot and load the whole snapshot into it again.
     */
    public synchronized void appliedThrough(long index) {
        if (((index << SUB_BITS) | WHOLE) > applied) {
            recordAppliedThrough(index);
        }
    }

    private void recordAppliedThrough(long index) {
        long position = (index << SUB_BITS) | WHOLE; // all of it, a group's members too
        server.engine().transact(txn -> {
            recordApplied(txn, position);
            return null;
        });
        applied = position;
    }

    /** The last log index whose changes this replica's engine holds (0 if none; a group partly applied counts as not). */
    public long appliedIndex() {
        long position = applied;
        return (position & WHOLE) == WHOLE ? position >>> SUB_BITS : (position >>> SUB_BITS) - 1;
    }

    /**
     * Applies the log entry at {@code index} with the leader's {@code nowMillis} and
     * {@code seed}: one {@link ReplicatedEntry}, or a group of them ({@link ReplicatedEntry#group},
     * the writes of several connections sent together), each applied in order as if alone, with
     * a seed of its own. Returns the reply: the entry's (RESP in the entry's protocol), or for a
     * group its members' ({@link ReplicatedEntry#groupReplies}); an entry this replica had
     * already applied before a restart replies nothing, as does an expiry step.
     */
    public synchronized byte[] apply(long index, long nowMillis, long seed, byte[] entryBytes) {
        if (!ReplicatedEntry.isGroup(entryBytes)) {
            return applyOne((index << SUB_BITS) | WHOLE, index, nowMillis, seed, entryBytes);
        }
        java.util.List<byte[]> members = ReplicatedEntry.groupMembers(entryBytes);
        java.util.List<byte[]> replies = new java.util.ArrayList<>(members.size());
        for (int k = 0; k < members.size(); k++) {
            long sub = k == members.size() - 1 ? WHOLE : k; // the last member completes the entry
            replies.add(applyOne((index << SUB_BITS) | sub, index, nowMillis, seed + k * 0x9E3779B97F4A7C15L, members.get(k)));
        }
        return ReplicatedEntry.groupReplies(replies);
    }

    /**
     * Applies one entry at log position {@code position}: the log index shifted left by
     * {@link #SUB_BITS}, plus its place in a group. The position is what is recorded as applied,
     * so a restart in the middle of a group resumes after the last member that committed.
     */
    private byte[] applyOne(long position, long index, long nowMillis, long seed, byte[] entryBytes) {
        ReplicatedEntry entry = ReplicatedEntry.decode(entryBytes);
        if (position <= applied) {
            modifications.record(entry, index); // the table is rebuilt from every entry, run or not
            return NOTHING;
        }
        out.clear();
        replica.db(entry.db());
        replica.protocol(entry.protocol());
        reply.protocol(entry.protocol());
        switch (entry.kind()) {
            case ReplicatedEntry.COMMAND -> dispatcher.applyReplicated(RespRequest.of(entry.requests().get(0)), nowMillis, seed, position);
            case ReplicatedEntry.TRANSACTION -> applyTransaction(entry, position, nowMillis, seed);
            case ReplicatedEntry.EXPIRE -> {
                ActiveExpiry expiry = server.activeExpiry();
                expiry.expireBatch(entry.db(), nowMillis, entry.expireLimit(), txn -> recordApplied(txn, position));
            }
            case ReplicatedEntry.ACL_LOAD -> {
                byte[][] pathAndText = entry.requests().get(0);
                dispatcher.applyAclLoad(new String(pathAndText[0], java.nio.charset.StandardCharsets.UTF_8),
                        new String(pathAndText[1], java.nio.charset.StandardCharsets.ISO_8859_1), nowMillis, seed, position);
            }
            default -> throw new IllegalStateException("unknown entry kind " + entry.kind());
        }
        modifications.record(entry, index);
        applied = position;
        byte[] result = new byte[out.readableBytes()];
        out.readBytes(result);
        out.clear();
        return result;
    }

    /**
     * MULTI, the queued commands, EXEC: the reply is EXEC's alone. Fails (a null array, nothing
     * run) when a watched key was modified after the watch index, or was live at WATCH and is
     * now stored past its deadline (Redis's isWatchedKeyExpired), as every replica decides alike.
     */
    private void applyTransaction(ReplicatedEntry entry, long position, long nowMillis, long seed) {
        if (entry.watchIndex() >= 0 && watchFailed(entry, nowMillis)) {
            reply.nullArray();
            return;
        }
        dispatcher.applyReplicated(RespRequest.of("MULTI"), nowMillis, seed, position);
        for (byte[][] args : entry.requests()) {
            dispatcher.applyReplicated(RespRequest.of(args), nowMillis, seed, position);
        }
        out.clear(); // +OK and +QUEUED: the client saw its own while queuing
        dispatcher.applyReplicated(RespRequest.of("EXEC"), nowMillis, seed, position);
        if (replica.transaction().inMulti()) {
            replica.transaction().discard(server.watches()); // (EXEC always ends MULTI; never left open)
        }
    }

    private boolean watchFailed(ReplicatedEntry entry, long nowMillis) {
        if (modifications.modifiedAfter(entry.watched(), entry.watchIndex())) {
            return true;
        }
        try (Transaction t = server.engine().begin()) {
            for (ReplicatedEntry.WatchedKey w : entry.watched()) {
                if (!w.expiredAtWatch() && new io.respkv.server.keyspace.Keyspace(t, w.db(), nowMillis).isStoredExpired(w.key())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The WATCH table, for a snapshot taken at the current applied index. */
    public synchronized byte[] modificationState() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            modifications.write(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores the WATCH table a snapshot carried ({@link #modificationState}). */
    public synchronized void restoreModificationState(byte[] state) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(state))) {
            modifications.read(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes every ACL user into {@code txn}, the transaction of the entry that changed them. */
    static void recordUsers(Transaction txn, io.respkv.server.acl.Acl acl) {
        txn.put(USERS_KEY, acl.text().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Writes the applied log position into {@code txn}, the transaction of the entry's changes. */
    static void recordApplied(Transaction txn, long position) {
        txn.put(APPLIED_KEY, ByteBuffer.allocate(Long.BYTES).putLong(position).array());
    }
}
