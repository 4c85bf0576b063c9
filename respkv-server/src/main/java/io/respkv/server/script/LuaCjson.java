package io.respkv.server.script;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Lua CJSON 2.1.0 as Redis 7.0.15 ships it ({@code lua_cjson.c}): encode, decode, null and the
 * configuration functions, with its escapes, "%.14g" numbers, sparse-array rule and error
 * messages. The configuration is one for the server (Redis has one per Lua state, i.e. per
 * server too). Object keys come out in LuaJ's table order, which is not Lua 5.1's.
 */
final class LuaCjson {

    /** cjson.null: Lua 5.1's NULL lightuserdata. */
    static final LuaValue NULL = LuaValue.userdataOf(new Object() {
        @Override
        public String toString() {
            return "userdata: (nil)";
        }
    });

    private static volatile boolean sparseConvert = false;
    private static volatile int sparseRatio = 2;
    private static volatile int sparseSafe = 10;
    private static volatile int encodeMaxDepth = 1000;
    private static volatile int decodeMaxDepth = 1000;
    private static volatile int encodeInvalidNumbers = 0;
    private static volatile boolean decodeInvalidNumbers = true;
    private static volatile boolean encodeKeepBuffer = true;
    private static volatile int numberPrecision = 14;

    private LuaCjson() {
    }

