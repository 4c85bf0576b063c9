package io.respkv.raft;

import io.respkv.server.command.ReplicaApplier;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The Raft state machine of one respkv replica: the leader stamps each client entry with its
 * time and a random seed ({@link #startTransaction}); every replica applies committed entries in
 * log order through the server's {@link ReplicaApplier} and answers with the command's reply.
 * Queries are empty: a linearizable read asks Ratis for the read index (the leader's commit
 * index, confirmed by a majority) and, once this replica applied that far, the server reads
 * its own engine.
 */
final class RespkvStateMachine extends BaseStateMachine {

    private static final org.apache.ratis.statemachine.SnapshotRetentionPolicy KEEP_TWO =
            new org.apache.ratis.statemachine.SnapshotRetentionPolicy() {
                @Override
                public int getNumSnapshotsRetained() {
                    return 2;
                }
            };

    private final ReplicaApplier applier;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /** The highest time stamped or applied: time never goes backwards in the log, even across leaders. */
    private long lastStampMillis;
    private final Object appliedMonitor = new Object();
    private volatile long appliedIndex;
    /**
     * The latest snapshot, as last loaded, taken or installed. Kept here because Ratis asks for
     * it before every append to every follower, and while there is none the storage looks for
     * one by listing its directory each time (5% of a leader's CPU under load).
     */
    private volatile SingleFileSnapshotInfo latestSnapshot;

    RespkvStateMachine(ReplicaApplier applier) {
        this.applier = applier;
        this.appliedIndex = applier.appliedIndex();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /** Before Ratis installs a snapshot from the leader: no applies until {@link #reinitialize}. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After Ratis installed a snapshot from the leader (a lagging or new member). */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /**
     * Makes the engine hold at least the latest snapshot's state: loads it when the engine is
     * behind it (a memory engine after a restart, a member that installed it), keeps the engine
     * otherwise (a persistent engine already holds it and maybe more; the log replays the rest).
     */
    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        latestSnapshot = latest;
        if (latest == null) {
            return;
        }
        TermIndex at = latest.getTermIndex();
        boolean engineBehind = applier.appliedIndex() < at.getIndex();
        EngineSnapshotFile.Loaded loaded = EngineSnapshotFile.load(latest.getFile().getPath(), applier.engine(), engineBehind);
        // the WATCH table as of the snapshot; the log replays what follows it (engine or not)
        applier.restoreModificationState(loaded.replicaState());
        if (engineBehind) {
            applier.restored(loaded.index());
            LOG.info("{}: loaded snapshot {} into the engine", getId(), at);
        }
        setLastAppliedTermIndex(at);
        synchronized (appliedMonitor) {
            appliedIndex = Math.max(appliedIndex, applier.appliedIndex());
            appliedMonitor.notifyAll();
        }
    }

    /**
     * Called by Ratis between two applies (so the engine holds exactly the applied state): the
     * whole engine to one file ({@link EngineSnapshotFile}) with its MD5; older snapshots beyond
     * the latest two are deleted, and Ratis may purge the log up to this index.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return -1;
        }
        applier.appliedThrough(last.getIndex());
        java.io.File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        EngineSnapshotFile.write(applier.engine(), last.getIndex(), applier.modificationState(), file.toPath());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        SingleFileSnapshotInfo taken = new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last);
        storage.updateLatestSnapshot(taken);
        latestSnapshot = taken;
        storage.cleanupOldSnapshots(KEEP_TWO);
        return last.getIndex();
    }

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        long now;
        synchronized (this) {
            now = Math.max(System.currentTimeMillis(), lastStampMillis);
            lastStampMillis = now;
        }
        ByteString stamped = UnsafeByteOperations.unsafeWrap(
                StampedEntry.header(now, ThreadLocalRandom.current().nextLong())).concat(request.getMessage().getContent());
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(stamped)
                .build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        StampedEntry stamped = StampedEntry.decode(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        synchronized (this) {
            lastStampMillis = Math.max(lastStampMillis, stamped.nowMillis());
        }
        byte[] reply;
        try {
            reply = applier.apply(index, stamped.nowMillis(), stamped.seed(), stamped.entry());
        } catch (RuntimeException e) {
            // Every replica fails the same way on the same entry (deterministic); the state is
            // unchanged by it (its transaction rolled back), so the log goes on.
            LOG.error("{}: applying log entry {} failed", getId(), index, e);
            reply = ("-ERR replicated command failed: " + e + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        synchronized (appliedMonitor) {
            appliedIndex = Math.max(appliedIndex, index); // (a restart replays entries the engine holds)
            appliedMonitor.notifyAll();
        }
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** The last log index applied here. */
    long appliedIndex() {
        return appliedIndex;
    }

    /** Waits until entry {@code index} is applied here; false if {@code timeoutMillis} passed first. */
    boolean awaitApplied(long index, long timeoutMillis) throws InterruptedException {
        if (appliedIndex >= index) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        synchronized (appliedMonitor) {
            while (appliedIndex < index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                appliedMonitor.wait(Math.max(1, left / 1_000_000L));
            }
        }
        return true;
    }
}
