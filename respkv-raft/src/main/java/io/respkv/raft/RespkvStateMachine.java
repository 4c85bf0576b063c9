package io.respkv.raft;

import io.respkv.server.command.ReplicaApplier;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ratis.protocol.Message;
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

    private final ReplicaApplier applier;
    /** The highest time stamped or applied: time never goes backwards in the log, even across leaders. */
    private long lastStampMillis;
    private final Object appliedMonitor = new Object();
    private volatile long appliedIndex;

    RespkvStateMachine(ReplicaApplier applier) {
        this.applier = applier;
        this.appliedIndex = applier.appliedIndex();
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
