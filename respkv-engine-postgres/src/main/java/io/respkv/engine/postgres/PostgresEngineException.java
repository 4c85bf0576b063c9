package io.respkv.engine.postgres;

/**
 * A PostgreSQL operation failed for a reason other than a transaction conflict: the database is
 * unreachable, a statement timed out, the schema belongs to a newer respkv, a key is too long for
 * PostgreSQL's btree index. Carries the SQLSTATE when the database gave one.
 */
public class PostgresEngineException extends RuntimeException {

    private final String sqlState;

    public PostgresEngineException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    public PostgresEngineException(String message) {
        this(message, null, null);
    }

    /** The SQLSTATE PostgreSQL reported (e.g. {@code 57014}: statement timeout), or null. */
    public String sqlState() {
        return sqlState;
    }
}
