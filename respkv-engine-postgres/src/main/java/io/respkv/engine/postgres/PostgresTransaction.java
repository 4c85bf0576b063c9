package io.respkv.engine.postgres;

import io.respkv.api.KeyOrder;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link PostgresEngine} transaction: optimistic reads recorded with their row versions, writes
 * buffered in key order, everything validated and applied at commit by one call of
 * {@code respkv_commit} (see {@link PostgresSchema#COMMIT_FUNCTION_V2}).
 *
 * <p>No database transaction is open while the command runs, unless it needs one: a scan (a
 * server-side cursor, so that a scan of any length reads one MVCC snapshot, lives in a
 * transaction) or a read of a {@linkplain HotKeys hot key} ({@code FOR UPDATE} holds its lock
 * until the end). Then the connection leaves autocommit (pgjdbc sends BEGIN with the next
 * statement, no extra round trip) and the commit statement, or a read-only transaction's
 * validation, is followed by COMMIT in the same round trip.
 *
 * <p>A key written unread ({@link #putExpecting}) is upserted by the commit statement on the
 * condition that its current value is as expected; if it is not, nothing is written, the commit
 * fails as a conflict, and the next transaction begun on this thread (the retry) reads the key
 * instead ({@link PostgresEngine#takeRetryHints}). When the commit function found the row, the
 * retry gets it as a read it need not repeat, and costs the commit alone, as a read-modify-write
 * that had read the key first would have.
 *
 * <p>Reads see the transaction's own writes and hide its deleted ranges, in Java: own writes are
 * kept in a sorted map (shared with open cursors, copied before the next write), as in the other
 * engines.
 */
final class PostgresTransaction implements Transaction {

    /** Marks a buffered deletion in {@link #writes} (compared by identity). */
    static final byte[] TOMBSTONE = new byte[0];
    /** Row version recorded for a key read as absent ({@code xmin} is never 0). */
    static final long ABSENT = 0;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[][] NO_KEYS = new byte[0][];

    private final PostgresEngine engine;
    private final PostgresSql sql;
    /** A STALE read ({@link PostgresEngine#beginRead}): reads from the replica when there is one, never writes. */
    private final boolean stale;
    /** The connection is the replica's. */
    private boolean onReplica;
    private Connection conn;
    /** Autocommit is off: a database transaction is (or will be, at the next statement) open. */
    private boolean inDbTransaction;
    /** Own writes by key; {@link #TOMBSTONE} = deleted. Null until the first write. */
    private TreeMap<byte[], byte[]> writes;
    /** A cursor iterates {@link #writes}: copy it before the next change. */
    private boolean writesShared;
    /** Ranges deleted, {low, high-or-null}; copied on change for the same reason. */
    private List<byte[][]> deletedRanges = List.of();
    /** Keys read from the database, with the version and value seen. Null until the first read. */
    private Map<HotKeys.Key, Read> reads;
    /** Keys written unread, with the prefix each is expected to start with (or be absent); null until the first. */
    private TreeMap<byte[], byte[]> expectations;
    /**
     * What a failed expectation of the previous transaction on this thread found: a read to use
     * instead of a round trip, or null for "read it, do not write it unread again". Null if none.
     */
    private final Map<HotKeys.Key, Read> retryHints;
    /** A read came from {@link #retryHints}: a read-only commit validates it. */
    private boolean hintedRead;
    /** Scans that read from the database. */
    private int dbScans;
    private List<PostgresCursor> cursors;
    private boolean finished;

    /** One point read: the row version ({@link #ABSENT}: no row) and the value. */
    record Read(long version, byte[] value) {
    }

    PostgresTransaction(PostgresEngine engine) {
        this(engine, false);
    }

    /** {@code stale}: a read-only transaction that may read from the replica (no hot-key locks, no retry hints). */
    PostgresTransaction(PostgresEngine engine, boolean stale) {
        this.engine = engine;
        this.sql = engine.sql;
        this.stale = stale;
        this.retryHints = stale ? null : engine.takeRetryHints();
    }

    @Override
    public byte[] get(byte[] key) {
        ensureActive();
        if (writes != null) {
            byte[] own = writes.get(key);
            if (own != null) {
                return own == TOMBSTONE ? null : own;
            }
        }
        if (PostgresCursor.inRanges(key, deletedRanges)) {
            return null;
        }
        HotKeys.Key k = new HotKeys.Key(key.clone());
        if (reads == null) {
            reads = new LinkedHashMap<>();
        } else {
            Read seen = reads.get(k);
            if (seen != null) {
                return seen.value; // read once: the commit validates that version
            }
        }
        if (retryHints != null) {
            Read hinted = retryHints.get(k);
            if (hinted != null) {
                reads.put(k, hinted); // validated by the commit like any read
                hintedRead = true;
                return hinted.value;
            }
        }
        boolean hot = !stale && engine.hotKeys.isHot(key);
        if (hot) {
            beginDbTransaction();
        }
        Read read;
        if (!hot && !stale && conn == null && PostgresEngine.COMBINE) {
            // no connection of its own yet: combined with the other transactions reading now
            try {
                read = engine.read(key);
            } catch (SQLException e) {
                throw failed("get", e);
            }
            reads.put(k, read);
            return read.value;
        }
        try (PreparedStatement ps = connection().prepareStatement(hot ? sql.getForUpdate : sql.get)) {
            ps.setBytes(1, key);
            engine.countRoundTrip();
            try (ResultSet rs = ps.executeQuery()) {
                read = rs.next() ? new Read(rs.getLong(2), rs.getBytes(1)) : new Read(ABSENT, null);
            }
        } catch (SQLException e) {
            throw failed("get", e);
        }
        reads.put(k, read);
        return read.value;
    }

    @Override
    public KvCursor scan(byte[] low, byte[] high, boolean reverse) {
        ensureActive();
        TreeMap<byte[], byte[]> own = writes;
        if (own != null) {
            writesShared = true;
        }
        PortalRows rows = new PortalRows(engine, () -> {
            dbScans++;
            beginDbTransaction();
            return connection();
        }, this::failed, low, high, reverse);
        PostgresCursor cursor = new PostgresCursor(rows, low, high, reverse, own, deletedRanges, this::forget);
        if (cursors == null) {
            cursors = new ArrayList<>(2);
        }
        cursors.add(cursor);
        return cursor;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ensureWritable();
        ownWrites().put(key.clone(), value.clone());
    }

    @Override
    public boolean putExpecting(byte[] key, byte[] value, byte[] expectedPrefix) {
        ensureWritable();
        if ((writes != null && writes.containsKey(key)) || PostgresCursor.inRanges(key, deletedRanges)) {
            return false; // this transaction knows the key: the caller's read is free
        }
        HotKeys.Key k = new HotKeys.Key(key);
        if ((reads != null && reads.containsKey(k)) || (retryHints != null && retryHints.containsKey(k))) {
            return false; // read already, or the retry of a failed expectation: read (free if hinted)
        }
        if (expectations == null) {
            expectations = new TreeMap<>(KeyOrder.UNSIGNED);
        }
        byte[] ownKey = key.clone();
        expectations.put(ownKey, expectedPrefix.clone());
        ownWrites().put(ownKey, value.clone());
        return true;
    }

    @Override
    public void delete(byte[] key) {
        ensureWritable();
        ownWrites().put(key.clone(), TOMBSTONE);
    }

    @Override
    public void deleteRange(byte[] low, byte[] high) {
        ensureWritable();
        byte[] from = low == null ? EMPTY : low.clone();
        byte[] to = high == null ? null : high.clone();
        if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
            return; // empty range
        }
        if (writes != null) {
            var inRange = to == null ? writes.tailMap(from, true) : writes.subMap(from, true, to, false);
            if (!inRange.isEmpty()) {
                ownWrites();
                (to == null ? writes.tailMap(from, true) : writes.subMap(from, true, to, false)).clear();
            }
        }
        List<byte[][]> ranges = new ArrayList<>(deletedRanges);
        ranges.add(new byte[][] {from, to});
        deletedRanges = ranges;
    }

    @Override
    public void commit() {
        ensureActive();
        finished = true;
        try {
            if ((writes == null || writes.isEmpty()) && deletedRanges.isEmpty()) {
                commitReadOnly();
            } else {
                commitWrites();
            }
        } catch (SQLException e) {
            throw failed("commit", e);
        } finally {
            close();
        }
    }

    /**
     * Nothing to write. One observation (a point read or a scan, each one statement) was atomic by
     * itself; several are checked together: every key read must still have the version read, in
     * one statement (one MVCC snapshot), so the transaction is as if all its reads happened then.
     * An open database transaction (a scan, a hot key) is ended in the same round trip.
     */
    private void commitReadOnly() throws SQLException {
        int readCount = reads == null ? 0 : reads.size();
        boolean end = inDbTransaction && conn != null;
        if (readCount > 0 && (readCount + dbScans > 1 || hintedRead)) {
            byte[][] keys = new byte[readCount][];
            Long[] versions = new Long[readCount];
            int i = 0;
            for (Map.Entry<HotKeys.Key, Read> e : reads.entrySet()) {
                keys[i] = e.getKey().bytes;
                versions[i++] = e.getValue().version;
            }
            Connection c = connection();
            long valid;
            try (PreparedStatement ps = c.prepareStatement(end ? sql.validateReadsAndEnd : sql.validateReads)) {
                ps.setArray(1, c.createArrayOf("bytea", keys));
                ps.setArray(2, c.createArrayOf("bigint", versions));
                engine.countRoundTrip();
                ps.execute();
                try (ResultSet rs = ps.getResultSet()) {
                    rs.next();
                    valid = rs.getLong(1);
                }
            }
            inDbTransaction = false;
            if (valid != readCount) {
                if (!stale) {
                    markHot();
                }
                throw engine.conflict("a key this read-only transaction read was changed by a concurrent commit");
            }
        } else if (end) {
            engine.countRoundTrip();
            conn.commit();
            inDbTransaction = false;
        }
    }

    /** One statement: {@code respkv_commit(...)}, plus COMMIT when a database transaction is open. */
    private void commitWrites() throws SQLException {
        if (expectations != null && expectations.size() == 1 && writes.size() == 1 && deletedRanges.isEmpty()
                && (reads == null || reads.isEmpty()) && !inDbTransaction) {
            byte[] key = expectations.firstKey();
            byte[] value = writes.get(key);
            if (value != null && value != TOMBSTONE) {
                commitOneUnread(key, value, expectations.firstEntry().getValue());
                return;
            }
        }
        boolean noRanges = deletedRanges.isEmpty();
        List<byte[]> readKeys = new ArrayList<>();
        List<Long> readVersions = new ArrayList<>();
        // In key order, as the other rows are locked: two commits inserting the same new keys
        // then wait for each other in one order instead of deadlocking.
        TreeMap<byte[], byte[]> absent = new TreeMap<>(KeyOrder.UNSIGNED);
        List<byte[]> deleteKeys = new ArrayList<>();
        Set<HotKeys.Key> insertedAsAbsent = null;
        if (reads != null) {
            for (Map.Entry<HotKeys.Key, Read> e : reads.entrySet()) {
                byte[] key = e.getKey().bytes;
                long version = e.getValue().version;
                if (version != ABSENT) {
                    readKeys.add(key);
                    readVersions.add(version);
                    continue;
                }
                // Read as absent: inserting it is what checks (and holds) that it still is.
                byte[] own = writes == null ? null : writes.get(key);
                if (noRanges && own != null && own != TOMBSTONE) {
                    absent.put(key, own); // its final value, inserted once
                    if (insertedAsAbsent == null) {
                        insertedAsAbsent = new HashSet<>();
                    }
                    insertedAsAbsent.add(e.getKey());
                } else {
                    absent.put(key, EMPTY); // a placeholder, replaced by the writes below or deleted
                    if (own == null) {
                        deleteKeys.add(key);
                    }
                }
            }
        }
        // Keys written unread: upserted on condition, with their final value when no range
        // delete runs (then not upserted again below), else with a placeholder that the writes
        // below replace or delete (a range delete removes it when it covers the key).
        int expected = expectations == null ? 0 : expectations.size();
        byte[][] expectKeys = new byte[expected][];
        byte[][] expectValues = new byte[expected][];
        byte[][] expectPrefixes = new byte[expected][];
        if (expected > 0) {
            int i = 0;
            for (Map.Entry<byte[], byte[]> e : expectations.entrySet()) {
                byte[] own = writes.get(e.getKey());
                boolean direct = noRanges && own != null && own != TOMBSTONE;
                expectKeys[i] = e.getKey();
                expectValues[i] = direct ? own : EMPTY;
                expectPrefixes[i++] = e.getValue();
                if (direct) {
                    if (insertedAsAbsent == null) {
                        insertedAsAbsent = new HashSet<>();
                    }
                    insertedAsAbsent.add(new HotKeys.Key(e.getKey())); // written once, above
                }
            }
        }
        byte[][] rangeLows = new byte[deletedRanges.size()][];
        byte[][] rangeHighs = new byte[deletedRanges.size()][];
        for (int i = 0; i < rangeLows.length; i++) {
            rangeLows[i] = deletedRanges.get(i)[0];
            rangeHighs[i] = deletedRanges.get(i)[1];
        }
        List<byte[]> putKeys = new ArrayList<>();
        List<byte[]> putValues = new ArrayList<>();
        if (writes != null) {
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                if (w.getValue() == TOMBSTONE) {
                    deleteKeys.add(w.getKey());
                } else if (insertedAsAbsent == null || !insertedAsAbsent.contains(new HotKeys.Key(w.getKey()))) {
                    putKeys.add(w.getKey());
                    putValues.add(w.getValue());
                }
            }
        }
        Connection c = connection();
        boolean end = inDbTransaction;
        Read found = null;
        byte[] foundKey = null;
        try (PreparedStatement ps = c.prepareStatement(end ? sql.commitAndEnd : sql.commit)) {
            ps.setArray(1, c.createArrayOf("bytea", readKeys.toArray(NO_KEYS)));
            ps.setArray(2, c.createArrayOf("bigint", readVersions.toArray(new Long[0])));
            ps.setArray(3, c.createArrayOf("bytea", expectKeys));
            ps.setArray(4, c.createArrayOf("bytea", expectValues));
            ps.setArray(5, c.createArrayOf("bytea", expectPrefixes));
            ps.setArray(6, c.createArrayOf("bytea", absent.keySet().toArray(NO_KEYS)));
            ps.setArray(7, c.createArrayOf("bytea", absent.values().toArray(NO_KEYS)));
            ps.setArray(8, c.createArrayOf("bytea", rangeLows));
            ps.setArray(9, c.createArrayOf("bytea", rangeHighs));
            ps.setArray(10, c.createArrayOf("bytea", deleteKeys.toArray(NO_KEYS)));
            ps.setArray(11, c.createArrayOf("bytea", putKeys.toArray(NO_KEYS)));
            ps.setArray(12, c.createArrayOf("bytea", putValues.toArray(NO_KEYS)));
            engine.countRoundTrip();
            ps.execute();
            try (ResultSet rs = ps.getResultSet()) {
                if (rs.next()) {
                    foundKey = rs.getBytes(1);
                    found = new Read(rs.getLong(3), rs.getBytes(2));
                }
            }
        } catch (SQLException e) {
            if (expected > 0 && PostgresEngine.isConflict(e)) {
                hintRetry(null, null); // the retry reads the keys it wrote unread
            }
            throw e;
        }
        if (end) {
            inDbTransaction = false; // the COMMIT above ended it
        }
        if (found != null) {
            hintRetry(foundKey, found);
            throw engine.conflict("a key written without reading it did not hold what the command expected");
        }
    }

    /**
     * The commonest write, a plain SET: one key written unread and nothing else. One plain upsert
     * statement (see {@link PostgresSql#upsertExpecting}) instead of the commit function: as
     * cheap for PostgreSQL as an upsert gets. When the key held something else it writes nothing
     * and says nothing of what it found (a statement that did would cost every SET more), so the
     * retry reads the key: three statements in all for that case, against two through the
     * commit function.
     */
    private void commitOneUnread(byte[] key, byte[] value, byte[] prefix) throws SQLException {
        int written;
        try {
            if (conn == null && PostgresEngine.COMBINE) {
                // no connection of its own: combined with the other transactions committing now
                written = engine.commitUnread(key, value, prefix) ? 1 : 0;
            } else {
                try (PreparedStatement ps = connection().prepareStatement(sql.upsertExpecting)) {
                    ps.setBytes(1, key);
                    ps.setBytes(2, value);
                    ps.setBytes(3, prefix);
                    ps.setBytes(4, prefix);
                    engine.countRoundTrip();
                    written = ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            if (PostgresEngine.isConflict(e)) {
                hintRetry(null, null);
            }
            throw e;
        }
        if (written != 1) {
            hintRetry(null, null); // the retry reads the key
            throw engine.conflict("a key written without reading it did not hold what the command expected");
        }
    }

    /**
     * After a failed expectation: the next transaction on this thread (the retry) reads the keys
     * written unread, and takes {@code found} (what {@code foundKey} held) as its read of it.
     */
    private void hintRetry(byte[] foundKey, Read found) {
        Map<HotKeys.Key, Read> hints = new java.util.HashMap<>();
        for (byte[] key : expectations.keySet()) {
            hints.put(new HotKeys.Key(key), null);
        }
        if (foundKey != null) {
            hints.put(new HotKeys.Key(foundKey), found);
        }
        engine.hintRetry(hints);
    }

    /** After a conflict: the keys read become hot, so the retry locks them when it reads them. */
    private void markHot() {
        if (reads != null && reads.size() <= HotKeys.MAX_MARKS_PER_CONFLICT) {
            for (HotKeys.Key k : reads.keySet()) {
                engine.hotKeys.mark(k.bytes);
            }
        }
    }

    /** Ends the transaction: closes its cursors, rolls back an open database transaction, returns the connection. */
    @Override
    public void close() {
        finished = true;
        if (cursors != null) {
            for (PostgresCursor cursor : new ArrayList<>(cursors)) {
                cursor.close();
            }
            cursors = null;
        }
        Connection c = conn;
        if (c == null) {
            return;
        }
        conn = null;
        try {
            if (inDbTransaction) {
                inDbTransaction = false;
                c.rollback(); // pgjdbc sends nothing when no statement began one
            }
        } catch (SQLException e) {
            // the pool discards a connection whose rollback failed when it is closed below
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                // returning a connection to the pool does not fail in a way we could act on
            }
        }
    }

    private Connection connection() {
        if (conn == null && stale) {
            conn = engine.borrowReplica(); // null when the replica cannot be reached: the primary then
            onReplica = conn != null;
        }
        if (conn == null) {
            conn = engine.borrow();
        }
        return conn;
    }

    /** Leaves autocommit: the next statement begins a database transaction (pgjdbc sends BEGIN with it). */
    private void beginDbTransaction() {
        if (!inDbTransaction) {
            try {
                connection().setAutoCommit(false);
            } catch (SQLException e) {
                throw failed("begin", e);
            }
            inDbTransaction = true;
        }
    }

    private RuntimeException failed(String what, SQLException e) {
        if (onReplica) {
            return engine.replicaFailure(what, e);
        }
        if (PostgresEngine.isConflict(e)) {
            markHot();
        }
        return engine.failure(what, e);
    }

    private void forget(PostgresCursor cursor) {
        if (cursors != null) {
            cursors.remove(cursor);
        }
    }

    /** The own-writes map, ready to modify (created or unshared). */
    private TreeMap<byte[], byte[]> ownWrites() {
        if (writes == null) {
            writes = new TreeMap<>(KeyOrder.UNSIGNED);
        } else if (writesShared) {
            writes = new TreeMap<>(writes);
            writesShared = false;
        }
        return writes;
    }

    private void ensureWritable() {
        ensureActive();
        if (stale) {
            throw new IllegalStateException("a STALE read transaction cannot write");
        }
    }

    private void ensureActive() {
        if (finished) {
            throw new IllegalStateException("transaction is finished");
        }
        if (engine.isClosed()) {
            throw engine.closedException();
        }
    }

    /** Visible for tests: whether a database transaction is open. */
    boolean inDbTransaction() {
        return inDbTransaction;
    }
}
