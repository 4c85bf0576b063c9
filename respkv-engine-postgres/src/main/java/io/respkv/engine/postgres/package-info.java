/**
 * The PostgreSQL storage engine: {@link io.respkv.engine.postgres.PostgresEngine} (built with
 * {@link io.respkv.engine.postgres.PostgresEngine#builder()}) and its ServiceLoader provider
 * {@link io.respkv.engine.postgres.PostgresEngineProvider} ({@code --engine postgres}).
 *
 * <p>An ordered key space in one table of a schema respkv creates and migrates itself; any number
 * of respkv instances may share it. Optimistic transactions validated and applied in one
 * statement, hot keys read under row locks, snapshots as REPEATABLE READ transactions. See
 * {@code docs/engines.md} for the layout, the isolation choice and what each operation costs.
 */
package io.respkv.engine.postgres;
