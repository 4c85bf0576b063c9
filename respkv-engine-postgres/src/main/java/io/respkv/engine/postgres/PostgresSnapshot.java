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
        PostgresCursor cursor = new PostgresCursor(new Rows(low, high, reverse), low, high, reverse, null, List.of(),
                cursors::remove);
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

    /** The rows of one scan, from a server-side cursor of the snapshot's transaction. */
    private final class Rows implements PostgresCursor.DbRows {
        private final byte[] low;
        private final byte[] high;
        private final boolean reverse;
        private PreparedStatement statement;
        private ResultSet rs;
        private boolean done;

        Rows(byte[] low, byte[] high, boolean reverse) {
            this.low = low == null || low.length == 0 ? null : low.clone();
            this.high = high == null ? null : high.clone();
            this.reverse = reverse;
        }

        @Override
        public PostgresCursor.Row next() {
            if (done) {
                return null;
            }
            try {
                if (rs == null) {
                    statement = conn.prepareStatement(sql.scan(low != null, high != null, reverse, false));
                    // small first fetch: many scans want a few rows; later fetches are larger
                    statement.setFetchSize(PostgresTransaction.FIRST_PAGE);
                    int p = 1;
                    if (low != null) {
                        statement.setBytes(p++, low);
                    }
                    if (high != null) {
                        statement.setBytes(p, high);
                    }
                    engine.countRoundTrip();
                    rs = statement.executeQuery();
                    rs.setFetchSize(PostgresTransaction.CURSOR_FETCH);
                }
                if (rs.next()) {
                    return new PostgresCursor.Row(rs.getBytes(1), rs.getBytes(2), rs.getLong(3));
                }
                close();
                return null;
            } catch (SQLException e) {
                throw engine.failure("snapshot scan", e);
            }
        }

        @Override
        public void close() {
            done = true;
            try {
                if (rs != null) {
                    rs.close();
                }
                if (statement != null) {
                    statement.close();
                }
            } catch (SQLException e) {
                // closing a portal is queued by pgjdbc; nothing to recover
            }
            rs = null;
            statement = null;
        }
    }
}
