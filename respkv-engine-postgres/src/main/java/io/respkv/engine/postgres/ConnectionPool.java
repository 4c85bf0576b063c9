package io.respkv.engine.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.respkv.api.EngineUnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine's connections: a HikariCP pool, and what happens when the database cannot be
 * reached.
 *
 * <p>A failure that says the database is gone (a connection refused or timed out, SQLSTATE class
 * 08, or 57P01-57P03: shut down, crashed, starting up) makes this <em>suspect</em> an outage: a
 * probe thread opens a connection of its own, at once. If that fails, the database is
 * <em>down</em>: from then on {@link #borrow} fails at once, without waiting for the pool's
 * connection timeout, and the probe tries again every {@link #PROBE_INTERVAL_NANOS}. When a
 * probe connects again, the pool is replaced by a new one (the old pool's connections all died
 * with the database's sessions, and its connection creator may be sleeping in a backoff of up
 * to 5 s) and commands go through again. If the first probe connects, it was one connection
 * that failed, or the database came back before anyone noticed: the pool's connections are
 * soft-evicted (each is replaced when it is next returned or found idle), so no command meets
 * another connection of the database's previous life.
 *
 * <p>So while the database is down, commands fail fast with {@link EngineUnavailableException};
 * they come back within about one probe interval of it returning. A statement already sent
 * when the connection broke failed too: if it was a commit, it may or may not have been
 * applied (the client was not told it was).
 */
final class ConnectionPool implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConnectionPool.class.getName());
    /** How often the probe tries the database while it is down. */
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final HikariConfig config;
    private final String url;
    private final Properties probeProperties;
    private volatile HikariDataSource pool;
    /** Non-null while the database is down: what the last attempt to reach it said. */
    private volatile String downBecause;
    private boolean probing;
    private volatile boolean closed;
    private int generation;

    ConnectionPool(HikariConfig config, String user, String password, long connectTimeoutMillis) {
        this.config = config;
        this.url = config.getJdbcUrl();
        this.probeProperties = sessionProperties(user, password, connectTimeoutMillis);
        probeProperties.setProperty("socketTimeout", Long.toString(Math.max(10, connectTimeoutSeconds(connectTimeoutMillis))));
        probeProperties.setProperty("ApplicationName", "respkv probe");
        this.pool = newPool();
    }

    /**
     * JDBC properties of a session of respkv's own outside the pool (a probe, the listener of
     * signals or messages, a background lease): the credentials and the connect timeout, which
     * the driver takes in whole seconds (rounded up, at least 1).
     */
    static Properties sessionProperties(String user, String password, long connectTimeoutMillis) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", Long.toString(connectTimeoutSeconds(connectTimeoutMillis)));
        return p;
    }

    /** A connect timeout in the driver's whole seconds: rounded up, at least 1. */
    static long connectTimeoutSeconds(long connectTimeoutMillis) {
        return Math.max(1, TimeUnit.MILLISECONDS.toSeconds(connectTimeoutMillis + 999));
    }

    private HikariDataSource newPool() {
        HikariConfig c = new HikariConfig();
        config.copyStateTo(c);
        c.setPoolName(config.getPoolName() + (generation++ == 0 ? "" : "-" + generation));
        return new HikariDataSource(c);
    }

    /** A pooled connection; fails at once with {@link EngineUnavailableException} while the database is down. */
    Connection borrow() throws SQLException {
        String down = downBecause;
        if (down != null) {
            suspect(); // the probe is running; this only makes sure
            throw new EngineUnavailableException("postgres: cannot reach " + url + ": " + down);
        }
        return pool.getConnection();
    }

    /** The current pool (for the schema migration at startup). */
    HikariDataSource current() {
        return pool;
    }

    /**
     * Whether {@code e} says the database (not one statement) failed: it cannot be reached, or is
     * shutting down, crashed, or starting up.
     */
    static boolean isUnreachable(SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException) {
            // HikariCP's timeout: unreachable if creating connections failed (its cause), else all were busy
            return e.getCause() != null;
        }
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    /** Whether {@code e} is HikariCP's timeout with every connection busy (the database itself is fine). */
    static boolean isExhausted(SQLException e) {
        return e instanceof SQLTransientConnectionException && e.getCause() == null;
    }

    /** A failure said the database may be gone: starts the probe (if not running), which decides. */
    synchronized void suspect() {
        if (probing || closed) {
            return;
        }
        probing = true;
        Thread t = new Thread(this::probe, "respkv-postgres-probe");
        t.setDaemon(true);
        t.start();
    }

    private void probe() {
        try {
            while (!closed) {
                String failure = tryConnect();
                if (failure == null && recovered()) {
                    return;
                }
                if (downBecause == null) {
                    LOG.warning("postgres: cannot reach " + url + " (" + failure + "); commands fail until it returns");
                }
                if (failure != null) {
                    downBecause = failure;
                }
                LockSupport.parkNanos(PROBE_INTERVAL_NANOS);
            }
        } finally {
            synchronized (this) {
                probing = false;
            }
        }
    }

    /** Null if a new connection could be opened and used; else why not. */
    private String tryConnect() {
        try (Connection c = DriverManager.getConnection(url, probeProperties); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** The probe connected: back to normal; false if the new pool could not connect yet. */
    private boolean recovered() {
        if (downBecause == null) {
            // Reachable: one connection failed, or the database came back before anyone saw it
            // down. Connections opened before may be dead: each is replaced when next returned.
            pool.getHikariPoolMXBean().softEvictConnections();
            return true;
        }
        HikariDataSource fresh;
        try {
            fresh = newPool();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "postgres: a new pool could not connect yet", e);
            return false; // still down: the probe goes on
        }
        HikariDataSource old = pool;
        pool = fresh;
        downBecause = null;
        LOG.info("postgres: " + url + " is reachable again");
        if (closed) {
            fresh.close();
        }
        // Closing waits for the old pool's connection creator, which may sleep in a backoff: not here.
        Thread closer = new Thread(old::close, "respkv-postgres-pool-close");
        closer.setDaemon(true);
        closer.start();
        return true;
    }

    /** Closes the pool; the probe stops. Idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }
}
