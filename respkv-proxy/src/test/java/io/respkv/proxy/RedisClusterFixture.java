package io.respkv.proxy;

import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import redis.embedded.RedisExecProvider;

/**
 * A real Redis Cluster of redis-server 7.0.15 processes (the binary of
 * {@code org.signal:embedded-redis}) on free loopback ports: {@code masters} masters with the
 * 16384 slots split evenly, each with {@code replicasPerMaster} replicas. Every node has its own
 * fresh directory and {@code nodes.conf}, {@code save ""}, a short {@code cluster-node-timeout}
 * (so failover takes seconds) and {@code cluster-replica-validity-factor 0} (a replica may always
 * take over). {@link #start} returns once every node reports {@code cluster_state:ok}, knows every
 * other node and every replica's link is up; {@link #close()} stops every process (SIGTERM, then
 * SIGKILL) and deletes the directories. Every wait is bounded.
 *
 * <pre>{@code
 * try (RedisClusterFixture cluster = RedisClusterFixture.start(3, 1)) {
 *     cluster.masterPorts(); // talk to the nodes, or start a RespProxy on cluster.startupNodes()
 * }
 * }</pre>
 */
public final class RedisClusterFixture implements AutoCloseable {

    /** How long forming the cluster may take. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** One redis-server process. */
    public static final class Node {
        final int port;
        final int busPort;
        final Path dir;
        Process process;

        Node(int port, int busPort, Path dir) {
            this.port = port;
            this.busPort = busPort;
            this.dir = dir;
        }

        /** Its client port. */
        public int port() {
            return port;
        }

        /** Whether the process runs. */
        public boolean alive() {
            return process != null && process.isAlive();
        }

        /** {@code 127.0.0.1:port}. */
        public String address() {
            return "127.0.0.1:" + port;
        }

        /** What it logged. */
        public String log() {
            try {
                return Files.readString(dir.resolve("redis.log"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    /** Processes not stopped yet: a JVM that dies without teardown still kills them (shutdown hook). */
    private static final Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "redis-cluster-reaper"));
    }

    private final List<Node> nodes = new ArrayList<>();
    private final int masterCount;
    private final String password;

    private RedisClusterFixture(int masterCount, String password) {
        this.masterCount = masterCount;
        this.password = password;
    }

    /** Starts and forms a cluster; fails (having stopped every process) if it is not healthy in time. */
    public static RedisClusterFixture start(int masters, int replicasPerMaster) {
        return start(masters, replicasPerMaster, null);
    }

    /**
     * Like {@link #start(int, int)}, with {@code requirepass} and {@code masterauth} set to
     * {@code password} on every node (null: none); {@link #ask} authenticates.
     */
    public static RedisClusterFixture start(int masters, int replicasPerMaster, String password) {
        RedisClusterFixture cluster = new RedisClusterFixture(masters, password);
        try {
            cluster.form(replicasPerMaster);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("could not start the cluster", e);
        }
    }

    private void form(int replicasPerMaster) throws Exception {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Path executable = RedisExecProvider.defaultProvider().get().toPath();
        int total = masterCount * (1 + replicasPerMaster);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < total; i++) {
            int port = freePort(used);
            int bus = freePort(used);
            Node n = new Node(port, bus, Files.createTempDirectory("respkv-cluster-"));
            nodes.add(n);
            launch(executable, n);
        }
        for (Node n : nodes) {
            await(deadline, "node " + n.port + " to answer PING", () -> "PONG".equals(callQuietly(n.port, "PING")));
        }
        // slots, split evenly over the masters
        for (int m = 0; m < masterCount; m++) {
            int from = m * HashSlots.SLOTS / masterCount;
            int to = (m + 1) * HashSlots.SLOTS / masterCount - 1;
            expectOk(ask(nodes.get(m).port, "CLUSTER", "ADDSLOTSRANGE", Integer.toString(from), Integer.toString(to)));
        }
        Node first = nodes.get(0);
        for (int i = 1; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            expectOk(ask(first.port, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(n.port), Integer.toString(n.busPort)));
        }
        for (Node n : nodes) {
            await(deadline, "node " + n.port + " to know every node",
                    () -> clusterNodesLines(n.port) == nodes.size());
        }
        for (int r = 0; r < replicasPerMaster; r++) {
            for (int m = 0; m < masterCount; m++) {
                Node replica = nodes.get(masterCount + r * masterCount + m);
                String masterId = text(ask(nodes.get(m).port, "CLUSTER", "MYID"));
                expectOk(ask(replica.port, "CLUSTER", "REPLICATE", masterId));
            }
        }
        for (int i = masterCount; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            await(deadline, "replica " + n.port + " to sync", () -> String.valueOf(callQuietly(n.port, "INFO", "replication"))
                    .contains("master_link_status:up"));
        }
        // CLUSTER SLOTS leaves out replicas whose replication offset is still 0: give each master a write
        for (Node m : masters()) {
            expectOk(ask(m.port, "FLUSHALL"));
        }
        for (Node n : nodes) {
            await(deadline, "node " + n.port + " to list every replica in CLUSTER SLOTS",
                    () -> slotsEntries(n.port) == nodes.size());
        }
        for (Node n : nodes) {
            await(deadline, "node " + n.port + " to report cluster_state:ok and every replica",
                    () -> String.valueOf(callQuietly(n.port, "CLUSTER", "INFO")).contains("cluster_state:ok")
                            && slaveLines(n.port) == nodes.size() - masterCount);
        }
    }

