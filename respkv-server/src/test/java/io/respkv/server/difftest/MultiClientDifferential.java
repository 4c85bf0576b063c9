package io.respkv.server.difftest;

import io.respkv.api.ProtocolVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.opentest4j.AssertionFailedError;

/**
 * Differential runs of scenarios that need several connections at once (pub/sub: a subscriber
 * and a publisher; blocking commands): the scenario runs against the reference server, then
 * against the candidate, each run recording a transcript of every frame it read, in order and
 * byte for byte; the two transcripts must be equal.
 *
 * <pre>{@code
 * MultiClientDifferential.compare(redis.target(), respkvTarget, protocol, s -> {
 *     RawRespClient sub = s.client("S");
 *     RawRespClient pub = s.client("P");
 *     s.call(sub, "SUBSCRIBE ch");
 *     s.call(pub, "PUBLISH ch hello");
 *     s.read(sub);
 * });
 * }</pre>
 *
 * Every read is bounded by {@link RawRespClient#DEFAULT_TIMEOUT}; {@link Session#quiet} waits a
 * short fixed time for frames that should not come. Connections are closed after the run.
 */
public final class MultiClientDifferential {

    /** How long {@link Session#quiet} waits for unexpected bytes. */
    public static final Duration QUIET = Duration.ofMillis(100);

    private MultiClientDifferential() {
    }

    /** A scenario, run once against each server. */
    @FunctionalInterface
    public interface Scenario {
        void run(Session s) throws Exception;
    }

    /**
     * Runs {@code scenario} against both servers (each flushed first, its connections in
     * {@code protocol}) and asserts that the transcripts are equal.
     */
    public static void compare(RespTarget reference, RespTarget candidate, ProtocolVersion protocol, Scenario scenario)
            throws Exception {
        List<String> expected = run(reference, protocol, scenario);
        List<String> actual = run(candidate, protocol, scenario);
        if (!expected.equals(actual)) {
            int i = 0;
            while (i < Math.min(expected.size(), actual.size()) && expected.get(i).equals(actual.get(i))) {
                i++;
            }
            StringBuilder msg = new StringBuilder("[" + protocol + "] transcripts differ at line " + (i + 1) + "\n");
            for (int j = Math.max(0, i - 6); j < i; j++) {
                msg.append("    ").append(expected.get(j)).append('\n');
            }
            msg.append("  ").append(reference.name()).append(": ")
                    .append(i < expected.size() ? expected.get(i) : "(end)").append('\n');
            msg.append("  ").append(candidate.name()).append(": ")
                    .append(i < actual.size() ? actual.get(i) : "(end)").append('\n');
            throw new AssertionFailedError(msg.toString(), String.join("\n", expected), String.join("\n", actual));
        }
    }

    /** Runs {@code scenario} against one server and returns its transcript. */
    public static List<String> run(RespTarget target, ProtocolVersion protocol, Scenario scenario) throws Exception {
        try (Session s = new Session(target, protocol)) {
            s.control.call("FLUSHALL");
            scenario.run(s);
            return s.transcript;
        }
    }

    /** The connections of one run and its transcript. */
    public static final class Session implements AutoCloseable {
        private final RespTarget target;
        private final ProtocolVersion protocol;
        private final List<String> transcript = new ArrayList<>();
        private final List<RawRespClient> clients = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        /** A connection for setup and cleanup; what it reads is not recorded. */
        private final RawRespClient control;

        Session(RespTarget target, ProtocolVersion protocol) throws IOException {
            this.target = target;
            this.protocol = protocol;
            this.control = RawRespClient.connect(target);
        }

        /** The server of this run. */
        public RespTarget target() {
            return target;
        }

        /** The protocol of the connections {@link #client} opens. */
        public ProtocolVersion protocol() {
            return protocol;
        }

        /** A new connection named {@code name} in the transcript, switched to the run's protocol. */
        public RawRespClient client(String name) throws IOException {
            return client(name, protocol);
        }

        /** A new connection in a given protocol. */
        public RawRespClient client(String name, ProtocolVersion version) throws IOException {
            RawRespClient c = RawRespClient.connect(target);
            clients.add(c);
            names.add(name);
            if (version == ProtocolVersion.RESP3) {
                RespFrame hello = c.call("HELLO", "3");
                if (hello.isError()) {
                    throw new AssertionError(target + " refused HELLO 3: " + hello);
                }
            }
            return c;
        }

