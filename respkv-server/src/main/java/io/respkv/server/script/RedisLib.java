package io.respkv.server.script;

import io.respkv.api.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** The {@code redis} table of a sandbox: Redis 7.0's {@code redis.*} API for scripts. */
final class RedisLib {

    private final Sandbox sandbox;

    RedisLib(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("call", Sandbox.fn(a -> command(a, true)));
        t.rawset("pcall", Sandbox.fn(a -> command(a, false)));
        t.rawset("setresp", Sandbox.fn(this::setresp));
        t.rawset("sha1hex", Sandbox.fn(a -> {
            if (a.narg() != 1) {
                throw new LuaError(LuaReplies.errorTable("wrong number of arguments"));
            }
            return LuaValue.valueOf(Sandbox.sha1hex(LuaReplies.bytes(a.checkstring(1))));
        }));
        t.rawset("error_reply", Sandbox.fn(a -> {
            if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) {
                return LuaReplies.errorTable("wrong number or type of arguments");
            }
            byte[] err = LuaReplies.bytes(a.checkstring(1));
            if (err.length == 0 || err[0] != '-') {
                byte[] with = new byte[err.length + 1];
                with[0] = '-';
                System.arraycopy(err, 0, with, 1, err.length);
                err = with;
            }
            return LuaReplies.errorTable(err);
        }));
        t.rawset("status_reply", Sandbox.fn(a -> {
            if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) {
                return LuaReplies.errorTable("wrong number or type of arguments");
            }
            LuaTable ok = new LuaTable();
            ok.rawset(LuaReplies.OK, a.arg1());
            return ok;
        }));
        t.rawset("log", Sandbox.fn(this::log));
        t.rawset("set_repl", Sandbox.fn(a -> {
            if (a.narg() != 1) {
                throw new LuaError(LuaReplies.errorTable("redis.set_repl() requires one argument."));
            }
            int flags = (int) a.checkdouble(1);
            if ((flags & ~3) != 0) {
                throw new LuaError(LuaReplies.errorTable("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."));
            }
            return LuaValue.NONE;
        }));
        t.rawset("replicate_commands", Sandbox.fn(a -> LuaValue.TRUE));
        t.rawset("breakpoint", Sandbox.fn(a -> LuaValue.FALSE));
        t.rawset("debug", Sandbox.fn(a -> LuaValue.NONE));
        t.rawset("acl_check_cmd", Sandbox.fn(this::aclCheck));
        t.rawset("LOG_DEBUG", LuaValue.valueOf(0));
        t.rawset("LOG_VERBOSE", LuaValue.valueOf(1));
        t.rawset("LOG_NOTICE", LuaValue.valueOf(2));
        t.rawset("LOG_WARNING", LuaValue.valueOf(3));
        t.rawset("REPL_NONE", LuaValue.valueOf(0));
        t.rawset("REPL_AOF", LuaValue.valueOf(1));
        t.rawset("REPL_SLAVE", LuaValue.valueOf(2));
        t.rawset("REPL_REPLICA", LuaValue.valueOf(2));
        t.rawset("REPL_ALL", LuaValue.valueOf(3));
        t.rawset("REDIS_VERSION", LuaValue.valueOf("7.0.15"));
        t.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(0x07000f));
        return t;
    }

    private ScriptRun current() {
        ScriptRun r = sandbox.run();
        if (r == null) {
            throw new LuaError(LuaReplies.errorTable("redis.call/pcall can only be called inside a script invocation"));
        }
        return r;
    }

    /** Redis's {@code luaRedisGenericCommand}: redis.call ({@code raise}) and redis.pcall. */
    private Varargs command(Varargs a, boolean raise) {
        ScriptRun r = current();
        if (r.abort != null) {
            throw r.abort;
        }
        byte[][] argv = argv(a);
        if (argv == null) {
            LuaTable err = LuaReplies.errorTable(a.narg() == 0
                    ? "Please specify at least one argument for this redis lib call"
                    : "Lua redis lib command arguments must be strings or integers");
            if (raise) {
                throw new LuaError(err);
            }
            return err;
        }
        byte[] reply;
        try {
            reply = r.caller.call(argv, r.resp);
        } catch (CommandCaller.Rejected rejected) {
            LuaTable err = LuaReplies.errorTable(rejected.getMessage());
            err.rawset(LuaReplies.IGNORE_STATS, LuaValue.TRUE);
            if (raise) {
                throw new LuaError(err);
            }
            return err;
        } catch (ScriptAbort abort) {
            r.abort = abort;
            throw abort;
        } catch (RuntimeException fatal) {
            // a write conflict or an unavailable engine: the whole script ends (and may run again)
            ScriptAbort abort = new ScriptAbort(fatal);
            r.abort = abort;
            throw abort;
        }
        LuaValue v = LuaReplies.toLua(reply);
        if (raise && reply.length > 0 && reply[0] == '-') {
            throw new LuaError(v);
        }
        return v;
    }

    /** The arguments as bytes (numbers as "%.17g"), or null if one is neither string nor number. */
    private static byte[][] argv(Varargs a) {
        int n = a.narg();
        if (n == 0) {
            return null;
        }
        byte[][] argv = new byte[n][];
        for (int i = 1; i <= n; i++) {
            LuaValue v = a.arg(i);
            if (v.type() == LuaValue.TNUMBER) {
                argv[i - 1] = CFormat.g(v.todouble(), 17, false, false).getBytes(StandardCharsets.US_ASCII);
            } else if (v.type() == LuaValue.TSTRING) {
                argv[i - 1] = LuaReplies.bytes((LuaString) v);
            } else {
                return null;
            }
        }
        return argv;
    }

    private Varargs setresp(Varargs a) {
        ScriptRun r = current();
        if (a.narg() != 1) {
            throw new LuaError(LuaReplies.errorTable("redis.setresp() requires one argument."));
        }
        int resp = (int) a.checkdouble(1);
        if (resp != 2 && resp != 3) {
            throw new LuaError(LuaReplies.errorTable("RESP version must be 2 or 3."));
        }
        r.resp = resp == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2;
        return LuaValue.NONE;
    }

    private Varargs log(Varargs a) {
        int argc = a.narg();
        if (argc < 2) {
            throw new LuaError(LuaReplies.errorTable("redis.log() requires two arguments or more."));
        }
        if (!a.arg1().isnumber()) {
            throw new LuaError(LuaReplies.errorTable("First argument must be a number (log level)."));
        }
        int level = (int) a.arg1().todouble();
        if (level < 0 || level > 3) {
            throw new LuaError(LuaReplies.errorTable("Invalid debug level."));
        }
        StringBuilder msg = new StringBuilder();
        for (int i = 2; i <= argc; i++) {
            LuaValue v = a.arg(i);
            if (i > 2) {
                msg.append(' ');
            }
            if (v.type() == LuaValue.TNUMBER) {
                msg.append(CFormat.number(v.todouble()));
            } else if (v.type() == LuaValue.TSTRING) {
                msg.append(v.tojstring());
            }
        }
        Sandbox.log(level, msg.toString());
        return LuaValue.NONE;
    }

    private Varargs aclCheck(Varargs a) {
        ScriptRun r = current();
        byte[][] argv = argv(a);
        if (argv == null) {
            throw new LuaError(LuaReplies.errorTable(a.narg() == 0
                    ? "Please specify at least one argument for this redis lib call"
                    : "Lua redis lib command arguments must be strings or integers"));
        }
        try {
            return LuaValue.valueOf(r.caller.permitted(argv));
        } catch (CommandCaller.Rejected rejected) {
            throw new LuaError(LuaReplies.errorTable(rejected.getMessage()));
        }
    }
}
