package io.respkv.standalone;

import io.respkv.proxy.ReadPrefer;
import io.respkv.proxy.RespProxy;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code respkv proxy}: one Redis endpoint in front of a Redis Cluster (see
 * {@link RespProxy} and {@code docs/proxy.md}).
 *
 * <pre>
 * java -jar respkv.jar proxy --addr 127.0.0.1:8088 --startup-nodes 10.0.0.1:7000,10.0.0.2:7000
 *     [--slots-reload-interval 3s] [--backend-idle-connections 2] [--connect-timeout 3s]
 *     [--user U] [--password P] [--read-prefer master|replica] [--requirepass P] [--aclfile PATH]
 *     [--event-loop-threads N] [--transport auto|io_uring|epoll|nio]
 * </pre>
 */
public final class ProxyCommand {

    static final int USAGE = 2;
    static final int FAILED = 1;

    private ProxyCommand() {
    }

    static void main(String[] argv) throws InterruptedException {
        RespProxy.Builder builder;
        try {
            if (java.util.Arrays.asList(argv).contains("--help") || java.util.Arrays.asList(argv).contains("-h")) {
                usage(System.out);
                return;
            }
            builder = builder(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("respkv proxy: " + e.getMessage());
            System.err.println("Try respkv proxy --help.");
            System.exit(USAGE);
            return;
        }
        RespProxy proxy;
        try {
            proxy = builder.start().join();
        } catch (RuntimeException e) {
            // join() wraps what failed while starting; what build() refused (a transport this machine lacks) says it itself
            Throwable why = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            System.err.println("respkv proxy: cannot start: " + why.getMessage());
            System.exit(FAILED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            System.out.println("respkv proxy stopped");
            System.out.flush();
            stopped.countDown();
        }, "respkv-proxy-signal"));
        System.out.println("respkv proxy ready on " + proxy.bindAddress() + ":" + proxy.activePort() + " in front of "
                + proxy.masters().size() + " masters " + proxy.masters());
        stopped.await();
    }

    /**
     * The proxy the command line describes, not started.
     *
     * @throws IllegalArgumentException naming the bad or missing flag
     */
    static RespProxy.Builder builder(String[] argv) {
        RespProxy.Builder b = RespProxy.builder();
        boolean nodes = false;
        TlsFlags clientTls = new TlsFlags("--tls-");
        TlsFlags backendTls = new TlsFlags("--backend-tls-");
        boolean backendTlsOn = false;
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            String value = argv[++i];
            try {
                if (clientTls.accept(flag, value) || backendTls.accept(flag, value)) {
                    continue;
                }
                switch (flag) {
                    case "--backend-tls" -> backendTlsOn = switch (value) {
                        case "yes" -> true;
                        case "no" -> false;
                        default -> throw new IllegalArgumentException("--backend-tls needs yes or no, got '" + value + "'");
                    };
                    case "--addr" -> {
                        int colon = value.lastIndexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("--addr needs HOST:PORT, got '" + value + "'");
                        }
                        b.bind(value.substring(0, colon)).port(Main.Options.intValue(flag, value.substring(colon + 1), 0, 65535));
                    }
                    case "--startup-nodes" -> {
                        for (String n : value.split(",")) {
                            if (!n.isBlank()) {
                                b.startupNodes(n.trim());
                                nodes = true;
                            }
                        }
                    }
                    case "--slots-reload-interval" -> b.slotsReloadInterval(duration(flag, value));
                    case "--backend-idle-connections" -> b.backendConnections(Main.Options.intValue(flag, value, 1, 1024));
                    case "--connect-timeout" -> b.connectTimeout(duration(flag, value));
                    case "--user" -> b.user(value);
                    case "--password" -> b.password(value);
                    case "--requirepass" -> b.requirePass(value);
                    case "--aclfile" -> b.aclFile(java.nio.file.Path.of(value));
                    case "--read-prefer" -> b.readPrefer(switch (value) {
                        case "master" -> ReadPrefer.MASTER;
                        case "replica" -> ReadPrefer.REPLICA;
                        default -> throw new IllegalArgumentException("--read-prefer needs master or replica, got '" + value + "'");
                    });
                    case "--event-loop-threads" -> b.eventLoopThreads(Main.Options.intValue(flag, value, 1, 1024));
                    case "--transport" -> b.transport(Main.Options.transportValue(value));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (IllegalArgumentException e) {
                throw e.getMessage() != null && e.getMessage().contains(flag) ? e
                        : new IllegalArgumentException(flag + ": " + e.getMessage());
            }
        }
        if (!nodes) {
            throw new IllegalArgumentException("--startup-nodes is required");
        }
        if (clientTls.given()) {
            b.tls(clientTls.config());
        }
        if (backendTlsOn || backendTls.given()) {
            b.backendTls(backendTls.config());
        }
        return b;
    }

    /** {@code 3s}, {@code 500ms}, {@code 2m}, or a number of seconds. */
    static Duration duration(String flag, String value) {
        try {
            Duration d;
            if (value.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            } else if (value.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            } else if (value.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(value));
            }
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a positive duration like 3s or 500ms, got '" + value + "'");
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                usage: java -jar respkv.jar proxy --startup-nodes HOST:PORT[,HOST:PORT...] [options]

                One Redis endpoint in front of a Redis Cluster: routes each command by hash slot, follows
                MOVED/ASK itself, splits MGET/MSET/DEL/EXISTS/UNLINK/TOUCH across slots (see docs/proxy.md).

                  --addr HOST:PORT               address to listen on (default 127.0.0.1:8088; port 0 = any free port)
                  --startup-nodes LIST           cluster nodes to read the slot map from (required)
                  --slots-reload-interval DUR    how often the slot map is re-read (default 3s; also after MOVED)
                  --backend-idle-connections N   connections per node, per event loop and protocol (default 2)
                  --connect-timeout DUR          timeout for connecting to a node (default 3s)
                  --user USER                    ACL user for --password (default: the default user)
                  --password PASS                password the proxy gives the nodes
                  --read-prefer master|replica   where read-only commands go (default master)
                  --requirepass PASS             password clients must give the proxy (AUTH / HELLO AUTH)
                  --aclfile PATH                 the proxy's ACL users (Redis ACL file format; ACL LOAD reloads it)
                  --event-loop-threads N         event loop threads (default: half the CPU count, at least 1)
                  --transport NAME               event-loop I/O: auto (default: epoll, else nio), io_uring, epoll, nio
                  --tls-cert-file PATH           serve clients over TLS (only) with this PEM certificate chain
                  --tls-key-file PATH            its PEM (PKCS#8) private key; --tls-key-file-pass PASS if encrypted
                  --tls-ca-cert-file PATH        PEM CA certificates that verify client certificates
                  --tls-auth-clients yes|no|optional  require client certificates (default yes, as Redis)
                  --tls-protocols, --tls-ciphers as the server's
                  --backend-tls yes|no           connect to the nodes over TLS (default no; implied by a --backend-tls-* file)
                  --backend-tls-ca-cert-file PATH  PEM CA certificates that verify the nodes (default: the JDK's CAs)
                  --backend-tls-cert-file PATH   client certificate for nodes with tls-auth-clients yes
                  --backend-tls-key-file PATH    its key; --backend-tls-key-file-pass PASS if encrypted
                """);
    }
}
