package io.respkv.server.script;

import java.util.List;
import java.util.Set;

/**
 * A function library (FUNCTION LOAD) as registered: its name, its whole code (shebang line
 * included) and its functions with their description and flags. Describes a library; the Lua
 * callbacks themselves live in each thread's sandbox.
 */
public record LuaFunctionLibrary(String name, byte[] code, List<Function> functions) {

    /** One registered function; {@code flags} in Redis's order (no-writes, allow-oom, ...). */
    public record Function(String name, String description, Set<String> flags) {

        public boolean noWrites() {
            return flags.contains("no-writes");
        }
    }

    /** The function named {@code name}, or null. */
    public Function function(String name) {
        for (Function f : functions) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Redis's script flags in the order FUNCTION LIST shows them (scripts_flags_def). */
    static final List<String> FLAG_ORDER = List.of("no-writes", "allow-oom", "allow-stale", "no-cluster",
            "allow-cross-slot-keys");
}
