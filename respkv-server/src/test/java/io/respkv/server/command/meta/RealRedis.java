package io.respkv.server.command.meta;

import io.respkv.server.FreePorts;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import redis.embedded.RedisServer;

/**
 * A real redis-server 7.0.15 (from org.signal:embedded-redis) on a free loopback port, without
 * persistence, and raw-socket connections to it that return exact reply bytes. Test-only.
 */
final class RealRedis implements AutoCloseable {

    private final RedisServer server;
    private final int port;

    private RealRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server; the caller closes it. */
    static RealRedis start() {
        int port = FreePorts.probe();
        RedisServer server = RedisServer.builder()
                .port(port)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return new RealRedis(server, port);
    }


    /** A new connection speaking RESP2 (send {@code HELLO 3} to switch). */
    Connection connect() {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(10_000);
            return new Connection(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One client connection; each call sends one request and reads one reply. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            this.out = socket.getOutputStream();
        }

        /** Sends {@code args} and returns the exact bytes of the reply. */
        byte[] call(String... args) {
            byte[][] raw = new byte[args.length][];
            for (int i = 0; i < args.length; i++) {
                raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
            }
            return call(raw);
        }

        /** Sends {@code args} and returns the exact bytes of the reply. */
        byte[] call(byte[]... args) {
            try {
                out.write(RespFrames.request(args));
                out.flush();
                return RespFrames.readFrame(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
