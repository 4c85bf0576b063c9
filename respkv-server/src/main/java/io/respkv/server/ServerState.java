package io.respkv.server;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.command.BlockingKeys;
import io.respkv.server.command.CommandTable;
import io.respkv.server.command.WatchRegistry;
import io.respkv.server.keyspace.ActiveExpiry;
import io.respkv.server.keyspace.VersionSweeper;
import io.respkv.server.pubsub.KeyspaceEvents;
import io.respkv.server.pubsub.PubSubRegistry;
import io.respkv.server.pubsub.Publication;
import java.util.Collection;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of one server shares: configuration, settings changed at runtime, the
 * command table, connected clients and counters for INFO.
 */
public final class ServerState {

    private final ServerConfig config;
    private final CommandTable commands;
    private final ServerSettings settings;
    private final io.respkv.server.acl.Acl acl;
    private final ConnectionLimits limits;
    /** Closes idle connections (Redis's {@code timeout}); runs while the server does. */
    private java.util.concurrent.ScheduledExecutorService idleSweeper;
    private final ConcurrentHashMap<Long, ClientConnection> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong();
    private final String runId;
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private volatile RespServer server;
    final LongAdder totalConnections = new LongAdder();
    final LongAdder rejectedConnections = new LongAdder();
    /** Clients closed over their client-output-buffer-limit (normal class; Redis 7.0 has no INFO field for it). */
    final LongAdder outputLimitDisconnections = new LongAdder();
    public final LongAdder totalCommands = new LongAdder();
    public final LongAdder netInputBytes = new LongAdder();
    public final LongAdder netOutputBytes = new LongAdder();
    public final LongAdder expiredKeys = new LongAdder();
    public final LongAdder keyspaceHits = new LongAdder();
    /**
     * Samplers of the sets SPOP and SRANDMEMBER draw from, kept between commands; null under
     * replication, where every replica must draw the same members from the same data and seed,
     * and what one replica remembered from earlier commands (or a restart forgot) would differ.
     */
    public final io.respkv.server.keyspace.SampledSets sampledSets;
    public final LongAdder keyspaceMisses = new LongAdder();
    public final LongAdder errorReplies = new LongAdder();
    private final VersionSweeper versionSweeper;
    private final ActiveExpiry activeExpiry;
    private final BlockingKeys blocking = new BlockingKeys(this);
    /** Null unless the engine's store is shared with other instances ({@link io.respkv.api.KeyspaceEngine#keySignals}). */
    private final io.respkv.server.command.RemoteWakeups remoteWakeups;
    private final WatchRegistry watches;
    private final PubSubRegistry pubsub = new PubSubRegistry();
    private final io.respkv.server.script.LuaScripting scripts = new io.respkv.server.script.LuaScripting();
    /** The read consistency new connections start with; CONFIG SET respkv-consistency changes it. */
    private volatile io.respkv.api.ConsistencyLevel defaultConsistency;

    private final boolean groupCommit;
    /** The engine takes writes of unread keys ({@link io.respkv.api.EngineFeature#UNREAD_WRITES}). */
    public final boolean unreadWrites;
    /** The engine's reads lock keys ({@link io.respkv.api.EngineFeature#LOCKING_READS}). */
    public final boolean lockingReads;
    /**
     * Hints the engine at the keys of pipelined requests before they run; null unless the engine's
     * {@link io.respkv.api.KeyspaceEngine#prefetch} loads memory
     * ({@link io.respkv.api.EngineFeature#PREFETCH}) and the system property
     * {@code respkv.prefetchKeys} is not {@code false} (for A/B measurements).
     */
    final KeyPrefetcher keyPrefetcher;
    /** Runs the engine syncs of group commit (see {@link ReplyBarrier}); one thread: syncs serialize anyway. */
    private final java.util.concurrent.ExecutorService syncThread =
            java.util.concurrent.Executors.newSingleThreadExecutor(new io.netty.util.concurrent.DefaultThreadFactory("respkv-sync", true));
    /** Runs commands off the event loops when the engine does blocking I/O; null otherwise. */
    private final java.util.concurrent.ThreadPoolExecutor commandThreads;
    private final ConcurrentHashMap<io.netty.util.concurrent.EventExecutor, ReplyBarrier> barriers =
            new ConcurrentHashMap<>();
    /** Whether input waits for the loop's round ({@link #inputRound}); {@code -Drespkv.inputRounds=false} for A/B measurements. */
    private static final boolean INPUT_ROUNDS = Boolean.parseBoolean(System.getProperty("respkv.inputRounds", "true"));
    private final ConcurrentHashMap<io.netty.util.concurrent.EventExecutor, InputRound> inputRounds = new ConcurrentHashMap<>();

