package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.server.keyspace.Keyspace;

/** Server commands that touch data or the process: DBSIZE, FLUSHDB, FLUSHALL, TIME, SHUTDOWN. */
final class ServerCommands {

    private ServerCommands() {
    }

    static void register(CommandTable t) {
        t.register("dbsize", ctx -> ctx.reply().integer(ctx.keyspace().size()));
        t.register("flushdb", ServerCommands::flushdb);
        t.register("flushall", ServerCommands::flushall);
        t.register("time", ServerCommands::time);
        t.register("shutdown", ServerCommands::shutdown);
    }

    /** {@code FLUSHDB [ASYNC|SYNC]}: both modes are immediate (range deletes of the database's families). */
    static void flushdb(ExecutionContext ctx) {
        if (!flushModeOk(ctx)) {
            return;
        }
        ctx.keyspace().flush();
        ctx.reply().ok();
    }

    /** {@code FLUSHALL [ASYNC|SYNC]}. */
    static void flushall(ExecutionContext ctx) {
        if (!flushModeOk(ctx)) {
            return;
        }
        Keyspace ks = ctx.keyspace();
        for (int db = 0; db < ctx.server().databases(); db++) {
            ks.database(db).flush();
        }
        ctx.reply().ok();
    }

    private static boolean flushModeOk(ExecutionContext ctx) {
        if (ctx.argc() == 1 || (ctx.argc() == 2 && (ctx.args().is(1, "SYNC") || ctx.args().is(1, "ASYNC")))) {
            return true;
        }
        ctx.syntaxError();
        return false;
    }

    /** {@code TIME}: seconds and microseconds of the command's time. */
    static void time(ExecutionContext ctx) {
        long micros = Math.addExact(Math.multiplyExact(ctx.nowMillis(), 1000L), (System.nanoTime() / 1000) % 1000);
        ReplySink r = ctx.reply();
        r.array(2);
        r.bulk(Long.toString(micros / 1_000_000));
        r.bulk(Long.toString(micros % 1_000_000));
    }

    /**
     * {@code SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]}: stops the server when it allows it
     * (the standalone server does); an embedded server refuses. respkv persists through its
     * engine, so SAVE and NOSAVE change nothing.
     */
    static void shutdown(ExecutionContext ctx) {
        for (int i = 1; i < ctx.argc(); i++) {
            if (!(ctx.args().is(i, "NOSAVE") || ctx.args().is(i, "SAVE") || ctx.args().is(i, "NOW")
                    || ctx.args().is(i, "FORCE") || ctx.args().is(i, "ABORT"))) {
                ctx.syntaxError();
                return;
            }
            if (ctx.args().is(i, "ABORT")) {
                ctx.reply().error("ERR No shutdown in progress.");
                return;
            }
        }
        if (!ctx.server().shutdown()) {
            ctx.reply().error("ERR SHUTDOWN is disabled: this respkv server is embedded, its host application stops it");
            return;
        }
        ctx.client().closeAfterReply();
    }
}
