package io.respkv.server.script;

import org.luaj.vm2.LuaError;

/**
 * An error Lua 5.1 raises without a position prefix (one raised by a C function at level 0,
 * such as setmetatable on a read-only table): LuaJ would prefix it with the script line.
 */
final class PlainLuaError extends LuaError {
    private static final long serialVersionUID = 1L;
    private final String plain;

    PlainLuaError(String message) {
        super(message);
        this.plain = message;
    }

    String plain() {
        return plain;
    }
}