    ServerState(ServerConfig config, CommandTable commands) {
        this.groupCommit = config.engine().has(io.respkv.api.EngineFeature.GROUP_COMMIT);
        this.unreadWrites = config.engine().has(io.respkv.api.EngineFeature.UNREAD_WRITES);
        this.lockingReads = config.engine().has(io.respkv.api.EngineFeature.LOCKING_READS);
        this.keyPrefetcher = config.engine().has(io.respkv.api.EngineFeature.PREFETCH)
                && Boolean.parseBoolean(System.getProperty("respkv.prefetchKeys", "true"))
                ? new KeyPrefetcher(config.engine()) : null;
        this.sampledSets = config.replication() == null ? new io.respkv.server.keyspace.SampledSets() : null;
        this.config = config;
        this.commands = commands;
        this.settings = new ServerSettings(config);
        this.acl = new io.respkv.server.acl.Acl(io.respkv.server.acl.CommandBits.of(commands), config.aclFile(),
                config.requirePass());
        settings.requirePassListener(acl::updateDefaultPassword);
        this.limits = new ConnectionLimits(config);
        limits.register(settings);
        ServerSettings.LiveParameter busy = ServerSettings.longParameter(0, Long.MAX_VALUE, scripts::busyThresholdMillis,
                scripts::busyThresholdMillis);
        settings.live("busy-reply-threshold", busy); // lua-time-limit is its old name, the same value
        settings.live("lua-time-limit", busy);
        if (config.aclFile() != null) {
            String errors = acl.load(new java.util.ArrayList<>());
            if (errors != null) {
                throw new IllegalStateException("Aborting startup because of ACL errors: " + errors);
            }
        }
        byte[] id = new byte[20];
        ThreadLocalRandom.current().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.versionSweeper = new VersionSweeper(config.engine());
        this.activeExpiry = new ActiveExpiry(config.engine(), config.databases(), expiredKeys);
        this.watches = new WatchRegistry(config.engine());
        this.activeExpiry.changeListener(watches);
        if (config.engine().has(io.respkv.api.EngineFeature.BLOCKING_IO) || config.replication() != null) {
            commandThreads = new java.util.concurrent.ThreadPoolExecutor(config.commandThreads(), config.commandThreads(),
                    30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                    new io.netty.util.concurrent.DefaultThreadFactory("respkv-command", true));
            commandThreads.allowCoreThreadTimeOut(true);
        } else {
            commandThreads = null;
        }
        installPubSub();
        this.defaultConsistency = config.consistency();
        settings.live(CONSISTENCY_PARAMETER, new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return defaultConsistency.name().toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public void check(String value) {
                parseConsistency(value);
            }

            @Override
            public void set(String value) {
                defaultConsistency = parseConsistency(value);
            }
        });
        io.respkv.api.MessageBus bus = config.engine().messageBus();
        if (bus != null) {
            pubsub.bus(bus); // PUBLISH reaches the subscribers of the other instances sharing the store
        }
        io.respkv.api.KeySignals signals = config.engine().keySignals();
        this.remoteWakeups = signals == null ? null : new io.respkv.server.command.RemoteWakeups(signals, blocking,
                commandThreads != null ? commandThreads : Runnable::run);
    }

    /** respkv's own CONFIG parameter: the read consistency new connections start with. */
    public static final String CONSISTENCY_PARAMETER = "respkv-consistency";

    /**
     * A consistency level by name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static io.respkv.api.ConsistencyLevel parseConsistency(String value) {
        for (io.respkv.api.ConsistencyLevel level : io.respkv.api.ConsistencyLevel.values()) {
            if (level.name().equalsIgnoreCase(value)) {
                return level;
            }
        }
        throw new IllegalArgumentException("argument must be one of LINEARIZABLE, LEASE, STALE");
    }

    /** The read consistency new connections start with, and READWRITE restores. */
    public io.respkv.api.ConsistencyLevel defaultConsistency() {
        return defaultConsistency;
    }

    /** Wakes blocked clients on writes of the other instances sharing the store; null if none do. */
    public io.respkv.server.command.RemoteWakeups remoteWakeups() {
        return remoteWakeups;
    }

    /**
     * Where connections run their commands when the engine declares
     * {@link io.respkv.api.EngineFeature#BLOCKING_IO}; null when commands run on the event loop.
     * At most one task per connection is queued or running at a time (see RespChannelHandler).
     */
    public java.util.concurrent.Executor commandThreads() {
        return commandThreads;
    }

    /** Stops the command threads and the sync thread after the connections closed; waits for work in flight. */
    void stopCommandThreads() {
        for (java.util.concurrent.ExecutorService pool : new java.util.concurrent.ExecutorService[] {commandThreads, syncThread}) {
            if (pool == null) {
                continue;
            }
            pool.shutdown();
            try {
                pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Feeds {@code notify-keyspace-events} and {@code client-output-buffer-limit} to the pub/sub
     * registry, and publishes the {@code expired} events of active expiry.
     */
    private void installPubSub() {
        settings.live("notify-keyspace-events", new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return KeyspaceEvents.format(pubsub.notifyFlags());
            }

            @Override
            public void check(String value) {
                if (KeyspaceEvents.parse(value) < 0) {
                    throw new IllegalArgumentException(KeyspaceEvents.INVALID);
                }
            }

            @Override
            public void set(String value) {
                check(value);
                pubsub.notifyFlags(KeyspaceEvents.parse(value));
            }
        });
        settings.live("client-output-buffer-limit", new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return pubsub.limits().format();
            }

            @Override
            public void check(String value) {
                pubsub.limits().with(value);
            }

            @Override
            public void set(String value) {
                pubsub.limits(pubsub.limits().with(value));
            }
        });
        activeExpiry.listener(new ActiveExpiry.Listener() {
            @Override
            public boolean wanted() {
                return KeyspaceEvents.enabled(pubsub.notifyFlags(), KeyspaceEvents.EXPIRED) && pubsub.wanted();
            }

            @Override
            public void expired(int db, java.util.List<byte[]> keys) {
                java.util.List<PubSubRegistry.KeyspaceEvent> events = new java.util.ArrayList<>(keys.size());
                for (byte[] key : keys) {
                    events.add(new PubSubRegistry.KeyspaceEvent(KeyspaceEvents.EXPIRED, "expired", key, db, -1));
                }
                Publication p = pubsub.publication(null);
                pubsub.publishKeyspaceEvents(events, p);
                pubsub.deliver(p); // active expiry commits durably (not a group-commit transaction)
            }
        });
    }

    /** Pub/sub subscriptions, publishing and keyspace notifications. */
    /** The Lua script cache and engine (EVAL, SCRIPT). */
    public io.respkv.server.script.LuaScripting scripts() {
        return scripts;
    }

    public PubSubRegistry pubsub() {
        return pubsub;
    }

    /**
     * Hands the messages of {@code p} to their subscribers, from the publishing thread. Under
     * group commit, messages that reveal a commit not yet synced ({@code revealsCommit}: keyspace
     * notifications) wait for this event loop's next sync, so no subscriber learns of a write
     * before it is durable; other messages wait too while this loop holds replies or earlier
     * messages, so that messages from one connection keep their order. Otherwise they go at once.
     */
    public void deliver(Publication p, boolean revealsCommit) {
        if (!p.hasDeliveries()) {
            return;
        }
        if (groupCommit) {
            ReplyBarrier b = currentBarrier();
            if (b != null) {
                if (revealsCommit || b.holding()) {
                    b.afterSync(durable -> {
                        if (durable) {
                            pubsub.deliver(p);
                        } else {
                            p.release();
                        }
                    });
                    return;
                }
            } else if (revealsCommit) {
                engine().syncCommitted(); // not on an event loop: make the commit durable here
            }
        }
        pubsub.deliver(p);
    }

    /** The reply barrier of the event loop running the calling thread, or null. */
    private ReplyBarrier currentBarrier() {
        for (ReplyBarrier b : barriers.values()) {
            if (b.inLoop()) {
                return b;
            }
        }
        return null;
    }

    /** The keys clients WATCH, and the commit path that marks them modified. */
    public WatchRegistry watches() {
        return watches;
    }

    /** Reclaims the elements of retired collection versions in the background. */
    public VersionSweeper versionSweeper() {
        return versionSweeper;
    }

    /** Removes expired keys nobody reads, in the background. */
    public ActiveExpiry activeExpiry() {
        return activeExpiry;
    }

    /** The clients blocked by BLPOP and the other blocking commands, by key. */
    public BlockingKeys blocking() {
        return blocking;
    }

    /** Starts the server's background tasks (sweeper, active expiry). */
    void startBackgroundTasks() {
        idleSweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                new io.netty.util.concurrent.DefaultThreadFactory("respkv-idle", true));
        idleSweeper.scheduleWithFixedDelay(() -> closeIdleClients(System.currentTimeMillis()), 1, 1,
                java.util.concurrent.TimeUnit.SECONDS);
        versionSweeper.start();
        if (config.replication() == null) {
            activeExpiry.start(); // (replicated: the leader's expiry steps are log entries)
        }
        if (remoteWakeups != null) {
            remoteWakeups.start();
        }
    }

    /** Stops the background tasks and waits for their current transactions; idempotent. */
    void stopBackgroundTasks() {
        if (idleSweeper != null) {
            idleSweeper.shutdownNow();
        }
        activeExpiry.stop();
        versionSweeper.stop();
        if (remoteWakeups != null) {
            remoteWakeups.stop();
        }
    }

    /**
     * Whether commands commit without waiting for durability and replies wait for an engine sync
     * shared by the commits before it instead ({@link io.respkv.api.EngineFeature#GROUP_COMMIT},
     * {@link ReplyBarrier}).
     */
    public boolean groupCommit() {
        return groupCommit;
    }

    /**
     * Where one event loop's connections' input waits to run together after one hint of their
     * keys, or null if the engine takes no hints or the system property
     * {@code respkv.inputRounds} is {@code false} (for A/B measurements).
     */
    InputRound inputRound(io.netty.util.concurrent.EventExecutor loop) {
        if (keyPrefetcher == null || !INPUT_ROUNDS) {
            return null;
        }
        return inputRounds.computeIfAbsent(loop, l -> new InputRound(l, keyPrefetcher));
    }

    /** The reply barrier of one event loop (group commit). */
    ReplyBarrier barrier(io.netty.util.concurrent.EventExecutor loop) {
        return barriers.computeIfAbsent(loop, l -> new ReplyBarrier(engine(), l, syncThread));
    }

    public ServerConfig config() {
        return config;
    }

    public KeyspaceEngine engine() {
        return config.engine();
    }

    public CommandTable commands() {
        return commands;
    }

    /** maxclients, timeout, client-query-buffer-limit, protected-mode. */
    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Redis's {@code clientsCronHandleTimeout}: closes connections idle longer than
     * {@code timeout} seconds, except blocked and pub/sub ones.
     */
    void closeIdleClients(long now) {
        long timeout = limits.idleTimeoutSeconds();
        if (timeout <= 0) {
            return;
        }
        for (ClientConnection c : clients.values()) {
            if (!c.blocked() && !c.subscriber().active() && (now - c.lastInteractionMillis()) / 1000 > timeout) {
                c.channel().close();
            }
        }
    }

    /** The users and their permissions (Redis's ACL). */
    public io.respkv.server.acl.Acl acl() {
        return acl;
    }

    public ServerSettings settings() {
        return settings;
    }

    public int databases() {
        return config.databases();
    }

    public String runId() {
        return runId;
    }

    public long startMillis() {
        return startMillis;
    }

    public long uptimeMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    public Collection<ClientConnection> clients() {
        return clients.values();
    }

    public ClientConnection client(long id) {
        return clients.get(id);
    }

    public long totalConnections() {
        return totalConnections.sum();
    }

    /** Clients closed because the replies they had not read went over their client-output-buffer-limit. */
    public long outputLimitDisconnections() {
        return outputLimitDisconnections.sum();
    }

    public long rejectedConnections() {
        return rejectedConnections.sum();
    }

    /** The port the server listens on (after binding). */
    public int port() {
        RespServer s = server;
        return s == null ? config.port() : s.activePort();
    }

    void server(RespServer server) {
        this.server = server;
    }

    /** Stops the server (SHUTDOWN); returns false if the configuration forbids it. */
    public boolean shutdown() {
        RespServer s = server;
        if (s == null || !config.allowShutdown()) {
            return false;
        }
        Thread t = new Thread(() -> {
            s.close();
            if (config.shutdownHook() != null) {
                config.shutdownHook().run();
            }
        }, "respkv-shutdown");
        t.start();
        return true;
    }

    /** The replication writes go through, or null. */
    public io.respkv.server.replication.Replication replication() {
        return config.replication();
    }

    /**
     * A connection of the server's own, not listed by CLIENT LIST, through which a replica
     * applies the replicated log (see {@link io.respkv.server.command.ReplicaApplier}).
     */
    public ClientConnection replicaClient() {
        return new ClientConnection(nextClientId.incrementAndGet(), new io.netty.channel.embedded.EmbeddedChannel(),
                System.currentTimeMillis(), true, acl.internalUser());
    }

    ClientConnection register(io.netty.channel.Channel channel, long nowMillis) {
        ClientConnection c = new ClientConnection(nextClientId.incrementAndGet(), channel, nowMillis,
                acl.newConnectionAuthenticated(), acl.defaultUser());
        c.consistency(defaultConsistency);
        clients.put(c.id(), c);
        totalConnections.increment();
        return c;
    }

    void unregister(ClientConnection c) {
        clients.remove(c.id());
        c.transaction().disconnected(watches);
    }
}
