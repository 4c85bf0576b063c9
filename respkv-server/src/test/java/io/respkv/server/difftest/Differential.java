package io.respkv.server.difftest;

import io.respkv.api.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.opentest4j.AssertionFailedError;

/**
 * Sends the same commands to a reference server (real Redis) and a candidate (respkv, or any
 * RESP server) and asserts that the replies are the same bytes.
 *
 * <p>{@link #open} connects once to each, switches both to the chosen protocol
 * ({@code HELLO 3} for RESP3; nothing for RESP2) and runs {@code FLUSHALL} on both. Every
 * {@code check...} then sends one command to both, reads exactly one reply from each and
 * compares them; a difference fails with an {@link AssertionFailedError} that shows the
 * command, both replies escaped ({@code "$1\r\nv\r\n"}), where they first differ, and the
 * steps before it in this session. The error's expected/actual are the reference and
 * candidate replies, so IDEs can show a diff.
 *
 * <pre>{@code
 * try (Differential d = Differential.open(redisPort, respkvPort, ProtocolVersion.RESP3)) {
 *     d.check("SET", "k", "v");
 *     d.check(Differential.bytes("GET"), new byte[] {0, (byte) 0xff});
 *     d.checkSequence("INCR n", "INCRBY n 5", "GET n");
 *     d.checkIntegerWithin(1, "TTL", "k");
 *     d.checkShape("TIME");
 *     d.checkSorted("KEYS", "*");
 *     d.checkRaw(Differential.bytes("*1\r\n$4\r\nPING\r\n*x\r\n"));
 * }
 * }</pre>
 *
 * Not thread-safe; one session per test.
 */
public final class Differential implements AutoCloseable {

    /** How long {@link #checkRaw(byte[])} waits for more bytes before deciding a side is done. */
    public static final Duration DEFAULT_RAW_QUIET = Duration.ofMillis(250);

    private static final Duration RAW_MAX_TIME = Duration.ofSeconds(5);
    private static final int RAW_MAX_BYTES = 1 << 20;
    private static final int HISTORY_SHOWN = 40;
    private static final int REPLY_IN_HISTORY = 120;

    /** Both replies to one command. */
    public record Replies(RespFrame reference, RespFrame candidate) {
    }

    private final ProtocolVersion protocol;
    private final RawRespClient reference;
    private final RawRespClient candidate;
    private final List<String> history = new ArrayList<>();
    private int steps;

    private Differential(ProtocolVersion protocol, RawRespClient reference, RawRespClient candidate) {
        this.protocol = protocol;
        this.reference = reference;
        this.candidate = candidate;
    }

    /** Opens a session between Redis and respkv, both on 127.0.0.1. */
    public static Differential open(int redisPort, int respkvPort, ProtocolVersion protocol) {
        return open(RespTarget.loopback("redis", redisPort), RespTarget.loopback("respkv", respkvPort), protocol);
    }

