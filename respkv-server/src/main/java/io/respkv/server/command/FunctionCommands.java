package io.respkv.server.command;

import io.respkv.api.KvCursor;
import io.respkv.api.ReplySink;
import io.respkv.api.Transaction;
import io.respkv.codec.RespRequest;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.script.LuaFunctionLibrary;
import io.respkv.server.script.LuaScripting;
import io.respkv.server.script.ScriptRun;
import io.respkv.server.util.GlobMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7 functions ({@code functions.c}): FUNCTION LOAD, DELETE, FLUSH, LIST, STATS, KILL,
 * HELP, and FCALL / FCALL_RO.
 *
 * <p>Libraries live in the engine, outside every database: {@code F l <library>} holds a
 * library's code and {@code F f <function>} the library that registered each function
 * ({@link KeyCodec#functionLibraryKey}). So they are as durable as the data (they survive a
 * restart on a durable engine), they are written in the command's transaction (FUNCTION LOAD is
 * atomic with the check that no function name is taken), and under Raft the write commands
 * (LOAD, DELETE, FLUSH) are log entries applied on every node like any write. FCALL reads the
 * two entries (two point reads) and runs the function from a library compiled once per code and
 * thread. FLUSHALL leaves them, as Redis does.
 */
final class FunctionCommands {

    private FunctionCommands() {
    }

