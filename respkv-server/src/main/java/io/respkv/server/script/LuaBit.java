package io.respkv.server.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * LuaBitOp 1.0.2 (Redis's {@code bit} library): 32-bit operations whose results are signed
 * 32-bit numbers. Numbers are first normalised as LuaBitOp's {@code barg} does (adding
 * 2^52+2^51 and keeping the low 32 bits, i.e. rounding to nearest, modulo 2^32).
 */
final class LuaBit {

    private LuaBit() {
    }

    static int arg(Varargs a, int i, String fn) {
        LuaValue v = a.arg(i);
        if (!v.isnumber()) {
            throw new LuaError("bad argument #" + i + " to '" + fn + "' (number expected, got "
                    + (i > a.narg() ? "no value" : v.typename()) + ")");
        }
        double d = v.todouble();
        double b = d + 6755399441055744.0; // 2^52 + 2^51: the low 32 bits of the mantissa
        return (int) Double.doubleToRawLongBits(b);
    }

    static LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("tobit", Sandbox.fn(a -> LuaValue.valueOf(arg(a, 1, "tobit"))));
        t.rawset("bnot", Sandbox.fn(a -> LuaValue.valueOf(~arg(a, 1, "bnot"))));
        t.rawset("band", Sandbox.fn(a -> {
            int r = arg(a, 1, "band");
            for (int i = 2; i <= a.narg(); i++) {
                r &= arg(a, i, "band");
            }
            return LuaValue.valueOf(r);
        }));
        t.rawset("bor", Sandbox.fn(a -> {
            int r = arg(a, 1, "bor");
            for (int i = 2; i <= a.narg(); i++) {
                r |= arg(a, i, "bor");
            }
            return LuaValue.valueOf(r);
        }));
        t.rawset("bxor", Sandbox.fn(a -> {
            int r = arg(a, 1, "bxor");
            for (int i = 2; i <= a.narg(); i++) {
                r ^= arg(a, i, "bxor");
            }
            return LuaValue.valueOf(r);
        }));
        t.rawset("lshift", Sandbox.fn(a -> LuaValue.valueOf(arg(a, 1, "lshift") << (arg(a, 2, "lshift") & 31))));
        t.rawset("rshift", Sandbox.fn(a -> LuaValue.valueOf(arg(a, 1, "rshift") >>> (arg(a, 2, "rshift") & 31))));
        t.rawset("arshift", Sandbox.fn(a -> LuaValue.valueOf(arg(a, 1, "arshift") >> (arg(a, 2, "arshift") & 31))));
        t.rawset("rol", Sandbox.fn(a -> LuaValue.valueOf(Integer.rotateLeft(arg(a, 1, "rol"), arg(a, 2, "rol") & 31))));
        t.rawset("ror", Sandbox.fn(a -> LuaValue.valueOf(Integer.rotateRight(arg(a, 1, "ror"), arg(a, 2, "ror") & 31))));
        t.rawset("bswap", Sandbox.fn(a -> LuaValue.valueOf(Integer.reverseBytes(arg(a, 1, "bswap")))));
        t.rawset("tohex", Sandbox.fn(a -> {
            int b = arg(a, 1, "tohex");
            int n = a.isnoneornil(2) ? 8 : arg(a, 2, "tohex");
            String digits = "0123456789abcdef";
            if (n < 0) {
                n = -n;
                digits = "0123456789ABCDEF";
            }
            if (n > 8) {
                n = 8;
            }
            char[] buf = new char[n];
            for (int i = n - 1; i >= 0; i--) {
                buf[i] = digits.charAt(b & 15);
                b >>>= 4;
            }
            return LuaValue.valueOf(new String(buf));
        }));
        return t;
    }

    static LuaError error(String m) {
        return new LuaError(m);
    }
}