    /**
     * Opens a session: connects to both, selects {@code protocol} and flushes both servers.
     *
     * @throws AssertionError if a server cannot be reached or refuses the handshake
     */
    public static Differential open(RespTarget reference, RespTarget candidate, ProtocolVersion protocol) {
        Objects.requireNonNull(protocol, "protocol");
        RawRespClient ref = connect(reference, protocol);
        RawRespClient cand;
        try {
            cand = connect(candidate, protocol);
        } catch (RuntimeException | Error e) {
            closeQuietly(ref);
            throw e;
        }
        Differential d = new Differential(protocol, ref, cand);
        try {
            if (protocol == ProtocolVersion.RESP3) {
                d.history.add(String.format("%4s %-6s %s", "", "setup", RespCommand.of("HELLO", "3")));
            }
            Replies flushed = d.exchange(RespCommand.of("FLUSHALL"));
            for (RespFrame reply : List.of(flushed.reference(), flushed.candidate())) {
                if (!"OK".equals(reply.text()) || reply.type() != RespType.SIMPLE_STRING) {
                    throw d.failure("FLUSHALL failed at open", RespCommand.of("FLUSHALL"), flushed.reference().toString(),
                            flushed.candidate().toString(), null);
                }
            }
            d.record("setup", RespCommand.of("FLUSHALL").toString(), flushed.reference().toString());
            return d;
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    /**
     * Opens another session on the same two servers in the same protocol, without flushing: a
     * second client for scenarios with several connections (WATCH on one, a write on the
     * other). Its checks are lockstep with this one's, in program order. Close it too.
     */
    public Differential openPeer() {
        RawRespClient ref = connect(reference.target(), protocol);
        RawRespClient cand;
        try {
            cand = connect(candidate.target(), protocol);
        } catch (RuntimeException | Error e) {
            closeQuietly(ref);
            throw e;
        }
        return new Differential(protocol, ref, cand);
    }

    /** UTF-8 bytes of {@code s}; shorthand for mixing text and binary arguments. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The protocol this session speaks. */
    public ProtocolVersion protocol() {
        return protocol;
    }

    /** Sends the command to both and asserts identical reply bytes; returns the reference reply. */
    public RespFrame check(String... args) {
        return check(RespCommand.of(args));
    }

    /** Like {@link #check(String...)} with binary arguments. */
    public RespFrame check(byte[]... args) {
        return check(RespCommand.of(args));
    }

    /** Like {@link #check(String...)}. */
    public RespFrame check(RespCommand command) {
        Replies r = exchange(command);
        byte[] a = r.reference().raw();
        byte[] b = r.candidate().raw();
        if (!Arrays.equals(a, b)) {
            throw failure("replies differ", command, r.reference().toString(), r.candidate().toString(),
                    "first difference at byte " + Arrays.mismatch(a, b));
        }
        record("check", command.toString(), r.reference().toString());
        return r.reference();
    }

    /**
     * Checks each line with {@link #check(RespCommand)}; lines are split like {@code redis-cli}
     * input ({@link RespCommand#parse}), e.g. {@code "SET k \"a b\""}.
     */
    public void checkSequence(String... commandLines) {
        for (String line : commandLines) {
            check(RespCommand.parse(line));
        }
    }

    /** Sends the command to both without comparing (setup, or replies a test inspects itself). */
    public Replies sendBoth(String... args) {
        return sendBoth(RespCommand.of(args));
    }

    /** Like {@link #sendBoth(String...)} with binary arguments. */
    public Replies sendBoth(byte[]... args) {
        return sendBoth(RespCommand.of(args));
    }

    /** Like {@link #sendBoth(String...)}. */
    public Replies sendBoth(RespCommand command) {
        Replies r = exchange(command);
        record("send", command.toString(), r.reference().toString());
        return r;
    }

    /**
     * Compares only the structure of the replies ({@link RespFrame#shape()}): the same types,
     * nullness and aggregate sizes, any content. For replies that differ between two correct
     * servers: TIME, CLIENT ID, INFO, HELLO. Errors must still match exactly.
     */
    public RespFrame checkShape(String... args) {
        return checkShape(RespCommand.of(args));
    }

    /** Like {@link #checkShape(String...)}. */
    public RespFrame checkShape(RespCommand command) {
        Replies r = exchange(command);
        String a = r.reference().shape();
        String b = r.candidate().shape();
        if (!a.equals(b)) {
            throw failure("reply shapes differ", command, a + "  from " + r.reference(), b + "  from " + r.candidate(),
                    null);
        }
        record("shape", command.toString(), r.reference().toString());
        return r.reference();
    }

    /**
     * Compares the replies with the elements of a top-level aggregate sorted (a map's entries
     * sorted as key-value pairs), for replies whose order Redis leaves unspecified: KEYS,
     * SMEMBERS, HKEYS, HGETALL in RESP3. Nested aggregates keep their order. Scalars must match
     * exactly. Note: a RESP2 HGETALL is a flat array, so its fields and values are sorted as
     * separate elements.
     */
    public RespFrame checkSorted(String... args) {
        return checkSorted(RespCommand.of(args));
    }

    /** Like {@link #checkSorted(String...)}. */
    public RespFrame checkSorted(RespCommand command) {
        Replies r = exchange(command);
        byte[] a = sortedBytes(r.reference());
        byte[] b = sortedBytes(r.candidate());
        if (!Arrays.equals(a, b)) {
            throw failure("replies differ as multisets", command,
                    BytesFormat.quote(a, BytesFormat.DEFAULT_LIMIT) + "  (sorted)",
                    BytesFormat.quote(b, BytesFormat.DEFAULT_LIMIT) + "  (sorted)",
                    "first difference at byte " + Arrays.mismatch(a, b) + " of the sorted forms");
        }
        record("sorted", command.toString(), r.reference().toString());
        return r.reference();
    }

    /**
     * For time-dependent integers (TTL, PTTL, EXPIRETIME, OBJECT IDLETIME): passes if both
     * replies are non-negative integers at most {@code delta} apart. Any other reply (-1 for
     * no expiry, -2 for no key, errors, other types) must match exactly.
     */
    public RespFrame checkIntegerWithin(long delta, String... args) {
        return checkIntegerWithin(delta, RespCommand.of(args));
    }

    /** Like {@link #checkIntegerWithin(long, String...)}. */
    public RespFrame checkIntegerWithin(long delta, RespCommand command) {
        if (delta < 0) {
            throw new IllegalArgumentException("delta < 0: " + delta);
        }
        Replies r = exchange(command);
        RespFrame a = r.reference();
        RespFrame b = r.candidate();
        if (a.type() == RespType.INTEGER && b.type() == RespType.INTEGER && a.integer() >= 0 && b.integer() >= 0) {
            if (Math.abs(a.integer() - b.integer()) > delta) {
                throw failure("integers differ by more than " + delta, command, a.toString(), b.toString(), null);
            }
        } else if (!Arrays.equals(a.raw(), b.raw())) {
            throw failure("replies differ", command, a.toString(), b.toString(),
                    "first difference at byte " + Arrays.mismatch(a.raw(), b.raw()));
        }
        record("within", command.toString(), a.toString());
        return a;
    }

    /**
     * Sends {@code request} unchanged on a new connection to each server (after
     * {@code HELLO 3} in RESP3) and compares everything each writes back until it closes the
     * connection or is quiet for {@link #DEFAULT_RAW_QUIET}; whether it closed must match too.
     * For inline commands, pipelines and malformed protocol. The new connections use
     * database 0 and close afterwards; the session's own connections are not touched.
     */
    public RawRespClient.Drained checkRaw(byte[] request) {
        return checkRaw(request, DEFAULT_RAW_QUIET);
    }

    /** Like {@link #checkRaw(byte[])}, waiting {@code quiet} for more output. */
    public RawRespClient.Drained checkRaw(byte[] request, Duration quiet) {
        String shown = "(raw) " + BytesFormat.quote(request, 200);
        int step = ++steps;
        RawRespClient.Drained a;
        RawRespClient.Drained b;
        try (RawRespClient ref = connect(reference.target(), protocol);
                RawRespClient cand = connect(candidate.target(), protocol)) {
            ref.sendRaw(request);
            cand.sendRaw(request);
            a = ref.drain(quiet, RAW_MAX_TIME, RAW_MAX_BYTES);
            b = cand.drain(quiet, RAW_MAX_TIME, RAW_MAX_BYTES);
        } catch (IOException e) {
            throw failure(step, "raw exchange failed: " + e, shown, "", "", null);
        }
        if (!Arrays.equals(a.bytes(), b.bytes()) || a.closed() != b.closed()) {
            throw failure(step, "raw output differs", shown, a.toString(), b.toString(),
                    Arrays.equals(a.bytes(), b.bytes()) ? "same bytes, but only one side closed the connection"
                            : "first difference at byte " + Arrays.mismatch(a.bytes(), b.bytes()));
        }
        record("raw", shown, a.toString());
        return a;
    }

    /** Closes both connections. */
    @Override
    public void close() {
        closeQuietly(reference);
        closeQuietly(candidate);
    }

    /** Sends to both, then reads both; fails if either gives no valid reply. */
    private Replies exchange(RespCommand command) {
        int step = ++steps;
        IOException refError = send(reference, command);
        IOException candError = send(candidate, command);
        RespFrame a = null;
        RespFrame b = null;
        if (refError == null) {
            try {
                a = reference.readReply();
            } catch (IOException e) {
                refError = e;
            }
        }
        if (candError == null) {
            try {
                b = candidate.readReply();
            } catch (IOException e) {
                candError = e;
            }
        }
        if (refError != null || candError != null) {
            throw failure(step, "no valid reply", command.toString(),
                    a != null ? a.toString() : "failed: " + refError,
                    b != null ? b.toString() : "failed: " + candError, null);
        }
        return new Replies(a, b);
    }

    /** Adds the current step to the history shown by later failures. */
    private void record(String kind, String command, String referenceReply) {
        history.add(String.format("%4d %-6s %s -> %s", steps, kind, command, brief(referenceReply)));
    }

    private static IOException send(RawRespClient client, RespCommand command) {
        try {
            client.send(command);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private AssertionFailedError failure(String what, RespCommand command, String refShown, String candShown,
            String detail) {
        return failure(steps, what, command.toString(), refShown, candShown, detail);
    }

    private AssertionFailedError failure(int step, String what, String command, String refShown, String candShown,
            String detail) {
        String refName = reference.target().toString();
        String candName = candidate.target().toString();
        int width = Math.max(refName.length(), candName.length());
        StringBuilder m = new StringBuilder()
                .append('[').append(protocol).append("] ").append(what).append(" at step ").append(step).append(": ")
                .append(command).append('\n')
                .append("  ").append(pad(refName, width)).append(" : ").append(refShown).append('\n')
                .append("  ").append(pad(candName, width)).append(" : ").append(candShown).append('\n');
        if (detail != null) {
            m.append("  (").append(detail).append(")\n");
        }
        if (history.isEmpty()) {
            m.append("no steps before it in this session");
        } else {
            m.append("steps before it (oldest first, with the ").append(reference.target().name())
                    .append(" reply):\n");
            int from = Math.max(0, history.size() - HISTORY_SHOWN);
            if (from > 0) {
                m.append("  ... ").append(from).append(" earlier steps\n");
            }
            for (String line : history.subList(from, history.size())) {
                m.append(line).append('\n');
            }
        }
        return new AssertionFailedError(m.toString(), refShown, candShown);
    }

    /** The frame's bytes with a top-level aggregate's elements (or map entries) sorted. */
    private static byte[] sortedBytes(RespFrame frame) {
        if (!frame.type().isAggregate() || frame.isNull()) {
            return frame.raw();
        }
        int group = frame.type() == RespType.MAP ? 2 : 1;
        List<RespFrame> elements = frame.elements();
        List<byte[]> items = new ArrayList<>();
        for (int i = 0; i < elements.size(); i += group) {
            ByteArrayOutputStream item = new ByteArrayOutputStream();
            for (int j = i; j < i + group; j++) {
                item.writeBytes(elements.get(j).raw());
            }
            items.add(item.toByteArray());
        }
        items.sort(Arrays::compareUnsigned);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (frame.attribute() != null) {
            out.writeBytes(frame.attribute().raw());
        }
        out.writeBytes(bytes(String.valueOf(frame.type().marker()) + items.size() + "\r\n"));
        items.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static RawRespClient connect(RespTarget target, ProtocolVersion protocol) {
        RawRespClient client;
        try {
            client = RawRespClient.connect(target);
        } catch (IOException e) {
            throw new AssertionError("cannot connect to " + target + ": " + e, e);
        }
        if (protocol == ProtocolVersion.RESP3) {
            try {
                RespFrame hello = client.call("HELLO", "3");
                if (hello.type() != RespType.MAP) {
                    throw new AssertionError(target + " refused HELLO 3: " + hello);
                }
            } catch (IOException e) {
                closeQuietly(client);
                throw new AssertionError(target + " gave no valid reply to HELLO 3: " + e, e);
            } catch (AssertionError e) {
                closeQuietly(client);
                throw e;
            }
        }
        return client;
    }

    private static void closeQuietly(RawRespClient client) {
        try {
            client.close();
        } catch (IOException e) {
            // Closing a socket we are done with; nothing useful to do with the failure.
        }
    }

    private static String brief(String quoted) {
        return quoted.length() <= REPLY_IN_HISTORY ? quoted : quoted.substring(0, REPLY_IN_HISTORY) + "...";
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /**
     * {@code keyspace_hits} and {@code keyspace_misses} of {@code INFO stats}: the reference's two,
     * then the candidate's two (for tests that compare how commands count lookups).
     */
    public long[] keyspaceStats() {
        Replies r = sendBoth("INFO", "stats");
        return new long[] {
            infoField(r.reference(), "keyspace_hits"), infoField(r.reference(), "keyspace_misses"),
            infoField(r.candidate(), "keyspace_hits"), infoField(r.candidate(), "keyspace_misses"),
        };
    }

    /** The integer value of {@code field} in an INFO reply. */
    public static long infoField(RespFrame info, String field) {
        for (String line : info.text().split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("no " + field + " in " + info);
    }
}
