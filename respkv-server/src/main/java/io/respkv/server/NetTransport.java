package io.respkv.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;

/**
 * How the event loops talk to the kernel: Linux io_uring, Linux epoll, or Java NIO (any OS).
 * {@link #AUTO} takes what each runs best with, measured: the server the first of
 * {@link #IO_URING}, {@link #EPOLL} and {@link #NIO} that this machine can run
 * ({@link #resolve()}), the proxy the first of epoll and NIO ({@link #resolveForProxy()}). The
 * server and the proxy take it from their builders and the standalone server's {@code --transport}.
 */
public enum NetTransport {
    /** For the server io_uring where the kernel runs it, else (and for the proxy) epoll where the native library loads, else NIO. */
    AUTO,
    /**
     * Linux io_uring, where the kernel has it (Netty's transport needs 5.14 or later) and does not
     * refuse it ({@code kernel.io_uring_disabled}, container seccomp profiles): reads, writes and
     * accepts are queued to the kernel in batches instead of one system call each. Measured here,
     * it serves pipelining clients of the memory engine with a fifth to a third less CPU per
     * request than epoll, and since the group sync stays on the event loop for unpipelined
     * clients, RocksDB's faster too (SET {@code -P 1} +3-11%, {@code -P 16} +9-13% in two runs of
     * three, A/B both orders; docs/benchmarks.md, "JVM and event loops"). It holds about 1.6-2.4 KB
     * more per idle connection than epoll. Through the proxy it served unpipelined clients 10-20%
     * slower than epoll, so the proxy takes it only by name.
     */
    IO_URING,
    /** Linux epoll through Netty's native transport. */
    EPOLL,
    /** Java NIO: every platform, the slowest. */
    NIO;

    /** This transport, or for {@link #AUTO} the one the server runs best with here: io_uring, else epoll, else NIO; never AUTO. */
    public NetTransport resolve() {
        if (this != AUTO) {
            return this;
        }
        return IO_URING.isAvailable() ? IO_URING : epollElseNio();
    }

    /** This transport, or for {@link #AUTO} the one the proxy runs best with here: epoll, else NIO; never AUTO. */
    public NetTransport resolveForProxy() {
        if (this != AUTO) {
            return this;
        }
        return epollElseNio();
    }

    private static NetTransport epollElseNio() {
        return EPOLL.isAvailable() ? EPOLL : NIO;
    }

    /** Whether this machine can run it (AUTO always can). */
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Why this machine cannot run it, or null if it can. */
    public Throwable unavailabilityCause() {
        try {
            return switch (this) {
                case AUTO, NIO -> null;
                case EPOLL -> Epoll.unavailabilityCause();
                case IO_URING -> IoUring.unavailabilityCause();
            };
        } catch (LinkageError e) {
            return e; // the transport's classes are not on the class path
        }
    }

    /**
     * Fails with the reason if this machine cannot run this transport, so a server that was told
     * to use it does not quietly run on another.
     */
    public NetTransport requireAvailable() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("transport " + configName() + " is not available here: " + cause, cause);
        }
        return this;
    }

    /** The event loops' I/O handler. */
    public IoHandlerFactory ioHandlerFactory() {
        return switch (resolve()) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    /** The listening channel type that goes with {@link #ioHandlerFactory()}. */
    public Class<? extends ServerChannel> serverChannelType() {
        return switch (resolve()) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** The outgoing channel type that goes with {@link #ioHandlerFactory()}. */
    public Class<? extends SocketChannel> socketChannelType() {
        return switch (resolve()) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            default -> NioSocketChannel.class;
        };
    }

    /** The name in configuration and on the command line: {@code auto}, {@code io_uring}, {@code epoll}, {@code nio}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transport named {@code name} as {@link #configName()} spells it (case-insensitive). */
    public static NetTransport ofConfigName(String name) {
        for (NetTransport t : values()) {
            if (t.configName().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "' (expected auto, io_uring, epoll or nio)");
    }
}
