package io.respkv.engine.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.BiFunction;

/**
 * The committed rows of one range scan, read through a server-side cursor (a portal of the
 * connection's open database transaction): one statement, so one MVCC snapshot however long the
 * scan. The first fetch brings {@value #FIRST_FETCH} rows (many scans want only a few), later
 * ones {@value #NEXT_FETCH}; each fetch is one round trip.
 */
final class PortalRows implements PostgresCursor.DbRows {

    static final int FIRST_FETCH = 64;
    static final int NEXT_FETCH = 512;

    /** Opens the portal on first use: the caller makes sure a database transaction is open. */
    interface Opener {
        Connection open() throws SQLException;
    }

    private final PostgresEngine engine;
    private final Opener opener;
    private final BiFunction<String, SQLException, RuntimeException> failure;
    private final byte[] low;
    private final byte[] high;
    private final boolean reverse;
    private PreparedStatement statement;
    private ResultSet rs;
    private long rowsRead;
    private boolean done;

    PortalRows(PostgresEngine engine, Opener opener, BiFunction<String, SQLException, RuntimeException> failure,
               byte[] low, byte[] high, boolean reverse) {
        this.engine = engine;
        this.opener = opener;
        this.failure = failure;
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
                Connection conn = opener.open();
                statement = conn.prepareStatement(engine.sql.scan(low != null, high != null, reverse));
                statement.setFetchSize(FIRST_FETCH);
                int p = 1;
                if (low != null) {
                    statement.setBytes(p++, low);
                }
                if (high != null) {
                    statement.setBytes(p, high);
                }
                engine.countRoundTrip();
                rs = statement.executeQuery();
                rs.setFetchSize(NEXT_FETCH);
            } else if (rowsRead == FIRST_FETCH || (rowsRead > FIRST_FETCH && (rowsRead - FIRST_FETCH) % NEXT_FETCH == 0)) {
                engine.countRoundTrip(); // the batch fetched so far is used up: pgjdbc fetches the next one
            }
            if (rs.next()) {
                rowsRead++;
                return new PostgresCursor.Row(rs.getBytes(1), rs.getBytes(2), rs.getLong(3));
            }
            close();
            return null;
        } catch (SQLException e) {
            throw failure.apply("scan", e);
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
            // closing a portal is queued by pgjdbc with the next statement; nothing to recover
        }
        rs = null;
        statement = null;
    }
}
