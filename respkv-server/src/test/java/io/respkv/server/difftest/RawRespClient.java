package io.respkv.server.difftest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A blocking client that writes requests as raw bytes and reads replies as raw frames, for
 * byte-exact assertions. Nothing is interpreted: no handshake, no protocol switch, no retry.
 *
 * <p>Every read is bounded: {@link #readReply()} fails with a
 * {@link SocketTimeoutException} if the complete frame has not arrived within the client's
 * timeout, however the bytes trickle in. Not thread-safe.
 *
 * <pre>{@code
 * try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("redis", port))) {
 *     assertEquals("\"+PONG\\r\\n\"", c.call("PING").toString());
 * }
 * }</pre>
 */
public final class RawRespClient implements AutoCloseable {

    /** Connect timeout and the default bound on reading one reply. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** What {@link #drain} collected: every byte received, and whether the server closed. */
    public record Drained(byte[] bytes, boolean closed) {
        @Override
        public String toString() {
            return BytesFormat.quote(bytes, BytesFormat.DEFAULT_LIMIT) + (closed ? " then closed" : " (still open)");
        }
    }

    private final RespTarget target;
    private final Socket socket;
    private final OutputStream out;
    private final DeadlineInput deadlineInput;
    private final InputStream in;
    private final RespFrameReader reader;
    private final long timeoutNanos;

    private RawRespClient(RespTarget target, Socket socket, Duration timeout) throws IOException {
        this.target = target;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.deadlineInput = new DeadlineInput(socket);
        this.in = new BufferedInputStream(deadlineInput, 64 * 1024);
        this.reader = new RespFrameReader(in);
        this.timeoutNanos = timeout.toNanos();
    }

    /** Connects with {@link #DEFAULT_TIMEOUT}. */
    public static RawRespClient connect(RespTarget target) throws IOException {
        return connect(target, DEFAULT_TIMEOUT);
    }

    /** Connects; {@code timeout} bounds the connect and each {@link #readReply()}. */
    public static RawRespClient connect(RespTarget target, Duration timeout) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeout, "timeout");
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.max(1, timeout.toMillis()));
            return new RawRespClient(target, socket, timeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The server this client talks to. */
    public RespTarget target() {
        return target;
    }

    /** Writes {@code command} as a multibulk. */
    public void send(RespCommand command) throws IOException {
        sendRaw(command.encode());
    }

    /** Writes {@code bytes} as they are (inline commands, pipelines, malformed input). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one complete reply frame, bounded by the client's timeout. */
    public RespFrame readReply() throws IOException {
        deadlineInput.deadline = System.nanoTime() + timeoutNanos;
        return reader.read();
    }

    /** Sends {@code command} and reads its reply. */
    public RespFrame call(RespCommand command) throws IOException {
        send(command);
        return readReply();
    }

    /** Sends a command of string arguments and reads its reply. */
    public RespFrame call(String... args) throws IOException {
        return call(RespCommand.of(args));
    }

    /**
     * Reads everything the server writes until it closes the connection (end of stream or
     * reset), nothing arrives for {@code quiet}, {@code max} has passed, or {@code maxBytes}
     * were read.
     */
    public Drained drain(Duration quiet, Duration max, int maxBytes) throws IOException {
        long end = System.nanoTime() + max.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (got.size() < maxBytes) {
            deadlineInput.deadline = Math.min(end, System.nanoTime() + quiet.toNanos());
            int n;
            try {
                n = in.read(chunk, 0, Math.min(chunk.length, maxBytes - got.size()));
            } catch (SocketTimeoutException e) {
                return new Drained(got.toByteArray(), false);
            } catch (SocketException e) {
                // A reset after the server closed with unread input counts as a close.
                return new Drained(got.toByteArray(), true);
            }
            if (n < 0) {
                return new Drained(got.toByteArray(), true);
            }
            got.write(chunk, 0, n);
        }
        return new Drained(got.toByteArray(), false);
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "RawRespClient[" + target + "]";
    }

    /** Socket input whose every read waits at most until {@link #deadline}. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        long deadline;

        DeadlineInput(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException("no complete reply from the server in time");
            }
            // setSoTimeout(0) would mean "forever"; remainingMillis is at least 1 here.
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
            return in.read(b, off, len);
        }
    }
}
