package io.respkv.standalone;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import io.respkv.server.RespServer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone respkv server.
 *
 * <pre>
 * java -jar respkv.jar [--port 6379] [--bind 127.0.0.1] [--engine rocksdb|leveldb|postgres|tikv|memory] [--dir ./respkv-data] [--requirepass PASS] ...
 * java -jar respkv.jar --engine postgres --pg-url jdbc:postgresql://HOST:5432/DB [--pg-user U --pg-password P
 *                      --pg-schema S --pg-pool-size N] ...
 * java -jar respkv.jar --engine tikv --pd HOST:2379[,HOST:2379...] [--tikv-prefix PREFIX] ...
 * java -jar respkv.jar dump --dir PATH [--db N|all] [--output FILE|-]     (see {@link DumpCommand})
 * java -jar respkv.jar proxy --addr HOST:PORT --startup-nodes HOST:PORT,...  (see {@link ProxyCommand})
 * </pre>
 *
 * Serves until SIGTERM or SIGINT (or SHUTDOWN), then stops gracefully: in-flight replies are
 * flushed and the engine is closed. Engines are found on the classpath by name through
 * {@link KeyspaceEngineProvider}.
 */
public final class Main {

    /** Command threads under Raft unless --command-threads says otherwise. */
    static final int RAFT_COMMAND_THREADS = 64;

    private Main() {
    }