        /** Sends a command on the control connection and returns its reply, unrecorded (setup, CONFIG SET). */
        public RespFrame control(String line) throws IOException {
            return control.call(RespCommand.parse(line));
        }

        /** Sends a command line ({@link RespCommand#parse}) and records its reply. */
        public RespFrame call(RawRespClient c, String line) throws IOException {
            return call(c, RespCommand.parse(line));
        }

        /** Sends a command and records its reply. */
        public RespFrame call(RawRespClient c, RespCommand command) throws IOException {
            c.send(command);
            transcript.add(name(c) + " " + command + " (sent)");
            return read(c);
        }

        /** Sends a command without reading. */
        public void send(RawRespClient c, String line) throws IOException {
            RespCommand command = RespCommand.parse(line);
            c.send(command);
            transcript.add(name(c) + " " + command + " (sent)");
        }

        /** Sends raw bytes without reading. */
        public void sendRaw(RawRespClient c, byte[] bytes) throws IOException {
            c.sendRaw(bytes);
            transcript.add(name(c) + " (raw) " + BytesFormat.quote(bytes, 200));
        }

        /** Reads and records one frame. */
        public RespFrame read(RawRespClient c) throws IOException {
            RespFrame f = c.readReply();
            transcript.add(name(c) + " <- " + f);
            return f;
        }

        /** Reads one frame without recording it (the test records what matters with {@link #note}). */
        public RespFrame readUnrecorded(RawRespClient c) throws IOException {
            return c.readReply();
        }

        /**
         * Sends a command and records its reply with the elements of a top-level aggregate
         * sorted: for replies in hash order (PUBSUB CHANNELS).
         */
        public RespFrame callSorted(RawRespClient c, String line) throws IOException {
            RespCommand command = RespCommand.parse(line);
            c.send(command);
            RespFrame f = c.readReply();
            List<String> elements = new ArrayList<>();
            for (RespFrame e : f.elements()) {
                elements.add(e.toString());
            }
            elements.sort(null);
            transcript.add(name(c) + " " + command + " -> " + f.type() + " of " + elements);
            return f;
        }

        /** Reads and records {@code n} frames. */
        public List<RespFrame> read(RawRespClient c, int n) throws IOException {
            List<RespFrame> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(read(c));
            }
            return out;
        }

        /**
         * Reads {@code n} frames and records them sorted: for output whose order Redis leaves to
         * its hash tables (UNSUBSCRIBE without arguments). The frames' own bytes still must match.
         */
        public List<RespFrame> readUnordered(RawRespClient c, int n) throws IOException {
            List<RespFrame> out = new ArrayList<>(n);
            List<String> shown = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                RespFrame f = c.readReply();
                out.add(f);
                shown.add(f.toString());
            }
            shown.sort(null);
            transcript.add(name(c) + " <- (in any order) " + shown);
            return out;
        }

        /** Records a note (a step that reads nothing). */
        public void note(String text) {
            transcript.add(text);
        }

        /** Records what {@code c} receives within {@link #QUIET} (usually nothing), and whether it closed. */
        public RawRespClient.Drained quiet(RawRespClient c) throws IOException {
            RawRespClient.Drained got = c.drain(QUIET, Duration.ofSeconds(2), 1 << 16);
            transcript.add(name(c) + " quiet: " + BytesFormat.quote(got.bytes(), 400) + (got.closed() ? " closed" : ""));
            return got;
        }

        /** Closes one connection. */
        public void close(RawRespClient c) throws IOException {
            transcript.add(name(c) + " closed");
            c.close();
        }

        private String name(RawRespClient c) {
            for (int i = 0; i < clients.size(); i++) {
                if (clients.get(i) == c) {
                    return names.get(i);
                }
            }
            return Objects.toString(c);
        }

        /** Everything recorded so far. */
        public List<String> transcript() {
            return transcript;
        }

        @Override
        public void close() throws IOException {
            for (RawRespClient c : clients) {
                c.close();
            }
            control.close();
        }
    }
}