    static LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("encode", Sandbox.fn(LuaCjson::encode));
        t.rawset("decode", Sandbox.fn(LuaCjson::decode));
        t.rawset("null", NULL);
        t.rawset("_NAME", LuaValue.valueOf("cjson"));
        t.rawset("_VERSION", LuaValue.valueOf("2.1.0"));
        t.rawset("encode_sparse_array", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                sparseConvert = a.arg1().toboolean();
            }
            if (!a.isnoneornil(2)) {
                sparseRatio = intArg(a, 2, 0, Integer.MAX_VALUE);
            }
            if (!a.isnoneornil(3)) {
                sparseSafe = intArg(a, 3, 0, Integer.MAX_VALUE);
            }
            return LuaValue.varargsOf(LuaValue.valueOf(sparseConvert), LuaValue.valueOf(sparseRatio),
                    LuaValue.valueOf(sparseSafe));
        }));
        t.rawset("encode_max_depth", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                encodeMaxDepth = intArg(a, 1, 1, Integer.MAX_VALUE);
            }
            return LuaValue.valueOf(encodeMaxDepth);
        }));
        t.rawset("decode_max_depth", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                decodeMaxDepth = intArg(a, 1, 1, Integer.MAX_VALUE);
            }
            return LuaValue.valueOf(decodeMaxDepth);
        }));
        t.rawset("encode_number_precision", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                numberPrecision = intArg(a, 1, 1, 14);
            }
            return LuaValue.valueOf(numberPrecision);
        }));
        t.rawset("encode_keep_buffer", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                encodeKeepBuffer = a.arg1().toboolean();
            }
            return LuaValue.valueOf(encodeKeepBuffer);
        }));
        t.rawset("encode_invalid_numbers", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                LuaValue v = a.arg1();
                if (v.isboolean()) {
                    encodeInvalidNumbers = v.toboolean() ? 1 : 0;
                } else {
                    String s = v.checkjstring();
                    encodeInvalidNumbers = switch (s) {
                        case "off" -> 0;
                        case "on" -> 1;
                        case "null" -> 2;
                        default -> throw new LuaError("bad argument #1 to 'encode_invalid_numbers' (invalid option '" + s + "')");
                    };
                }
            }
            return encodeInvalidNumbers == 2 ? LuaValue.valueOf("null") : LuaValue.valueOf(encodeInvalidNumbers == 1);
        }));
        t.rawset("decode_invalid_numbers", Sandbox.fn(a -> {
            if (!a.isnoneornil(1)) {
                decodeInvalidNumbers = a.arg1().toboolean();
            }
            return LuaValue.valueOf(decodeInvalidNumbers);
        }));
        return t;
    }

    private static int intArg(Varargs a, int i, int min, int max) {
        int v = a.checkint(i);
        if (v < min || v > max) {
            throw new LuaError("bad argument #" + i + " (expected integer between " + min + " and " + max + ")");
        }
        return v;
    }

    // ---- encoding ----

    private static Varargs encode(Varargs a) {
        if (a.narg() != 1) {
            throw new LuaError("bad argument #1 to 'encode' (expected 1 argument)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, a.arg1(), 0);
        return LuaString.valueOf(out.toByteArray());
    }

    private static LuaError cannot(LuaValue v, String reason) {
        return new LuaError("Cannot serialise " + v.typename() + ": " + reason);
    }

    private static void append(ByteArrayOutputStream out, LuaValue v, int depth) {
        switch (v.type()) {
            case LuaValue.TSTRING -> string(out, LuaReplies.bytes(v.checkstring()));
            case LuaValue.TNUMBER -> number(out, v);
            case LuaValue.TBOOLEAN -> out.writeBytes((v.toboolean() ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
            case LuaValue.TTABLE -> {
                depth++;
                if (depth > encodeMaxDepth) {
                    throw new LuaError("Cannot serialise, excessive nesting (" + depth + ")");
                }
                LuaTable t = (LuaTable) v;
                int len = arrayLength(t);
                if (len > 0) {
                    out.write('[');
                    for (int i = 1; i <= len; i++) {
                        if (i > 1) {
                            out.write(',');
                        }
                        append(out, t.rawget(i), depth);
                    }
                    out.write(']');
                } else {
                    out.write('{');
                    boolean comma = false;
                    LuaValue k = LuaValue.NIL;
                    while (true) {
                        Varargs e = t.next(k);
                        if ((k = e.arg1()).isnil()) {
                            break;
                        }
                        if (comma) {
                            out.write(',');
                        }
                        comma = true;
                        if (k.type() == LuaValue.TNUMBER) {
                            out.write('"');
                            number(out, k);
                            out.write('"');
                            out.write(':');
                        } else if (k.type() == LuaValue.TSTRING) {
                            string(out, LuaReplies.bytes(k.checkstring()));
                            out.write(':');
                        } else {
                            throw cannot(k, "table key must be a number or string");
                        }
                        append(out, e.arg(2), depth);
                    }
                    out.write('}');
                }
            }
            case LuaValue.TNIL -> out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            default -> {
                if (v == NULL) {
                    out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
                } else {
                    throw cannot(v, "type not supported");
                }
            }
        }
    }

    /** lua_array_length: the array size, or -1 for an object (and the sparse-array rule). */
    private static int arrayLength(LuaTable t) {
        int max = 0;
        int items = 0;
        LuaValue k = LuaValue.NIL;
        while (!(k = t.next(k).arg1()).isnil()) {
            if (k.type() == LuaValue.TNUMBER) {
                double d = k.todouble();
                if (d != 0 && Math.floor(d) == d && d >= 1) {
                    if (d > max) {
                        max = (int) Math.min(d, Integer.MAX_VALUE);
                    }
                    items++;
                    continue;
                }
            }
            return -1;
        }
        if (sparseRatio > 0 && max > (long) items * sparseRatio && max > sparseSafe) {
            if (!sparseConvert) {
                throw new LuaError("Cannot serialise table: excessively sparse array");
            }
            return -1;
        }
        return max;
    }

    private static void number(ByteArrayOutputStream out, LuaValue v) {
        double d = v.todouble();
        if (encodeInvalidNumbers == 0) {
            if (Double.isInfinite(d) || Double.isNaN(d)) {
                throw cannot(v, "must not be NaN or Inf");
            }
        } else if (encodeInvalidNumbers == 1) {
            if (Double.isNaN(d)) {
                out.writeBytes("nan".getBytes(StandardCharsets.US_ASCII));
                return;
            }
        } else if (Double.isInfinite(d) || Double.isNaN(d)) {
            out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.writeBytes(CFormat.g(d, numberPrecision, false, false).getBytes(StandardCharsets.US_ASCII));
    }

    private static final String[] ESCAPES = new String[256];

    static {
        for (int i = 0; i < 32; i++) {
            ESCAPES[i] = String.format("\\u%04x", i);
        }
        ESCAPES['\b'] = "\\b";
        ESCAPES['\t'] = "\\t";
        ESCAPES['\n'] = "\\n";
        ESCAPES['\f'] = "\\f";
        ESCAPES['\r'] = "\\r";
        ESCAPES['"'] = "\\\"";
        ESCAPES['/'] = "\\/";
        ESCAPES['\\'] = "\\\\";
        ESCAPES[0x7f] = "\\u007f";
    }

    private static void string(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        for (byte b : s) {
            String esc = ESCAPES[b & 0xff];
            if (esc != null) {
                out.writeBytes(esc.getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(b);
            }
        }
        out.write('"');
    }

    // ---- decoding ----

    private enum T { OBJ_BEGIN, OBJ_END, ARR_BEGIN, ARR_END, STRING, NUMBER, BOOLEAN, NULL, COLON, COMMA, END, WHITESPACE, ERROR, UNKNOWN }

    private static final class Parser {
        final byte[] d;
        int p;
        int depth;
        T type;
        int index;
        String error;
        byte[] str;
        double num;
        boolean bool;

        Parser(byte[] d) {
            this.d = d;
        }

        int ch(int at) {
            return at < d.length ? d[at] & 0xff : 0;
        }

        void next() {
            int c;
            while ((c = ch(p)) == ' ' || c == '\t' || c == '\n' || c == '\r') {
                p++;
            }
            index = p;
            switch (c) {
                case 0 -> {
                    type = T.END;
                    return;
                }
                case '{' -> type = T.OBJ_BEGIN;
                case '}' -> type = T.OBJ_END;
                case '[' -> type = T.ARR_BEGIN;
                case ']' -> type = T.ARR_END;
                case ',' -> type = T.COMMA;
                case ':' -> type = T.COLON;
                default -> type = T.UNKNOWN;
            }
            if (type != T.UNKNOWN) {
                p++;
                return;
            }
            if (c == '"') {
                string();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                if (!decodeInvalidNumbers && invalidNumber()) {
                    error("invalid number");
                    return;
                }
                number();
            } else if (starts("true")) {
                type = T.BOOLEAN;
                bool = true;
                p += 4;
            } else if (starts("false")) {
                type = T.BOOLEAN;
                bool = false;
                p += 5;
            } else if (starts("null")) {
                type = T.NULL;
                p += 4;
            } else if (decodeInvalidNumbers && "iInN+".indexOf(c) >= 0 && invalidNumber()) {
                number();
            } else {
                error("invalid token");
            }
        }

        boolean starts(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (ch(p + i) != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        void error(String what) {
            type = T.ERROR;
            index = p;
            error = what;
        }

        boolean invalidNumber() {
            int q = p;
            if (ch(q) == '+') {
                return true;
            }
            if (ch(q) == '-') {
                q++;
            }
            if (ch(q) == '0') {
                int c2 = ch(q + 1);
                return (c2 | 0x20) == 'x' || (c2 >= '0' && c2 <= '9');
            } else if (ch(q) <= '9') {
                return false;
            }
            String rest = new String(d, q, Math.min(3, d.length - q), StandardCharsets.ISO_8859_1).toLowerCase();
            return rest.equals("inf") || rest.equals("nan");
        }

        void number() {
            int end = StrtodPrefix.scan(d, p);
            if (end == p) {
                error("invalid number");
                return;
            }
            type = T.NUMBER;
            num = StrtodPrefix.value(d, p, end);
            p = end;
        }

        void string() {
            p++;
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = ch(p)) != '"') {
                if (c == 0) {
                    error("unexpected end of string");
                    return;
                }
                if (c == '\\') {
                    int e = ch(p + 1);
                    int tr = switch (e) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 't' -> '\t';
                        case 'n' -> '\n';
                        case 'f' -> '\f';
                        case 'r' -> '\r';
                        case 'u' -> 'u';
                        default -> 0;
                    };
                    if (tr == 'u') {
                        if (unicode(b)) {
                            continue;
                        }
                        error("invalid unicode escape code");
                        return;
                    }
                    if (tr == 0) {
                        error("invalid escape code");
                        return;
                    }
                    p++;
                    c = tr;
                }
                b.write(c);
                p++;
            }
            p++;
            type = T.STRING;
            str = b.toByteArray();
        }

        int hex4(int at) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = ch(at + i);
                int h = Character.digit(c, 16);
                if (h < 0) {
                    return -1;
                }
                v = v * 16 + h;
            }
            return v;
        }

        boolean unicode(ByteArrayOutputStream b) {
            int cp = hex4(p + 2);
            int len = 6;
            if (cp < 0) {
                return false;
            }
            if ((cp & 0xF800) == 0xD800) {
                if ((cp & 0x400) != 0) {
                    return false;
                }
                if (ch(p + 6) != '\\' || ch(p + 7) != 'u') {
                    return false;
                }
                int low = hex4(p + 8);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return false;
                }
                cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                len = 12;
            }
            b.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            p += len;
            return true;
        }

        LuaError expected(String what) {
            String found = type == T.ERROR ? error : "T_" + type.name();
            return new LuaError("Expected " + what + " but found " + found + " at character " + (index + 1));
        }

        void descend() {
            depth++;
            if (depth > decodeMaxDepth) {
                throw new LuaError("Found too many nested data structures (" + depth + ") at character " + p);
            }
        }

        LuaValue value() {
            switch (type) {
                case STRING:
                    return LuaString.valueOf(str);
                case NUMBER:
                    return LuaValue.valueOf(num);
                case BOOLEAN:
                    return LuaValue.valueOf(bool);
                case NULL:
                    return NULL;
                case OBJ_BEGIN: {
                    descend();
                    LuaTable t = new LuaTable();
                    next();
                    if (type == T.OBJ_END) {
                        depth--;
                        return t;
                    }
                    while (true) {
                        if (type != T.STRING) {
                            throw expected("object key string");
                        }
                        LuaString key = LuaString.valueOf(str);
                        next();
                        if (type != T.COLON) {
                            throw expected("colon");
                        }
                        next();
                        t.rawset(key, value());
                        next();
                        if (type == T.OBJ_END) {
                            depth--;
                            return t;
                        }
                        if (type != T.COMMA) {
                            throw expected("comma or object end");
                        }
                        next();
                    }
                }
                case ARR_BEGIN: {
                    descend();
                    LuaTable t = new LuaTable();
                    next();
                    if (type == T.ARR_END) {
                        depth--;
                        return t;
                    }
                    for (int i = 1; ; i++) {
                        t.rawset(i, value());
                        next();
                        if (type == T.ARR_END) {
                            depth--;
                            return t;
                        }
                        if (type != T.COMMA) {
                            throw expected("comma or array end");
                        }
                        next();
                    }
                }
                default:
                    throw expected("value");
            }
        }
    }

    private static Varargs decode(Varargs a) {
        if (a.narg() != 1) {
            throw new LuaError("bad argument #1 to 'decode' (expected 1 argument)");
        }
        byte[] d = LuaReplies.bytes(a.checkstring(1));
        if (d.length >= 2 && (d[0] == 0 || d[1] == 0)) {
            throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
        }
        // the C parser stops at a NUL byte: what follows is not read
        Parser p = new Parser(LuaReplies.cString(d));
        p.next();
        LuaValue v = p.value();
        p.next();
        if (p.type != T.END) {
            throw p.expected("the end");
        }
        return v;
    }
}
