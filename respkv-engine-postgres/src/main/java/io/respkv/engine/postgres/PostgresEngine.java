package io.respkv.engine.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import io.respkv.api.ConsistencyLevel;
import io.respkv.api.Durability;
import io.respkv.api.EngineFeature;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.KeySignals;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.MessageBus;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The PostgreSQL engine: an ordered key space in one table of a PostgreSQL schema, shared by any
 * number of respkv instances (correctness comes from PostgreSQL's transactions, not from local
 * locks).
 *
 * <pre>{@code
 * try (PostgresEngine engine = PostgresEngine.builder()
 *         .url("jdbc:postgresql://db.example:5432/app")
 *         .user("respkv").password(secret)
 *         .schema("respkv")                 // the default; one schema per respkv deployment
 *         .poolSize(16)
 *         .build()) {
 *     RespServer.builder().engine(engine).start().join();
 * }
 * }</pre>
 *
 * <h2>Tables</h2>
 * On first connect the engine creates (or migrates) its schema: {@code respkv_kv (k bytea PRIMARY
 * KEY, v bytea NOT NULL)}, a version table and a commit function (see {@link PostgresSchema}). A
 * schema written by a newer respkv is refused. {@code bytea} orders by {@code memcmp}, i.e. as
 * unsigned bytes, exactly the SPI's order.
 *
 * <h2>Transactions: optimistic, validated and applied in one statement</h2>
 * A {@link Transaction} reads with single autocommit statements (one round trip per point read,
 * no database transaction held open, no lock) and records each key's row version ({@code xmin},
 * or "absent"); its writes stay in memory. {@code commit()} sends everything in one statement, a
 * call of the schema's {@code respkv_commit} function, which runs as one database transaction:
 * it locks the rows read ({@code FOR UPDATE}, in key order) and fails with SQLSTATE 40001 if one
 * changed, inserts the keys read as absent (40001 if one now exists; the insert waits for a
 * concurrent uncommitted insert of the same key), then applies the range deletes, deletes and
 * upserts. So a read-modify-write never loses an update, also across instances, and a conflict
 * surfaces as {@link TransactionConflictException} (SQLSTATEs 40001, 40P01 deadlock, 23505,
 * 55P03 lock timeout), which {@link #transact} and the server retry. This is the same contract the
 * memory engine gives (optimistic, validated at commit) with PostgreSQL row locks as the commit
 * gate.
 *
 * <p>Round trips: a transaction with one point read and no write (GET) costs one; a
 * read-modify-write of one key (INCR) costs two (the read, the commit); a key written unread
 * ({@link Transaction#putExpecting}: a plain SET) costs the commit statement alone, which checks
 * the expectation as it upserts; a read-only
 * transaction with several reads costs one more to re-validate them together. A range scan is
 * one statement (a server-side cursor, so it reads one MVCC snapshot however long it is) plus one
 * round trip per further 512 rows past the first 64; it opens a database transaction, whose
 * COMMIT rides with the commit statement or the read validation, or costs one round trip for a
 * transaction that only scanned.
 *
 * <p>Hot keys: a key whose commit conflicted is read pessimistically for a few seconds
 * ({@code SELECT ... FOR UPDATE} inside a database transaction, see {@link HotKeys}), so
 * concurrent writers of one counter queue on the row lock instead of failing validation over and
 * over.
 *
 * <h2>Background work</h2>
 * {@link #holdsBackgroundLease} grants each of the server's background tasks (active expiry, the
 * version sweeper) to one instance of a schema at a time: a PostgreSQL advisory lock held by a
 * session of the engine's own (see {@link BackgroundLeases}).
 *
 * <h2>Blocked clients across instances</h2>
 * {@link #keySignals()} carries the signals that let a push on one instance wake a client blocked
 * on another (LISTEN/NOTIFY, see {@link PostgresKeySignals}).
 *
 * <h2>Pub/sub across instances</h2>
 * {@link #messageBus()} carries PUBLISH (and keyspace notifications) to the subscribers of the
 * other instances: exactly once per listening instance, in each publisher's order, binary-safe and
 * of any size (LISTEN/NOTIFY, see {@link PostgresMessageBus}).
 *
 * <h2>Snapshots</h2>
 * A {@link Snapshot} is a {@code REPEATABLE READ READ ONLY} database transaction started when it
 * is opened; it holds one pooled connection until closed.
 *
 * <h2>When the database is down</h2>
 * Commands fail with {@link EngineUnavailableException} (the server answers {@code -ERR engine
 * unavailable: ...}): at once once the engine has seen the database go, and within the
 * {@linkplain Builder#connectionTimeout connection timeout} before. The engine probes the database
 * every 100 ms meanwhile and, when it answers again, continues with fresh connections: no restart
 * needed (see {@link ConnectionPool}).
 *
 * <h2>Durability</h2>
 * {@link Durability#SYNC} (default) sets {@code synchronous_commit = on} on the engine's
 * sessions: a commit returns once PostgreSQL flushed it (and, with synchronous standbys, once they
 * did). {@link Durability#ASYNC} sets {@code synchronous_commit = off}: a commit returns before
 * its WAL flush; a database crash can lose the last {@code 3 × wal_writer_delay} (600 ms by
 * default) of acknowledged commits, never consistency.
 */
public final class PostgresEngine implements KeyspaceEngine {

    /** How long a caller waits for a pooled connection (and a new connection for the database). */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    /** How long a statement waits for a row lock before failing as a conflict (PostgreSQL {@code lock_timeout}). */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    /** Connections in the pool. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /**
     * Whether concurrent transactions' plain unread writes and first point reads share statements
     * ({@link #commitUnread}, {@link #read}); the system property
     * {@code respkv.postgres.combineStatements=false} turns it off, for A/B measurements.
     */
    static final boolean COMBINE = Boolean.parseBoolean(System.getProperty("respkv.postgres.combineStatements", "true"));
    /** Most statements of concurrent transactions combined into one (see {@link StatementCombiner}). */
    static final int MAX_COMBINED = 64;
    /** Connections in the replica's pool unless configured. */
    public static final int DEFAULT_REPLICA_POOL_SIZE = 4;
    /** The schema respkv's tables live in unless configured. */
    public static final String DEFAULT_SCHEMA = "respkv";

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PostgresEngine.class.getName());
    private static final Set<EngineFeature> FEATURES = Set.of(EngineFeature.PERSISTENT,
            EngineFeature.NATIVE_RANGE_DELETE, EngineFeature.SHARED_STORE, EngineFeature.BLOCKING_IO,
            EngineFeature.UNREAD_WRITES);

    private final String url;
    private final String user;
    private final int poolSize;
    private final Durability durability;
    private final Duration connectionTimeout;
    private final Duration lockTimeout;
    private final Duration statementTimeout;
    final PostgresSql sql;
    final HotKeys hotKeys = new HotKeys();
    private final ConnectionPool pool;
    /** The replica's pool, for STALE reads; null without a replica URL. */
    private final ConnectionPool replicaPool;
    private final String replicaUrl;
    private final int replicaPoolSize;
    /** Set while the replica is known unreachable and that was logged (logged once per outage). */
    private final java.util.concurrent.atomic.AtomicBoolean replicaDownLogged = new java.util.concurrent.atomic.AtomicBoolean();
    private final LongAdder replicaReads = new LongAdder();
    private final LongAdder replicaFallbacks = new LongAdder();
    /**
     * While the replica lacks respkv's table (a standby that has not replayed its creation yet, or
     * a replica database without it), when to look again ({@link System#nanoTime}); 0 when it has it.
     */
    private volatile long replicaSchemaRecheckAt;
    /** How long STALE reads go to the primary before the replica is looked at again when it lacked the table. */
    static final long REPLICA_SCHEMA_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final BackgroundLeases leases;
    /** Combines the one-statement commits of concurrent plain SETs (see {@link #commitUnread}). */
    private final StatementCombiner<UnreadWrite, Boolean> unreadWrites;
    /** Combines the first point reads of concurrent transactions (see {@link #read}). */
    private final StatementCombiner<byte[], PostgresTransaction.Read> pointReads;
    /** Opened by the first {@link #keySignals()} call (a server over this engine). Guarded by this. */
    private PostgresKeySignals signals;
    /** Opened by the first {@link #messageBus()} call. Guarded by this. */
    private PostgresMessageBus bus;
    private final String password;
    /** Statements sent (each is one round trip), for tests and {@link #roundTrips()}. */
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    /** Left by a transaction whose expectation failed, for the next one begun on its thread (the retry). */
    private final ThreadLocal<Map<HotKeys.Key, PostgresTransaction.Read>> retryHints = new ThreadLocal<>();
    private volatile boolean closed;

    private PostgresEngine(Builder b) {
        this.url = b.url;
        this.user = b.user;
        this.password = b.password;
        this.poolSize = b.poolSize;
        this.durability = b.durability;
        this.connectionTimeout = b.connectionTimeout;
        this.lockTimeout = b.lockTimeout;
        this.statementTimeout = b.statementTimeout;
        this.sql = new PostgresSql(b.schema);
        HikariConfig config = new HikariConfig();
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(url);
        if (b.user != null) {
            config.setUsername(b.user);
        }
        if (b.password != null) {
            config.setPassword(b.password);
        }
        config.setPoolName("respkv-postgres-" + b.schema);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(Math.max(250, connectionTimeout.toMillis()));
        config.setInitializationFailTimeout(Math.max(1, connectionTimeout.toMillis()));
        config.setAutoCommit(true);
        config.addDataSourceProperty("ApplicationName", "respkv");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // Every session: read committed (whatever the server default), the configured durability and timeouts.
        config.setConnectionInitSql("SET default_transaction_isolation = 'read committed';"
                + " SET synchronous_commit = " + (durability == Durability.SYNC ? "on" : "off") + ";"
                + " SET lock_timeout = " + lockTimeout.toMillis() + ";"
                + " SET statement_timeout = " + statementTimeout.toMillis());
        ConnectionPool connections;
        try {
            connections = new ConnectionPool(config, b.user, b.password, connectionTimeout.toMillis());
        } catch (RuntimeException e) {
            throw new PostgresEngineException("cannot connect to " + url + ": " + rootMessage(e), null, e);
        }
        this.pool = connections;
        this.replicaUrl = b.replicaUrl;
        this.replicaPoolSize = b.replicaPoolSize;
        this.replicaPool = replicaUrl == null ? null : openReplicaPool(b);
        int combined = Math.max(1, Math.min(4, poolSize / 4));
        this.unreadWrites = new StatementCombiner<>(new UnreadWrites(), combined, MAX_COMBINED);
        this.pointReads = new StatementCombiner<>(new PointReads(), combined, MAX_COMBINED);
        this.leases = new BackgroundLeases(url, b.user, b.password, b.schema, connectionTimeout.toMillis());
        try (Connection conn = pool.current().getConnection()) {
            PostgresSchema.migrate(conn, sql);
        } catch (SQLException e) {
            pool.close();
            if (replicaPool != null) {
                replicaPool.close();
            }
            throw new PostgresEngineException("cannot prepare schema \"" + b.schema + "\" at " + url + ": "
                    + e.getMessage(), e.getSQLState(), e);
        } catch (RuntimeException e) {
            pool.close();
            if (replicaPool != null) {
                replicaPool.close();
            }
            throw e;
        }
    }

    /**
     * The replica's pool: read committed, read only, no wait for the replica at startup (STALE
     * reads fall back to the primary while it cannot be reached).
     */
    private ConnectionPool openReplicaPool(Builder b) {
        HikariConfig config = new HikariConfig();
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(b.replicaUrl);
        if (b.user != null) {
            config.setUsername(b.user);
        }
        if (b.password != null) {
            config.setPassword(b.password);
        }
        config.setPoolName("respkv-postgres-replica-" + b.schema);
        config.setMaximumPoolSize(b.replicaPoolSize);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Math.max(250, connectionTimeout.toMillis()));
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        config.addDataSourceProperty("ApplicationName", "respkv replica reads");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.setConnectionInitSql("SET default_transaction_isolation = 'read committed';"
                + " SET default_transaction_read_only = on;"
                + " SET statement_timeout = " + statementTimeout.toMillis());
        return new ConnectionPool(config, b.user, b.password, connectionTimeout.toMillis());
    }

    /** A builder; {@link Builder#url} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Set<EngineFeature> features() {
        return FEATURES;
    }

    @Override
    public Transaction begin() {
        ensureOpen();
        return new PostgresTransaction(this);
    }

    /**
     * A read-only command's transaction. {@link ConsistencyLevel#STALE} reads from the replica
     * when one is configured ({@link Builder#replicaUrl}), and from the primary while the replica
     * cannot be reached; every other level reads the primary, as {@link #begin()} does. A STALE
     * transaction refuses writes.
     */
    @Override
    public Transaction beginRead(ConsistencyLevel level) {
        ensureOpen();
        return new PostgresTransaction(this, level == ConsistencyLevel.STALE && replicaPool != null);
    }

    @Override
    public Snapshot snapshot() {
        ensureOpen();
        return new PostgresSnapshot(this);
    }

    /**
     * One instance at a time among those sharing this schema holds each background task's lease: a
     * PostgreSQL advisory lock held by a session of the engine's own, outside the pool (see
     * {@link BackgroundLeases}). Checked against the database at most once a second; another
     * instance takes the lease over within about a second of the holder's engine closing or its
     * session ending.
     */
    @Override
    public boolean holdsBackgroundLease(String task) {
        return !closed && leases.holds(task);
    }

    /**
     * Signals between the instances sharing this schema, over LISTEN/NOTIFY (see
     * {@link PostgresKeySignals}): a push on one instance wakes the clients blocked on that key on
     * another. Opened on the first call (one more connection and thread, outside the pool).
     */
    @Override
    public synchronized KeySignals keySignals() {
        ensureOpen();
        if (signals == null) {
            signals = new PostgresKeySignals(url, user, password, sql, connectionTimeout.toMillis());
        }
        return signals;
    }

    /**
     * Messages between the instances sharing this schema, over LISTEN/NOTIFY (see
     * {@link PostgresMessageBus}): a PUBLISH on one instance reaches the subscribers of every
     * other. Opened on the first call (two more connections and threads, outside the pool).
     */
    @Override
    public synchronized MessageBus messageBus() {
        ensureOpen();
        if (bus == null) {
            bus = new PostgresMessageBus(url, user, password, sql, connectionTimeout.toMillis());
        }
        return bus;
    }

    /** The JDBC URL the engine connects to. */
    public String url() {
        return url;
    }

    /** The replica's JDBC URL, read by STALE transactions; null if none. */
    public String replicaUrl() {
        return replicaUrl;
    }

    /** Connections in the replica's pool at most. */
    public int replicaPoolSize() {
        return replicaPoolSize;
    }

    /** STALE transactions that read from the replica so far. */
    public long replicaReads() {
        return replicaReads.sum();
    }

    /** STALE transactions that read from the primary because the replica could not be reached. */
    public long replicaFallbacks() {
        return replicaFallbacks.sum();
    }

    /** The database user (null: from the URL or the driver's default). */
    public String user() {
        return user;
    }

    /** The schema holding respkv's tables. */
    public String schema() {
        return sql.schema;
    }

    /** Connections in the pool at most. */
    public int poolSize() {
        return poolSize;
    }

    /** The configured durability. */
    public Durability durability() {
        return durability;
    }

    /** How long a caller waits for a pooled connection. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** How long a statement waits for a row lock before the transaction fails as a conflict. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** The longest a statement may run ({@link Duration#ZERO}: no limit). */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** Statements sent to PostgreSQL so far, each one network round trip (pool health checks not counted). */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /** Transactions of this engine that failed with a conflict so far. */
    public long conflicts() {
        return conflicts.sum();
    }

    /** Closes the connection pool. Open transactions and snapshots fail on their next call. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        PostgresKeySignals s;
        PostgresMessageBus m;
        synchronized (this) {
            s = signals;
            m = bus;
        }
        if (s != null) {
            s.close();
        }
        if (m != null) {
            m.close();
        }
        leases.close();
        pool.close();
        if (replicaPool != null) {
            replicaPool.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The value of a PostgreSQL setting in the engine's sessions ({@code SHOW name}); for tests. */
    String sessionSetting(String name) {
        try (Connection c = borrow(); var st = c.createStatement();
             var rs = st.executeQuery("SHOW " + name.replaceAll("[^a-z_]", ""))) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw failure("show " + name, e);
        }
    }

    /**
     * Hands the next transaction begun on this thread what a failed expectation learnt: keys it
     * must read rather than write unread (mapped to null) and what a key held (a read it may use
     * instead of a round trip; the commit validates it as any read). The server retries a
     * conflicting command at once on the same thread, so that next transaction is the retry;
     * if it is not, the hints cost it nothing but the unread write of those keys.
     */
    void hintRetry(Map<HotKeys.Key, PostgresTransaction.Read> hints) {
        retryHints.set(hints);
    }

    /** The hints left for the transaction being begun on this thread (see {@link #hintRetry}), or null. */
    Map<HotKeys.Key, PostgresTransaction.Read> takeRetryHints() {
        Map<HotKeys.Key, PostgresTransaction.Read> hints = retryHints.get();
        if (hints != null) {
            retryHints.remove();
        }
        return hints;
    }

    void countRoundTrip() {
        roundTrips.increment();
    }

    /**
     * Borrows a pooled connection (autocommit on, read committed). While the database is down
     * this fails at once with {@link EngineUnavailableException} (see {@link ConnectionPool}).
     */
    Connection borrow() {
        ensureOpen();
        try {
            return pool.borrow();
        } catch (SQLException e) {
            throw failure("connect", e);
        }
    }

    /** A key written unread by a transaction that writes nothing else: the value, the expected prefix. */
    record UnreadWrite(byte[] key, byte[] value, byte[] prefix) {
    }

    /**
     * Commits a transaction whose only work is one key written unread (a plain SET): the upsert
     * with its expectation, combined with those of other transactions committing at the same time
     * into one statement (one round trip, one database transaction, one WAL flush; see
     * {@link StatementCombiner}). Each key's outcome is its own: whether it held what was expected
     * (and so was written). Alone, it is exactly the one-key statement.
     */
    boolean commitUnread(byte[] key, byte[] value, byte[] prefix) throws SQLException {
        return unreadWrites.run(new UnreadWrite(key, value, prefix));
    }

    /**
     * A transaction's point read of {@code key} on no connection of its own, combined with those of
     * other transactions reading at the same time into one statement. Each read is of the
     * committed state at some moment between its call and its return, as a read alone is.
     */
    PostgresTransaction.Read read(byte[] key) throws SQLException {
        return pointReads.run(key);
    }

    private final class UnreadWrites implements StatementCombiner.Batch<UnreadWrite, Boolean> {
        @Override
        public boolean accepts(java.util.List<UnreadWrite> batch, UnreadWrite item) {
            if (!java.util.Arrays.equals(batch.get(0).prefix(), item.prefix())) {
                return false;
            }
            for (UnreadWrite w : batch) {
                if (java.util.Arrays.equals(w.key(), item.key())) {
                    return false; // ON CONFLICT DO UPDATE cannot touch a row twice in one statement
                }
            }
            return true;
        }

        @Override
        public java.util.List<Boolean> run(java.util.List<UnreadWrite> items) throws SQLException {
            try (Connection c = borrow()) {
                countRoundTrip();
                if (items.size() == 1) {
                    UnreadWrite w = items.get(0);
                    try (var ps = c.prepareStatement(sql.upsertExpecting)) {
                        ps.setBytes(1, w.key());
                        ps.setBytes(2, w.value());
                        ps.setBytes(3, w.prefix());
                        ps.setBytes(4, w.prefix());
                        return java.util.List.of(ps.executeUpdate() == 1);
                    }
                }
                byte[][] keys = new byte[items.size()][];
                byte[][] values = new byte[items.size()][];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = items.get(i).key();
                    values[i] = items.get(i).value();
                }
                java.util.Set<HotKeys.Key> written = new java.util.HashSet<>();
                try (var ps = c.prepareStatement(sql.upsertExpectingMany)) {
                    ps.setArray(1, c.createArrayOf("bytea", keys));
                    ps.setArray(2, c.createArrayOf("bytea", values));
                    ps.setBytes(3, items.get(0).prefix());
                    ps.setBytes(4, items.get(0).prefix());
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            written.add(new HotKeys.Key(rs.getBytes(1)));
                        }
                    }
                }
                java.util.List<Boolean> out = new java.util.ArrayList<>(items.size());
                for (UnreadWrite w : items) {
                    out.add(written.contains(new HotKeys.Key(w.key())));
                }
                return out;
            }
        }
    }

    private final class PointReads implements StatementCombiner.Batch<byte[], PostgresTransaction.Read> {
        @Override
        public boolean accepts(java.util.List<byte[]> batch, byte[] item) {
            return true;
        }

        @Override
        public java.util.List<PostgresTransaction.Read> run(java.util.List<byte[]> items) throws SQLException {
            try (Connection c = borrow()) {
                countRoundTrip();
                if (items.size() == 1) {
                    try (var ps = c.prepareStatement(sql.get)) {
                        ps.setBytes(1, items.get(0));
                        try (var rs = ps.executeQuery()) {
                            return java.util.List.of(rs.next() ? new PostgresTransaction.Read(rs.getLong(2), rs.getBytes(1))
                                    : new PostgresTransaction.Read(PostgresTransaction.ABSENT, null));
                        }
                    }
                }
                java.util.Map<HotKeys.Key, PostgresTransaction.Read> found = new java.util.HashMap<>();
                try (var ps = c.prepareStatement(sql.getMany)) {
                    ps.setArray(1, c.createArrayOf("bytea", items.toArray(new byte[0][])));
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.put(new HotKeys.Key(rs.getBytes(1)), new PostgresTransaction.Read(rs.getLong(3),
                                    rs.getBytes(2)));
                        }
                    }
                }
                java.util.List<PostgresTransaction.Read> out = new java.util.ArrayList<>(items.size());
                for (byte[] key : items) {
                    PostgresTransaction.Read r = found.get(new HotKeys.Key(key));
                    out.add(r != null ? r : new PostgresTransaction.Read(PostgresTransaction.ABSENT, null));
                }
                return out;
            }
        }
    }

    /**
     * A connection of the replica's pool for a STALE transaction, or null when the replica cannot
     * be reached (the transaction then reads the primary; logged once per outage). Fails only when
     * the engine is closed.
     */
    Connection borrowReplica() {
        ensureOpen();
        long recheckAt = replicaSchemaRecheckAt;
        if (recheckAt != 0 && System.nanoTime() - recheckAt < 0) {
            replicaFallbacks.increment(); // logged when it was found missing
            return null;
        }
        try {
            Connection c = replicaPool.borrow();
            if (recheckAt != 0 && !replicaHasTable(c)) {
                return null;
            }
            replicaReads.increment();
            if (replicaDownLogged.compareAndSet(true, false)) {
                LOG.info("postgres: replica " + replicaUrl + " is reachable again; STALE reads go to it");
            }
            return c;
        } catch (SQLException e) {
            if (ConnectionPool.isUnreachable(e)) {
                replicaPool.suspect();
            }
            replicaUnavailable(describe(e));
            return null;
        } catch (EngineUnavailableException e) {
            replicaUnavailable(e.getMessage());
            return null;
        }
    }

    /**
     * Whether the replica has respkv's table now, after a STALE read found it missing; if not, the
     * connection goes back to the pool and STALE reads keep going to the primary for a while.
     */
    private boolean replicaHasTable(Connection c) throws SQLException {
        boolean has;
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, sql.table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                has = rs.getBoolean(1);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        if (has) {
            replicaSchemaRecheckAt = 0;
            LOG.info("postgres: replica " + replicaUrl + " has " + sql.table + " now; STALE reads go to it");
            return true;
        }
        c.close();
        replicaSchemaRecheckAt = recheckTime();
        replicaFallbacks.increment();
        return false;
    }

    private static long recheckTime() {
        long t = System.nanoTime() + REPLICA_SCHEMA_RECHECK_NANOS;
        return t == 0 ? 1 : t; // 0 means "has the table"
    }

    /** Whether {@code e} says a relation or schema is not there (respkv's, on the replica: not replayed yet). */
    static boolean isSchemaMissing(SQLException e) {
        String state = e.getSQLState();
        return "42P01".equals(state)    // undefined_table
                || "3F000".equals(state); // invalid_schema_name
    }

    private void replicaUnavailable(String why) {
        replicaFallbacks.increment();
        if (replicaDownLogged.compareAndSet(false, true)) {
            LOG.warning("postgres: replica " + replicaUrl + " cannot be reached (" + why + "); STALE reads go to the"
                    + " primary until it returns");
        }
    }

    /**
     * Maps a failure of a statement on the replica: the replica's pool checks whether it is gone
     * (then the next STALE reads go to the primary); conflicts as usual.
     */
    RuntimeException replicaFailure(String what, SQLException e) {
        if (isConflict(e)) {
            conflicts.increment();
            return new TransactionConflictException("postgres replica: " + what + " conflicts with replication ("
                    + e.getMessage() + ")", e);
        }
        if (isSchemaMissing(e)) {
            // The replica has not (yet) got respkv's table: like a replica that cannot be reached,
            // retried by the caller as a conflict is, and the retry reads the primary; the replica
            // is looked at again after a while.
            boolean first = replicaSchemaRecheckAt == 0;
            replicaSchemaRecheckAt = recheckTime();
            if (first) {
                LOG.warning("postgres: replica " + replicaUrl + " lacks respkv's table (" + e.getMessage()
                        + "), not replayed yet?; STALE reads go to the primary until it has it");
            }
            return new TransactionConflictException("postgres: " + what + " on the replica " + replicaUrl
                    + " failed: " + e.getMessage() + "; read the primary instead", e);
        }
        if (ConnectionPool.isUnreachable(e)) {
            // Retried by the caller as a conflict is: the retry's transaction finds the replica
            // down (or waits for a new connection) and reads the primary instead.
            replicaPool.suspect();
            replicaUnavailable(describe(e));
            return new TransactionConflictException("postgres: " + what + " failed: cannot reach the replica "
                    + replicaUrl + ": " + describe(e), e);
        }
        String state = e.getSQLState();
        if ("40001".equals(state) || (state != null && state.startsWith("40"))) {
            conflicts.increment();
            return new TransactionConflictException("postgres replica: " + what + " canceled (" + e.getMessage() + ")", e);
        }
        return new PostgresEngineException("postgres replica: " + what + " failed: " + e.getMessage()
                + (state != null ? " [SQLSTATE " + state + "]" : ""), state, e);
    }

    private void ensureOpen() {
        if (closed) {
            throw closedException();
        }
    }

    IllegalStateException closedException() {
        return new IllegalStateException("postgres engine is closed: " + url + " schema " + sql.schema);
    }

    /** Whether {@code e} says the transaction lost a race and may simply be retried. */
    static boolean isConflict(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state)     // serialization_failure (also raised by respkv_commit)
                || "40P01".equals(state) // deadlock_detected
                || "23505".equals(state) // unique_violation: a concurrent insert of the same key
                || "55P03".equals(state); // lock_not_available: lock_timeout expired
    }

    /** Maps a JDBC failure: conflicts to {@link TransactionConflictException}, the rest to ours. */
    RuntimeException failure(String what, SQLException e) {
        if (isConflict(e)) {
            conflicts.increment();
            return new TransactionConflictException("postgres: " + what + " conflicts with a concurrent transaction ("
                    + e.getMessage() + ")", e);
        }
        if (closed) {
            IllegalStateException ise = closedException();
            ise.initCause(e);
            return ise;
        }
        if (ConnectionPool.isExhausted(e)) {
            return new EngineUnavailableException("postgres: no pooled connection came free within "
                    + connectionTimeout.toMillis() + " ms (pool size " + poolSize + ", all in use)", e);
        }
        if (ConnectionPool.isUnreachable(e)) {
            pool.suspect();
            return new EngineUnavailableException("postgres: " + what + " failed: cannot reach " + url + ": "
                    + describe(e), e);
        }
        String state = e.getSQLState();
        if ("54000".equals(state) && e.getMessage() != null && e.getMessage().contains("index row")) {
            return new PostgresEngineException("postgres: " + what + " failed: a key is too long for PostgreSQL's btree"
                    + " index (about 2.7 KB at most): " + e.getMessage(), state, e);
        }
        return new PostgresEngineException("postgres: " + what + " failed: " + e.getMessage()
                + (state != null ? " [SQLSTATE " + state + "]" : ""), state, e);
    }

    TransactionConflictException conflict(String message) {
        conflicts.increment();
        return new TransactionConflictException("postgres: " + message);
    }

    /** The failure's message, and its root cause's when that says more (e.g. "Connection refused"). */
    private static String describe(Throwable e) {
        String root = rootMessage(e);
        String top = e.getMessage();
        return top == null ? String.valueOf(root) : root == null || top.contains(root) ? top : top + " (" + root + ")";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Configures and opens a {@link PostgresEngine}. */
    public static final class Builder {
        private String url;
        private String user;
        private String password;
        private String schema = DEFAULT_SCHEMA;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Durability durability = Durability.SYNC;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private Duration statementTimeout = Duration.ZERO;
        private String replicaUrl;
        private int replicaPoolSize = DEFAULT_REPLICA_POOL_SIZE;

        private Builder() {
        }

        /**
         * A replica of the database (a streaming standby, or a logical replica of respkv's
         * tables), read by the transactions of connections at {@link ConsistencyLevel#STALE}
         * ({@link PostgresEngine#beginRead}); default none: every read goes to the primary. Same
         * user, password and schema as the primary. While it cannot be reached, STALE reads go to
         * the primary (logged once); the engine opens even if it is down.
         */
        public Builder replicaUrl(String url) {
            if (url != null && !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("replicaUrl must be a jdbc:postgresql: URL, got '" + url + "'");
            }
            this.replicaUrl = url;
            return this;
        }

        /** Connections in the replica's pool at most (default {@value #DEFAULT_REPLICA_POOL_SIZE}). */
        public Builder replicaPoolSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("replicaPoolSize must be >= 1, got " + size);
            }
            this.replicaPoolSize = size;
            return this;
        }

        /** The JDBC URL, e.g. {@code jdbc:postgresql://localhost:5432/app} (required). */
        public Builder url(String url) {
            requireNonNull(url, "url");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("url must be a jdbc:postgresql: URL, got '" + url + "'");
            }
            this.url = url;
            return this;
        }

        /** The database user (default: as the URL says, else the driver's default). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** The user's password (default: as the URL says, or none). */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * The schema respkv's tables live in (default {@value #DEFAULT_SCHEMA}); created if missing.
         * Deployments that must not see each other's data use different schemas of one database.
         * A plain identifier: letters, digits and underscores, not starting with a digit.
         */
        public Builder schema(String schema) {
            requireNonNull(schema, "schema");
            if (!PostgresSql.SCHEMA_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("schema must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most"
                        + " 63 characters), got '" + schema + "'");
            }
            this.schema = schema;
            return this;
        }

        /**
         * Pooled connections at most (default {@value #DEFAULT_POOL_SIZE}). Each open transaction
         * that has touched the database and each open snapshot holds one, so this bounds the
         * commands in flight; a caller waits up to {@link #connectionTimeout} for one.
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /** SYNC (default): {@code synchronous_commit = on}; ASYNC: {@code off} (see the class comment). */
        public Builder durability(Durability durability) {
            this.durability = requireNonNull(durability, "durability");
            return this;
        }

        /**
         * How long to wait for a pooled connection, and for the database when connecting (default
         * 1 s, at least 250 ms); the engine fails to open if the database cannot be reached in it.
         * It bounds how long a command waits before failing when the database has just gone away
         * (once the engine knows it is down, commands fail at once) and when every pooled
         * connection is busy; keep it below the clients' own timeouts (Jedis: 2 s).
         */
        public Builder connectionTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectionTimeout must be >= 250 ms, got " + timeout);
            }
            this.connectionTimeout = timeout;
            return this;
        }

        /**
         * How long a statement waits for a row lock (PostgreSQL {@code lock_timeout}, default 1 s,
         * at least 1 ms) before the transaction fails with a conflict and is retried.
         */
        public Builder lockTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("lockTimeout must be >= 1 ms, got " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * The longest one statement may run (PostgreSQL {@code statement_timeout}; default
         * {@link Duration#ZERO}, no limit: a range delete of a huge collection is one statement).
         */
        public Builder statementTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("statementTimeout must be >= 0, got " + timeout);
            }
            this.statementTimeout = timeout;
            return this;
        }

        /**
         * Connects, creates or migrates the schema, and returns the engine.
         *
         * @throws PostgresEngineException if the database cannot be reached, or its schema was
         *                                 written by a newer respkv
         */
        public PostgresEngine build() {
            if (url == null) {
                throw new IllegalStateException("url is required");
            }
            return new PostgresEngine(this);
        }
    }
}
