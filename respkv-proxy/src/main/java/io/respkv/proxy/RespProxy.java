package io.respkv.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis endpoint in front of a Redis Cluster: clients that know nothing of clusters connect to
 * one address, and the proxy sends each command to the node serving its keys' hash slot,
 * following MOVED and ASK redirections itself, splitting multi-key commands across slots and
 * fanning keyless ones out (see {@code docs/proxy.md} for every routing rule).
 *
 * <pre>{@code
 * try (RespProxy proxy = RespProxy.builder()
 *         .startupNodes("127.0.0.1:7000", "127.0.0.1:7001")
 *         .port(0)                       // any free port
 *         .start()
 *         .join()) {
 *     int port = proxy.activePort();     // point Jedis, Lettuce or redis-cli here
 * }
 * }</pre>
 *
 * <p>The builder configures; the proxy owns the lifecycle: {@link #start()} reads the slot map
 * from a startup node, binds, and completes once clients can connect; {@link #stop()} closes
 * the listener, the client and backend connections and the event loops. {@link #close()} is
 * {@code stop().join()} and is idempotent.
 */
public final class RespProxy implements AutoCloseable {

    private final ProxyConfig config;
    private final Topology topology;
    /** The clients' users, loaded by {@link #start}. */
    private volatile ProxyUsers users;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CompletableFuture<Void> stopFuture = new CompletableFuture<>();
    private volatile EventLoopGroup bossGroup;
    private volatile EventLoopGroup workerGroup;
    private volatile Channel serverChannel;
    private volatile int activePort = -1;

    private RespProxy(ProxyConfig config) {
        this.config = config;
        this.topology = new Topology(config);
    }

    /** A builder with the defaults: bind 127.0.0.1, port 8088, slots reloaded every 3 s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the slot map (from the first startup node that answers {@code CLUSTER SLOTS}), then
     * binds; the future completes with this proxy once it accepts connections, or exceptionally
     * if no startup node answered or the port could not be bound.
     */
    public CompletableFuture<RespProxy> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("proxy already started");
        }
        CompletableFuture<RespProxy> result = new CompletableFuture<>();
        try {
            users = new ProxyUsers(config.aclFile(), config.requirePass());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        topology.start().whenComplete((ok, failure) -> {
            if (failure != null) {
                topology.close();
                result.completeExceptionally(failure);
                return;
            }
            bind(result);
        });
        return result;
    }

    private void bind(CompletableFuture<RespProxy> result) {
        IoHandlerFactory io = config.transport().ioHandlerFactory();
        Class<? extends ServerChannel> serverType = config.transport().serverChannelType();
        Class<? extends SocketChannel> clientType = config.transport().socketChannelType();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("respkv-proxy-accept", true), io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("respkv-proxy-io", true), io);
        LoopContexts loops = new LoopContexts(config, topology, users, clientType);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(serverType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        config.tls().initClient(ch);
                        ch.pipeline().addLast(new ClientSession(loops.of(ch.eventLoop())));
                    }
                });
        bootstrap.bind(new InetSocketAddress(config.bind(), config.port())).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                serverChannel = f.channel();
                activePort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
                result.complete(this);
            } else {
                shutdownGroups();
                topology.close();
                result.completeExceptionally(f.cause());
            }
        });
    }

    /** The port the proxy listens on; -1 before it is bound. */
    public int activePort() {
        return activePort;
    }

    /** The address the proxy listens on. */
    public String bindAddress() {
        return config.bind();
    }

    /** The masters of the current slot map, ordered by the first slot each serves. */
    public List<ClusterNode> masters() {
        return topology.map().masters();
    }

    /** The master the current slot map names for {@code slot}, or null. */
    public ClusterNode masterOf(int slot) {
        return topology.map().master(slot);
    }

    /** What the proxy did to hide the cluster: redirections followed, retries, lost backends. */
    public ProxyStats stats() {
        return topology.stats;
    }

    /** Re-reads the slot map now; the future completes once the new map is in use. */
    public CompletableFuture<Void> refreshSlots() {
        return topology.refreshNow();
    }

    /** Stops accepting, closes every client and backend connection and the event loops. Idempotent. */
    public CompletableFuture<Void> stop() {
        if (!stopped.compareAndSet(false, true)) {
            return stopFuture;
        }
        try {
            Channel ch = serverChannel;
            if (ch != null) {
                ch.close().syncUninterruptibly();
            }
            shutdownGroups();
            topology.close();
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

    /** Configures a {@link RespProxy}. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 8088;
        private final List<ClusterNode> startupNodes = new ArrayList<>();
        private Duration slotsReloadInterval = Duration.ofSeconds(3);
        private int backendConnections = 2;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private String user;
        private String password;
        private ReadPrefer readPrefer = ReadPrefer.MASTER;
        private String requirePass;
        private java.nio.file.Path aclFile;
        private int eventLoopThreads = defaultEventLoopThreads();
        private io.respkv.server.NetTransport transport = io.respkv.server.NetTransport.AUTO;
        private int maxRedirects = 5;
        private io.respkv.server.TlsConfig tls;
        private io.respkv.server.TlsConfig backendTls;

        private Builder() {
        }

        /** The port to listen on; 0 picks a free one (see {@link RespProxy#activePort()}). Default 8088. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** The address to listen on. Default 127.0.0.1. */
        public Builder bind(String address) {
            this.bind = requireNonNull(address, "address");
            return this;
        }

        /** Cluster nodes to read the slot map from, as {@code host:port}; at least one is required. */
        public Builder startupNodes(String... hostAndPorts) {
            for (String s : requireNonNull(hostAndPorts, "hostAndPorts")) {
                startupNodes.add(ClusterNode.parse(requireNonNull(s, "startup node")));
            }
            return this;
        }

        /** Like {@link #startupNodes(String...)}. */
        public Builder startupNodes(List<ClusterNode> nodes) {
            for (ClusterNode n : requireNonNull(nodes, "nodes")) {
                startupNodes.add(requireNonNull(n, "startup node"));
            }
            return this;
        }

        /** How often the slot map is re-read (it is also re-read at once after MOVED or a lost backend). Default 3 s. */
        public Builder slotsReloadInterval(Duration interval) {
            requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("slotsReloadInterval must be positive: " + interval);
            }
            this.slotsReloadInterval = interval;
            return this;
        }

        /**
         * Backend connections per node, per event loop and per protocol: every client of an event
         * loop shares them (requests are multiplexed, replies matched in order). Default 2.
         */
        public Builder backendConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("backendConnections must be at least 1: " + connections);
            }
            this.backendConnections = connections;
            return this;
        }

        /** How long connecting to a node may take. Default 3 s. */
        public Builder connectTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** The password the proxy authenticates to the nodes with (AUTH / HELLO AUTH). Default none. */
        public Builder password(String password) {
            this.password = requireNonNull(password, "password");
            return this;
        }

        /** The ACL user for {@link #password(String)}; default the {@code default} user. */
        public Builder user(String user) {
            this.user = requireNonNull(user, "user");
            return this;
        }

        /** Where read-only commands go. Default {@link ReadPrefer#MASTER}. */
        public Builder readPrefer(ReadPrefer prefer) {
            this.readPrefer = requireNonNull(prefer, "prefer");
            return this;
        }

        /** A password clients must give (AUTH or HELLO AUTH) before any other command. Default none. */
        public Builder requirePass(String password) {
            this.requirePass = requireNonNull(password, "password");
            return this;
        }

        /**
         * The proxy's ACL file (Redis's {@code aclfile}): the users clients authenticate as and
         * what each may run, checked by the proxy before routing; loaded at start (an error in
         * it fails the start) and by {@code ACL LOAD}. Default none: only the {@code default}
         * user ({@link #requirePass}).
         */
        public Builder aclFile(java.nio.file.Path file) {
            this.aclFile = requireNonNull(file, "file");
            return this;
        }

        /**
         * Event loop threads serving clients (each with its own backend connections). Default:
         * {@link #defaultEventLoopThreads()}.
         */
        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoopThreads must be at least 1: " + threads);
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * Half the CPUs, at least one: the kernel's network work for every byte the proxy moves
         * (most of its CPU time) needs the other half, and a proxy usually shares its machine
         * with clients or nodes. On a 2-CPU machine one loop matched or beat two on the
         * throughput of bench/proxy-vs-direct.sh and halved the p99 added at -P 1
         * (docs/benchmarks.md, "Cluster-routing proxy").
         */
        public static int defaultEventLoopThreads() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }

        /**
         * How the event loops do I/O, towards clients and backends (default
         * {@link io.respkv.server.NetTransport#AUTO}: epoll on Linux, NIO elsewhere; io_uring,
         * which served unpipelined clients slower through the proxy, only by name). A transport
         * named explicitly must be available: {@link #build()} fails with the reason otherwise.
         */
        public Builder transport(io.respkv.server.NetTransport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /** How many MOVED/ASK redirections one command may follow before the client sees the last one. Default 5. */
        public Builder maxRedirects(int redirects) {
            if (redirects < 0) {
                throw new IllegalArgumentException("maxRedirects must not be negative: " + redirects);
            }
            this.maxRedirects = redirects;
            return this;
        }

        /**
         * Clients connect over TLS (the proxy's port serves TLS only), with this certificate; client
         * certificates are asked for as its {@code authClients} says (see {@link io.respkv.server.TlsConfig}).
         * Default none: plain RESP.
         */
        public Builder tls(io.respkv.server.TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /**
         * The proxy connects to the cluster nodes over TLS (nodes with Redis's {@code tls-port} and
         * {@code tls-cluster yes}, announcing their TLS ports): {@code tls}'s CA verifies each node's
         * certificate chain (not its host name, as Redis), and its certificate and key, if any, are
         * the proxy's client certificate (for nodes with {@code tls-auth-clients yes}). Default none.
         */
        public Builder backendTls(io.respkv.server.TlsConfig tls) {
            this.backendTls = tls;
            return this;
        }

        /** The proxy, not started. */
        public RespProxy build() {
            if (startupNodes.isEmpty()) {
                throw new IllegalStateException("at least one startup node is required");
            }
            return new RespProxy(new ProxyConfig(bind, port, List.copyOf(startupNodes), slotsReloadInterval,
                    backendConnections, connectTimeout, user, password, readPrefer, requirePass, aclFile,
                    eventLoopThreads, maxRedirects, ProxyTls.of(tls, backendTls), transport.resolveForProxy().requireAvailable()));
        }

        /** {@code build().start()}. */
        public CompletableFuture<RespProxy> start() {
            return build().start();
        }
    }
}
