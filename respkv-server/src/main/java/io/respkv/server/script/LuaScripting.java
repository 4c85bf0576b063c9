package io.respkv.server.script;

import io.respkv.codec.RespReplyWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;

/**
 * The server's Lua scripting engine (LuaJ 3.0.1): the script cache by SHA1 (EVAL, SCRIPT LOAD)
 * and the execution of compiled scripts in per-thread sandboxes. Compiled scripts are immutable
 * LuaJ prototypes, shared by every thread and run; each run gets a fresh closure over its
 * thread's sandbox and its own {@link ScriptRun} state.
 */
public final class LuaScripting {

    /** A script compiled once and cached by its SHA1. */
    public record Compiled(String sha, byte[] body, Prototype prototype, boolean noWrites, boolean shebang) {
    }

    /** A script that does not compile; the message is Redis's reply without the error code. */
    public static final class CompileException extends Exception {
        private static final long serialVersionUID = 1L;

        CompileException(String message) {
            super(message, null, false, false);
        }
    }

    private final ConcurrentHashMap<String, Compiled> cache = new ConcurrentHashMap<>();
    private final ThreadLocal<Sandbox> sandboxes = ThreadLocal.withInitial(Sandbox::new);
    /** Redis's busy-reply-threshold (lua-time-limit), in milliseconds. */
    private volatile long busyThresholdMillis = 5000;
    /** Runs in progress (for SCRIPT KILL and the BUSY check). */
    private final Set<ScriptRun> running = ConcurrentHashMap.newKeySet();

    /** The lower-case hex SHA1 of {@code body}. */
    public static String sha1hex(byte[] body) {
        return Sandbox.sha1hex(body);
    }

