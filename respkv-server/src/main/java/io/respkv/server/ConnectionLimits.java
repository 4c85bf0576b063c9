package io.respkv.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * The connection limits Redis applies as connections arrive and while they live, with their
 * Redis parameter names: {@code maxclients}, {@code timeout}, {@code client-query-buffer-limit}
 * and {@code protected-mode}. Changed at runtime by CONFIG SET; read by every connection.
 */
public final class ConnectionLimits {

    /** Redis's reply to a connection over {@code maxclients}, after which it closes it. */
    static final String MAX_CLIENTS_ERROR = "-ERR max number of clients reached\r\n";

    /** Redis 7.0's reply to a non-loopback connection in protected mode, after which it closes it. */
    static final String PROTECTED_MODE_ERROR = "-DENIED Redis is running in protected mode because protected mode is "
            + "enabled and no password is set for the default user. In this mode connections are only accepted from "
            + "the loopback interface. If you want to connect from external computers to Redis you may adopt one of "
            + "the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode "
            + "no' from the loopback interface by connecting to Redis from the same host the server is running, "
            + "however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to "
            + "make this change permanent. 2) Alternatively you can just disable the protected mode by editing the "
            + "Redis configuration file, and setting the protected mode option to 'no', and then restarting the "
            + "server. 3) If you started the server manually just for testing, restart it with the '--protected-mode "
            + "no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one "
            + "of the above things in order for the server to start accepting connections from the outside.\r\n";

    volatile int maxClients;
    volatile long idleTimeoutSeconds;
    volatile long queryBufferLimit;
    volatile boolean protectedMode;

    ConnectionLimits(ServerConfig config) {
        this.maxClients = config.maxClients();
        this.idleTimeoutSeconds = config.idleTimeoutSeconds();
        this.queryBufferLimit = config.queryBufferLimit();
        this.protectedMode = config.protectedMode();
    }

    public int maxClients() {
        return maxClients;
    }

    public long idleTimeoutSeconds() {
        return idleTimeoutSeconds;
    }

    public long queryBufferLimit() {
        return queryBufferLimit;
    }

    public boolean protectedMode() {
        return protectedMode;
    }

    /**
     * Redis's protected-mode rule: with protected mode on and a default user without password,
     * only loopback clients get in.
     */
    static boolean refusedByProtectedMode(boolean protectedMode, boolean defaultUserNopass, SocketAddress remote) {
        if (!protectedMode || !defaultUserNopass) {
            return false;
        }
        if (remote instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            return a != null && !a.isLoopbackAddress();
        }
        return false; // a Unix socket or an in-process channel: local
    }

    /** Registers the four parameters with CONFIG GET/SET. */
    void register(ServerSettings settings) {
        settings.live("maxclients", ServerSettings.longParameter(1, 4294967295L, () -> maxClients,
                v -> maxClients = (int) Math.min(Integer.MAX_VALUE, v)));
        settings.live("timeout", ServerSettings.longParameter(0, Integer.MAX_VALUE, () -> idleTimeoutSeconds, v -> idleTimeoutSeconds = v));
        settings.live("client-query-buffer-limit", new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return Long.toString(queryBufferLimit);
            }

            @Override
            public void check(String value) {
                long v = memory(value);
                if (v < 1024 * 1024) {
                    throw new IllegalArgumentException("argument must be between 1048576 and 9223372036854775807 inclusive");
                }
            }

            @Override
            public void set(String value) {
                queryBufferLimit = memory(value);
            }
        });
        settings.live("protected-mode", new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return protectedMode ? "yes" : "no";
            }

            @Override
            public void check(String value) {
                if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                    throw new IllegalArgumentException("argument must be 'yes' or 'no'");
                }
            }

            @Override
            public void set(String value) {
                protectedMode = value.equalsIgnoreCase("yes");
            }
        });
    }

    /** Redis's {@code memtoull}: a number with an optional unit (k, kb, m, mb, g, gb; b). */
    static long memory(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        long mul = 1;
        String digits = v;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"}, {"m", "1000000"},
                {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                digits = v.substring(0, v.length() - u[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("argument must be a memory value");
        }
    }
}
