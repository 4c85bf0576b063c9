package io.respkv.server.difftest;

import io.respkv.server.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import redis.embedded.RedisExecProvider;

/**
 * A real redis-server 7.0.15 (the binary shipped in {@code org.signal:embedded-redis}) on a
 * free loopback port, with its own temp directory and no persistence:
 * {@code bind 127.0.0.1}, {@code save ""}, {@code appendonly no}, {@code dir <temp>}, plus
 * any extra config lines. {@link #close()} stops the process and deletes the directory.
 *
 * <p>We run the binary ourselves instead of through {@code redis.embedded.RedisServer}: that
 * class waits for readiness by reading the log with no time bound, extracts the binary to a
 * new temp dir per instance and adds a JVM shutdown hook per instance. Here readiness is
 * "PING answers +PONG" within {@link #STARTUP_TIMEOUT}, the binary is extracted once per JVM,
 * a lost port race is retried on a new port, and one shared shutdown hook kills whatever a
 * crashed test left running.
 *
 * <pre>{@code
 * static EmbeddedRedis redis;
 * @BeforeAll static void start() { redis = EmbeddedRedis.start("maxmemory 10mb"); }
 * @AfterAll static void stop() { redis.close(); }
 * }</pre>
 * (or {@link EmbeddedRedisExtension}, or {@link DifferentialTestBase} which does this).
 */
public final class EmbeddedRedis implements AutoCloseable {

    /** How long a start may take, port retries included. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private static final int PORT_ATTEMPTS = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();
    private static Path executable;

    private final Process process;
    private final int port;
    private final Path dir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRedis(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts a server and returns once it answers PING.
     *
     * @param extraConfig redis.conf lines appended after the defaults (later lines win)
     * @throws IllegalStateException if it does not come up; the message holds its log
     */
    public static EmbeddedRedis start(String... extraConfig) {
        return start(List.of(extraConfig));
    }

    /**
     * Starts a one-node Redis Cluster: a server with {@code cluster-enabled yes} (bus port on a
     * free loopback port) owning all 16,384 slots, returned once it reports
     * {@code cluster_state:ok}; clients that route by slot then need no redirection.
     *
     * @throws IllegalStateException if the cluster is not ok within 20 s (the server is stopped)
     */
    public static EmbeddedRedis startOneNodeCluster() {
        return startOneNodeCluster(List.of());
    }

    /**
     * Like {@link #startOneNodeCluster()}, with extra redis.conf lines (e.g. a {@code tls-port}
     * and {@code tls-cluster yes}); slots are assigned over the plain port.
     */
    public static EmbeddedRedis startOneNodeCluster(List<String> extraConfig) {
        int bus;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            bus = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> config = new ArrayList<>(List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
                "cluster-port " + bus));
        config.addAll(extraConfig);
        EmbeddedRedis node = start(config);
        try (RawRespClient c = RawRespClient.connect(node.target())) {
            String added = c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383").text();
            if (!"OK".equals(added)) {
                throw new IllegalStateException("CLUSTER ADDSLOTSRANGE answered " + added);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!c.call("CLUSTER", "INFO").text().contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster_state not ok within 20 s");
                }
                Thread.sleep(50);
            }
            return node;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.close();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            node.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Like {@link #start(String...)}. */
    public static EmbeddedRedis start(List<String> extraConfig) {
        Objects.requireNonNull(extraConfig, "extraConfig");
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("respkv-redis-");
                int port = FreePorts.probe();
                EmbeddedRedis redis = launch(port, dir, extraConfig, deadline);
                if (redis != null) {
                    return redis;
                }
                // Someone took the port between our probe and redis's bind: try another one.
                failures.add("port " + port + " already in use");
            } catch (IOException e) {
                deleteRecursively(dir);
                throw new UncheckedIOException("could not start redis-server", e);
            } catch (RuntimeException e) {
                deleteRecursively(dir);
                throw e;
            }
            deleteRecursively(dir);
        }
        throw new IllegalStateException("could not start redis-server: " + failures);
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** Its working directory ({@code dir}), deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /** This server as a target named {@code "redis"}. */
    public RespTarget target() {
        return RespTarget.loopback("redis", port);
    }

    /** Whether the process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** What the server logged so far (its stdout and stderr). */
    public String log() {
        return readLog(dir);
    }

    /** Stops the server (SIGTERM, then SIGKILL if needed) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stop(process);
        } finally {
            LIVE.remove(process);
            deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[127.0.0.1:" + port + ", " + dir + "]";
    }

    /** Runs the binary; returns null if the port turned out to be taken. */
    private static EmbeddedRedis launch(int port, Path dir, List<String> extraConfig, long deadline)
            throws IOException {
        Path conf = dir.resolve("redis.conf");
        List<String> lines = new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "dir " + quoteConfig(dir.toString()),
                "save \"\"",
                "appendonly no",
                "daemonize no",
                "logfile \"\""));
        lines.addAll(extraConfig);
        Files.write(conf, lines, StandardCharsets.UTF_8);
        Path log = dir.resolve("redis.log");
        installShutdownHook();
        Process process = new ProcessBuilder(executable().toString(), conf.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LIVE.add(process);
        EmbeddedRedis redis = new EmbeddedRedis(process, port, dir);
        boolean ready = false;
        try {
            ready = awaitPong(redis, deadline);
        } finally {
            if (!ready) {
                stop(process);
                LIVE.remove(process);
            }
        }
        if (ready) {
            return redis;
        }
        String text = readLog(dir);
        if (text.contains("Address already in use")) {
            return null;
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port
                + (process.isAlive() ? " in time" : " (exit code " + process.exitValue() + ")")
                + "; its log:\n" + text);
    }

    /** Polls PING until +PONG, the process dies, or the deadline passes. */
    private static boolean awaitPong(EmbeddedRedis redis, long deadline) {
        while (System.nanoTime() < deadline && redis.process.isAlive()) {
            try (RawRespClient client = RawRespClient.connect(redis.target(), Duration.ofMillis(500))) {
                RespFrame reply = client.call("PING");
                if ("PONG".equals(reply.text())) {
                    return true;
                }
                // -LOADING and the like: not ready yet.
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized Path executable() throws IOException {
        if (executable == null) {
            // Extracted into a temp dir marked deleteOnExit by embedded-redis.
            executable = RedisExecProvider.defaultProvider().get().toPath();
        }
        return executable;
    }

    private static void installShutdownHook() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> LIVE.forEach(Process::destroyForcibly), "embedded-redis-reaper"));
        }
    }


    private static String quoteConfig(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String readLog(Path dir) {
        try {
            return Files.readString(dir.resolve("redis.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }


    /** Deletes {@code dir} and everything under it (nothing if it does not exist). */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
