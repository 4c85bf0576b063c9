package io.respkv.raft;

import io.respkv.api.ConsistencyLevel;
import io.respkv.server.command.ReplicaApplier;
import io.respkv.server.replication.ReplicatedEntry;
import io.respkv.server.replication.Replication;
import io.respkv.server.replication.ReplicationUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Replicates a respkv server's writes through a Raft group on Apache Ratis (gRPC transport):
 * turns any local engine (RocksDB, LevelDB, memory) into a replicated, highly available store.
 *
 * <p>Every node of the group runs a {@code RespServer} built with
 * {@code .replication(RaftReplication.builder()...build())} over its own local engine. Any node
 * accepts any command. A write becomes a log entry (the command, its connection's protocol and
 * database; the leader stamps time and seed), is committed by a majority (each appending it to
 * its fsynced log), and is applied by every node in log order; the client gets the reply once
 * its own node has applied it too. Reads follow the connection's {@link ConsistencyLevel}. The
 * leader alone runs active expiry, as log entries. See docs/replication.md.
 */
public final class RaftReplication implements Replication {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftReplication.class);

    private static final long RETRY_SLEEP_MILLIS = 50;
    /** Most writes one log entry carries (see {@link #send}). */
    private static final int MAX_GROUP = 256;
    /**
     * Log entries of queued writes in flight at once (see {@link #send}). Few, so that writes
     * queue up behind them and share entries: with 50 clients on 2 cores, 8 in flight made
     * entries of 3 writes, 2 made entries of 8 and cost less CPU per write at the same throughput
     * (every entry costs each node a log append, an apply step and RPCs). One sender thread per
     * entry in flight (a follower's sender waits for its entry's reply); a sender beyond that
     * would only wait for a permit.
     */
    private static final int MAX_IN_FLIGHT = 2;
    private static final byte[] EMPTY = new byte[0];

    private final RaftPeerId self;
    private final RaftGroup group;
    private final Path storage;
    private final long timeoutMillis;
    private final int expiryKeysPerStep;
    private final RaftProperties properties;
    private volatile RaftServer server;
    /** For membership and snapshot requests. */
    private volatile RaftClient client;
    /**
     * One Ratis client per calling thread: a client's blocking calls go one at a time, so
     * commands of different connections sharing one would wait for each other's round trips.
     */
    private final ThreadLocal<RaftClient> threadClient = ThreadLocal.withInitial(this::newClient);
    private final java.util.Queue<RaftClient> clients = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Writes waiting for a sender. */
    private final java.util.concurrent.LinkedBlockingQueue<Pending> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    private final List<Thread> senders = new ArrayList<>();
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
    /** Who this node's own requests to its Raft server come from, and their call ids. */
    private final org.apache.ratis.protocol.ClientId localClientId = org.apache.ratis.protocol.ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong localCallIds = new java.util.concurrent.atomic.AtomicLong();
    private volatile RespkvStateMachine stateMachine;
    private volatile Thread expiryLoop;
    private volatile boolean closed;

    private RaftReplication(Builder b) {
        this.self = RaftPeerId.valueOf(b.id);
        List<RaftPeer> peers = new ArrayList<>();
        b.peers.forEach((id, address) -> peers.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(b.groupName.getBytes(StandardCharsets.UTF_8))), peers);
        this.storage = b.storage;
        this.timeoutMillis = b.timeout.toMillis();
        this.expiryKeysPerStep = b.expiryKeysPerStep;
        String address = b.peers.get(b.id);
        int colon = address.lastIndexOf(':');
        properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(properties, address.substring(0, colon));
        GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(address.substring(colon + 1)));
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(properties, TimeDuration.valueOf(timeoutMillis, TimeUnit.MILLISECONDS));
        // A leader that has not heard from a majority for an election timeout steps down, which
        // bounds how long a deposed leader serves LEASE reads.
        RaftServerConfigKeys.Read.setLeaderHeartbeatCheckEnabled(properties, true);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(b.electionTimeout.toMillis(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2 * b.electionTimeout.toMillis(), TimeUnit.MILLISECONDS));
        if (!b.logSync) {
            // acknowledged once in the OS page cache of a majority: survives process kills, not
            // a simultaneous power loss of a majority (see docs/replication.md)
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, true);
        }
        // A snapshot (the whole engine in one file) every snapshotEvery applied entries; the log
        // is then purged up to it, and a member too far behind installs the snapshot instead.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, b.snapshotEvery > 0);
        if (b.snapshotEvery > 0) {
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, b.snapshotEvery);
        }
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, b.purgeGap);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void start(ReplicaApplier applier) throws IOException {
        // Ratis ends the JVM on some failures (its gRPC port taken): a library inside a host
        // application must not; the failure reaches the caller of RespServer.start instead.
        org.apache.ratis.util.ExitUtils.disableSystemExit();
        Files.createDirectories(storage);
        stateMachine = new RespkvStateMachine(applier);
        boolean formatted = Files.exists(storage.resolve(group.getGroupId().getUuid().toString()));
        server = RaftServer.newBuilder()
                .setServerId(self)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        client = newClient();
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            Thread sender = new Thread(this::send, "respkv-raft-sender-" + self + "-" + i);
            sender.setDaemon(true);
            senders.add(sender);
            sender.start();
        }
        Thread t = new Thread(() -> expireLoop(applier), "respkv-raft-expiry-" + self);
        t.setDaemon(true);
        expiryLoop = t;
        t.start();
    }

    private RaftClient newClient() {
        if (closed) {
            throw new ReplicationUnavailableException("replication closed");
        }
        RaftClient c = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                // leader changes and "not ready yet" are retried for about the timeout, then NOREPLICAS
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        (int) Math.max(1, timeoutMillis / RETRY_SLEEP_MILLIS), TimeDuration.valueOf(RETRY_SLEEP_MILLIS, TimeUnit.MILLISECONDS)))
                .build();
        clients.add(c);
        return c;
    }

    /**
     * Queues {@code entry} for the next log entry a sender appends (see {@link #send}) and waits
     * for its reply.
     */
    @Override
    public byte[] submit(byte[] entry) {
        Pending p = new Pending(entry, new java.util.concurrent.CompletableFuture<>());
        queue.add(p);
        try {
            return p.reply().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ReplicationUnavailableException("write timed out after " + timeoutMillis + " ms (no leader or no majority)", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ReplicationUnavailableException unavailable) {
                throw unavailable;
            }
            throw new ReplicationUnavailableException("write failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationUnavailableException("interrupted", e);
        }
    }

    /** A write waiting for a sender. */
    private record Pending(byte[] entry, java.util.concurrent.CompletableFuture<byte[]> reply) {
    }

    /**
     * A sender: takes a permit for one more entry in flight, then the writes queued meanwhile (of
     * any connections, up to {@link #MAX_GROUP}), and appends them as one log entry
     * ({@code ReplicatedEntry.group}), so that concurrent clients share a Raft round trip and
     * each node's fsync; every write still gets its own reply, as if alone. While all
     * {@link #MAX_IN_FLIGHT} entries are in flight, writes queue up and the next entry carries
     * them all.
     *
     * <p>On the leader the entry goes straight to the local Raft server, asynchronously: no gRPC
     * round trip to itself, and the sender moves on to the next entry at once. Elsewhere (a
     * follower, or a leader not ready yet) a Ratis client sends it to the leader and the sender
     * waits for the reply, so {@link #MAX_IN_FLIGHT} senders keep that many entries in flight.
     */
    private void send() {
        while (!closed) {
            List<Pending> group = new ArrayList<>();
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                inFlight.release();
                return;
            }
            queue.drainTo(group, MAX_GROUP - 1);
            byte[] payload = payload(group);
            if (isReadyLeader()) {
                submitOnLeader(group, payload);
            } else {
                try {
                    sendThroughClient(group, payload);
                } finally {
                    inFlight.release();
                }
            }
        }
    }

    private static byte[] payload(List<Pending> group) {
        if (group.size() == 1) {
            return group.get(0).entry();
        }
        List<byte[]> entries = new ArrayList<>(group.size());
        for (Pending p : group) {
            entries.add(p.entry());
        }
        return ReplicatedEntry.group(entries);
    }

    /**
     * Appends through this node's own Raft server (it leads); releases the in-flight permit when
     * the reply comes. The leader replies once the entry is committed and applied here. An entry
     * refused because leadership moved was not appended: its writes queue again, for a sender to
     * forward to the new leader.
     */
    private void submitOnLeader(List<Pending> group, byte[] payload) {
        java.util.concurrent.CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(localRequest(payload, RaftClientRequest.writeRequestType()));
        } catch (IOException | RuntimeException e) {
            inFlight.release();
            fail(group, new ReplicationUnavailableException("write failed: " + e, e));
            return;
        }
        reply.whenComplete((r, error) -> {
            inFlight.release();
            if (error != null) {
                fail(group, new ReplicationUnavailableException("write failed: " + error, error));
            } else if (r.isSuccess()) {
                complete(group, r.getMessage().getContent().toByteArray());
            } else if ((r.getNotLeaderException() != null || r.getLeaderNotReadyException() != null) && !closed) {
                queue.addAll(group);
            } else {
                fail(group, new ReplicationUnavailableException("write not committed: " + r.getException(), r.getException()));
            }
        });
    }

    /** Sends the entry to the leader through a Ratis client, waiting for the reply. */
    private void sendThroughClient(List<Pending> group, byte[] payload) {
        try {
            RaftClient c = threadClient.get();
            RaftClientReply reply = call(() -> c.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(payload))), "write");
            if (!reply.isSuccess()) {
                throw new ReplicationUnavailableException("write not committed: " + reply.getException(), reply.getException());
            }
            // read-your-writes on this node, whatever the connection's read level
            if (!stateMachine.awaitApplied(reply.getLogIndex(), timeoutMillis)) {
                throw new ReplicationUnavailableException("write committed but not applied here in " + timeoutMillis + " ms");
            }
            complete(group, reply.getMessage().getContent().toByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(group, new ReplicationUnavailableException("interrupted", e));
        } catch (RuntimeException e) {
            fail(group, e);
        }
    }

    /** Hands each write of the entry its own reply. */
    private static void complete(List<Pending> group, byte[] replied) {
        if (group.size() == 1) {
            group.get(0).reply().complete(replied);
            return;
        }
        List<byte[]> replies = ReplicatedEntry.splitGroupReplies(replied);
        for (int i = 0; i < group.size(); i++) {
            group.get(i).reply().complete(replies.get(i));
        }
    }

    private static void fail(List<Pending> group, RuntimeException e) {
        group.forEach(p -> p.reply().completeExceptionally(e));
    }

    /** Whether this node leads and has committed an entry of its term (so it serves requests). */
    private boolean isReadyLeader() {
        try {
            DivisionInfo info = division().getInfo();
            return info.isLeader() && info.isLeaderReady();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A request to this node's own Raft server, as a Ratis client would send it. */
    private RaftClientRequest localRequest(byte[] payload, RaftClientRequest.Type type) {
        return RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(self)
                .setGroupId(group.getGroupId())
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(payload)))
                .setType(type)
                .setTimeoutMs(timeoutMillis)
                .build();
    }

    @Override
    public void awaitReadable(ConsistencyLevel level) {
        switch (level) {
            case STALE -> {
            }
            case LEASE -> {
                DivisionInfo info = division().getInfo();
                if (!(info.isLeader() && info.isLeaderReady())) {
                    readIndex(); // a follower confirms with the leader
                }
            }
            case LINEARIZABLE -> readIndex();
        }
    }

    /** Ratis's linearizable read: the leader's commit index (confirmed by a majority), applied here. */
    private void readIndex() {
        if (isReadyLeader()) {
            try {
                RaftClientReply reply = server.submitClientRequestAsync(localRequest(EMPTY, RaftClientRequest.readRequestType()))
                        .get(timeoutMillis, TimeUnit.MILLISECONDS);
                if (reply.isSuccess()) {
                    return;
                }
                if (reply.getNotLeaderException() == null && reply.getLeaderNotReadyException() == null) {
                    throw new ReplicationUnavailableException("read index not confirmed: " + reply.getException(), reply.getException());
                }
                // leadership moved meanwhile: ask the new leader through a client
            } catch (java.util.concurrent.TimeoutException e) {
                throw new ReplicationUnavailableException("read index not confirmed in " + timeoutMillis + " ms", e);
            } catch (java.util.concurrent.ExecutionException | IOException e) {
                throw new ReplicationUnavailableException("read index failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicationUnavailableException("interrupted", e);
            }
        }
        RaftClient c = threadClient.get();
        RaftClientReply reply = call(() -> c.io().sendReadOnly(Message.EMPTY, self), "read");
        if (!reply.isSuccess()) {
            throw new ReplicationUnavailableException("read index not confirmed: " + reply.getException(), reply.getException());
        }
    }

    /** A blocking Ratis call; Ratis retries it (leader changes) for up to the timeout. */
    private RaftClientReply call(RatisCall call, String what) {
        try {
            return call.run();
        } catch (IOException e) {
            throw new ReplicationUnavailableException(what + " failed: " + e, e);
        }
    }

    @FunctionalInterface
    private interface RatisCall {
        RaftClientReply run() throws IOException;
    }

    /**
     * Active expiry, on the leader only: every 100 ms, each database with a key due gets an
     * expiry step in the log, applied by every replica at the leader's stamped time.
     */
    private void expireLoop(ReplicaApplier applier) {
        io.respkv.server.keyspace.ActiveExpiry expiry = applier.activeExpiry();
        while (!closed) {
            try {
                Thread.sleep(io.respkv.server.keyspace.ActiveExpiry.CYCLE_MILLIS);
                if (!isLeader()) {
                    continue;
                }
                long now = System.currentTimeMillis();
                for (int db = 0; db < expiry.databases() && !closed; db++) {
                    if (expiry.anyDue(db, now)) {
                        submit(ReplicatedEntry.expire(db, expiryKeysPerStep));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.debug("active expiry step failed", e);
                }
            }
        }
    }

    /** Whether this node leads the group now. */
    public boolean isLeader() {
        try {
            return division().getInfo().isLeader();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The id of the current leader as this node knows it, or null. */
    public String leaderId() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    /** This node's id. */
    public String id() {
        return self.toString();
    }

    /** The log index the latest snapshot of this node covers (taken here or installed from the leader); 0 if none. */
    public long snapshotIndex() {
        org.apache.ratis.statemachine.SnapshotInfo latest = stateMachine == null ? null : stateMachine.getLatestSnapshot();
        return latest == null ? 0 : latest.getIndex();
    }

    /** The last log index applied on this node. */
    @Override
    public long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(group.getGroupId());
        } catch (IOException e) {
            throw new ReplicationUnavailableException("raft group not running: " + e, e);
        }
    }

    @Override
    public void registerCommands(io.respkv.server.command.CommandTable table) {
        RaftCommands.register(table, this);
    }

    /** The members of the current configuration: id to Raft address, in id order. */
    public Map<String, String> members() {
        Map<String, String> members = new java.util.TreeMap<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
            members.put(p.getId().toString(), p.getAddress());
        }
        return members;
    }

    /**
     * Adds a member (already started with the new member list, and an empty or stale log): it
     * catches up from the log, or from a snapshot when the log was purged past its position.
     */
    public void addMember(String id, String hostPort) {
        if (hostPort.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("member address must be host:port");
        }
        List<RaftPeer> peers = new ArrayList<>(division().getRaftConf().getCurrentPeers());
        if (peers.stream().anyMatch(p -> p.getId().toString().equals(id))) {
            throw new IllegalArgumentException("member " + id + " already in the group");
        }
        peers.add(RaftPeer.newBuilder().setId(id).setAddress(hostPort).build());
        reconfigure(peers);
    }

    /** Removes a member from the group. */
    public void removeMember(String id) {
        List<RaftPeer> peers = new ArrayList<>(division().getRaftConf().getCurrentPeers());
        if (!peers.removeIf(p -> p.getId().toString().equals(id))) {
            throw new IllegalArgumentException("no member " + id);
        }
        reconfigure(peers);
    }

    private void reconfigure(List<RaftPeer> peers) {
        RaftClientReply reply = call(() -> client.admin().setConfiguration(peers), "reconfiguration");
        if (!reply.isSuccess()) {
            throw new ReplicationUnavailableException("reconfiguration failed: " + reply.getException(), reply.getException());
        }
    }

    /** Asks the group to make member {@code id} its leader. */
    public void transferLeadership(String id) {
        if (!members().containsKey(id)) {
            throw new IllegalArgumentException("no member " + id);
        }
        RaftClientReply reply = call(() -> client.admin().transferLeadership(RaftPeerId.valueOf(id), timeoutMillis), "leadership transfer");
        if (!reply.isSuccess()) {
            throw new ReplicationUnavailableException("leadership transfer failed: " + reply.getException(), reply.getException());
        }
    }

    /** Snapshots this node now (see {@link RespkvStateMachine#takeSnapshot}); returns the log index it covers. */
    public long snapshotNow() {
        RaftClientReply reply = call(() -> client.getSnapshotManagementApi(self).create(true, timeoutMillis), "snapshot");
        if (!reply.isSuccess()) {
            throw new ReplicationUnavailableException("snapshot failed: " + reply.getException(), reply.getException());
        }
        return snapshotIndex();
    }

    @Override
    public List<String> info() {
        List<String> lines = new ArrayList<>();
        lines.add("role:" + (isLeader() ? "master" : "slave"));
        lines.add("respkv_raft_id:" + self);
        String leader;
        try {
            leader = leaderId();
        } catch (RuntimeException e) {
            leader = null;
        }
        lines.add("respkv_raft_leader:" + (leader == null ? "" : leader));
        lines.add("respkv_raft_peers:" + group.getPeers().size());
        try {
            RaftServer.Division d = division();
            lines.add("respkv_raft_term:" + d.getInfo().getCurrentTerm());
            lines.add("respkv_raft_commit_index:" + d.getRaftLog().getLastCommittedIndex());
        } catch (RuntimeException e) {
            // not running: the lines are left out
        }
        lines.add("respkv_raft_applied_index:" + (stateMachine == null ? 0 : stateMachine.appliedIndex()));
        lines.add("respkv_raft_snapshot_index:" + snapshotIndex());
        return lines;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = expiryLoop;
        if (t != null) {
            t.interrupt();
        }
        senders.forEach(Thread::interrupt);
        for (Pending p; (p = queue.poll()) != null; ) {
            p.reply().completeExceptionally(new ReplicationUnavailableException("replication closed"));
        }
        for (RaftClient c; (c = clients.poll()) != null; ) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.warn("closing a raft client failed", e);
            }
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the raft server failed", e);
        }
    }

    /** Configures a {@link RaftReplication}. */
    public static final class Builder {
        private String id;
        private final Map<String, String> peers = new LinkedHashMap<>();
        private String groupName = "respkv";
        private Path storage;
        private Duration timeout = Duration.ofSeconds(10);
        private Duration electionTimeout = Duration.ofMillis(300);
        private int expiryKeysPerStep = io.respkv.server.keyspace.ActiveExpiry.KEYS_PER_LOOP;
        private long snapshotEvery = 100_000;
        private boolean logSync = true;
        private int purgeGap = 1024;

        private Builder() {
        }

        /** This node's id; one of {@link #peer}'s. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /** A member of the group (this node too): its id and its Raft address {@code host:port}. */
        public Builder peer(String id, String hostPort) {
            if (hostPort.lastIndexOf(':') <= 0) {
                throw new IllegalArgumentException("peer address must be host:port: " + hostPort);
            }
            peers.put(Objects.requireNonNull(id, "id"), hostPort);
            return this;
        }

        /** Members as {@code id=host:port,id=host:port,...}. */
        public Builder peers(String spec) {
            for (String p : spec.split(",")) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("peer must be id=host:port: " + p);
                }
                peer(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
            return this;
        }

        /** The group's name (its Ratis group id derives from it); every member must use the same. Default "respkv". */
        public Builder group(String name) {
            this.groupName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Where this node keeps its Raft log and metadata (not the engine's data). */
        public Builder storage(Path dir) {
            this.storage = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** How long a write or a read waits for the group before the client is told NOREPLICAS (default 10 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The minimum election timeout (the maximum is twice it; default 300 ms). */
        public Builder electionTimeout(Duration timeout) {
            this.electionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Whether each node fsyncs its log before acknowledging an append (default true). With
         * false, an acknowledged write is in the page cache of a majority: it survives the kill
         * of any process, but not a power loss of a majority of machines at once.
         */
        public Builder logSync(boolean sync) {
            this.logSync = sync;
            return this;
        }

        /** Takes a snapshot every {@code entries} applied entries (default 100,000; 0: only on RAFT.SNAPSHOT). */
        public Builder snapshotEvery(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("snapshotEvery must be >= 0");
            }
            this.snapshotEvery = entries;
            return this;
        }

        /** Log entries a snapshot must cover beyond the last purge before the log is purged again (default 1024). */
        public Builder purgeGap(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("purgeGap must be >= 1");
            }
            this.purgeGap = entries;
            return this;
        }

        public RaftReplication build() {
            if (id == null || storage == null || !peers.containsKey(id)) {
                throw new IllegalStateException("id, storage and the peers (including this id) are required");
            }
            return new RaftReplication(this);
        }
    }
}
