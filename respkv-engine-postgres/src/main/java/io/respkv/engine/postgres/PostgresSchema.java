package io.respkv.engine.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates and migrates the tables respkv keeps in its schema, on the engine's first connection.
 *
 * <p>{@code <schema>.respkv_schema_version} holds one row per layout version applied; the
 * greatest is the schema's version. Startup, in one database transaction:
 * <ol>
 *   <li>take a transaction-level advisory lock on the schema name, so respkv instances starting
 *       together over one database migrate it once, one after the other;</li>
 *   <li>if the version table is missing, create the schema (if needed), the version table and
 *       every layout version in order; if it exists, apply the versions after its greatest;</li>
 *   <li>a version greater than {@link #VERSION} is refused: an older respkv must not write a
 *       layout it does not understand.</li>
 * </ol>
 *
 * <h2>Layout version 1</h2>
 * <ul>
 *   <li>{@code respkv_kv (k bytea PRIMARY KEY, v bytea NOT NULL)}, fillfactor 90 so that
 *       updates of a value can stay on their page (HOT updates, no index write);</li>
 *   <li>{@code respkv_commit(...)}, a PL/pgSQL function that validates and applies a whole
 *       transaction in one statement (see {@link #COMMIT_FUNCTION_V1}).</li>
 * </ul>
 *
 * <h2>Layout version 2</h2>
 * <ul>
 *   <li>{@code respkv_commit(...)} with three more arguments, the keys written unread with their
 *       expected prefixes (see {@link #COMMIT_FUNCTION_V2}); it returns what such a key held
 *       when the expectation failed. The version-1 function is left in place: instances of the
 *       previous release still running keep committing with it (same table, same rules) until
 *       they are replaced.</li>
 * </ul>
 *
 * <h2>Layout version 3</h2>
 * <ul>
 *   <li>{@code respkv_waiting (token bytea, instance text, pid integer, PRIMARY KEY (token,
 *       instance))}: which respkv instance has clients blocked on which key, so that the others
 *       signal it when they write the key (see {@link PostgresKeySignals}).</li>
 * </ul>
 */
final class PostgresSchema {

    /** The layout version this code writes and understands. */
    static final int VERSION = 3;

    private PostgresSchema() {
    }

    /**
     * The commit function. Arguments: the keys read with their row versions ({@code xmin}); the
     * keys read as absent with the value to insert for each (the final value when the key is
     * written and no range delete runs, else an empty placeholder); ranges to delete
     * ({@code [low, high)}, null high unbounded); keys to delete; keys and values to upsert.
     *
     * <p>In order: lock the rows read (in key order, so concurrent commits lock in one order) and
     * check each still has the version read, else SQLSTATE 40001; insert the keys read as absent
     * with ON CONFLICT DO NOTHING and check that every one was inserted, else 40001 (the insert
     * waits for a concurrent uncommitted insert of the same key, so two transactions that each read
     * as absent what the other creates cannot both commit: that is a deadlock, 40P01, and one is
     * retried); then range deletes, deletes and upserts. Between the validation and the end of the
     * function's transaction, every key read is locked (a row lock, or the not-yet-committed index
     * entry of the inserted key), so what was validated still holds at commit.
     */
    static final String COMMIT_FUNCTION_V1 = """
            CREATE OR REPLACE FUNCTION %1$s.respkv_commit(
                read_keys bytea[], read_versions bigint[],
                absent_keys bytea[], absent_values bytea[],
                range_lows bytea[], range_highs bytea[],
                delete_keys bytea[], put_keys bytea[], put_values bytea[])
            RETURNS void LANGUAGE plpgsql AS $fn$
            DECLARE
                n bigint;
            BEGIN
                IF cardinality(read_keys) > 0 THEN
                    PERFORM 1 FROM %1$s.respkv_kv WHERE k = ANY (read_keys) ORDER BY k FOR UPDATE;
                    SELECT count(*) INTO n FROM %1$s.respkv_kv t JOIN unnest(read_keys, read_versions) AS r(k, ver)
                        ON t.k = r.k WHERE t.xmin::text::bigint = r.ver;
                    IF n <> cardinality(read_keys) THEN
                        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
                            MESSAGE = 'respkv: a key this transaction read was changed by a concurrent commit';
                    END IF;
                END IF;
                IF cardinality(absent_keys) > 0 THEN
                    INSERT INTO %1$s.respkv_kv (k, v) SELECT * FROM unnest(absent_keys, absent_values)
                        ON CONFLICT DO NOTHING;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    IF n <> cardinality(absent_keys) THEN
                        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
                            MESSAGE = 'respkv: a key this transaction read as absent was created by a concurrent commit';
                    END IF;
                END IF;
                FOR i IN 1 .. cardinality(range_lows) LOOP
                    IF range_highs[i] IS NULL THEN
                        DELETE FROM %1$s.respkv_kv WHERE k >= range_lows[i];
                    ELSE
                        DELETE FROM %1$s.respkv_kv WHERE k >= range_lows[i] AND k < range_highs[i];
                    END IF;
                END LOOP;
                IF cardinality(delete_keys) > 0 THEN
                    DELETE FROM %1$s.respkv_kv WHERE k = ANY (delete_keys);
                END IF;
                IF cardinality(put_keys) > 0 THEN
                    INSERT INTO %1$s.respkv_kv (k, v) SELECT * FROM unnest(put_keys, put_values)
                        ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
                END IF;
            END
            $fn$""";

    /**
     * The commit function of layout version 2: version 1's, plus keys written without being read
     * ({@link io.respkv.api.Transaction#putExpecting}), each with the value to write and the
     * prefix its current value must have. Arguments: the keys read with their row versions; the
     * keys written unread, their values (the final value when the key is written and no range
     * delete runs, else an empty placeholder, replaced or deleted by the writes below) and their
     * expected prefixes; then as version 1.
     *
     * <p>After the read validation, the keys written unread are upserted with the expectation as
     * the {@code ON CONFLICT DO UPDATE} condition, so it is checked against the latest committed
     * row, under its row lock, in the same step that writes it (a concurrent insert of the key
     * makes the upsert wait for it). If a row fails the condition the transaction cannot commit
     * as planned: with a single such key nothing has been written yet, so the function returns
     * that row (key, value, row version) and writes nothing else, and the caller retries with it
     * as a read it need not repeat; with several keys it raises SQLSTATE 40001. No row returned:
     * committed.
     */
    static final String COMMIT_FUNCTION_V2 = """
            CREATE OR REPLACE FUNCTION %1$s.respkv_commit(
                read_keys bytea[], read_versions bigint[],
                expect_keys bytea[], expect_values bytea[], expect_prefixes bytea[],
                absent_keys bytea[], absent_values bytea[],
                range_lows bytea[], range_highs bytea[],
                delete_keys bytea[], put_keys bytea[], put_values bytea[])
            RETURNS TABLE (found_k bytea, found_v bytea, found_version bigint) LANGUAGE plpgsql AS $fn$
            DECLARE
                n bigint;
            BEGIN
                IF cardinality(read_keys) > 0 THEN
                    PERFORM 1 FROM %1$s.respkv_kv WHERE k = ANY (read_keys) ORDER BY k FOR UPDATE;
                    SELECT count(*) INTO n FROM %1$s.respkv_kv t JOIN unnest(read_keys, read_versions) AS r(k, ver)
                        ON t.k = r.k WHERE t.xmin::text::bigint = r.ver;
                    IF n <> cardinality(read_keys) THEN
                        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
                            MESSAGE = 'respkv: a key this transaction read was changed by a concurrent commit';
                    END IF;
                END IF;
                IF cardinality(expect_keys) > 0 THEN
                    INSERT INTO %1$s.respkv_kv AS t (k, v) SELECT * FROM unnest(expect_keys, expect_values)
                        ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v
                        WHERE substr(t.v, 1, length(expect_prefixes[array_position(expect_keys, EXCLUDED.k)]))
                            = expect_prefixes[array_position(expect_keys, EXCLUDED.k)];
                    GET DIAGNOSTICS n = ROW_COUNT;
                    IF n <> cardinality(expect_keys) THEN
                        IF cardinality(expect_keys) = 1 THEN
                            RETURN QUERY SELECT t.k, t.v, t.xmin::text::bigint FROM %1$s.respkv_kv t
                                WHERE t.k = expect_keys[1];
                            RETURN;
                        END IF;
                        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
                            MESSAGE = 'respkv: a key this transaction wrote unread did not hold what it expected';
                    END IF;
                END IF;
                IF cardinality(absent_keys) > 0 THEN
                    INSERT INTO %1$s.respkv_kv (k, v) SELECT * FROM unnest(absent_keys, absent_values)
                        ON CONFLICT DO NOTHING;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    IF n <> cardinality(absent_keys) THEN
                        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
                            MESSAGE = 'respkv: a key this transaction read as absent was created by a concurrent commit';
                    END IF;
                END IF;
                FOR i IN 1 .. cardinality(range_lows) LOOP
                    IF range_highs[i] IS NULL THEN
                        DELETE FROM %1$s.respkv_kv WHERE k >= range_lows[i];
                    ELSE
                        DELETE FROM %1$s.respkv_kv WHERE k >= range_lows[i] AND k < range_highs[i];
                    END IF;
                END LOOP;
                IF cardinality(delete_keys) > 0 THEN
                    DELETE FROM %1$s.respkv_kv WHERE k = ANY (delete_keys);
                END IF;
                IF cardinality(put_keys) > 0 THEN
                    INSERT INTO %1$s.respkv_kv (k, v) SELECT * FROM unnest(put_keys, put_values)
                        ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
                END IF;
            END
            $fn$""";

    /** Brings the schema to {@link #VERSION}, creating it if needed; refuses a newer one. */
    static void migrate(Connection conn, PostgresSql sql) throws SQLException {
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try {
            try (PreparedStatement lock = conn.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "respkv schema " + sql.schema);
                lock.execute();
            }
            int current = currentVersion(conn, sql);
            if (current > VERSION) {
                throw new PostgresEngineException("schema \"" + sql.schema + "\" has respkv layout version " + current
                        + ", newer than the " + VERSION + " this respkv understands: upgrade respkv (or choose another"
                        + " schema)");
            }
            try (Statement st = conn.createStatement()) {
                if (current < 0) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresSql.quote(sql.schema));
                    st.execute("CREATE TABLE " + sql.versionTable + " (version integer PRIMARY KEY,"
                            + " installed_at timestamptz NOT NULL DEFAULT now())");
                    current = 0;
                }
                for (int v = current + 1; v <= VERSION; v++) {
                    apply(st, sql, v);
                    st.execute("INSERT INTO " + sql.versionTable + " (version) VALUES (" + v + ")");
                }
            }
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(autoCommit);
        }
    }

    /** The schema's layout version; 0 if the version table is empty, -1 if it does not exist. */
    static int currentVersion(Connection conn, PostgresSql sql) throws SQLException {
        try (PreparedStatement exists = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, sql.versionTable);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return -1;
                }
            }
        }
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM " + sql.versionTable)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void apply(Statement st, PostgresSql sql, int version) throws SQLException {
        String s = PostgresSql.quote(sql.schema);
        switch (version) {
            case 1 -> {
                st.execute("CREATE TABLE " + sql.table + " (k bytea PRIMARY KEY, v bytea NOT NULL)"
                        + " WITH (fillfactor = 90)");
                st.execute(COMMIT_FUNCTION_V1.formatted(s));
            }
            case 2 -> st.execute(COMMIT_FUNCTION_V2.formatted(s));
            case 3 -> st.execute("CREATE TABLE " + sql.waitingTable + " (token bytea NOT NULL, instance text NOT NULL,"
                    + " pid integer NOT NULL, PRIMARY KEY (token, instance))");
            default -> throw new IllegalStateException("no migration to layout version " + version);
        }
    }
}
