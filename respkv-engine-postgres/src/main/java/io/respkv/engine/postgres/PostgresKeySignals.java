package io.respkv.engine.postgres;

import io.respkv.api.KeySignals;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link KeySignals} over PostgreSQL's LISTEN/NOTIFY, for the respkv instances sharing one schema.
 *
 * <p>Who waits on what is kept in {@code respkv_waiting (token, instance, pid)},
 * one row per token and instance, and every change of it is announced on the schema's
 * <em>waiting</em> channel; each instance listens and keeps a mirror of the tokens the
 * <em>others</em> wait on. So a write costs nothing extra unless another instance waits on one of
 * its tokens; then one {@code pg_notify} on the <em>signal</em> channel carries the token, and
 * the instances waiting on it hand it to their listener. Payloads are
 * {@code <instance id> <hex token>}; an instance ignores its own.
 *
 * <p>One connection of its own (outside the pool) and one thread do everything: apply this
 * instance's waiting changes and send its signals (queued by the callers, who never wait), and
 * receive notifications ({@code getNotifications} with a short timeout, so queued work goes out
 * within {@link #POLL_MILLIS}). On (re)connecting it listens first, then loads the table, then
 * writes its own rows again (with its new session's pid). Every {@link #CLEANUP_NANOS} it deletes
 * the rows whose session is gone (an instance that died without closing) and announces them
 * gone. While the database is unreachable nothing is sent or received; it reconnects every
 * second. Closing deletes this instance's rows and announces that too.
 */
final class PostgresKeySignals implements KeySignals, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresKeySignals.class.getName());
    /** Longest a queued change or signal waits to be sent. */
    static final int POLL_MILLIS = 20;
    /** NOTIFY payloads are at most 8000 bytes: longer tokens are not signalled (receivers look again by themselves). */
    static final int MAX_TOKEN_BYTES = 3_900;
    private static final HexFormat HEX = HexFormat.of();
    /** How often rows of sessions that no longer exist are removed. */
    static final long CLEANUP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String url;
    private final Properties properties;
    private final PostgresSql sql;
    private final String waitingChannel;
    private final String signalChannel;
    private final String instance = UUID.randomUUID().toString();
    /** Tokens this instance waits on (hex). */
    private final Set<String> mine = ConcurrentHashMap.newKeySet();
    /** Tokens (hex) other instances wait on, with which instances. */
    private final Map<String, Set<String>> others = new ConcurrentHashMap<>();
    private volatile boolean othersWaiting;
    /** Work for the thread: waiting changes ("+hex" / "-hex") and signals ("!hex"), in order. */
    private final ConcurrentLinkedQueue<String> outbox = new ConcurrentLinkedQueue<>();
    private volatile Consumer<byte[]> listener = token -> { };
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final Thread thread;
    private volatile boolean closed;
    private Connection conn;
    private long cleanedAt;

    PostgresKeySignals(String url, String user, String password, PostgresSql sql, long connectTimeoutMillis) {
        this.url = url;
        this.sql = sql;
        this.properties = ConnectionPool.sessionProperties(user, password, connectTimeoutMillis);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "respkv signals");
        String channel = "respkv_" + Integer.toHexString(sql.schema.hashCode());
        this.waitingChannel = channel + "_waiting";
        this.signalChannel = channel + "_signal";
        this.thread = new Thread(this::run, "respkv-postgres-signals");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void waiting(byte[] token, boolean waiting) {
        if (token.length > MAX_TOKEN_BYTES) {
            return;
        }
        String hex = HEX.formatHex(token);
        if (waiting ? mine.add(hex) : mine.remove(hex)) {
            outbox.add((waiting ? "+" : "-") + hex);
        }
    }

    @Override
    public boolean othersWaiting() {
        return othersWaiting;
    }

    @Override
    public void signal(Collection<byte[]> tokens) {
        if (!othersWaiting) {
            return;
        }
        for (byte[] token : tokens) {
            if (token.length <= MAX_TOKEN_BYTES) {
                String hex = HEX.formatHex(token);
                if (others.containsKey(hex)) {
                    outbox.add("!" + hex);
                }
            }
        }
    }

    @Override
    public void listener(Consumer<byte[]> onSignal) {
        this.listener = java.util.Objects.requireNonNull(onSignal, "onSignal");
    }

    /** Signals sent to other instances so far (for tests). */
    long sent() {
        return sent.sum();
    }

    /** Signals received from other instances, whether or not this instance still waited on their token (for tests). */
    long received() {
        return received.sum();
    }

    /** Whether another instance waits on {@code token}, as far as this one knows (for tests). */
    boolean othersWaitOn(byte[] token) {
        return others.containsKey(HEX.formatHex(token));
    }

    private void run() {
        while (!closed) {
            try {
                if (conn == null) {
                    connect();
                }
                flushOutbox();
                if (System.nanoTime() - cleanedAt > CLEANUP_NANOS) {
                    dropRows("NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = w.pid)", null);
                    cleanedAt = System.nanoTime();
                }
                PGNotification[] notes = conn.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
                if (notes != null) {
                    for (PGNotification n : notes) {
                        onNotification(n.getName(), n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.log(Level.FINE, "postgres signals: " + e.getMessage(), e);
                disconnect();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        if (conn != null) {
            try {
                dropRows("w.instance = ?", instance);
            } catch (SQLException e) {
                // the others drop them once this session is gone
            }
        }
        disconnect();
    }

    /** Deletes the waiting rows {@code where} selects (alias {@code w}) and announces each gone. */
    private void dropRows(String where, String parameter) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("WITH gone AS (DELETE FROM " + sql.waitingTable + " w WHERE "
                + where + " RETURNING token, instance) SELECT count(pg_notify(?, '-' || instance || ' '"
                + " || encode(token, 'hex'))) FROM gone")) {
            int i = 1;
            if (parameter != null) {
                ps.setString(i++, parameter);
            }
            ps.setString(i, waitingChannel);
            ps.execute();
        }
    }

    /** Listens, loads who waits on what (dropping rows of sessions gone), and writes this instance's rows again. */
    private void connect() throws SQLException {
        conn = DriverManager.getConnection(url, properties);
        conn.setAutoCommit(true);
        try (Statement st = conn.createStatement()) {
            st.execute("LISTEN " + waitingChannel + "; LISTEN " + signalChannel);
        }
        others.clear();
        try (PreparedStatement ps = conn.prepareStatement("SELECT token, instance FROM " + sql.waitingTable
                + " WHERE instance <> ?")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    others.computeIfAbsent(HEX.formatHex(rs.getBytes(1)), t -> ConcurrentHashMap.newKeySet())
                            .add(rs.getString(2));
                }
            }
        }
        othersWaiting = !others.isEmpty();
        outbox.clear(); // what it held is rewritten from the current state below
        for (String hex : mine) {
            applyWaiting(hex, true);
        }
    }

    private void flushOutbox() throws SQLException {
        List<String> signals = null;
        for (String item; (item = outbox.poll()) != null; ) {
            char kind = item.charAt(0);
            String hex = item.substring(1);
            if (kind == '!') {
                if (signals == null) {
                    signals = new ArrayList<>();
                }
                signals.add(instance + " " + hex);
            } else {
                applyWaiting(hex, kind == '+');
            }
        }
        if (signals != null) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT pg_notify(?, p) FROM unnest(?::text[]) p")) {
                ps.setString(1, signalChannel);
                ps.setArray(2, conn.createArrayOf("text", signals.toArray()));
                ps.execute();
            }
            sent.add(signals.size());
        }
    }

    /** Records (or drops) this instance's row for {@code hex} and tells the others, in one statement. */
    private void applyWaiting(String hex, boolean waiting) throws SQLException {
        String change = waiting
                ? "INSERT INTO " + sql.waitingTable + " (token, instance, pid) VALUES (decode(?, 'hex'), ?,"
                        + " pg_backend_pid()) ON CONFLICT (token, instance) DO UPDATE SET pid = EXCLUDED.pid"
                : "DELETE FROM " + sql.waitingTable + " WHERE token = decode(?, 'hex') AND instance = ?";
        try (PreparedStatement ps = conn.prepareStatement(change + "; SELECT pg_notify(?, ?)")) {
            ps.setString(1, hex);
            ps.setString(2, instance);
            ps.setString(3, waitingChannel);
            ps.setString(4, (waiting ? "+" : "-") + instance + " " + hex);
            ps.execute();
        }
    }

    private void onNotification(String channel, String payload) {
        if (payload == null || payload.isEmpty()) {
            return;
        }
        if (channel.equals(waitingChannel)) {
            boolean waiting = payload.charAt(0) == '+';
            int space = payload.indexOf(' ');
            if (space < 0) {
                return;
            }
            String from = payload.substring(1, space);
            String hex = payload.substring(space + 1);
            if (from.equals(instance)) {
                return;
            }
            if (waiting) {
                others.computeIfAbsent(hex, t -> ConcurrentHashMap.newKeySet()).add(from);
            } else {
                others.computeIfPresent(hex, (t, set) -> {
                    set.remove(from);
                    return set.isEmpty() ? null : set;
                });
            }
            othersWaiting = !others.isEmpty();
        } else if (channel.equals(signalChannel)) {
            int space = payload.indexOf(' ');
            if (space < 0 || payload.substring(0, space).equals(instance)) {
                return;
            }
            String hex = payload.substring(space + 1);
            received.increment();
            if (mine.contains(hex)) {
                try {
                    listener.accept(HEX.parseHex(hex));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "postgres signals: the listener failed", e);
                }
            }
        }
    }

    private void disconnect() {
        Connection c = conn;
        conn = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // gone already
            }
        }
    }

    /** Stops the thread, which removes this instance's rows on its way out (best effort). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
