package io.respkv.server.script;

import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespReplyWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.LibFunction;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * One Lua environment as Redis 7.0.15 sets it up for scripts: the allowed base functions,
 * string, table, math, bit, cjson, cmsgpack, struct and redis libraries, every table read-only,
 * and reading an undefined global an error. One per thread that runs scripts (a LuaJ
 * environment is not thread-safe; building one costs ~100 µs); scripts leave nothing in it,
 * since they cannot write to it.
 */
final class Sandbox {

    static final String KILLED = "Script killed by user with SCRIPT KILL...";

    private static final Logger LOG = Logger.getLogger("io.respkv.server.script.redis.log");

    /** Base functions Redis 7.0.15 keeps (everything else of the base library is removed). */
    private static final Set<String> BASE_ALLOWED = Set.of("assert", "error", "getmetatable", "ipairs", "next",
            "pairs", "rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber", "type");

    /** Shared read-only library tables: their functions keep no per-run state. */
    private static final LuaTable STRING;
    private static final LuaTable TABLE;
    private static final LuaTable BIT;
    private static final LuaTable STRUCT;
    private static final LuaTable CJSON;
    private static final LuaTable CMSGPACK;

    static {
        Globals scratch = new Globals();
        scratch.load(new BaseLib());
        scratch.load(new PackageLib());
        scratch.load(new StringLib());
        scratch.load(new TableLib());
        LuaTable string = (LuaTable) scratch.get("string");
        string.rawset("format", new LuaStringFormat());
        string.rawset("gfind", string.rawget("gmatch"));
        string.rawset("dump", LuaValue.NIL);
        STRING = ReadOnlyTable.copyOf(string);
        LuaTable stringMeta = new LuaTable();
        stringMeta.rawset(LuaValue.INDEX, STRING);
        LuaString.s_metatable = ReadOnlyTable.copyOf(stringMeta);
        LuaTable table = (LuaTable) scratch.get("table");
        table.rawset("pack", LuaValue.NIL);
        table.rawset("unpack", LuaValue.NIL);
        table.rawset("getn", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue t) {
                return LuaValue.valueOf(t.checktable().length());
            }
        });
        table.rawset("maxn", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue t) {
                double max = 0;
                LuaTable tt = t.checktable();
                LuaValue k = LuaValue.NIL;
                while (!(k = tt.next(k).arg1()).isnil()) {
                    if (k.type() == LuaValue.TNUMBER && k.todouble() > max) {
                        max = k.todouble();
                    }
                }
                return LuaValue.valueOf(max);
            }
        });
        TABLE = ReadOnlyTable.copyOf(table);
        BIT = ReadOnlyTable.copyOf(LuaBit.table());
        STRUCT = ReadOnlyTable.copyOf(LuaStruct.table());
        CJSON = ReadOnlyTable.copyOf(LuaCjson.table());
        CMSGPACK = ReadOnlyTable.copyOf(LuaCmsgpack.table());
    }

    private final ReadOnlyGlobals globals = new ReadOnlyGlobals();
    /** The run in progress on this sandbox, or null. */
    private ScriptRun run;
    /**
     * The environment of function libraries (Redis's function engine): an empty read-only table
     * whose reads go to the load-time API (only {@code redis.register_function}, {@code redis.log}
     * and the version fields) while FUNCTION LOAD runs the library, and to the full globals when
     * a function is called, as Redis switches the {@code __index} of its globals.
     */
    private final ReadOnlyGlobals functionEnv = new ReadOnlyGlobals();
    private final LuaTable libraryApi = new LuaTable();
    /** The functions a library being loaded registered; null outside FUNCTION LOAD. */
    private java.util.List<Registered> loading;
    /** Libraries loaded in this sandbox, by the SHA1 of their code: function name -> callback. */
    private final java.util.Map<String, java.util.Map<String, LuaValue>> libraries =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, java.util.Map<String, LuaValue>> e) {
                    return size() > 256;
                }
            };

    /** A function registered by redis.register_function. */
    record Registered(String name, String description, java.util.Set<String> flags, LuaValue callback) {
    }

    Sandbox() {
        globals.load(new BaseLib());
        globals.load(new PackageLib());
        globals.load(new CoroutineLib());
        globals.load(new JseMathLib());
        LuaC.install(globals);
        LuaTable base = new LuaTable();
        for (String name : BASE_ALLOWED) {
            base.rawset(name, globals.rawget(name));
        }
        LuaValue load = new LoadString();
        LuaTable coroutine = (LuaTable) globals.rawget("coroutine");
        LuaTable math = (LuaTable) globals.rawget("math");
        // start from an empty table: only what Redis allows
        LuaValue k = LuaValue.NIL;
        java.util.List<LuaValue> keys = new java.util.ArrayList<>();
        while (!(k = globals.next(k).arg1()).isnil()) {
            keys.add(k);
        }
        for (LuaValue key : keys) {
            globals.rawset(key, LuaValue.NIL);
        }
        LuaValue kk = LuaValue.NIL;
        while (true) {
            Varargs e = base.next(kk);
            if ((kk = e.arg1()).isnil()) {
                break;
            }
            globals.rawset(kk, e.arg(2));
        }
        globals.rawset("_G", globals);
        globals.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
        globals.rawset("tostring", new ToString());
        globals.rawset("pcall", new Pcall());
        globals.rawset("xpcall", new Xpcall());
        globals.rawset("unpack", TABLE.rawget("unpack").isnil() ? unpack() : TABLE.rawget("unpack"));
        globals.rawset("loadstring", load);
        globals.rawset("load", load);
        globals.rawset("gcinfo", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return LuaValue.valueOf(0);
            }
        });
        globals.rawset("collectgarbage", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return LuaValue.valueOf(0);
            }
        });
        globals.rawset("coroutine", ReadOnlyTable.copyOf(coroutine));
        globals.rawset("getfenv", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                // every function of a sandbox has its globals as environment (no setfenv can change it)
                return globals;
            }
        });
        globals.rawset("setfenv", new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue f, LuaValue env) {
                env.checktable();
                if (f instanceof LuaClosure c) {
                    for (int i = 0; i < c.p.upvalues.length && i < c.upValues.length; i++) {
                        LuaString upName = c.p.upvalues[i].name;
                        if (upName != null && upName.tojstring().equals("_ENV")) {
                            c.upValues[i] = new org.luaj.vm2.UpValue(new LuaValue[] {env}, 0);
                            return f;
                        }
                    }
                    return f;
                }
                throw new LuaError("'setfenv' cannot change environment of given object");
            }
        });
        globals.rawset("newproxy", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue arg) {
                if (arg.toboolean() && !arg.isuserdata()) {
                    return LuaValue.userdataOf(new Object(), new LuaTable());
                }
                if (arg.isuserdata()) {
                    return LuaValue.userdataOf(new Object(), arg.getmetatable());
                }
                return LuaValue.userdataOf(new Object());
            }
        });
        math.rawset("random", new MathRandom());
        math.rawset("randomseed", new MathRandomSeed());
        math.rawset("mod", math.rawget("fmod"));
        math.rawset("log10", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue x) {
                return LuaValue.valueOf(Math.log10(x.checkdouble()));
            }
        });
        globals.rawset("math", ReadOnlyTable.copyOf(math));
        globals.rawset("string", STRING);
        globals.rawset("table", TABLE);
        globals.rawset("bit", BIT);
        globals.rawset("struct", STRUCT);
        globals.rawset("cjson", CJSON);
        globals.rawset("cmsgpack", CMSGPACK);
        globals.rawset("redis", ReadOnlyTable.copyOf(new RedisLib(this).table()));
        LuaTable mt = new LuaTable();
        mt.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue t, LuaValue name) {
                if (!name.isstring()) {
                    throw new LuaError("Second argument to luaProtectedTableError must be a string or number");
                }
                throw new LuaError("Script attempted to access nonexistent global variable '"
                        + name.tojstring() + "'");
            }
        });
        globals.setmetatable(ReadOnlyTable.copyOf(mt));
        globals.debuglib = new Watchdog();
        globals.seal();

        LuaTable libraryRedis = new LuaTable();
        libraryRedis.rawset("register_function", fn(this::registerFunction));
        LuaValue redis = globals.rawget("redis");
        for (String apiName : new String[] {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION",
                "REDIS_VERSION_NUM"}) {
            libraryRedis.rawset(apiName, redis.rawget(apiName));
        }
        // the load-time redis table errors on a missing field, as Redis's (luaSetErrorMetatable)
        libraryApi.rawset("redis", ReadOnlyTable.copyOf(libraryRedis, globals.getmetatable()));
        LuaTable fmt = new LuaTable();
        fmt.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue t, LuaValue name) {
                LuaValue v = loading != null ? libraryApi.rawget(name) : globals.rawget(name);
                if (v.isnil()) {
                    throw new LuaError("Script attempted to access nonexistent global variable '"
                            + name.tojstring() + "'");
                }
                return v;
            }
        });
        functionEnv.setmetatable(ReadOnlyTable.copyOf(fmt));
        functionEnv.debuglib = globals.debuglib;
        functionEnv.seal();
    }

    /** Redis's luaRegisterFunction: positional (name, callback) or named arguments. */
    private Varargs registerFunction(Varargs a) {
        if (loading == null) {
            throw new LuaError(LuaReplies.errorTable("redis.register_function can only be called on FUNCTION LOAD command"));
        }
        int argc = a.narg();
        if (argc < 1 || argc > 2) {
            throw new LuaError(LuaReplies.errorTable("wrong number of arguments to redis.register_function"));
        }
        String name;
        String desc = null;
        LuaValue callback = null;
        java.util.Set<String> flags = new java.util.LinkedHashSet<>();
        if (argc == 1) {
            if (!a.arg1().istable()) {
                throw regError("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
            }
            LuaTable t = (LuaTable) a.arg1();
            name = null;
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = t.next(k);
                if ((k = e.arg1()).isnil()) {
                    break;
                }
                LuaValue v = e.arg(2);
                if (!k.isstring()) {
                    throw regError("named argument key given to redis.register_function is not a string");
                }
                String key = k.tojstring().toLowerCase(java.util.Locale.ROOT);
                switch (key) {
                    case "function_name" -> {
                        if (!v.isstring()) {
                            throw regError("function_name argument given to redis.register_function must be a string");
                        }
                        name = v.tojstring();
                    }
                    case "description" -> {
                        if (!v.isstring()) {
                            throw regError("description argument given to redis.register_function must be a string");
                        }
                        desc = v.tojstring();
                    }
                    case "callback" -> {
                        if (!v.isfunction()) {
                            throw regError("callback argument given to redis.register_function must be a function");
                        }
                        callback = v;
                    }
                    case "flags" -> {
                        if (!v.istable()) {
                            throw regError("flags argument to redis.register_function must be a table representing function flags");
                        }
                        LuaValue fk = LuaValue.NIL;
                        java.util.Set<String> given = new java.util.HashSet<>();
                        while (true) {
                            Varargs fe = ((LuaTable) v).next(fk);
                            if ((fk = fe.arg1()).isnil()) {
                                break;
                            }
                            LuaValue fv = fe.arg(2);
                            if (!fv.isstring()) {
                                break;
                            }
                            String flag = fv.tojstring().toLowerCase(java.util.Locale.ROOT);
                            if (!LuaFunctionLibrary.FLAG_ORDER.contains(flag)) {
                                throw regError("unknown flag given");
                            }
                            given.add(flag);
                        }
                        for (String f : LuaFunctionLibrary.FLAG_ORDER) {
                            if (given.contains(f)) {
                                flags.add(f);
                            }
                        }
                    }
                    default -> throw regError("unknown argument given to redis.register_function");
                }
            }
            if (name == null) {
                throw regError("redis.register_function must get a function name argument");
            }
            if (callback == null) {
                throw regError("redis.register_function must get a callback argument");
            }
        } else {
            if (!a.arg1().isstring()) {
                throw regError("first argument to redis.register_function must be a string");
            }
            if (!a.arg(2).isfunction()) {
                throw regError("second argument to redis.register_function must be a function");
            }
            name = a.arg1().tojstring();
            callback = a.arg(2);
        }
        if (!validName(name)) {
            throw regError("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
        }
        for (Registered r : loading) {
            if (r.name().equals(name)) {
                throw regError("Function already exists in the library");
            }
        }
        loading.add(new Registered(name, desc, java.util.Collections.unmodifiableSet(flags), callback));
        return LuaValue.NONE;
    }

    private static LuaError regError(String message) {
        return new LuaError(LuaReplies.errorTable(message));
    }

    /** Redis's functionsVerifyName: letters, digits and underscores, at least one. */
    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a library's code (after its shebang line, kept as a line feed) with the load-time API
     * and returns the functions it registered (Redis's luaEngineCreate).
     */
    java.util.List<Registered> loadLibrary(byte[] body) throws LuaScripting.CompileException {
        Prototype p;
        try {
            p = LuaC.instance.compile(new java.io.ByteArrayInputStream(body), "@user_function");
            LuaScripting.withoutTailCalls(p);
        } catch (LuaError e) {
            throw new LuaScripting.CompileException("ERR Error compiling function: " + normalize(e.getMessage()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new LuaScripting.CompileException("ERR Error compiling function: " + e.getMessage());
        }
        java.util.List<Registered> registered = new java.util.ArrayList<>();
        loading = registered;
        try {
            new LuaClosure(p, functionEnv).call();
        } catch (LuaError e) {
            LuaValue obj = e.getMessageObject();
            String msg;
            if (obj != null && obj.istable() && obj.rawget(LuaReplies.ERR).isstring()) {
                msg = obj.rawget(LuaReplies.ERR).tojstring();
            } else {
                msg = "ERR " + (e instanceof PlainLuaError plain ? plain.plain()
                        : obj == null ? "nil" : normalize(obj.tojstring()));
            }
            throw new LuaScripting.CompileException("ERR Error registering functions: " + msg);
        } catch (StackOverflowError so) {
            throw new LuaScripting.CompileException("ERR Error registering functions: stack overflow");
        } finally {
            loading = null;
        }
        return registered;
    }

    /**
     * Calls function {@code name} of the library whose code is {@code code} (loading it in this
     * sandbox if needed) with the keys and arguments tables, writing its reply like a script's.
     */
    void callFunction(String sha, byte[] body, String name, byte[][] keys, byte[][] args, ScriptRun r,
                      RespReplyWriter out) throws LuaScripting.CompileException {
        java.util.Map<String, LuaValue> callbacks = libraries.get(sha);
        if (callbacks == null) {
            callbacks = new java.util.HashMap<>();
            for (Registered f : loadLibrary(body)) {
                callbacks.put(f.name(), f.callback());
            }
            libraries.put(sha, callbacks);
        }
        LuaValue callback = callbacks.get(name);
        run = r;
        LuaValue result;
        try {
            result = callback.call(array(keys), array(args));
        } catch (LuaError e) {
            ScriptAbort abort = r.abort != null ? r.abort : abortOf(e);
            if (abort != null) {
                if (abort.original() instanceof ScriptKilledException) {
                    writeError(out, e.getMessage(), LuaReplies.errorTable(KILLED), r.name);
                    return;
                }
                throw abort.original();
            }
            writeError(out, e.getMessage(), e.getMessageObject(),
                    e instanceof PlainLuaError p ? p.plain() : null, r.name);
            return;
        } catch (ScriptAbort abort) {
            if (abort.original() instanceof ScriptKilledException) {
                writeError(out, null, LuaReplies.errorTable(KILLED), r.name);
                return;
            }
            throw abort.original();
        } catch (StackOverflowError deep) {
            LuaReplies.writeLine(out, '-', ("ERR Error running script, stack overflow script: " + r.name)
                    .getBytes(StandardCharsets.UTF_8), true);
            return;
        } finally {
            run = null;
        }
        if (r.abort != null) {
            throw r.abort.original();
        }
        LuaReplies.write(out, result, r.resp);
    }

    private static LuaValue unpack() {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                LuaTable t = args.checktable(1);
                int i = args.optint(2, 1);
                int j = args.isnoneornil(3) ? t.length() : args.checkint(3);
                if (i > j) {
                    return LuaValue.NONE;
                }
                LuaValue[] v = new LuaValue[j - i + 1];
                for (int n = i; n <= j; n++) {
                    v[n - i] = t.get(n);
                }
                return LuaValue.varargsOf(v);
            }
        };
    }

    ScriptRun run() {
        return run;
    }

    /**
     * Runs {@code script} with {@code keys} and {@code args} as KEYS and ARGV and writes its
     * result, or its error, to {@code out} (in the client's protocol). A write conflict, an
     * unavailable engine or SCRIPT KILL propagate as the exception that caused them (after the
     * VM unwound); other failures become the error reply Redis gives.
     */
    void execute(Prototype script, byte[][] keys, byte[][] args, ScriptRun r, RespReplyWriter out) {
        globals.internalSet("KEYS", array(keys));
        globals.internalSet("ARGV", array(args));
        run = r;
        LuaValue result;
        try {
            result = new LuaClosure(script, globals).call();
        } catch (LuaError e) {
            ScriptAbort abort = r.abort != null ? r.abort : abortOf(e);
            if (abort != null) {
                if (abort.original() instanceof ScriptKilledException) {
                    writeError(out, e.getMessage(), LuaReplies.errorTable(KILLED), r.name);
                    return;
                }
                throw abort.original();
            }
            writeError(out, e.getMessage(), e.getMessageObject(),
                    e instanceof PlainLuaError p ? p.plain() : null, r.name);
            return;
        } catch (ScriptAbort abort) {
            if (abort.original() instanceof ScriptKilledException) {
                writeError(out, null, LuaReplies.errorTable(KILLED), r.name);
                return;
            }
            throw abort.original();
        } catch (StackOverflowError deep) {
            LuaReplies.writeLine(out, '-', ("ERR Error running script, stack overflow script: " + r.name)
                    .getBytes(StandardCharsets.UTF_8), true);
            return;
        } finally {
            run = null;
            globals.internalSet("KEYS", LuaValue.NIL);
            globals.internalSet("ARGV", LuaValue.NIL);
        }
        if (r.abort != null) {
            throw r.abort.original();
        }
        LuaReplies.write(out, result, r.resp);
    }

    private static LuaTable array(byte[][] values) {
        LuaTable t = new LuaTable(values.length, 0);
        for (int i = 0; i < values.length; i++) {
            t.rawset(i + 1, LuaString.valueOf(values[i]));
        }
        return t;
    }

    /** The abort inside {@code e}'s causes, if any. */
    static ScriptAbort abortOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ScriptAbort a) {
                return a;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static final Pattern POSITION = Pattern.compile("^@([^\\n]*?):(\\d+) ", Pattern.DOTALL);

    /**
     * The reply of a script that failed, as evalGenericCommand writes it: the error table's
     * {@code err} (or {@code "ERR " .. message}), then {@code script: <name>, on <source>:<line>.}.
     */
    private static void writeError(RespReplyWriter out, String full, LuaValue obj, String name) {
        writeError(out, full, obj, null, name);
    }

    private static void writeError(RespReplyWriter out, String full, LuaValue obj, String plain, String name) {
        String source = null;
        String line = null;
        if (full != null) {
            Matcher m = POSITION.matcher(full);
            if (m.find()) {
                source = "@" + m.group(1);
                line = m.group(2);
            }
        }
        byte[] msg;
        if (obj != null && obj.istable() && obj.rawget(LuaReplies.ERR).isstring()) {
            msg = LuaReplies.cString(LuaReplies.bytes(obj.rawget(LuaReplies.ERR).checkstring()));
        } else {
            String text = plain != null ? plain : obj == null ? "nil" : obj.istable() ? obj.tojstring() : normalize(obj.tojstring());
            msg = ("ERR " + text).getBytes(StandardCharsets.UTF_8);
        }
        StringBuilder suffix = new StringBuilder();
        if (line != null) {
            suffix.append(" script: ").append(name).append(", on ").append(source).append(':').append(line).append('.');
        }
        byte[] s = suffix.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[msg.length + s.length];
        System.arraycopy(msg, 0, all, 0, msg.length);
        System.arraycopy(s, 0, all, msg.length, s.length);
        LuaReplies.writeLine(out, '-', all, true);
    }

    /**
     * A LuaJ error message as Lua 5.1 writes it: "@user_script:3 text" becomes
     * "user_script:3: text" (and the empty traceback LuaJ appends is dropped).
     */
    static String normalize(String m) {
        if (m.endsWith("\n")) {
            m = m.substring(0, m.length() - 1);
        }
        Matcher p = POSITION.matcher(m);
        if (p.find()) {
            return p.group(1) + ":" + p.group(2) + ": " + m.substring(p.end());
        }
        return m;
    }

    /** What a caught error looks like to the script (pcall's second result). */
    private LuaValue caught(LuaError le) {
        ScriptAbort abort = abortOf(le);
        if (abort != null) {
            throw abort;
        }
        if (run != null && run.abort != null) {
            throw run.abort;
        }
        if (le instanceof PlainLuaError p) {
            return LuaValue.valueOf(p.plain());
        }
        LuaValue m = le.getMessageObject();
        if (m == null) {
            return LuaValue.NIL;
        }
        if (m.isstring() && !m.isnumber()) {
            return LuaValue.valueOf(normalize(m.tojstring()));
        }
        return m;
    }

    /** Lua 5.1's loadstring (and load of a string): the chunk in this sandbox, or nil and the error. */
    private final class LoadString extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue src = args.arg1();
            byte[] code;
            if (src.isfunction()) {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                while (true) {
                    LuaValue piece = src.call();
                    if (piece.isnil() || piece.rawlen() == 0) {
                        break;
                    }
                    b.writeBytes(LuaReplies.bytes(piece.checkstring()));
                }
                code = b.toByteArray();
            } else {
                code = LuaReplies.bytes(args.checkstring(1));
            }
            String name = args.isnoneornil(2) ? "=(load)" : args.checkjstring(2);
            if (code.length > 0 && code[0] == 27) {
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("binary chunks are not allowed"));
            }
            try {
                Prototype p = LuaC.instance.compile(new java.io.ByteArrayInputStream(code), name);
                LuaScripting.withoutTailCalls(p);
                return new LuaClosure(p, globals);
            } catch (LuaError e) {
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(normalize(e.getMessage())));
            } catch (java.io.IOException | RuntimeException e) {
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(String.valueOf(e.getMessage())));
            }
        }
    }

    /** pcall that does not catch an abort (conflict, kill) and reports positions as Lua 5.1. */
    private final class Pcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.checkvalue(1);
            try {
                return LuaValue.varargsOf(LuaValue.TRUE, f.invoke(args.subargs(2)));
            } catch (ScriptAbort abort) {
                throw abort;
            } catch (LuaError le) {
                LuaValue m = caught(le);
                // Redis's luaRedisPcall: an error table with an err string is replaced by that string
                if (m.istable() && m.rawget(LuaReplies.ERR).isstring()) {
                    m = m.rawget(LuaReplies.ERR);
                }
                return LuaValue.varargsOf(LuaValue.FALSE, m);
            } catch (StackOverflowError so) {
                return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf("stack overflow"));
            }
        }
    }

    private final class Xpcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.checkvalue(1);
            LuaValue handler = args.checkvalue(2);
            try {
                return LuaValue.varargsOf(LuaValue.TRUE, f.invoke(args.subargs(3)));
            } catch (ScriptAbort abort) {
                throw abort;
            } catch (LuaError le) {
                return LuaValue.varargsOf(LuaValue.FALSE, handler.call(caught(le)));
            }
        }
    }

    /** tostring with Lua 5.1's "%.14g" for numbers (LuaJ prints non-integers with 7 digits). */
    private static final class ToString extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue arg) {
            LuaValue h = arg.metatag(LuaValue.TOSTRING);
            if (!h.isnil()) {
                return h.call(arg);
            }
            if (arg.type() == LuaValue.TNUMBER) {
                return LuaValue.valueOf(CFormat.number(arg.todouble()));
            }
            LuaValue v = arg.tostring();
            return v.isnil() ? LuaValue.valueOf(arg.tojstring()) : v;
        }
    }

    /** Redis's math.random: redisLrand48 scaled as Lua 5.1's math_random. */
    private final class MathRandom extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            Lrand48 rng = run != null ? run.random : new Lrand48();
            double r = rng.nextDouble();
            switch (args.narg()) {
                case 0:
                    return LuaValue.valueOf(r);
                case 1: {
                    int u = args.checkint(1);
                    if (u < 1) {
                        throw new LuaError("bad argument #1 to 'random' (interval is empty)");
                    }
                    return LuaValue.valueOf(Math.floor(r * u) + 1);
                }
                case 2: {
                    int l = args.checkint(1);
                    int u = args.checkint(2);
                    if (l > u) {
                        throw new LuaError("bad argument #2 to 'random' (interval is empty)");
                    }
                    return LuaValue.valueOf(Math.floor(r * (u - l + 1)) + l);
                }
                default:
                    throw new LuaError("wrong number of arguments");
            }
        }
    }

    private final class MathRandomSeed extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue seed) {
            if (run != null) {
                run.random.seed((int) (long) seed.checkdouble());
            }
            return LuaValue.NONE.arg1();
        }
    }

    /**
     * The VM hook: every 1024 instructions, stops the run if SCRIPT KILL asked. Keeps none of
     * LuaJ's debug call stack (the debug library is not exposed to scripts).
     */
    private final class Watchdog extends DebugLib {
        private int count;

        @Override
        public void onCall(LuaFunction f) {
        }

        @Override
        public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
            tick();
        }

        @Override
        public void onInstruction(int pc, Varargs v, int top) {
            tick();
        }

        @Override
        public void onReturn() {
        }

        @Override
        public String traceback(int level) {
            return "";
        }

        private void tick() {
            if ((++count & 0x3FF) == 0) {
                ScriptRun r = run;
                if (r != null && r.killRequested()) {
                    ScriptAbort abort = new ScriptAbort(new ScriptKilledException());
                    r.abort = abort;
                    throw abort;
                }
            }
        }
    }

    // ---- logging, used by RedisLib ----

    static void log(int level, String message) {
        Level l = switch (level) {
            case 0 -> Level.FINE;
            case 1 -> Level.CONFIG;
            case 2 -> Level.INFO;
            default -> Level.WARNING;
        };
        LOG.log(l, message);
    }

    static String sha1hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static LibFunction fn(java.util.function.Function<Varargs, Varargs> body) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return body.apply(args);
            }
        };
    }

    static ProtocolVersion protocol(int resp) {
        return resp == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2;
    }
}