    static void register(CommandTable t) {
        t.registerReplicated("fcall", ctx -> fcall(ctx, false)); // one log entry under replication
        t.register("fcall_ro", ctx -> fcall(ctx, true));
        t.register("function|load", FunctionCommands::load);
        t.register("function|delete", FunctionCommands::delete);
        t.register("function|flush", FunctionCommands::flush);
        t.register("function|list", FunctionCommands::list);
        t.register("function|stats", FunctionCommands::stats);
        t.register("function|kill", ctx -> ScriptCommands.kill(ctx, false));
        t.register("function|help", FunctionCommands::help);
        t.register("function|dump", FunctionCommands::dump);
        t.register("function|restore", FunctionCommands::restore);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The library stored under {@code name}, or null. */
    private static LuaFunctionLibrary stored(ExecutionContext ctx, Transaction txn, byte[] name)
            throws LuaScripting.CompileException {
        byte[] code = txn.get(KeyCodec.functionLibraryKey(name));
        return code == null ? null : ctx.server().scripts().library(code);
    }

    /**
     * {@code FUNCTION LOAD [REPLACE] code}: compiles the library, registers its functions and
     * replies its name.
     */
    static void load(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        boolean replace = false;
        int pos = 2;
        while (pos < args.count() - 1) {
            if (args.is(pos, "replace")) {
                replace = true;
                pos++;
                continue;
            }
            ctx.reply().error("ERR Unknown option given: " + args.string(pos));
            return;
        }
        if (pos >= args.count()) {
            ctx.reply().error("ERR Function code is missing");
            return;
        }
        LuaFunctionLibrary lib;
        try {
            lib = ctx.server().scripts().library(args.bytes(pos));
        } catch (LuaScripting.CompileException e) {
            ctx.reply().error(e.getMessage());
            return;
        }
        Transaction txn = ctx.transaction();
        byte[] name = bytes(lib.name());
        LuaFunctionLibrary old;
        try {
            old = stored(ctx, txn, name);
        } catch (LuaScripting.CompileException e) {
            throw new IllegalStateException("a stored library does not load: " + e.getMessage(), e);
        }
        if (old != null && !replace) {
            ctx.reply().error("ERR Library '" + lib.name() + "' already exists");
            return;
        }
        for (LuaFunctionLibrary.Function f : lib.functions()) {
            byte[] owner = txn.get(KeyCodec.functionIndexKey(bytes(f.name())));
            if (owner != null && !(old != null && java.util.Arrays.equals(owner, name))) {
                ctx.reply().error("ERR Function " + f.name() + " already exists");
                return;
            }
        }
        if (old != null) {
            for (LuaFunctionLibrary.Function f : old.functions()) {
                txn.delete(KeyCodec.functionIndexKey(bytes(f.name())));
            }
        }
        txn.put(KeyCodec.functionLibraryKey(name), lib.code());
        for (LuaFunctionLibrary.Function f : lib.functions()) {
            txn.put(KeyCodec.functionIndexKey(bytes(f.name())), name);
        }
        ctx.reply().bulk(name);
    }

    /** {@code FUNCTION DELETE library}: removes it and its functions. */
    static void delete(ExecutionContext ctx) {
        Transaction txn = ctx.transaction();
        byte[] name = ctx.args().bytes(2);
        LuaFunctionLibrary lib;
        try {
            lib = stored(ctx, txn, name);
        } catch (LuaScripting.CompileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (lib == null) {
            ctx.reply().error("ERR Library not found");
            return;
        }
        for (LuaFunctionLibrary.Function f : lib.functions()) {
            txn.delete(KeyCodec.functionIndexKey(bytes(f.name())));
        }
        txn.delete(KeyCodec.functionLibraryKey(name));
        ctx.reply().ok();
    }

    /** {@code FUNCTION FLUSH [ASYNC|SYNC]}: removes every library. */
    static void flush(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 3 || (args.count() == 3 && !args.is(2, "sync") && !args.is(2, "async"))) {
            ctx.reply().error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        byte[] all = {KeyCodec.FUNCTION};
        ctx.transaction().deleteRange(all, KeyCodec.prefixEnd(all));
        ctx.reply().ok();
    }

    /** Every stored library, in name order. */
    private static List<LuaFunctionLibrary> libraries(ExecutionContext ctx) {
        List<LuaFunctionLibrary> out = new ArrayList<>();
        byte[] prefix = KeyCodec.functionPrefix('l');
        try (KvCursor c = ctx.transaction().scan(prefix, KeyCodec.prefixEnd(prefix), false)) {
            while (c.next()) {
                try {
                    out.add(ctx.server().scripts().library(c.value().clone()));
                } catch (LuaScripting.CompileException e) {
                    throw new IllegalStateException("a stored library does not load: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** {@code FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]}. */
    static void list(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < args.count(); i++) {
            if (!withCode && args.is(i, "withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && args.is(i, "libraryname")) {
                if (i >= args.count() - 1) {
                    ctx.reply().error("ERR library name argument was not given");
                    return;
                }
                pattern = args.bytes(++i);
                continue;
            }
            ctx.reply().error("ERR Unknown argument " + args.string(i));
            return;
        }
        List<LuaFunctionLibrary> libs = libraries(ctx);
        if (pattern != null) {
            GlobMatcher m = GlobMatcher.compile(pattern, true);
            libs.removeIf(l -> !m.matches(bytes(l.name())));
        }
        ReplySink r = ctx.reply();
        r.array(libs.size());
        for (LuaFunctionLibrary lib : libs) {
            r.map(withCode ? 4 : 3);
            r.bulk("library_name");
            r.bulk(lib.name());
            r.bulk("engine");
            r.bulk("LUA");
            r.bulk("functions");
            r.array(lib.functions().size());
            for (LuaFunctionLibrary.Function f : lib.functions()) {
                r.map(3);
                r.bulk("name");
                r.bulk(f.name());
                r.bulk("description");
                if (f.description() == null) {
                    r.nullBulk();
                } else {
                    r.bulk(f.description());
                }
                r.bulk("flags");
                r.set(f.flags().size());
                for (String flag : f.flags()) {
                    r.simple(flag);
                }
            }
            if (withCode) {
                r.bulk("library_code");
                r.bulk(lib.code());
            }
        }
    }

    /** {@code FUNCTION DUMP}: every library in Redis's payload format (see {@link FunctionPayload}). */
    static void dump(ExecutionContext ctx) {
        List<byte[]> codes = new ArrayList<>();
        for (LuaFunctionLibrary lib : libraries(ctx)) {
            codes.add(lib.code());
        }
        ctx.reply().bulk(FunctionPayload.dump(codes));
    }

    /**
     * {@code FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]}: loads the payload's libraries, all
     * or none: every library is compiled and every collision checked before anything is written.
     */
    static void restore(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 4) {
            ctx.reply().error("ERR unknown subcommand or wrong number of arguments for '" + args.string(1)
                    + "'. Try FUNCTION HELP.");
            return;
        }
        String policy = "append";
        if (args.count() == 4) {
            if (args.is(3, "append") || args.is(3, "replace") || args.is(3, "flush")) {
                policy = args.string(3).toLowerCase(java.util.Locale.ROOT);
            } else {
                ctx.reply().error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        List<LuaFunctionLibrary> incoming = new ArrayList<>();
        try {
            for (byte[] code : FunctionPayload.parse(args.bytes(2))) {
                incoming.add(ctx.server().scripts().library(code));
            }
        } catch (FunctionPayload.Invalid e) {
            ctx.reply().error("ERR " + e.getMessage());
            return;
        } catch (LuaScripting.CompileException e) {
            ctx.reply().error(e.getMessage());
            return;
        }
        Transaction txn = ctx.transaction();
        // what stays: nothing (FLUSH), or the current libraries minus those replaced
        java.util.Map<String, LuaFunctionLibrary> result = new java.util.LinkedHashMap<>();
        if (!policy.equals("flush")) {
            for (LuaFunctionLibrary lib : libraries(ctx)) {
                result.put(lib.name(), lib);
            }
        }
        for (LuaFunctionLibrary lib : incoming) {
            if (result.containsKey(lib.name()) && policy.equals("append")) {
                ctx.reply().error("ERR Library " + lib.name() + " already exists");
                return;
            }
            result.put(lib.name(), lib);
        }
        java.util.Set<String> functions = new java.util.HashSet<>();
        for (LuaFunctionLibrary lib : result.values()) {
            for (LuaFunctionLibrary.Function f : lib.functions()) {
                if (!functions.add(f.name())) {
                    ctx.reply().error("ERR Function " + f.name() + " already exists");
                    return;
                }
            }
        }
        byte[] all = {KeyCodec.FUNCTION};
        txn.deleteRange(all, KeyCodec.prefixEnd(all));
        for (LuaFunctionLibrary lib : result.values()) {
            byte[] name = bytes(lib.name());
            txn.put(KeyCodec.functionLibraryKey(name), lib.code());
            for (LuaFunctionLibrary.Function f : lib.functions()) {
                txn.put(KeyCodec.functionIndexKey(bytes(f.name())), name);
            }
        }
        ctx.reply().ok();
    }

    /** {@code FUNCTION STATS}: the running function (if any) and the library and function counts. */
    static void stats(ExecutionContext ctx) {
        ReplySink r = ctx.reply();
        List<LuaFunctionLibrary> libs = libraries(ctx);
        int functions = 0;
        for (LuaFunctionLibrary l : libs) {
            functions += l.functions().size();
        }
        r.map(2);
        r.bulk("running_script");
        ScriptRun running = null;
        for (ScriptRun run : ctx.server().scripts().running()) {
            if (run.function()) {
                running = run;
                break;
            }
        }
        if (running == null) {
            r.nullBulk();
        } else {
            r.map(3);
            r.bulk("name");
            r.bulk(running.name());
            r.bulk("command");
            r.array(0);
            r.bulk("duration_ms");
            r.integer(running.elapsedMillis());
        }
        r.bulk("engines");
        r.map(1);
        r.bulk("LUA");
        r.map(2);
        r.bulk("libraries_count");
        r.integer(libs.size());
        r.bulk("functions_count");
        r.integer(functions);
    }

    /**
     * {@code FCALL function numkeys [key ...] [arg ...]} and FCALL_RO: runs a registered
     * function with the keys and arguments as its two table arguments.
     */
    static void fcall(ExecutionContext ctx, boolean readOnly) {
        RespRequest args = ctx.args();
        Transaction txn = ctx.transaction();
        byte[] owner = txn.get(KeyCodec.functionIndexKey(args.bytes(1)));
        LuaFunctionLibrary lib = null;
        if (owner != null) {
            try {
                lib = stored(ctx, txn, owner);
            } catch (LuaScripting.CompileException e) {
                throw new IllegalStateException("a stored library does not load: " + e.getMessage(), e);
            }
        }
        String name = args.string(1);
        LuaFunctionLibrary.Function f = lib == null ? null : lib.function(name);
        if (f == null) {
            ctx.reply().error("ERR Function not found");
            return;
        }
        long numkeys;
        try {
            numkeys = args.parseLong(2);
        } catch (NumberFormatException e) {
            ctx.reply().error("ERR Bad number of keys provided");
            return;
        }
        if (!ScriptCommands.numkeysFit(ctx, numkeys)) {
            return;
        }
        if (readOnly && !f.noWrites()) {
            ctx.reply().error("ERR Can not execute a script with write flag using *_ro command.");
            return;
        }
        int n = (int) numkeys;
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = args.bytes(3 + i);
        }
        byte[][] argv = new byte[args.count() - 3 - n][];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = args.bytes(3 + n + i);
        }
        LuaFunctionLibrary library = lib;
        ScriptCommands.runWith(ctx, name, readOnly || f.noWrites(), true, (run, out) -> {
            try {
                ctx.server().scripts().call(library, name, keys, argv, run, out);
            } catch (LuaScripting.CompileException e) {
                throw new IllegalStateException("a stored library does not load: " + e.getMessage(), e);
            }
        });
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "FUNCTION",
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library).");
    }
}
