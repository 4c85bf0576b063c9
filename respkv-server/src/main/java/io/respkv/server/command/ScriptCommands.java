package io.respkv.server.command;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.EngineUnavailableException;
import io.respkv.api.ProtocolVersion;
import io.respkv.api.TransactionConflictException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.acl.Acl;
import io.respkv.server.keyspace.WrongTypeException;
import io.respkv.server.script.CommandCaller;
import io.respkv.server.script.LuaScripting;
import io.respkv.server.script.ScriptRun;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lua scripting (Redis's {@code eval.c}): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
 * LOAD/EXISTS/FLUSH/KILL/HELP.
 *
 * <p>A script is one command: it runs inside the EVAL's engine transaction, and every command it
 * calls ({@code redis.call}) runs in that same transaction, as EXEC runs its queue. So its
 * writes commit together, no other client sees part of them, and when the commit conflicts the
 * dispatcher runs the whole script again (its reply discarded). A script sees the command's
 * time and seed ({@code math.random} starts from it), so a replica applying it from the
 * replication log computes the same writes.
 */
final class ScriptCommands {

    private static final Logger LOG = Logger.getLogger(ScriptCommands.class.getName());

    static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

    private ScriptCommands() {
    }

    static void register(CommandTable t) {
        // scripts may write: under replication each is one log entry (see forLog for EVALSHA)
        t.registerReplicated("eval", ctx -> eval(ctx, false, false));
        t.registerReplicated("evalsha", ctx -> eval(ctx, true, false));
        t.register("eval_ro", ctx -> eval(ctx, false, true));
        t.register("evalsha_ro", ctx -> eval(ctx, true, true));
        t.register("script|load", ScriptCommands::load);
        t.register("script|exists", ScriptCommands::exists);
        t.register("script|flush", ScriptCommands::flush);
        t.register("script|kill", ctx -> kill(ctx, true));
        t.register("script|help", ScriptCommands::help);
    }

    /**
     * Whether {@code numkeys} (argument 2 of EVAL, EVALSHA, FCALL and their _RO forms) fits the
     * arguments that follow it; false after replying Redis's error.
     */
    static boolean numkeysFit(ExecutionContext ctx, long numkeys) {
        if (numkeys > ctx.args().count() - 3) {
            ctx.reply().error("ERR Number of keys can't be greater than number of args");
            return false;
        } else if (numkeys < 0) {
            ctx.reply().error("ERR Number of keys can't be negative");
            return false;
        }
        return true;
    }

    /**
     * {@code EVAL script numkeys [key ...] [arg ...]}, {@code EVALSHA sha1 numkeys ...} and their
     * {@code _RO} forms: the script's result converted as Redis converts it, or its error.
     */
    static void eval(ExecutionContext ctx, boolean bySha, boolean readOnly) {
        RespRequest args = ctx.args();
        Long numkeys = ctx.longArg(2);
        if (numkeys == null || !numkeysFit(ctx, numkeys)) {
            return;
        }
        LuaScripting scripts = ctx.server().scripts();
        LuaScripting.Compiled script;
        if (bySha) {
            // the log carries scripts as EVAL (see forLog): an EVALSHA there finds no script on any node
            script = args.length(1) == 40 && !ctx.applyingLog() ? scripts.get(args.string(1)) : null;
            if (script == null) {
                ctx.reply().error(NOSCRIPT);
                return;
            }
        } else {
            try {
                script = scripts.load(args.bytes(1));
            } catch (LuaScripting.CompileException e) {
                ctx.reply().error(e.getMessage());
                return;
            }
        }
        if (readOnly && script.shebang() && !script.noWrites()) {
            ctx.reply().error("ERR Can not execute a script with write flag using *_ro command.");
            return;
        }
        int n = numkeys.intValue();
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = args.bytes(3 + i);
        }
        byte[][] argv = new byte[args.count() - 3 - n][];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = args.bytes(3 + n + i);
        }
        run(ctx, scripts, script, script.sha(), keys, argv, readOnly || script.noWrites());
    }

    /** Runs a compiled script (EVAL) as this command, restoring the connection's state after. */
    static void run(ExecutionContext ctx, LuaScripting scripts, LuaScripting.Compiled script, String name,
                    byte[][] keys, byte[][] argv, boolean readOnly) {
        runWith(ctx, name, readOnly, false, (run, out) -> scripts.run(script, keys, argv, run, out));
    }

    /** What runs a script or function with its run state, writing its reply. */
    interface Body {
        void run(ScriptRun run, RespReplyWriter out);
    }

    /**
     * Runs a script or function (EVAL, FCALL) as this command: its redis.call commands run in
     * this execution; the connection's database, protocol, arguments and blocking mode are
     * restored after.
     */
    static void runWith(ExecutionContext ctx, String name, boolean readOnly, boolean function, Body body) {
        ClientConnection client = ctx.client();
        RespReplyWriter reply = ctx.reply();
        RespRequest request = ctx.args();
        int db = client.db();
        ProtocolVersion protocol = reply.protocol();
        boolean denied = client.denyBlocking();
        Caller caller = new Caller(ctx);
        ScriptRun run = new ScriptRun(caller, name, readOnly, ctx.random().nextLong(), function);
        caller.run = run;
        client.denyBlocking(true); // blocking commands answer as on a timeout, as in Redis
        try {
            body.run(run, reply);
        } finally {
            client.denyBlocking(denied);
            client.db(db); // SELECT inside a script does not change the caller's database
            reply.protocol(protocol);
            ctx.args(request);
        }
    }

    /** Runs the commands of one script run in its execution (see {@link CommandCaller}). */
    private static final class Caller implements CommandCaller {
        private final ExecutionContext ctx;
        private ScriptRun run;

        Caller(ExecutionContext ctx) {
            this.ctx = ctx;
        }

        private CommandEntry lookup(RespRequest request) {
            CommandTable table = ctx.server().commands();
            CommandEntry entry = table.lookup(request, 0);
            if (entry != null && entry.isContainer() && request.count() >= 2) {
                entry = table.lookupSubcommand(entry, request);
            }
            return entry;
        }

        @Override
        public boolean permitted(byte[][] argv) throws Rejected {
            RespRequest request = RespRequest.of(argv);
            CommandEntry entry = lookup(request);
            if (entry == null) {
                throw new Rejected("Invalid command passed to redis.acl_check_cmd()");
            }
            io.respkv.server.acl.AclRules rules = ctx.client().aclUser().rules();
            return rules.unrestricted()
                    || ctx.server().acl().check(rules, entry.name(), entry.spec(), request, 0, new int[1]) == Acl.OK;
        }

        @Override
        public byte[] call(byte[][] argv, ProtocolVersion protocol) throws Rejected {
            RespRequest request = RespRequest.of(argv);
            CommandEntry entry = lookup(request);
            if (entry == null) {
                throw new Rejected("Unknown Redis command called from script");
            }
            CommandSpec spec = entry.spec();
            if (!spec.arityAccepts(request.count()) || !entry.isExecutable()) {
                throw new Rejected("Wrong number of args calling Redis command from script");
            }
            if (spec.is(CommandFlag.NOSCRIPT)) {
                throw new Rejected("This Redis command is not allowed from script");
            }
            ClientConnection client = ctx.client();
            io.respkv.server.acl.AclRules rules = client.aclUser().rules();
            if (!rules.unrestricted()) {
                int[] idx = new int[1];
                int denial = ctx.server().acl().check(rules, entry.name(), spec, request, 0, idx);
                if (denial != Acl.OK) {
                    byte[] object = denial == Acl.DENIED_CMD
                            ? entry.name().getBytes(StandardCharsets.US_ASCII) : request.bytes(idx[0]);
                    long now = System.currentTimeMillis();
                    ctx.server().acl().log().add(AclDenials.reason(denial), "lua", object, client.user(), now,
                            ClientCommands.describe(now, client, "eval"), 128);
                    throw new Rejected(switch (denial) {
                        case Acl.DENIED_CMD -> "The user executing the script can't run this command or subcommand";
                        case Acl.DENIED_KEY -> "The user executing the script can't access at least one of the keys mentioned in the command arguments";
                        default -> "The user executing the script can't publish to the channel mentioned in the command";
                    });
                }
            }
            if (run.readOnly() && (spec.isWrite() || mayReplicate(spec))) {
                throw new Rejected("Write commands are not allowed from read-only scripts.");
            }
            if (spec.isWrite()) {
                run.wrote();
            }
            RespReplyWriter reply = ctx.reply();
            RespRequest saved = ctx.args();
            ProtocolVersion savedProtocol = reply.protocol();
            int mark = reply.target().writerIndex();
            long start = System.nanoTime();
            ctx.args(request);
            reply.protocol(protocol);
            try {
                entry.command().execute(ctx);
            } catch (WrongTypeException wrongType) {
                reply.target().writerIndex(mark);
                reply.error(Errors.WRONG_TYPE);
            } catch (TransactionConflictException | EngineUnavailableException fatal) {
                reply.target().writerIndex(mark);
                throw fatal; // the whole script ends, and runs again after a conflict
            } catch (RuntimeException e) {
                if (e.getClass().getName().startsWith("io.respkv.server.script.")) {
                    reply.target().writerIndex(mark);
                    throw e;
                }
                reply.target().writerIndex(mark);
                LOG.log(Level.WARNING, "command " + entry.name() + " failed inside a script", e);
                reply.error(Errors.INTERNAL + ": " + e);
            } finally {
                ctx.args(saved);
                reply.protocol(savedProtocol);
            }
            int end = reply.target().writerIndex();
            byte[] out = new byte[end - mark];
            reply.target().getBytes(mark, out);
            reply.target().writerIndex(mark);
            entry.calls.increment();
            entry.micros.add((System.nanoTime() - start) / 1_000);
            if (out.length > 0 && out[0] == '-') {
                entry.failedCalls.increment();
                ctx.server().errorReplies.increment();
            }
            if (spec.isWrite()) {
                int db = client.db();
                for (int i : spec.keyIndexes(request.count())) {
                    ctx.signalKeyReady(db, request.bytes(i));
                }
            }
            return out;
        }
    }

    /**
     * {@code request} as the replication log carries it: an EVALSHA becomes the EVAL of its
     * script's body, since the other nodes need not have the script cached (SCRIPT LOAD is not
     * replicated); null for an EVALSHA of a script this node does not have either (NOSCRIPT).
     * Every node then caches the script as it applies the EVAL, as Redis replicas do.
     */
    static RespRequest forLog(io.respkv.server.ServerState server, RespRequest request) {
        if (request.count() < 2 || !(request.is(0, "evalsha"))) {
            return request;
        }
        LuaScripting.Compiled script = request.length(1) == 40 ? server.scripts().get(request.string(1)) : null;
        if (script == null) {
            return null;
        }
        byte[][] args = request.arguments();
        args[0] = "EVAL".getBytes(StandardCharsets.US_ASCII);
        args[1] = script.body();
        return RespRequest.of(args);
    }

    /**
     * The queued commands of a replicated MULTI/EXEC or pipeline batch as the log carries them
     * ({@link #forLog(io.respkv.server.ServerState, RespRequest)}); an EVALSHA of an unknown
     * script stays as it is and fails with NOSCRIPT on every node.
     */
    static java.util.List<RespRequest> forLog(io.respkv.server.ServerState server, java.util.List<RespRequest> requests) {
        java.util.List<RespRequest> out = new java.util.ArrayList<>(requests.size());
        for (RespRequest r : requests) {
            RespRequest logged = forLog(server, r);
            out.add(logged == null ? r : logged);
        }
        return out;
    }

    /**
     * Redis's {@code may-replicate} flag, which COMMAND INFO does not show (so the captured specs
     * lack it): PUBLISH, SPUBLISH and PFCOUNT (and the scripting commands, refused in scripts anyway).
     */
    static boolean mayReplicate(CommandSpec spec) {
        if (spec.is(CommandFlag.MAY_REPLICATE)) {
            return true;
        }
        return switch (spec.name()) {
            case "publish", "spublish", "pfcount", "eval", "evalsha", "fcall" -> true;
            default -> false;
        };
    }

    /** {@code SCRIPT LOAD script}: compiles and caches it; its SHA1. */
    static void load(ExecutionContext ctx) {
        try {
            LuaScripting.Compiled c = ctx.server().scripts().load(ctx.args().bytes(2));
            ctx.reply().bulk(c.sha());
        } catch (LuaScripting.CompileException e) {
            ctx.reply().error(e.getMessage());
        }
    }

    /** {@code SCRIPT EXISTS sha1 [sha1 ...]}: 1 or 0 for each. */
    static void exists(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        LuaScripting scripts = ctx.server().scripts();
        ctx.reply().array(args.count() - 2);
        for (int i = 2; i < args.count(); i++) {
            ctx.reply().integer(args.length(i) == 40 && scripts.exists(args.string(i)) ? 1 : 0);
        }
    }

    /** {@code SCRIPT FLUSH [ASYNC|SYNC]}: empties the script cache. */
    static void flush(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 3 || (args.count() == 3 && !args.is(2, "sync") && !args.is(2, "async"))) {
            ctx.reply().error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        ctx.server().scripts().flush();
        ctx.reply().ok();
    }

    /**
     * {@code SCRIPT KILL} ({@code eval}) and {@code FUNCTION KILL}: stops the scripts running now
     * if none of them wrote, as Redis's scriptKill: NOTBUSY if none runs, UNKILLABLE if one wrote,
     * BUSY if what runs is a function for SCRIPT KILL (or a script for FUNCTION KILL).
     */
    static void kill(ExecutionContext ctx, boolean eval) {
        java.util.Set<ScriptRun> running = ctx.server().scripts().running();
        if (running.isEmpty()) {
            ctx.reply().error("NOTBUSY No scripts in execution right now.");
            return;
        }
        for (ScriptRun r : running) {
            if (r.hasWritten()) {
                ctx.reply().error("UNKILLABLE Sorry the script already executed write commands against the dataset. "
                        + "You can either wait the script termination or kill the server in a hard way using the "
                        + "SHUTDOWN NOSAVE command.");
                return;
            }
        }
        for (ScriptRun r : running) {
            if (eval && r.function()) {
                ctx.reply().error(Errors.BUSY_FUNCTION);
                return;
            }
            if (!eval && !r.function()) {
                ctx.reply().error(Errors.BUSY_SCRIPT);
                return;
            }
        }
        running.forEach(ScriptRun::kill);
        ctx.reply().ok();
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "SCRIPT",
                "DEBUG (YES|SYNC|NO)",
                "    Set the debug mode for subsequent scripts executed.",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.");
    }
}
