package io.respkv.server.script;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * lua-cmsgpack as Redis 7.0.15 ships it ({@code lua_cmsgpack.c}): pack, unpack, unpack_one and
 * unpack_limit of MessagePack, with the same choice of encodings (smallest integer form, float32
 * when exact, str8/16/32, array when the keys are exactly 1..n, nesting cut at 16 levels).
 */
final class LuaCmsgpack {

    private static final int MAX_NESTING = 16;

    private LuaCmsgpack() {
    }

    static LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("pack", Sandbox.fn(LuaCmsgpack::pack));
        t.rawset("unpack", Sandbox.fn(a -> unpack(a, 0, 0)));
        t.rawset("unpack_one", Sandbox.fn(a -> unpack(a, 1, a.optlong(2, 0))));
        t.rawset("unpack_limit", Sandbox.fn(a -> unpack(a, a.checklong(2), a.optlong(3, 0))));
        t.rawset("_NAME", LuaValue.valueOf("cmsgpack"));
        t.rawset("_VERSION", LuaValue.valueOf("lua-cmsgpack 0.4.0"));
        t.rawset("_COPYRIGHT", LuaValue.valueOf("Copyright (C) 2012, Salvatore Sanfilippo"));
        t.rawset("_DESCRIPTION", LuaValue.valueOf("MessagePack C implementation for Lua"));
        return t;
    }

    private static Varargs pack(Varargs a) {
        int n = a.narg();
        if (n == 0) {
            throw new LuaError("bad argument #0 to 'pack' (MessagePack pack needs input.)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= n; i++) {
            encode(out, a.arg(i), 0);
        }
        return LuaString.valueOf(out.toByteArray());
    }

    private static boolean isInt64(double d) {
        return !Double.isInfinite(d) && !Double.isNaN(d) && d >= -9.223372036854775808E18
                && d < 9.223372036854775808E18 && (double) (long) d == d;
    }

    private static void encode(ByteArrayOutputStream out, LuaValue v, int level) {
        int t = v.type();
        if (t == LuaValue.TTABLE && level == MAX_NESTING) {
            t = LuaValue.TNIL;
        }
        switch (t) {
            case LuaValue.TSTRING -> {
                byte[] s = v.type() == LuaValue.TNUMBER ? null : LuaReplies.bytes(v.checkstring());
                bytes(out, s);
            }
            case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 0xc3 : 0xc2);
            case LuaValue.TNUMBER -> {
                double d = v.todouble();
                if (isInt64(d)) {
                    integer(out, (long) d);
                } else {
                    float f = (float) d;
                    if (d == (double) f) {
                        out.write(0xca);
                        be(out, Float.floatToRawIntBits(f) & 0xFFFFFFFFL, 4);
                    } else {
                        out.write(0xcb);
                        be(out, Double.doubleToRawLongBits(d), 8);
                    }
                }
            }
            case LuaValue.TTABLE -> {
                LuaTable tab = (LuaTable) v;
                if (isArray(tab)) {
                    int len = tab.rawlen();
                    header(out, len, 0x90, 0xdc, 0xdd);
                    for (int j = 1; j <= len; j++) {
                        encode(out, tab.get(j), level + 1);
                    }
                } else {
                    int len = 0;
                    LuaValue k = LuaValue.NIL;
                    while (!(k = tab.next(k).arg1()).isnil()) {
                        len++;
                    }
                    header(out, len, 0x80, 0xde, 0xdf);
                    k = LuaValue.NIL;
                    while (true) {
                        Varargs e = tab.next(k);
                        if ((k = e.arg1()).isnil()) {
                            break;
                        }
                        encode(out, k, level + 1);
                        encode(out, e.arg(2), level + 1);
                    }
                }
            }
            default -> out.write(0xc0);
        }
    }

    private static boolean isArray(LuaTable t) {
        long count = 0;
        double max = 0;
        LuaValue k = LuaValue.NIL;
        while (!(k = t.next(k).arg1()).isnil()) {
            if (k.type() != LuaValue.TNUMBER) {
                return false;
            }
            double n = k.todouble();
            if (n <= 0 || Double.isInfinite(n) || (double) (int) n != n) {
                return false;
            }
            max = Math.max(max, n);
            count++;
        }
        return max == count;
    }

    private static void bytes(ByteArrayOutputStream out, byte[] s) {
        int len = s.length;
        if (len < 32) {
            out.write(0xa0 | len);
        } else if (len <= 0xff) {
            out.write(0xd9);
            out.write(len);
        } else if (len <= 0xffff) {
            out.write(0xda);
            be(out, len, 2);
        } else {
            out.write(0xdb);
            be(out, len, 4);
        }
        out.writeBytes(s);
    }

    private static void header(ByteArrayOutputStream out, int n, int fix, int b16, int b32) {
        if (n <= 15) {
            out.write(fix | n);
        } else if (n <= 65535) {
            out.write(b16);
            be(out, n, 2);
        } else {
            out.write(b32);
            be(out, n, 4);
        }
    }

    private static void integer(ByteArrayOutputStream out, long n) {
        if (n >= 0) {
            if (n <= 127) {
                out.write((int) n);
            } else if (n <= 0xff) {
                out.write(0xcc);
                out.write((int) n);
            } else if (n <= 0xffff) {
                out.write(0xcd);
                be(out, n, 2);
            } else if (n <= 0xffffffffL) {
                out.write(0xce);
                be(out, n, 4);
            } else {
                out.write(0xcf);
                be(out, n, 8);
            }
        } else {
            if (n >= -32) {
                out.write((int) n & 0xff);
            } else if (n >= -128) {
                out.write(0xd0);
                out.write((int) n & 0xff);
            } else if (n >= -32768) {
                out.write(0xd1);
                be(out, n, 2);
            } else if (n >= -2147483648L) {
                out.write(0xd2);
                be(out, n, 4);
            } else {
                out.write(0xd3);
                be(out, n, 8);
            }
        }
    }

    private static void be(ByteArrayOutputStream out, long v, int size) {
        for (int i = size - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** A read position; throws on missing bytes (EOF) or an unknown type byte. */
    private static final class Cur {
        final byte[] p;
        int i;

        Cur(byte[] p, int i) {
            this.p = p;
            this.i = i;
        }

        int left() {
            return p.length - i;
        }

        void need(int n) {
            if (left() < n) {
                throw new LuaError("Missing bytes in input.");
            }
        }

        int u8(int at) {
            return p[i + at] & 0xff;
        }

        long be(int at, int size) {
            long v = 0;
            for (int k = 0; k < size; k++) {
                v = (v << 8) | u8(at + k);
            }
            return v;
        }
    }

    private static Varargs unpack(Varargs a, long limit, long offset) {
        byte[] s = LuaReplies.bytes(a.checkstring(1));
        boolean all = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0) {
            throw new LuaError("Invalid request to unpack with offset of " + (int) offset + " and limit of "
                    + s.length + ".");
        } else if (offset > s.length) {
            throw new LuaError("Start offset " + (int) offset + " greater than input length " + s.length + ".");
        }
        if (all) {
            limit = Integer.MAX_VALUE;
        }
        Cur c = new Cur(s, (int) offset);
        java.util.List<LuaValue> out = new java.util.ArrayList<>();
        for (int cnt = 0; c.left() > 0 && cnt < limit; cnt++) {
            out.add(decode(c));
        }
        if (!all) {
            out.add(0, LuaValue.valueOf(c.left() == 0 ? -1 : s.length - c.left()));
        }
        return LuaValue.varargsOf(out.toArray(new LuaValue[0]));
    }

    private static LuaValue decode(Cur c) {
        c.need(1);
        int b = c.u8(0);
        switch (b) {
            case 0xcc: c.need(2); { LuaValue v = LuaValue.valueOf(c.u8(1)); c.i += 2; return v; }
            case 0xd0: c.need(2); { LuaValue v = LuaValue.valueOf((byte) c.u8(1)); c.i += 2; return v; }
            case 0xcd: c.need(3); { LuaValue v = LuaValue.valueOf(c.be(1, 2)); c.i += 3; return v; }
            case 0xd1: c.need(3); { LuaValue v = LuaValue.valueOf((short) c.be(1, 2)); c.i += 3; return v; }
            case 0xce: c.need(5); { LuaValue v = LuaValue.valueOf((double) c.be(1, 4)); c.i += 5; return v; }
            case 0xd2: c.need(5); { LuaValue v = LuaValue.valueOf((int) c.be(1, 4)); c.i += 5; return v; }
            case 0xcf: c.need(9); {
                long l = c.be(1, 8);
                double d = l >= 0 ? (double) l : (double) (l >>> 1) * 2.0 + (l & 1);
                c.i += 9;
                return LuaValue.valueOf(d);
            }
            case 0xd3: c.need(9); { LuaValue v = LuaValue.valueOf((double) c.be(1, 8)); c.i += 9; return v; }
            case 0xc0: c.i += 1; return LuaValue.NIL;
            case 0xc3: c.i += 1; return LuaValue.TRUE;
            case 0xc2: c.i += 1; return LuaValue.FALSE;
            case 0xca: c.need(5); { LuaValue v = LuaValue.valueOf(Float.intBitsToFloat((int) c.be(1, 4))); c.i += 5; return v; }
            case 0xcb: c.need(9); { LuaValue v = LuaValue.valueOf(Double.longBitsToDouble(c.be(1, 8))); c.i += 9; return v; }
            case 0xd9: c.need(2); return str(c, 2, c.u8(1));
            case 0xda: c.need(3); return str(c, 3, (int) c.be(1, 2));
            case 0xdb: c.need(5); return str(c, 5, (int) c.be(1, 4));
            case 0xdc: c.need(3); { int l = (int) c.be(1, 2); c.i += 3; return array(c, l); }
            case 0xdd: c.need(5); { long l = c.be(1, 4); c.i += 5; return array(c, l); }
            case 0xde: c.need(3); { int l = (int) c.be(1, 2); c.i += 3; return map(c, l); }
            case 0xdf: c.need(5); { long l = c.be(1, 4); c.i += 5; return map(c, l); }
            default:
                if ((b & 0x80) == 0) {
                    c.i += 1;
                    return LuaValue.valueOf(b);
                } else if ((b & 0xe0) == 0xe0) {
                    c.i += 1;
                    return LuaValue.valueOf((byte) b);
                } else if ((b & 0xe0) == 0xa0) {
                    return str(c, 1, b & 0x1f);
                } else if ((b & 0xf0) == 0x90) {
                    c.i += 1;
                    return array(c, b & 0xf);
                } else if ((b & 0xf0) == 0x80) {
                    c.i += 1;
                    return map(c, b & 0xf);
                }
                throw new LuaError("Bad data format in input.");
        }
    }

    private static LuaValue str(Cur c, int header, long len) {
        if (len > Integer.MAX_VALUE - header) {
            throw new LuaError("Missing bytes in input.");
        }
        c.need(header + (int) len);
        byte[] s = new byte[(int) len];
        System.arraycopy(c.p, c.i + header, s, 0, (int) len);
        c.i += header + (int) len;
        return LuaString.valueOf(s);
    }

    private static LuaValue array(Cur c, long len) {
        LuaTable t = new LuaTable();
        for (long j = 1; j <= len; j++) {
            t.set((int) j, decode(c));
        }
        return t;
    }

    private static LuaValue map(Cur c, long len) {
        LuaTable t = new LuaTable();
        for (long j = 0; j < len; j++) {
            LuaValue k = decode(c);
            LuaValue v = decode(c);
            if (k.isnil()) {
                throw new LuaError("table index is nil");
            }
            t.set(k, v);
        }
        return t;
    }
}
