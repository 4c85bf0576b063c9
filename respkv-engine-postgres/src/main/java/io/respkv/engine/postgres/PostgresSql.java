package io.respkv.engine.postgres;

import java.util.regex.Pattern;

/**
 * Every SQL statement the engine sends, for one schema. Built once per engine, so each statement
 * is the same string every time: pgjdbc caches its parse per connection and, from the fifth use
 * on a connection, keeps it as a named server-side prepared statement (its
 * {@code prepareThreshold}), so a point read costs one Bind/Execute, not a Parse.
 *
 * <p>Layout (schema version {@value PostgresSchema#VERSION}): one table
 * {@code <schema>.respkv_kv (k bytea PRIMARY KEY, v bytea NOT NULL)}. {@code bytea} compares
 * with {@code memcmp} and then by length, which is exactly the SPI's unsigned lexicographic
 * order, so the primary-key btree serves point reads and ordered range scans in both directions.
 * The {@code xmin} system column (the id of the transaction that wrote the row version) is the
 * version a read records and a commit validates.
 */
final class PostgresSql {

    /** Schema names respkv accepts: plain SQL identifiers, quoted anyway. */
    static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    final String schema;
    /** {@code "schema"."respkv_kv"}. */
    final String table;
    final String versionTable;
    /** Which instance waits on which token (see {@link PostgresKeySignals}). */
    final String waitingTable;
    final String commitFunction;

    /** Point read: value and row version. */
    final String get;
    /** Point read that locks the row until the transaction ends (hot keys, see {@link HotKeys}). */
    final String getForUpdate;
    /** Point read inside a snapshot: no version needed. */
    final String snapshotGet;
    /** Range scans by [hasLow][hasHigh][reverse]: key, value, row version; ordered by key. */
    private final String[][][] scans = new String[2][2][2];
    /** Whether every recorded read is still as it was read: counts the reads that are. */
    final String validateReads;
    /** The same, followed by COMMIT, for a transaction that opened a database transaction. */
    final String validateReadsAndEnd;
    /**
     * Validates, locks and applies a transaction's writes: one statement, see {@link PostgresSchema}.
     * No row: committed; one row: a key written unread did not hold what was expected (nothing written).
     */
    final String commit;
    /** The same, followed by COMMIT, for a transaction that opened a database transaction. */
    final String commitAndEnd;
    /**
     * The commit of a transaction that only writes one key unread (a plain SET): the upsert with
     * the expectation as its condition, alone; pgbench's upsert plus a WHERE on the conflicting
     * row. Parameters: key, value, expected prefix (twice). Updates one row, or none if the key
     * held something else (then nothing is written).
     */
    final String upsertExpecting;
    /**
     * {@link #upsertExpecting} for several keys of different transactions at once, all with the
     * same expected prefix ({@link PostgresEngine}'s combined unread writes): keys, values (in key
     * order, no key twice), prefix (twice). Returns the keys it wrote; a key not returned held
     * something else and was not written.
     */
    final String upsertExpectingMany;
    /** Point reads of several keys of different transactions at once: key, value, row version of those present. */
    final String getMany;
    /** Starts a snapshot: the first statement of the transaction fixes its MVCC snapshot. */
    final String beginSnapshot;

    PostgresSql(String schema) {
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63"
                    + " characters), got '" + schema + "'");
        }
        this.schema = schema;
        String s = quote(schema);
        this.table = s + ".respkv_kv";
        this.versionTable = s + ".respkv_schema_version";
        this.waitingTable = s + ".respkv_waiting";
        this.commitFunction = s + ".respkv_commit";
        this.get = "SELECT v, xmin::text::bigint FROM " + table + " WHERE k = ?";
        this.getForUpdate = get + " FOR UPDATE";
        this.snapshotGet = "SELECT v FROM " + table + " WHERE k = ?";
        for (int lo = 0; lo < 2; lo++) {
            for (int hi = 0; hi < 2; hi++) {
                for (int rev = 0; rev < 2; rev++) {
                    StringBuilder sql = new StringBuilder("SELECT k, v, xmin::text::bigint FROM ").append(table);
                    if (lo == 1 || hi == 1) {
                        sql.append(" WHERE ");
                    }
                    if (lo == 1) {
                        sql.append("k >= ?");
                    }
                    if (hi == 1) {
                        sql.append(lo == 1 ? " AND " : "").append("k < ?");
                    }
                    scans[lo][hi][rev] = sql.append(rev == 1 ? " ORDER BY k DESC" : " ORDER BY k").toString();
                }
            }
        }
        this.validateReads = "SELECT count(*) FROM unnest(?::bytea[], ?::bigint[]) AS r(k, ver) LEFT JOIN " + table
                + " t ON t.k = r.k WHERE (t.k IS NULL AND r.ver = 0) OR t.xmin::text::bigint = r.ver";
        this.validateReadsAndEnd = validateReads + "; COMMIT";
        this.commit = "SELECT * FROM " + commitFunction + "(?::bytea[], ?::bigint[], ?::bytea[], ?::bytea[],"
                + " ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[])";
        this.commitAndEnd = commit + "; COMMIT";
        this.upsertExpecting = "INSERT INTO " + table + " AS t (k, v) VALUES (?, ?)"
                + " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v WHERE substr(t.v, 1, length(?::bytea)) = ?::bytea";
        this.upsertExpectingMany = "INSERT INTO " + table + " AS t (k, v) SELECT u.k, u.v FROM unnest(?::bytea[],"
                + " ?::bytea[]) AS u(k, v) ORDER BY u.k ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
                + " WHERE substr(t.v, 1, length(?::bytea)) = ?::bytea RETURNING t.k";
        this.getMany = "SELECT k, v, xmin::text::bigint FROM " + table + " WHERE k = ANY(?::bytea[])";
        this.beginSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1";
    }

    /** The scan statement for these bounds and direction. */
    String scan(boolean hasLow, boolean hasHigh, boolean reverse) {
        return scans[hasLow ? 1 : 0][hasHigh ? 1 : 0][reverse ? 1 : 0];
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