    /**
     * Turns Netty's sampled buffer-leak detection off unless {@code -Dio.netty.leakDetection.level}
     * asks for a level: at its default (simple) it records a stack trace for one buffer in 128, 1.2%
     * of the server's CPU under redis-benchmark SET (docs/benchmarks.md). The test suites run with
     * it on; whoever suspects a leak passes {@code -Dio.netty.leakDetection.level=paranoid}. Before
     * any Netty class reads it.
     */
    static void leakDetectionOffUnlessAsked() {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            System.setProperty(LEAK_DETECTION_PROPERTY, "disabled");
        }
    }

    /** Netty's buffer-leak detection level property (see {@link #leakDetectionOffUnlessAsked}). */
    static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    public static void main(String[] argv) throws Exception {
        leakDetectionOffUnlessAsked();
        if (argv.length > 0 && argv[0].equals("dump")) {
            DumpCommand.main(java.util.Arrays.copyOfRange(argv, 1, argv.length));
            return;
        }
        if (argv.length > 0 && argv[0].equals("proxy")) {
            ProxyCommand.main(java.util.Arrays.copyOfRange(argv, 1, argv.length));
            return;
        }
        Options options;
        try {
            options = Options.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("respkv: " + e.getMessage());
            System.err.println("Try --help.");
            System.exit(2);
            return;
        }
        if (options.help) {
            usage(System.out);
            return;
        }
        KeyspaceEngine engine;
        try {
            engine = openEngine(options.engine, options.engineOptions);
        } catch (IllegalArgumentException e) {
            System.err.println("respkv: " + e.getMessage());
            System.err.println("Try --help.");
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("respkv: cannot open the " + options.engine + " engine: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        io.respkv.raft.RaftReplication raft = null;
        if (options.raftId != null) {
            try {
                raft = io.respkv.raft.RaftReplication.builder().id(options.raftId).peers(options.raftPeers)
                        .storage(java.nio.file.Path.of(options.raftDir)).logSync(options.raftLogSync).build();
            } catch (RuntimeException e) {
                engine.close();
                System.err.println("respkv: " + e.getMessage());
                System.exit(2);
                return;
            }
        }
        RespServer.Builder serverBuilder = RespServer.builder();
        try {
            if (options.tlsPort != 0) {
                // as Redis: --port 0 with a TLS port serves TLS only
                serverBuilder.port(options.port == 0 ? RespServer.DISABLED : options.port)
                        .tlsPort(options.tlsPort, options.tls.config());
            } else {
                serverBuilder.port(options.port);
            }
        } catch (IllegalArgumentException e) {
            engine.close();
            System.err.println("respkv: " + e.getMessage());
            System.exit(2);
            return;
        }
        RespServer server;
        try {
            server = serverBuilder
                .bind(options.bind)
                .ownedEngine(engine)
                .requirePass(options.requirePass)
                .aclFile(options.aclFile == null ? null : java.nio.file.Path.of(options.aclFile))
                .protectedMode(options.protectedMode)
                .maxClients(options.maxClients)
                .idleTimeoutSeconds(options.timeout)
                .queryBufferLimit(options.queryBufferLimit)
                .databases(options.databases)
                .eventLoopThreads(options.eventLoopThreads)
                .transport(options.transport)
                .commandThreads(options.commandThreads != null ? options.commandThreads
                        // under Raft a command thread waits out its write's round trip: more of them, more writes per log entry
                        : raft != null ? RAFT_COMMAND_THREADS : io.respkv.server.RespServer.DEFAULT_COMMAND_THREADS)
                .consistency(options.consistency)
                .maxBulkLength(options.maxBulkLength)
                .allowShutdown(true, stopped::countDown)
                .replication(raft)
                .build();
        } catch (IllegalArgumentException | IllegalStateException e) { // a TLS certificate, key or CA that cannot be loaded; a transport this machine lacks
            engine.close();
            System.err.println("respkv: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            server.start().join();
        } catch (RuntimeException e) {
            engine.close();
            System.err.println("respkv: cannot listen on " + options.bind + ":" + options.port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.out.println("respkv stopped");
            System.out.flush();
            stopped.countDown();
        }, "respkv-signal"));
        System.out.println("respkv " + io.respkv.server.command.ServerInfo.RESPKV_VERSION + " ready on "
                + options.bind + (server.activePort() < 0 ? "" : ":" + server.activePort())
                + (server.activeTlsPort() < 0 ? "" : " tls:" + server.activeTlsPort() + " (" + server.tlsProvider() + ")")
                + " (engine " + engine.name()
                + (raft == null ? "" : ", raft node " + options.raftId) + ")");
        String heapHint = HeapAdvice.forThisJvm();
        if (heapHint != null) {
            System.err.println(heapHint);
        }
        stopped.await();
        System.exit(0); // runs the shutdown hook, which stops the server and reports it
    }

    static KeyspaceEngine openEngine(String name, Map<String, String> engineOptions) {
        Map<String, KeyspaceEngineProvider> providers = new TreeMap<>();
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            providers.put(p.name(), p);
        }
        KeyspaceEngineProvider provider = providers.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("unknown engine '" + name + "'; available: " + providers.keySet());
        }
        return provider.open(engineOptions);
    }

    static void usage(PrintStream out) {
        out.println("""
                usage: java -jar respkv.jar [options]
                       java -jar respkv.jar dump --dir PATH [--db N|all] [--output FILE|-]   (dump --help for more)
                       java -jar respkv.jar proxy --startup-nodes HOST:PORT,... [options]    (proxy --help for more)

                Serves the Redis protocol (RESP2/RESP3) over a storage engine until SIGTERM/SIGINT or SHUTDOWN.

                  --port N                  port to listen on (default 6379; 0 = any free port)
                  --bind ADDR               address to listen on (default 127.0.0.1)
                  --engine NAME             storage engine (default rocksdb; available: %s)
                  --dir PATH                data directory of a persistent engine (default ./respkv-data)
                  --durability sync|async   commit durability of a persistent engine (default sync)
                  --pg-url URL              postgres engine: JDBC URL, e.g. jdbc:postgresql://localhost:5432/app (required)
                  --pg-user USER            postgres engine: database user (default: from the URL)
                  --pg-password PASS        postgres engine: the user's password (default: from the URL, or none)
                  --pg-schema NAME          postgres engine: schema of respkv's tables; one per deployment (default respkv)
                  --pg-pool-size N          postgres engine: pooled database connections (default 10)
                  --pg-replica-url URL      postgres engine: a replica's JDBC URL, read by STALE connections (default none)
                  --pd HOST:PORT[,...]      tikv engine: PD endpoints of the TiKV cluster (required)
                  --tikv-prefix PREFIX      tikv engine: prefix of every TiKV key respkv uses; one per deployment (default respkv/)
                  --engine-option NAME=VALUE  any option of the engine's provider, repeatable (docs/engines.md), e.g.
                                            --engine-option block-cache-size=256mb --engine-option write-buffer-size=8mb
                  --requirepass PASS        password of the default user (as Redis's requirepass)
                  --aclfile PATH            users file loaded at start, ACL LOAD / ACL SAVE (as Redis's aclfile; default none)
                  --protected-mode yes|no   refuse non-loopback clients while the default user has no password (default yes)
                  --tls-port N              also serve RESP over TLS on this port (default 0: none; with --port 0, TLS only)
                  --tls-cert-file PATH      PEM certificate chain of the TLS port
                  --tls-key-file PATH       its PEM (PKCS#8) private key
                  --tls-key-file-pass PASS  the key's password, if encrypted
                  --tls-ca-cert-file PATH   PEM CA certificates that verify client certificates
                  --tls-auth-clients yes|no|optional  require client certificates (default yes, as Redis)
                  --tls-protocols LIST      e.g. "TLSv1.2 TLSv1.3" (default: the provider's)
                  --tls-ciphers LIST        enabled cipher suites (default: the provider's)
                  --maxclients N            most connections at once (default 10000)
                  --timeout SECONDS         close connections idle this long (default 0: never)
                  --client-query-buffer-limit BYTES  close a client with more unparsed input (default 1073741824)
                  --databases N             number of databases (default 16)
                  --event-loop-threads N    Netty event loops (default 1; 0 = two per core)
                  --transport NAME          event-loop I/O: auto (default: io_uring, else epoll, else nio), io_uring, epoll, nio
                  --command-threads N       threads running commands for network engines and Raft (default 16; 64 with --raft-id)
                  --consistency LEVEL       read consistency connections start with: linearizable (default), lease, stale
                  --max-bulk-length BYTES   longest bulk string a request may carry (default 536870912)
                  --raft-id ID              replicate through a Raft group as member ID (see docs/replication.md)
                  --raft-peers LIST         the group's members: ID=HOST:PORT,... (Raft addresses, this node's too)
                  --raft-dir PATH           this member's Raft log (default ./respkv-raft)
                  --raft-log-sync yes|no    fsync the Raft log before acknowledging (default yes; no: survives kills, not a majority's power loss)
                  --help                    print this help
                """.formatted(availableEngines()));
    }

    private static String availableEngines() {
        StringBuilder sb = new StringBuilder();
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p.name());
        }
        return sb.toString();
    }

    /** Parsed command line. */
    static final class Options {
        boolean help;
        int port = 6379;
        String bind = "127.0.0.1";
        String engine = "rocksdb";
        String requirePass;
        String aclFile;
        boolean protectedMode = true;
        int maxClients = 10_000;
        long timeout;
        long queryBufferLimit = 1024L * 1024 * 1024;
        int databases = 16;
        int eventLoopThreads = 1;
        io.respkv.server.NetTransport transport = io.respkv.server.NetTransport.AUTO;
        /** Null: the default, {@link io.respkv.server.RespServer#DEFAULT_COMMAND_THREADS}, or 64 under Raft. */
        Integer commandThreads;
        String raftId;
        String raftPeers;
        String raftDir = "respkv-raft";
        boolean raftLogSync = true;
        io.respkv.api.ConsistencyLevel consistency = io.respkv.api.ConsistencyLevel.LINEARIZABLE;
        long maxBulkLength = 512L * 1024 * 1024;
        int tlsPort;
        final TlsFlags tls = new TlsFlags("--tls-");
        final Map<String, String> engineOptions = new LinkedHashMap<>();

        static Options parse(String[] argv) {
            Options o = new Options();
            for (int i = 0; i < argv.length; i++) {
                String flag = argv[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    o.help = true;
                    continue;
                }
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                String value = argv[++i];
                if (o.tls.accept(flag, value)) {
                    continue;
                }
                switch (flag) {
                    case "--tls-port" -> o.tlsPort = intValue(flag, value, 0, 65535);
                    case "--port" -> o.port = intValue(flag, value, 0, 65535);
                    case "--bind" -> o.bind = value;
                    case "--engine" -> o.engine = value;
                    case "--dir" -> o.engineOptions.put("dir", value);
                    case "--durability" -> o.engineOptions.put("durability", value);
                    case "--pg-url" -> o.engineOptions.put("url", value);
                    case "--pg-user" -> o.engineOptions.put("user", value);
                    case "--pg-password" -> o.engineOptions.put("password", value);
                    case "--pg-schema" -> o.engineOptions.put("schema", value);
                    case "--pg-replica-url" -> o.engineOptions.put("replica-url", value);
                    case "--pd" -> o.engineOptions.put("pd", value);
                    case "--tikv-prefix" -> o.engineOptions.put("prefix", value);
                    case "--engine-option" -> {
                        int eq = value.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--engine-option takes NAME=VALUE, got '" + value + "'");
                        }
                        o.engineOptions.put(value.substring(0, eq), value.substring(eq + 1));
                    }
                    case "--consistency" -> o.consistency = consistencyValue(value);
                    case "--pg-pool-size" -> o.engineOptions.put("pool-size", Integer.toString(intValue(flag, value, 1, 10_000)));
                    case "--requirepass" -> o.requirePass = value;
                    case "--aclfile" -> o.aclFile = value;
                    case "--protected-mode" -> o.protectedMode = booleanValue(flag, value);
                    case "--maxclients" -> o.maxClients = intValue(flag, value, 1, Integer.MAX_VALUE);
                    case "--timeout" -> o.timeout = intValue(flag, value, 0, Integer.MAX_VALUE);
                    case "--client-query-buffer-limit" -> o.queryBufferLimit = longValue(flag, value, 1024 * 1024, Long.MAX_VALUE);
                    case "--databases" -> o.databases = intValue(flag, value, 1, 65536);
                    case "--event-loop-threads" -> o.eventLoopThreads = intValue(flag, value, 0, 1024);
                    case "--transport" -> o.transport = transportValue(value);
                    case "--command-threads" -> o.commandThreads = intValue(flag, value, 1, 4096);
                    case "--raft-id" -> o.raftId = value;
                    case "--raft-peers" -> o.raftPeers = value;
                    case "--raft-dir" -> o.raftDir = value;
                    case "--raft-log-sync" -> o.raftLogSync = booleanValue(flag, value);
                    case "--max-bulk-length" -> o.maxBulkLength = intValue(flag, value, 1, Integer.MAX_VALUE);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (o.tlsPort != 0) {
                o.tls.config(); // refuses a certificate without its key now, with the flags' names
            }
            if ((o.raftId == null) != (o.raftPeers == null)) {
                throw new IllegalArgumentException("--raft-id and --raft-peers go together");
            }
            return o;
        }

        private static boolean booleanValue(String flag, String value) {
            return switch (value) {
                case "yes", "true" -> true;
                case "no", "false" -> false;
                default -> throw new IllegalArgumentException(flag + " needs yes or no, got '" + value + "'");
            };
        }

        private static io.respkv.api.ConsistencyLevel consistencyValue(String value) {
            try {
                return io.respkv.server.ServerState.parseConsistency(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--consistency needs linearizable, lease or stale, got '" + value + "'");
            }
        }

        /** The transport {@code --transport} names (the proxy's flag too). */
        static io.respkv.server.NetTransport transportValue(String value) {
            try {
                return io.respkv.server.NetTransport.ofConfigName(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--transport needs auto, io_uring, epoll or nio, got '" + value + "'");
            }
        }

        /** {@code value} of {@code flag} as an int in [min, max], or an error naming the flag (the proxy's flags too). */
        static int intValue(String flag, String value, int min, int max) {
            return (int) longValue(flag, value, min, max);
        }

        /** {@code value} of {@code flag} as a long in [min, max], or an error naming the flag. */
        static long longValue(String flag, String value, long min, long max) {
            try {
                long v = Long.parseLong(value);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException(flag + " needs an integer from " + min + " to " + max + ", got '" + value + "'");
        }
    }
}
