package io.respkv.engine.postgres;

import io.respkv.api.KvCursor;
import io.respkv.api.Snapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL snapshot: a {@code REPEATABLE READ, READ ONLY} database transaction on one pooled
 * connection. Its MVCC snapshot is taken when it opens (one round trip), so later commits are
 * invisible to it; scans read through server-side cursors of that transaction. Closing it ends the
 * transaction (one round trip) and returns the connection.
 */
final class PostgresSnapshot implements Snapshot {

    private final PostgresEngine engine;
    private final PostgresSql sql;
    private Connection conn;
    private final List<PostgresCursor> cursors = new ArrayList<>(2);

    PostgresSnapshot(PostgresEngine engine) {
        this.engine = engine;
        this.sql = engine.sql;
        Connection c = engine.borrow();
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                engine.countRoundTrip();
                st.execute(sql.beginSnapshot);
            }
        } catch (SQLException e) {
            try {
                c.rollback();
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw engine.failure("snapshot", e);
        }
        this.conn = c;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureOpen();
        try (PreparedStatement ps = conn.prepareStatement(sql.snapshotGet)) {
            ps.setBytes(1, key);
            engine.countRoundTrip();
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw engine.failure("snapshot get", e);
        }
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureOpen();
        PostgresCursor cursor = new PostgresCursor(new PortalRows(engine, () -> conn, engine::failure, low, high, reverse),
                low, high, reverse, null, List.of(), cursors::remove);
        cursors.add(cursor);
        return cursor;
    }

    @Override
    public void close() {
        Connection c = conn;
        if (c == null) {
            return;
        }
        for (PostgresCursor cursor : new ArrayList<>(cursors)) {
            cursor.close();
        }
        conn = null;
        try {
            engine.countRoundTrip();
            c.commit(); // read only: ends the transaction, nothing to make durable
        } catch (SQLException e) {
            // the pool discards the connection if it is broken
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                // nothing to recover
            }
        }
    }

    private void ensureOpen() {
        if (conn == null) {
            throw new IllegalStateException("snapshot is closed");
        }
        if (engine.isClosed()) {
            throw engine.closedException();
        }
    }
}
