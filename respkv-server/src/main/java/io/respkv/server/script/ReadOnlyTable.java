package io.respkv.server.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A library table of the sandbox (string, math, table, redis...): read-only once sealed, as
 * Redis 7.0.15 protects every table reachable from the globals.
 */
final class ReadOnlyTable extends LuaTable {

    static final String MESSAGE = "Attempt to modify a readonly table";

    private boolean sealed;

    /** A sealed read-only copy of {@code source}'s entries, with {@code metatable}. */
    static ReadOnlyTable copyOf(LuaTable source, LuaValue metatable) {
        ReadOnlyTable t = copyOf(source);
        t.sealed = false;
        t.setmetatable(metatable);
        t.sealed = true;
        return t;
    }

    /** A sealed read-only copy of {@code source}'s entries. */
    static ReadOnlyTable copyOf(LuaTable source) {
        ReadOnlyTable t = new ReadOnlyTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = source.next(k);
            if ((k = n.arg1()).isnil()) {
                break;
            }
            t.rawset(k, n.arg(2));
        }
        t.sealed = true;
        return t;
    }

    private void check() {
        if (sealed) {
            throw new LuaError(MESSAGE);
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