    private void launch(Path executable, Node n) throws IOException {
        Path conf = n.dir.resolve("redis.conf");
        List<String> lines = new ArrayList<>(List.of(
                "port " + n.port,
                "bind 127.0.0.1",
                "dir \"" + n.dir + "\"",
                "save \"\"",
                "appendonly no",
                "daemonize no",
                "logfile \"\"",
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-port " + n.busPort,
                "cluster-node-timeout 1000",
                "cluster-replica-validity-factor 0"));
        if (password != null) {
            lines.add("requirepass \"" + password + "\"");
            lines.add("masterauth \"" + password + "\"");
        }
        Files.write(conf, lines, StandardCharsets.UTF_8);
        n.process = new ProcessBuilder(executable.toString(), conf.toString())
                .directory(n.dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(n.dir.resolve("redis.log").toFile())
                .start();
        LIVE.add(n.process);
    }

    /** Every node: masters first (in slot order), then replicas. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The masters as first formed (slot ranges in order). */
    public List<Node> masters() {
        return nodes.subList(0, masterCount);
    }

    /** {@code host:port} of every node, for {@link RespProxy.Builder#startupNodes(String...)}. */
    public String[] startupNodes() {
        return nodes.stream().map(Node::address).toArray(String[]::new);
    }

    /** The node listening on {@code port}. */
    public Node node(int port) {
        for (Node n : nodes) {
            if (n.port == port) {
                return n;
            }
        }
        throw new IllegalArgumentException("no node on port " + port);
    }

    /** Kills a node's process at once (SIGKILL), as a crash would. */
    public void kill(Node n) throws InterruptedException {
        n.process.destroyForcibly();
        n.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        LIVE.remove(n.process);
    }

    /** Sends one command to the node on {@code port} (a cluster without password). */
    public static RespFrame call(int port, String... args) throws IOException {
        return callWithPassword(port, null, args);
    }

    /** Sends one command to the node on {@code port}, after AUTH if {@code password} is not null. */
    public static RespFrame callWithPassword(int port, String password, String... args) throws IOException {
        try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("node" + port, port), Duration.ofSeconds(5))) {
            if (password != null) {
                RespFrame auth = c.call("AUTH", password);
                if (auth.isError()) {
                    return auth;
                }
            }
            return c.call(args);
        }
    }

    /** {@link #callWithPassword} with this cluster's password. */
    public RespFrame ask(int port, String... args) throws IOException {
        return callWithPassword(port, password, args);
    }

    /** The node's text reply, or null if it cannot be reached. */
    private String callQuietly(int port, String... args) {
        try {
            return text(ask(port, args));
        } catch (IOException e) {
            return null;
        }
    }

    static String text(RespFrame f) {
        return f.isNull() ? null : f.text();
    }

    private static void expectOk(RespFrame f) {
        if (!"OK".equals(f.text())) {
            throw new IllegalStateException("expected OK, got " + f);
        }
    }

    private int clusterNodesLines(int port) {
        String s = callQuietly(port, "CLUSTER", "NODES");
        if (s == null) {
            return -1;
        }
        int n = 0;
        for (String line : s.split("\n")) {
            if (!line.isBlank() && !line.contains("handshake") && !line.contains("noaddr")) {
                n++;
            }
        }
        return n;
    }

    /** How many node entries (masters and replicas) CLUSTER SLOTS lists, or -1. */
    private int slotsEntries(int port) {
        try {
            RespFrame slots = ask(port, "CLUSTER", "SLOTS");
            if (slots.isError()) {
                return -1;
            }
            int n = 0;
            for (RespFrame range : slots.elements()) {
                n += range.elements().size() - 2;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    private int slaveLines(int port) {
        String s = callQuietly(port, "CLUSTER", "NODES");
        if (s == null) {
            return -1;
        }
        int n = 0;
        for (String line : s.split("\n")) {
            if (line.contains(" slave ") || line.contains(",slave ")) {
                n++;
            }
        }
        return n;
    }

    /** Polls {@code condition} every 50 ms until it holds; fails at {@code deadline}. */
    public static void await(long deadline, String what, BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static int freePort(Set<Integer> used) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = socket.getLocalPort();
                if (used.add(p)) {
                    return p;
                }
            }
        }
        throw new IOException("no free port");
    }

    /** Stops every process and deletes every directory. Idempotent. */
    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroy();
            }
        }
        for (Node n : nodes) {
            if (n.process == null) {
                continue;
            }
            try {
                if (!n.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    n.process.destroyForcibly();
                    n.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Node n : nodes) {
            if (n.process != null && !n.process.isAlive()) {
                LIVE.remove(n.process);
            }
            EmbeddedRedis.deleteRecursively(n.dir);
        }
        nodes.clear();
    }
}
