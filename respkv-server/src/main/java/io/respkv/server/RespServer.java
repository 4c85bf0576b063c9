package io.respkv.server;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.respkv.api.KeyspaceEngine;
import io.respkv.codec.RespLimits;
import io.respkv.server.command.BuiltinCommands;
import io.respkv.server.command.CommandTable;
import io.respkv.server.command.meta.CommandCatalog;
import io.respkv.server.engine.MemoryEngine;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis-protocol server over a {@link KeyspaceEngine}, embeddable in any JVM application.
 *
 * <pre>{@code
 * try (RespServer server = RespServer.builder()
 *         .port(0)                       // any free port
 *         .engine(new MemoryEngine())
 *         .start()
 *         .join()) {
 *     int port = server.activePort();    // point Jedis, Lettuce or redis-cli here
 * }
 * }</pre>
 *
 * <p>The builder configures; the server owns the lifecycle: {@link #start()} binds and returns a
 * future completed once the port is open, {@link #stop()} stops accepting, lets in-flight
 * replies flush, closes connections and the event loops. {@link #close()} is {@code stop().join()}
 * and is idempotent. While running, two daemon threads keep the data layout tidy: the
 * {@link io.respkv.server.keyspace.VersionSweeper} and {@link io.respkv.server.keyspace.ActiveExpiry}.
 */
public final class RespServer implements AutoCloseable {

    private final ServerConfig config;
    private final ServerState state;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CompletableFuture<Void> stopFuture = new CompletableFuture<>();
    private volatile EventLoopGroup bossGroup;
    private volatile EventLoopGroup workerGroup;
    private volatile Channel serverChannel;
    private volatile int activePort = -1;
    private final int tlsPort;
    private final ServerTls tls;
    private volatile Channel tlsServerChannel;
    private volatile int activeTlsPort = -1;

    private RespServer(ServerConfig config, CommandTable commands, int tlsPort, ServerTls tls) {
        this.config = config;
        this.state = new ServerState(config, commands);
        this.tlsPort = tlsPort;
        this.tls = tls;
        state.server(this);
        if (config.port() == DISABLED) {
            state.settings().fixed("port", "0"); // as Redis shows a disabled plain port
        }
        if (tls != null) {
            state.settings().fixed("tls-port", Integer.toString(tlsPort));
            tls.register(state.settings());
        } else {
            ServerTls.registerWithoutTls(state.settings());
        }
    }

    /** For {@link Builder#port} and {@link Builder#tlsPort}: no listener on that port. */
    public static final int DISABLED = -1;

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the port; the future completes with this server once it accepts connections. */
    public CompletableFuture<RespServer> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("server already started");
        }
        IoHandlerFactory io = config.transport().ioHandlerFactory();
        Class<? extends ServerChannel> channelType = config.transport().serverChannelType();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("respkv-accept", true), io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("respkv-io", true), io);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch, false);
                    }
                });
        CompletableFuture<RespServer> result = new CompletableFuture<>();
        if (config.replication() != null) {
            try {
                config.replication().start(new io.respkv.server.command.ReplicaApplier(state));
            } catch (java.io.IOException | RuntimeException e) {
                shutdownGroups();
                result.completeExceptionally(e);
                return result;
            }
        }
        state.startBackgroundTasks();
        CompletableFuture<Channel> plain = config.port() == DISABLED ? CompletableFuture.completedFuture(null)
                : bind(bootstrap, config.port());
        CompletableFuture<Channel> secure = tls == null ? CompletableFuture.completedFuture(null)
                : bind(bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch, true);
                    }
                }), tlsPort);
        plain.thenCombine(secure, (p, s) -> {
            serverChannel = p;
            tlsServerChannel = s;
            if (p != null) {
                activePort = ((InetSocketAddress) p.localAddress()).getPort();
            }
            if (s != null) {
                activeTlsPort = ((InetSocketAddress) s.localAddress()).getPort();
                state.settings().fixed("tls-port", Integer.toString(activeTlsPort));
            }
            return this;
        }).whenCompleteAsync((server, failure) -> { // off the event loops: a failure shuts them down
            if (failure == null) {
                result.complete(server);
                return;
            }
            for (CompletableFuture<Channel> f : List.of(plain, secure)) {
                Channel ch = f.isCompletedExceptionally() ? null : f.getNow(null);
                if (ch != null) {
                    ch.close(); // no waiting: this may run on the channel's own event loop
                }
            }
            shutdownGroups();
            state.stopBackgroundTasks();
            result.completeExceptionally(failure instanceof java.util.concurrent.CompletionException
                    && failure.getCause() != null ? failure.getCause() : failure);
        });
        return result;
    }

    private CompletableFuture<Channel> bind(ServerBootstrap bootstrap, int port) {
        CompletableFuture<Channel> bound = new CompletableFuture<>();
        bootstrap.bind(new InetSocketAddress(config.bind(), port)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                bound.complete(f.channel());
            } else {
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    /**
     * A connection's handlers: on the TLS port the {@link io.netty.handler.ssl.SslHandler} first,
     * so everything after it (limits, protected mode, ACL, commands) sees plain RESP either way.
     */
    void initPipeline(Channel ch, boolean secure) {
        if (secure) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
            ch.pipeline().addLast("tls-gate", new TlsHandshakeGate());
        }
        ch.pipeline().addLast(new RespChannelHandler(state));
    }

    /** What this server's connections share (for tests of the connection handler). */
    ServerState state() {
        return state;
    }

    /** The port the server listens on; -1 before it is bound. */
    public int activePort() {
        return activePort;
    }

    /** The TLS port the server listens on; -1 if it has none or before it is bound. */
    public int activeTlsPort() {
        return activeTlsPort;
    }

    /**
     * The TLS implementation the TLS port uses ("OPENSSL": BoringSSL from netty-tcnative, or
     * "JDK"), or null without a TLS port.
     */
    public String tlsProvider() {
        return tls == null ? null : tls.providerName();
    }

    /** The address the server listens on. */
    public String bindAddress() {
        return config.bind();
    }

    /** The engine behind this server. */
    public KeyspaceEngine engine() {
        return config.engine();
    }

    /**
     * Stops the server: no new connections, pending replies flushed, connections and event loops
     * closed, and the engine closed if the server opened it. Idempotent.
     */
    public CompletableFuture<Void> stop() {
        if (!stopped.compareAndSet(false, true)) {
            return stopFuture;
        }
        try {
            for (Channel ch : new Channel[] {serverChannel, tlsServerChannel}) {
                if (ch != null) {
                    ch.close().syncUninterruptibly();
                }
            }
            List<io.netty.channel.ChannelFuture> closes = new ArrayList<>();
            for (ClientConnection c : state.clients()) {
                closes.add(c.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
            }
            for (io.netty.channel.ChannelFuture f : closes) {
                f.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            shutdownGroups();
            // Before the engine closes: their transactions need it.
            state.stopBackgroundTasks();
            state.stopCommandThreads();
            if (config.replication() != null) {
                config.replication().close(); // applies nothing more to the engine
            }
            if (config.ownsEngine()) {
                config.engine().close();
            }
            stopFuture.complete(null);
        } catch (RuntimeException e) {
            stopFuture.completeExceptionally(e);
        }
        return stopFuture;
    }

    private void shutdownGroups() {
        for (EventLoopGroup g : new EventLoopGroup[] {bossGroup, workerGroup}) {
            if (g != null) {
                g.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    @Override
    public void close() {
        stop().join();
    }

    /** Default of {@link Builder#commandThreads}. */
    public static final int DEFAULT_COMMAND_THREADS = 16;

    /** Configures a {@link RespServer}. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 6379;
        private KeyspaceEngine engine;
        private boolean ownsEngine;
        private String requirePass;
        private int databases = 16;
        private long maxBulkLength = RespLimits.DEFAULT.maxBulkLength();
        private int maxArguments = RespLimits.DEFAULT.maxArguments();
        private int maxInlineLength = RespLimits.DEFAULT.maxInlineLength();
        private int eventLoopThreads = 1;
        private NetTransport transport = NetTransport.AUTO;
        private boolean allowShutdown;
        private Runnable shutdownHook;
        private int commandThreads = DEFAULT_COMMAND_THREADS;
        private io.respkv.server.replication.Replication replication;
        private io.respkv.api.ConsistencyLevel consistency = io.respkv.api.ConsistencyLevel.LINEARIZABLE;
        private java.nio.file.Path aclFile;
        private boolean protectedMode = true;
        private int maxClients = ServerConfig.DEFAULT_MAX_CLIENTS;
        private long idleTimeoutSeconds;
        private long queryBufferLimit = ServerConfig.DEFAULT_QUERY_BUFFER_LIMIT;
        private int tlsPort = DISABLED;
        private TlsConfig tlsConfig;

        private Builder() {
        }

        /**
         * Redis's {@code aclfile}: the users are loaded from it at start (the server does not start
         * if it has errors), and ACL LOAD / ACL SAVE read and write it. Default: none.
         */
        public Builder aclFile(java.nio.file.Path file) {
            this.aclFile = file;
            return this;
        }

        /**
         * Redis's {@code protected-mode} (default on): while the default user has no password,
         * connections from addresses other than loopback are refused with Redis's DENIED error.
         */
        public Builder protectedMode(boolean on) {
            this.protectedMode = on;
            return this;
        }

        /** Redis's {@code maxclients} (default 10000): connections over it are refused. */
        public Builder maxClients(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxclients must be positive: " + max);
            }
            this.maxClients = max;
            return this;
        }

        /** Redis's {@code timeout}: idle connections are closed after this many seconds (0, the default: never). */
        public Builder idleTimeoutSeconds(long seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("timeout must not be negative: " + seconds);
            }
            this.idleTimeoutSeconds = seconds;
            return this;
        }

        /** Redis's {@code client-query-buffer-limit} in bytes (default 1 GiB): a client with more unparsed input is closed. */
        public Builder queryBufferLimit(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("client-query-buffer-limit must be positive: " + bytes);
            }
            this.queryBufferLimit = bytes;
            return this;
        }

        /**
         * The port to listen on for plain RESP (default 6379); 0 picks a free port, see
         * {@link RespServer#activePort()}; {@link RespServer#DISABLED} for none (a TLS-only server).
         */
        public Builder port(int port) {
            if (port < DISABLED || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Redis's {@code tls-port}: a second port serving RESP over TLS with {@code tls}'s
         * certificate (default: none). 0 picks a free port, see {@link RespServer#activeTlsPort()};
         * {@link RespServer#DISABLED} for none.
         */
        public Builder tlsPort(int port, TlsConfig tls) {
            if (port < DISABLED || port > 65535) {
                throw new IllegalArgumentException("tls-port out of range: " + port);
            }
            this.tlsPort = port;
            this.tlsConfig = port == DISABLED ? null : requireNonNull(tls, "tls");
            return this;
        }

        /** The address to listen on (default 127.0.0.1). */
        public Builder bind(String address) {
            this.bind = requireNonNull(address, "address");
            return this;
        }

        /**
         * The storage engine (default: a new {@link MemoryEngine}, closed with the server). An
         * engine passed here stays open when the server stops: its owner closes it.
         */
        public Builder engine(KeyspaceEngine engine) {
            this.engine = requireNonNull(engine, "engine");
            this.ownsEngine = false;
            return this;
        }

        /** Like {@link #engine(KeyspaceEngine)}, but the server closes the engine when it stops. */
        public Builder ownedEngine(KeyspaceEngine engine) {
            this.engine = requireNonNull(engine, "engine");
            this.ownsEngine = true;
            return this;
        }

        /** The password of the default user, as Redis's {@code requirepass}; null for none. */
        public Builder requirePass(String password) {
            this.requirePass = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /** The number of databases SELECT can choose from (default 16). */
        public Builder databases(int databases) {
            if (databases < 1 || databases > io.respkv.server.keyspace.KeyCodec.MAX_DATABASES) {
                throw new IllegalArgumentException("databases out of range: " + databases);
            }
            this.databases = databases;
            return this;
        }

        /** The longest bulk string a request may carry (default 512 MB, Redis's {@code proto-max-bulk-len}). */
        public Builder maxBulkLength(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBulkLength must be positive");
            }
            this.maxBulkLength = bytes;
            return this;
        }

        /** The most arguments one request may carry (default 1,048,576). */
        public Builder maxArguments(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("maxArguments must be positive");
            }
            this.maxArguments = count;
            return this;
        }

        /** The longest inline (telnet-style) request line (default 64 KB). */
        public Builder maxInlineLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxInlineLength must be positive");
            }
            this.maxInlineLength = bytes;
            return this;
        }

        /**
         * Netty event-loop threads serving connections (default 1; 0 means Netty's default of
         * two per core). On small machines one loop leaves the cores to clients and the engine.
         */
        public Builder eventLoopThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("eventLoopThreads must be >= 0");
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * How the event loops do I/O (default {@link NetTransport#AUTO}: io_uring where the
         * kernel runs it, else epoll on Linux, NIO elsewhere). A transport named explicitly must be
         * available: {@link #build()} fails with the reason otherwise.
         */
        public Builder transport(NetTransport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Whether the SHUTDOWN command may stop this server (default false: an embedded server
         * refuses it, the host application owns the lifecycle). {@code onShutdown} runs after the
         * server stopped through SHUTDOWN; null for nothing.
         */
        public Builder allowShutdown(boolean allow, Runnable onShutdown) {
            this.allowShutdown = allow;
            this.shutdownHook = onShutdown;
            return this;
        }

        /**
         * Threads that run commands when the engine declares
         * {@link io.respkv.api.EngineFeature#BLOCKING_IO} (PostgreSQL, TiKV: every engine call is
         * a network round trip), so event loops never wait on the network (default
         * {@value #DEFAULT_COMMAND_THREADS}; about the engine's connection pool size is right).
         * Each connection's commands still run one at a time, in order. Unused for other engines,
         * whose commands run on the event loop.
         */
        public Builder commandThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("commandThreads must be >= 1");
            }
            this.commandThreads = threads;
            return this;
        }

        /**
         * Replicates the server's writes through {@code replication} (respkv-raft's
         * {@code RaftReplication}): every write is a log entry applied on every replica, reads
         * wait for the connection's consistency level, and commands run on the command threads.
         * The server starts it, and closes it when it stops.
         */
        public Builder replication(io.respkv.server.replication.Replication replication) {
            this.replication = replication;
            return this;
        }

        /**
         * The read consistency connections start with (default
         * {@link io.respkv.api.ConsistencyLevel#LINEARIZABLE}): a connection changes its own with
         * {@code RESPKV.CONSISTENCY} or {@code READONLY} (STALE) / {@code READWRITE} (back to this
         * default); {@code CONFIG SET respkv-consistency} changes this default for new connections.
         * The server passes a connection's level to the engine for its read-only commands
         * ({@link KeyspaceEngine#beginRead}): with {@code STALE}, the PostgreSQL engine reads from
         * its replica if it has one.
         */
        public Builder consistency(io.respkv.api.ConsistencyLevel level) {
            this.consistency = requireNonNull(level, "level");
            return this;
        }

        /**
         * Builds the server without starting it.
         *
         * @throws IllegalArgumentException if the TLS certificate, key or CA cannot be loaded
         * @throws IllegalStateException if the transport named with {@link #transport} is not available here
         */
        public RespServer build() {
            ServerTls tls = null;
            if (tlsConfig != null) {
                try {
                    tls = new ServerTls(tlsConfig);
                } catch (javax.net.ssl.SSLException e) {
                    throw new IllegalArgumentException("TLS configuration: " + e.getMessage(), e);
                }
            }
            KeyspaceEngine e = engine;
            boolean owns = ownsEngine;
            if (e == null) {
                e = new MemoryEngine();
                owns = true;
            }
            ServerConfig config = new ServerConfig(bind, port, e, owns, requirePass, databases,
                    new RespLimits(maxBulkLength, maxArguments, maxInlineLength), eventLoopThreads,
                    allowShutdown, shutdownHook, commandThreads, consistency, replication, aclFile, protectedMode,
                    maxClients, idleTimeoutSeconds, queryBufferLimit, transport.resolve().requireAvailable());
            CommandTable table = BuiltinCommands.table(CommandCatalog.redis()::spec);
            if (replication != null) {
                replication.registerCommands(table);
            }
            for (io.respkv.api.EngineCommand c : e.commands()) {
                table.register(c.spec(), c.command());
            }
            return new RespServer(config, table, tlsPort, tls);
        }

        /** {@code build().start()}. */
        public CompletableFuture<RespServer> start() {
            return build().start();
        }
    }
}
