package io.respkv.server.command;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.ConsistencyLevel;
import io.respkv.server.ServerState;
import java.util.Locale;
import java.util.Set;

/**
 * How fresh a connection's reads must be ({@link ConsistencyLevel}), a connection's own state
 * kept by the server whatever the engine: {@code RESPKV.CONSISTENCY}, and Redis Cluster's
 * {@code READONLY} / {@code READWRITE}, which respkv gives their replica meaning (reads may be
 * stale / back to the default). The dispatcher passes the level to the engine for read-only
 * commands ({@link io.respkv.api.KeyspaceEngine#beginRead}).
 */
final class ConsistencyCommands {

    /**
     * RESPKV.CONSISTENCY's declaration: no argument or one, a fast connection command that may
     * run while loading. Not in Redis's catalog, so COMMAND does not describe it.
     */
    static final CommandSpec CONSISTENCY_SPEC = new CommandSpec("respkv.consistency", -1,
            Set.of(CommandFlag.LOADING, CommandFlag.STALE, CommandFlag.FAST), 0, 0, 0, Set.of("fast", "connection"));

    private ConsistencyCommands() {
    }

    static void register(CommandTable t) {
        t.register(CONSISTENCY_SPEC, ConsistencyCommands::consistency);
        t.register("readonly", ConsistencyCommands::readonly);
        t.register("readwrite", ConsistencyCommands::readwrite);
    }

    /**
     * {@code RESPKV.CONSISTENCY [LINEARIZABLE|LEASE|STALE]}: without an argument, the
     * connection's level as a bulk string (upper case); with one (any case), sets it: {@code +OK}.
     */
    static void consistency(ExecutionContext ctx) {
        if (ctx.argc() > 2) {
            ctx.reply().error(Errors.arity("respkv.consistency"));
            return;
        }
        if (ctx.argc() == 1) {
            ctx.reply().bulk(ctx.client().consistency().name());
            return;
        }
        ConsistencyLevel level;
        try {
            level = ServerState.parseConsistency(ctx.args().string(1));
        } catch (IllegalArgumentException e) {
            ctx.reply().error("ERR unknown consistency level '" + ctx.args().string(1).toUpperCase(Locale.ROOT)
                    + "', expected LINEARIZABLE, LEASE or STALE");
            return;
        }
        ctx.client().consistency(level);
        ctx.reply().ok();
    }

    /**
     * {@code READONLY}: this connection's reads may be stale ({@link ConsistencyLevel#STALE}), as
     * a Redis Cluster client says it will read from replicas. (A non-cluster Redis refuses it.)
     */
    static void readonly(ExecutionContext ctx) {
        ctx.client().consistency(ConsistencyLevel.STALE);
        ctx.reply().ok();
    }

    /** {@code READWRITE}: back to the server's default consistency. */
    static void readwrite(ExecutionContext ctx) {
        ctx.client().consistency(ctx.server().defaultConsistency());
        ctx.reply().ok();
    }
}
