package io.respkv.engine.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which background tasks this engine's respkv instance runs, when several instances share one
 * schema: each task is a PostgreSQL session-level advisory lock, {@code pg_try_advisory_lock(
 * hashtext('respkv ' || schema), hashtext(task))}, taken on a connection of its own (outside the
 * pool, so commands never wait for it). The instance whose session holds the lock runs the task;
 * the others try again every {@link #CHECK_NANOS}.
 *
 * <p>The lock lives as long as the session: closing the engine, the process ending or its
 * connection dropping (PostgreSQL restarting, or noticing a dead peer through TCP keepalives,
 * which this session asks for) releases it, and another instance takes it at its next try. The
 * holder checks its session every {@link #CHECK_NANOS} too and gives the task up when the check
 * fails; until then it may still run it while another instance already took over. That overlap
 * (at most one check interval) costs duplicate work only: the tasks run ordinary transactions.
 */
final class BackgroundLeases implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BackgroundLeases.class.getName());
    /** How often a lease is checked: the holder's session probed, or the others' try repeated. */
    static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The lock key of a task: two int4 keys, so it never meets the schema migration's bigint key. */
    static final String TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))";

    private final String url;
    private final Properties properties;
    private final String lockSpace;
    /** The session the locks are held by; null when not connected. */
    private Connection session;
    private final Map<String, Lease> leases = new HashMap<>();
    private boolean closed;

    private static final class Lease {
        boolean held;
        long checkedAt;
        boolean checked;
    }

    BackgroundLeases(String url, String user, String password, String schema, long connectTimeoutMillis) {
        this.url = url;
        this.properties = ConnectionPool.sessionProperties(user, password, connectTimeoutMillis);
        properties.setProperty("socketTimeout", Long.toString(Math.max(10, ConnectionPool.connectTimeoutSeconds(connectTimeoutMillis))));
        properties.setProperty("tcpKeepAlive", "true");
        // The server drops a session whose peer vanished (a crashed host, a partition) after
        // about 25 s instead of the operating system's two hours: that frees the locks.
        properties.setProperty("options",
                "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3");
        properties.setProperty("ApplicationName", "respkv background lease");
        this.lockSpace = lockSpace(schema);
    }

    /** The first lock key of every task of {@code schema} (the text {@code hashtext} hashes). */
    static String lockSpace(String schema) {
        return "respkv " + schema;
    }

    /** Whether this instance holds {@code task}'s lease; checks the database at most every {@link #CHECK_NANOS}. */
    synchronized boolean holds(String task) {
        if (closed) {
            return false;
        }
        Lease lease = leases.computeIfAbsent(task, t -> new Lease());
        long now = System.nanoTime();
        if (lease.checked && now - lease.checkedAt < CHECK_NANOS) {
            return lease.held;
        }
        lease.checked = true;
        lease.checkedAt = now;
        try {
            if (lease.held) {
                probe();
            } else {
                lease.held = tryLock(task);
            }
        } catch (SQLException e) {
            LOG.log(Level.FINE, "background lease check failed: " + e.getMessage(), e);
            dropSession(); // its locks are gone with it, or will be when PostgreSQL notices
        }
        return lease.held;
    }

    private boolean tryLock(String task) throws SQLException {
        try (PreparedStatement ps = session().prepareStatement(TRY_LOCK)) {
            ps.setString(1, lockSpace);
            ps.setString(2, task);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Whether the session (and so every lock it took) is still there; throws if not. */
    private void probe() throws SQLException {
        try (Statement st = session().createStatement()) {
            st.execute("SELECT 1");
        }
    }

    private Connection session() throws SQLException {
        if (session == null) {
            session = DriverManager.getConnection(url, properties);
        }
        return session;
    }

    private void dropSession() {
        for (Lease lease : leases.values()) {
            lease.held = false;
        }
        Connection s = session;
        session = null;
        if (s != null) {
            try {
                s.close();
            } catch (SQLException e) {
                // a broken session: nothing to release that PostgreSQL has not released
            }
        }
    }

    /** Gives every lease up (closes the session). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        dropSession();
    }
}
