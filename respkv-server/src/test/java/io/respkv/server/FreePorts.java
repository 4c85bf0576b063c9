package io.respkv.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers whose port must be chosen before they start: Raft peers (each
 * member is told every address in advance), child processes, redis-server. A port probed with
 * {@code bind(0)} comes from the kernel's ephemeral range, where any outgoing connection may take
 * it as its local port between the probe and the server's bind: a Raft test failed on CI with
 * "Address already in use" that way, and retrying the same port cannot help while that
 * connection lives. These ports come from just below the ephemeral range (read from
 * {@code /proc/sys/net/ipv4/ip_local_port_range} on Linux, else 32768-60999), which outgoing
 * connections never take, so only another listening socket can race for one.
 */
public final class FreePorts {

    /** Ports below the ephemeral range to pick from. */
    static final int SPAN = 10_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private FreePorts() {
    }

    /** A loopback port nothing listens on now, below the ephemeral range when there is room. */
    public static int probe() {
        int low = ephemeralLow();
        int from = Math.max(1024, low - SPAN);
        if (low - from >= 1_000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = from + ThreadLocalRandom.current().nextInt(low - from);
                if (isFree(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (BindException taken) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first ephemeral port: the low end of the kernel's range, 32768 if it cannot be read. */
    static int ephemeralLow() {
        try {
            String[] range = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
