package io.respkv.server.script;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Roberto Ierusalimschy's {@code struct} library as Redis 7.0.15 ships it ({@code lua_struct.c}):
 * pack, unpack and size of binary records, on a little-endian 64-bit machine (long and size_t
 * 8 bytes, int 4, short 2; integers wider than 8 bytes carry zeros beyond the 8th).
 */
final class LuaStruct {

    private static final int MAXINTSIZE = 32;
    private static final int MAXALIGN = 8;

    private LuaStruct() {
    }

    private static final class Header {
        boolean little = true;
        int align = 1;
    }

    /** A format being read, with its position. */
    private static final class Fmt {
        final byte[] f;
        int i;

        Fmt(byte[] f) {
            this.f = f;
        }

        boolean more() {
            return i < f.length && f[i] != 0;
        }

        int getnum(int df) {
            if (i >= f.length || !Character.isDigit(f[i])) {
                return df;
            }
            int a = 0;
            do {
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - (f[i] - '0')) {
                    throw new LuaError("integral size overflow");
                }
                a = a * 10 + (f[i++] - '0');
            } while (i < f.length && Character.isDigit(f[i]));
            return a;
        }
    }

    static LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("pack", Sandbox.fn(LuaStruct::pack));
        t.rawset("unpack", Sandbox.fn(LuaStruct::unpack));
        t.rawset("size", Sandbox.fn(LuaStruct::size));
        return t;
    }

    private static int optsize(char opt, Fmt fmt) {
        switch (opt) {
            case 'B': case 'b': return 1;
            case 'H': case 'h': return 2;
            case 'L': case 'l': case 'T': return 8;
            case 'f': return 4;
            case 'd': return 8;
            case 'x': return 1;
            case 'c': return fmt.getnum(1);
            case 'i': case 'I': {
                int sz = fmt.getnum(4);
                if (sz > MAXINTSIZE) {
                    throw new LuaError("integral size " + sz + " is larger than limit of " + MAXINTSIZE);
                }
                return sz;
            }
            default: return 0;
        }
    }

    private static int gettoalign(long len, Header h, char opt, int size) {
        if (size == 0 || opt == 'c') {
            return 0;
        }
        if (size > h.align) {
            size = h.align;
        }
        return (int) ((size - (len & (size - 1))) & (size - 1));
    }

    private static void controloptions(String fn, char opt, Fmt fmt, Header h) {
        switch (opt) {
            case ' ':
                return;
            case '>':
                h.little = false;
                return;
            case '<':
                h.little = true;
                return;
            case '!': {
                int a = fmt.getnum(MAXALIGN);
                if (a == 0 || (a & (a - 1)) != 0) {
                    throw new LuaError("alignment " + a + " is not a power of 2");
                }
                h.align = a;
                return;
            }
            default:
                throw new LuaError("bad argument #1 to '" + fn + "' (invalid format option '" + opt + "')");
        }
    }

    private static double checknumber(Varargs a, int arg, String fn) {
        LuaValue v = a.arg(arg);
        if (!v.isnumber()) {
            throw new LuaError("bad argument #" + arg + " to '" + fn + "' (number expected, got "
                    + (v.isnil() && arg > a.narg() ? "no value" : v.typename()) + ")");
        }
        return v.todouble();
    }

    private static long toUnsigned(double n) {
        if (n < 0) {
            return LuaReplies.cLong(n);
        }
        if (n >= 9.223372036854775807E18) {
            return n >= 1.8446744073709552E19 ? 0 : (long) (n - 9.223372036854775808E18) + Long.MIN_VALUE;
        }
        return (long) n;
    }

    private static Varargs pack(Varargs a) {
        Fmt fmt = new Fmt(LuaReplies.bytes(a.checkstring(1)));
        Header h = new Header();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int arg = 2;
        long total = 0;
        while (fmt.more()) {
            char opt = (char) fmt.f[fmt.i++];
            int size = optsize(opt, fmt);
            int toalign = gettoalign(total, h, opt, size);
            total += toalign;
            while (toalign-- > 0) {
                b.write(0);
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                    long value = toUnsigned(checknumber(a, arg++, "pack"));
                    byte[] buf = new byte[size];
                    if (h.little) {
                        for (int i = 0; i < size; i++) {
                            buf[i] = (byte) value;
                            value >>>= 8;
                        }
                    } else {
                        for (int i = size - 1; i >= 0; i--) {
                            buf[i] = (byte) value;
                            value >>>= 8;
                        }
                    }
                    b.writeBytes(buf);
                }
                case 'x' -> b.write(0);
                case 'f' -> writeBits(b, Float.floatToRawIntBits((float) checknumber(a, arg++, "pack")) & 0xFFFFFFFFL, 4, h.little);
                case 'd' -> writeBits(b, Double.doubleToRawLongBits(checknumber(a, arg++, "pack")), 8, h.little);
                case 'c', 's' -> {
                    LuaValue v = a.arg(arg);
                    if (!v.isstring()) {
                        throw new LuaError("bad argument #" + arg + " to 'pack' (string expected, got "
                                + (arg > a.narg() ? "no value" : v.typename()) + ")");
                    }
                    byte[] s = v.type() == LuaValue.TNUMBER
                            ? CFormat.number(v.todouble()).getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                            : LuaReplies.bytes(v.checkstring());
                    arg++;
                    if (size == 0) {
                        size = s.length;
                    }
                    if (s.length < size) {
                        throw new LuaError("bad argument #" + arg + " to 'pack' (string too short)");
                    }
                    b.write(s, 0, size);
                    if (opt == 's') {
                        b.write(0);
                        size++;
                    }
                }
                default -> controloptions("pack", opt, fmt, h);
            }
            total += size;
        }
        return LuaString.valueOf(b.toByteArray());
    }

    private static void writeBits(ByteArrayOutputStream b, long bits, int size, boolean little) {
        for (int i = 0; i < size; i++) {
            int shift = little ? 8 * i : 8 * (size - 1 - i);
            b.write((int) (bits >>> shift) & 0xFF);
        }
    }

    private static long readBits(byte[] d, int pos, int size, boolean little) {
        long l = 0;
        for (int i = 0; i < size; i++) {
            int idx = little ? pos + size - 1 - i : pos + i;
            l = (l << 8) | (d[idx] & 0xFF);
        }
        return l;
    }

    private static Varargs unpack(Varargs a) {
        Fmt fmt = new Fmt(LuaReplies.bytes(a.checkstring(1)));
        byte[] data = LuaReplies.bytes(a.checkstring(2));
        long ld = data.length;
        long pos = a.optlong(3, 1);
        if (pos <= 0) {
            throw new LuaError("bad argument #3 to 'unpack' (offset must be 1 or greater)");
        }
        pos--;
        Header h = new Header();
        java.util.List<LuaValue> out = new java.util.ArrayList<>();
        while (fmt.more()) {
            char opt = (char) fmt.f[fmt.i++];
            int size = optsize(opt, fmt);
            pos += gettoalign(pos, h, opt, size);
            if (!(size <= ld && pos <= ld - size)) {
                throw new LuaError("bad argument #2 to 'unpack' (data string too short)");
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                    boolean signed = Character.isLowerCase(opt);
                    long l = 0;
                    for (int i = 0; i < size; i++) {
                        int idx = h.little ? (int) pos + size - 1 - i : (int) pos + i;
                        l = (l << 8) | (data[idx] & 0xFF);
                    }
                    double res;
                    if (!signed) {
                        res = l >= 0 ? (double) l : (double) (l >>> 1) * 2.0 + (l & 1);
                    } else {
                        int bits = size * 8;
                        if (bits < 64 && bits > 0 && (l & (1L << (bits - 1))) != 0) {
                            l |= -1L << (bits - 1);
                        }
                        res = (double) l;
                    }
                    out.add(LuaValue.valueOf(res));
                }
                case 'x' -> {
                }
                case 'f' -> out.add(LuaValue.valueOf(Float.intBitsToFloat((int) readBits(data, (int) pos, 4, h.little))));
                case 'd' -> out.add(LuaValue.valueOf(Double.longBitsToDouble(readBits(data, (int) pos, 8, h.little))));
                case 'c' -> {
                    if (size == 0) {
                        if (out.isEmpty() || !out.get(out.size() - 1).isnumber()) {
                            throw new LuaError("format 'c0' needs a previous size");
                        }
                        size = (int) out.remove(out.size() - 1).todouble();
                        if (!(size <= ld && pos <= ld - size)) {
                            throw new LuaError("bad argument #2 to 'unpack' (data string too short)");
                        }
                    }
                    byte[] s = new byte[size];
                    System.arraycopy(data, (int) pos, s, 0, size);
                    out.add(LuaString.valueOf(s));
                }
                case 's' -> {
                    int e = (int) pos;
                    while (e < data.length && data[e] != 0) {
                        e++;
                    }
                    if (e >= data.length) {
                        throw new LuaError("unfinished string in data");
                    }
                    size = e - (int) pos + 1;
                    byte[] s = new byte[size - 1];
                    System.arraycopy(data, (int) pos, s, 0, size - 1);
                    out.add(LuaString.valueOf(s));
                }
                default -> controloptions("unpack", opt, fmt, h);
            }
            pos += size;
        }
        out.add(LuaValue.valueOf(pos + 1));
        return LuaValue.varargsOf(out.toArray(new LuaValue[0]));
    }

    private static Varargs size(Varargs a) {
        Fmt fmt = new Fmt(LuaReplies.bytes(a.checkstring(1)));
        Header h = new Header();
        long pos = 0;
        while (fmt.more()) {
            char opt = (char) fmt.f[fmt.i++];
            int size = optsize(opt, fmt);
            pos += gettoalign(pos, h, opt, size);
            if (opt == 's') {
                throw new LuaError("bad argument #1 to 'size' (option 's' has no fixed size)");
            } else if (opt == 'c' && size == 0) {
                throw new LuaError("bad argument #1 to 'size' (option 'c0' has no fixed size)");
            }
            if (!Character.isLetterOrDigit(opt)) {
                controloptions("size", opt, fmt, h);
            }
            pos += size;
        }
        return LuaValue.valueOf(pos);
    }
}
