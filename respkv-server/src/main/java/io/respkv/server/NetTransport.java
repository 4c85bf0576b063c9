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
 * {@link #AUTO} takes the first of {@link #EPOLL} and {@link #NIO} that this machine can run;
 * io_uring is chosen only by name (see {@link #IO_URING}). The server and the proxy take it from
 * their builders and the standalone server's {@code --transport}.
 */
public enum NetTransport {
    /** epoll where the native library loads, NIO otherwise. */
    AUTO,
    /**
     * Linux io_uring, where the kernel has it and does not refuse it ({@code
     * kernel.io_uring_disabled}, container seccomp profiles): reads, writes and accepts are queued
     * to the kernel in batches instead of one system call each. Measured here, it serves pipelining
     * clients of the memory engine with a fifth to a third less CPU per request, and RocksDB's
     * and the proxy's no faster than epoll (docs/benchmarks.md, "JVM and event loops"), so it is
     * not what {@link #AUTO} picks.
     */
    IO_URING,
    /** Linux epoll through Netty's native transport. */
    EPOLL,
    /** Java NIO: every platform, the slowest. */
    NIO;

    /** This transport, or for {@link #AUTO} the one it stands for here; never AUTO. */
    public NetTransport resolve() {
        if (this != AUTO) {
            return this;
        }
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
