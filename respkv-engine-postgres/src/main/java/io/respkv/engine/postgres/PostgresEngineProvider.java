package io.respkv.engine.postgres;

import io.respkv.api.Durability;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * ServiceLoader provider for {@link PostgresEngine} ({@code --engine postgres}). Options:
 *
 * <table>
 *   <caption>postgres engine options</caption>
 *   <tr><th>option</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code url}</td><td>JDBC URL, {@code jdbc:postgresql://host:port/db}</td><td>required</td></tr>
 *   <tr><td>{@code user}</td><td>database user</td><td>from the URL / driver default</td></tr>
 *   <tr><td>{@code password}</td><td>the user's password</td><td>from the URL / none</td></tr>
 *   <tr><td>{@code schema}</td><td>schema of respkv's tables (an identifier)</td><td>{@code respkv}</td></tr>
 *   <tr><td>{@code pool-size}</td><td>pooled connections at most</td><td>10</td></tr>
 *   <tr><td>{@code durability}</td><td>{@code sync} | {@code async} ({@code synchronous_commit} on / off)</td><td>{@code sync}</td></tr>
 *   <tr><td>{@code connection-timeout-ms}</td><td>ms to wait for a pooled or new connection (>= 250)</td><td>1000</td></tr>
 *   <tr><td>{@code lock-timeout-ms}</td><td>ms a statement waits for a row lock before the transaction is retried</td><td>1000</td></tr>
 *   <tr><td>{@code statement-timeout-ms}</td><td>ms one statement may run (0 = no limit)</td><td>0</td></tr>
 *   <tr><td>{@code replica-url}</td><td>JDBC URL of a replica, read by STALE connections</td><td>none</td></tr>
 *   <tr><td>{@code replica-pool-size}</td><td>connections to the replica at most</td><td>4</td></tr>
 * </table>
 *
 * Unknown options and bad values are an {@link IllegalArgumentException} naming them.
 */
public final class PostgresEngineProvider implements KeyspaceEngineProvider {

    private static final List<String> KNOWN = List.of("url", "user", "password", "schema", "pool-size", "durability",
            "connection-timeout-ms", "lock-timeout-ms", "statement-timeout-ms", "replica-url", "replica-pool-size");

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        return builder(options).build();
    }

    /** The builder the options describe, not yet opened. */
    static PostgresEngine.Builder builder(Map<String, String> options) {
        TreeSet<String> unknown = new TreeSet<>(options.keySet());
        KNOWN.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown postgres engine option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; known: " + KNOWN);
        }
        String url = options.get("url");
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the postgres engine needs a JDBC URL (option url, standalone --pg-url),"
                    + " e.g. jdbc:postgresql://localhost:5432/postgres");
        }
        PostgresEngine.Builder b = PostgresEngine.builder().url(url);
        if (options.containsKey("user")) {
            b.user(options.get("user"));
        }
        if (options.containsKey("password")) {
            b.password(options.get("password"));
        }
        if (options.containsKey("schema")) {
            b.schema(options.get("schema"));
        }
        String poolSize = options.get("pool-size");
        if (poolSize != null) {
            b.poolSize((int) number("pool-size", poolSize, 1, 10_000));
        }
        String durability = options.get("durability");
        if (durability != null) {
            b.durability(switch (durability.toLowerCase(Locale.ROOT)) {
                case "sync" -> Durability.SYNC;
                case "async" -> Durability.ASYNC;
                default -> throw new IllegalArgumentException("durability must be sync or async, got '" + durability + "'");
            });
        }
        String connect = options.get("connection-timeout-ms");
        if (connect != null) {
            b.connectionTimeout(Duration.ofMillis(number("connection-timeout-ms", connect, 250, Long.MAX_VALUE)));
        }
        String lock = options.get("lock-timeout-ms");
        if (lock != null) {
            b.lockTimeout(Duration.ofMillis(number("lock-timeout-ms", lock, 1, Long.MAX_VALUE)));
        }
        String statement = options.get("statement-timeout-ms");
        if (statement != null) {
            b.statementTimeout(Duration.ofMillis(number("statement-timeout-ms", statement, 0, Long.MAX_VALUE)));
        }
        if (options.containsKey("replica-url")) {
            b.replicaUrl(options.get("replica-url"));
        }
        String replicaPool = options.get("replica-pool-size");
        if (replicaPool != null) {
            b.replicaPoolSize((int) number("replica-pool-size", replicaPool, 1, 10_000));
        }
        return b;
    }

    private static long number(String option, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            n = Long.MIN_VALUE;
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " needs an integer " + (max == Long.MAX_VALUE
                    ? ">= " + min : "from " + min + " to " + max) + ", got '" + value + "'");
        }
        return n;
    }
}