    /** The cached script {@code sha} (lower or upper case), or null. */
    public Compiled get(String sha) {
        return cache.get(sha.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean exists(String sha) {
        return get(sha) != null;
    }

    /** Compiles {@code body} if it is not cached yet; returns the cached script. */
    public Compiled load(byte[] body) throws CompileException {
        String sha = sha1hex(body);
        Compiled c = cache.get(sha);
        if (c == null) {
            c = compile(sha, body, "user_script");
            Compiled raced = cache.putIfAbsent(sha, c);
            if (raced != null) {
                c = raced;
            }
        }
        return c;
    }

    /** SCRIPT FLUSH. */
    public void flush() {
        cache.clear();
    }

    /** How many scripts are cached (INFO's number_of_cached_scripts). */
    public int size() {
        return cache.size();
    }

    /**
     * Compiles {@code body} as the chunk {@code @<chunk>}, after Redis's shebang line if there
     * is one ({@code #!lua flags=no-writes,...}).
     */
    static Compiled compile(String sha, byte[] body, String chunk) throws CompileException {
        int from = 0;
        boolean noWrites = false;
        boolean shebang = false;
        if (body.length >= 2 && body[0] == '#' && body[1] == '!') {
            // Redis's evalExtractShebangFlags
            shebang = true;
            int nl = 0;
            while (nl < body.length && body[nl] != '\n') {
                nl++;
            }
            if (nl == body.length) {
                throw new CompileException("ERR Invalid script shebang");
            }
            String[] parts = new String(body, 0, nl, StandardCharsets.UTF_8).trim().split("[ \t\r]+");
            if (!parts[0].equals("#!lua")) {
                throw new CompileException("ERR Unexpected engine in script shebang: " + parts[0]);
            }
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].startsWith("flags=")) {
                    String list = parts[i].substring(6);
                    if (list.isEmpty()) {
                        continue;
                    }
                    for (String flag : list.split(",", -1)) {
                        switch (flag) {
                            case "no-writes" -> noWrites = true;
                            case "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys" -> {
                            }
                            default -> throw new CompileException("ERR Unexpected flag in script shebang: " + flag);
                        }
                    }
                } else {
                    throw new CompileException("ERR Unknown lua shebang option: " + parts[i]);
                }
            }
            from = nl; // the line feed stays, so line numbers are the user's
        }
        try {
            Prototype p = LuaC.instance.compile(new ByteArrayInputStream(body, from, body.length - from), "@" + chunk);
            withoutTailCalls(p);
            return new Compiled(sha, body, p, noWrites, shebang);
        } catch (LuaError e) {
            throw new CompileException("ERR Error compiling script (new function): " + Sandbox.normalize(e.getMessage()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new CompileException("ERR Error compiling script (new function): " + e.getMessage());
        }
    }

    /**
     * Turns every tail call into a call followed by the return the compiler put after it. LuaJ
     * runs a tail call after the calling frame has ended, so an error raised by the called
     * function (redis.call in {@code return redis.call(...)}) would have no script line; Lua
     * 5.1 runs a C function's tail call inside the caller's frame, and Redis reports that line.
     */
    static void withoutTailCalls(Prototype p) {
        int[] code = p.code;
        for (int i = 0; i < code.length; i++) {
            if ((code[i] & 0x3F) == org.luaj.vm2.Lua.OP_TAILCALL) {
                code[i] = (code[i] & ~0x3F) | org.luaj.vm2.Lua.OP_CALL;
            }
        }
        if (p.p != null) {
            for (Prototype inner : p.p) {
                withoutTailCalls(inner);
            }
        }
    }

    /**
     * Runs {@code script} on this thread's sandbox, writing its reply (or Redis's error for it)
     * to {@code out}. A write conflict, an unavailable engine or a kill propagate as their
     * exception ({@link ScriptKilledException} for a kill).
     */
    public void run(Compiled script, byte[][] keys, byte[][] args, ScriptRun run, RespReplyWriter out) {
        running.add(run);
        try {
            sandboxes.get().execute(script.prototype(), keys, args, run, out);
        } finally {
            running.remove(run);
        }
    }

    public long busyThresholdMillis() {
        return busyThresholdMillis;
    }

    public void busyThresholdMillis(long millis) {
        this.busyThresholdMillis = millis;
    }

    /**
     * Whether a script has been running longer than busy-reply-threshold: other clients then get
     * BUSY for every command but those flagged allow-busy (SCRIPT KILL, SHUTDOWN...), as in Redis.
     */
    public boolean busy() {
        return busyRun() != null;
    }

    /** The run that has been running longer than busy-reply-threshold, or null. */
    public ScriptRun busyRun() {
        if (running.isEmpty()) {
            return null;
        }
        long threshold = busyThresholdMillis;
        for (ScriptRun r : running) {
            if (r.elapsedMillis() > threshold) {
                return r;
            }
        }
        return null;
    }

    /** Libraries described by the SHA1 of their code (what FUNCTION LOAD registered). */
    private final ConcurrentHashMap<String, LuaFunctionLibrary> libraries = new ConcurrentHashMap<>();

    /**
     * Parses and runs a library's code (FUNCTION LOAD): its name and functions, or the error
     * Redis replies (metadata, engine, compile and registration errors). Cached by code.
     */
    public LuaFunctionLibrary library(byte[] code) throws CompileException {
        String sha = sha1hex(code);
        LuaFunctionLibrary known = libraries.get(sha);
        if (known != null) {
            return known;
        }
        int nl = 0;
        if (code.length < 2 || code[0] != '#' || code[1] != '!') {
            throw new CompileException("ERR Missing library metadata");
        }
        while (nl < code.length && code[nl] != '\n') {
            nl++;
        }
        if (nl == code.length) {
            throw new CompileException("ERR Invalid library metadata");
        }
        String[] parts = new String(code, 0, nl, StandardCharsets.UTF_8).trim().split("[ \\t\\r]+");
        String engine = parts[0].substring(2);
        String name = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].regionMatches(true, 0, "name=", 0, 5)) {
                if (name != null) {
                    throw new CompileException("ERR Invalid metadata value, name argument was given multiple times");
                }
                name = parts[i].substring(5);
                continue;
            }
            throw new CompileException("ERR Invalid metadata value given: " + parts[i]);
        }
        if (name == null) {
            throw new CompileException("ERR Library name was not given");
        }
        if (!Sandbox.validName(name)) {
            throw new CompileException("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
        }
        if (!engine.equalsIgnoreCase("lua")) {
            throw new CompileException("ERR Engine '" + engine + "' not found");
        }
        byte[] body = java.util.Arrays.copyOfRange(code, nl, code.length);
        java.util.List<Sandbox.Registered> registered = sandboxes.get().loadLibrary(body);
        if (registered.isEmpty()) {
            throw new CompileException("ERR No functions registered");
        }
        java.util.List<LuaFunctionLibrary.Function> functions = new java.util.ArrayList<>();
        for (Sandbox.Registered r : registered) {
            functions.add(new LuaFunctionLibrary.Function(r.name(), r.description(), r.flags()));
        }
        LuaFunctionLibrary lib = new LuaFunctionLibrary(name, code.clone(), java.util.List.copyOf(functions));
        libraries.putIfAbsent(sha, lib);
        return lib;
    }

    /**
     * Calls {@code function} of {@code library} (FCALL) on this thread's sandbox, writing its
     * reply; propagates a conflict, an unavailable engine, as {@link #run} does.
     */
    public void call(LuaFunctionLibrary library, String function, byte[][] keys, byte[][] args, ScriptRun run,
                     RespReplyWriter out) throws CompileException {
        byte[] code = library.code();
        int nl = 0;
        while (code[nl] != '\n') {
            nl++;
        }
        running.add(run);
        try {
            sandboxes.get().callFunction(sha1hex(code), java.util.Arrays.copyOfRange(code, nl, code.length), function,
                    keys, args, run, out);
        } finally {
            running.remove(run);
        }
    }

    /** The runs in progress. */
    public Set<ScriptRun> running() {
        return running;
    }
}
