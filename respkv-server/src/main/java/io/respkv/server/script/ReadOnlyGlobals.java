package io.respkv.server.script;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The globals table of a script sandbox: a LuaJ {@link Globals} (so closures get the VM hooks
 * and coroutine state) that, once sealed, refuses every write with Redis 7.0.15's
 * "Attempt to modify a readonly table" ({@code lua_enablereadonlytable}). KEYS and ARGV are
 * set by the sandbox itself through {@link #internalSet} before each run.
 */
final class ReadOnlyGlobals extends Globals {

    private boolean sealed;

    void seal() {
        sealed = true;
    }

    void internalSet(String key, LuaValue value) {
        super.rawset(LuaValue.valueOf(key), value);
    }

    private void check() {
        if (sealed) {
            throw new LuaError(ReadOnlyTable.MESSAGE);
        }
    }

    @Override
    public void rawset(int key, LuaValue value) {
        check();
        super.rawset(key, value);
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        check();
        super.rawset(key, value);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        if (sealed) {
            throw new PlainLuaError(ReadOnlyTable.MESSAGE);
        }
        return super.setmetatable(metatable);
    }

    @Override
    public void sort(LuaValue comparator) {
        check();
        super.sort(comparator);
    }
}
