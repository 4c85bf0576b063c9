package io.respkv.server.script;

import io.netty.buffer.ByteBuf;
import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespReplyWriter;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The conversions between replies and Lua values of Redis 7.0's {@code script_lua.c}:
 * {@link #toLua} is {@code redisProtocolToLuaType} (a command's reply as redis.call returns it),
 * {@link #write} is {@code luaReplyToRedisReply} (a script's result as the client gets it).
 */
final class LuaReplies {

    static final LuaString ERR = LuaString.valueOf("err");
    static final LuaString OK = LuaString.valueOf("ok");
    static final LuaString DOUBLE = LuaString.valueOf("double");
    static final LuaString BIG_NUMBER = LuaString.valueOf("big_number");
    static final LuaString VERBATIM = LuaString.valueOf("verbatim_string");
    static final LuaString FORMAT = LuaString.valueOf("format");
    static final LuaString STRING = LuaString.valueOf("string");
    static final LuaString MAP = LuaString.valueOf("map");
    static final LuaString SET = LuaString.valueOf("set");
    static final LuaString IGNORE_STATS = LuaString.valueOf("ignore_error_stats_update");
    private static final byte[] CRLF = {'\r', '\n'};

    private LuaReplies() {
    }

    // ---- reply -> Lua ----

    /** The Lua value of the RESP2/RESP3 reply {@code resp} (one whole reply). */
    static LuaValue toLua(byte[] resp) {
        int[] pos = {0};
        return parse(resp, pos);
    }

    private static LuaValue parse(byte[] b, int[] pos) {
        byte type = b[pos[0]];
        int lineEnd = lineEnd(b, pos[0]);
        int start = pos[0] + 1;
        pos[0] = lineEnd + 2;
        switch (type) {
            case '+': {
                LuaTable t = new LuaTable();
                t.rawset(OK, LuaString.valueOf(slice(b, start, lineEnd)));
                return t;
            }
            case '-': {
                byte[] err = new byte[lineEnd - start + 1];
                err[0] = '-';
                System.arraycopy(b, start, err, 1, lineEnd - start);
                LuaTable t = errorTable(err);
                t.rawset(IGNORE_STATS, LuaValue.TRUE);
                return t;
            }
            case ':':
                return LuaValue.valueOf((double) Long.parseLong(ascii(b, start, lineEnd)));
            case '$': {
                int len = Integer.parseInt(ascii(b, start, lineEnd));
                if (len < 0) {
                    return LuaValue.FALSE;
                }
                LuaString s = LuaString.valueOf(slice(b, pos[0], pos[0] + len));
                pos[0] += len + 2;
                return s;
            }
            case '*': {
                int n = Integer.parseInt(ascii(b, start, lineEnd));
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                LuaTable t = new LuaTable(n, 0);
                for (int i = 1; i <= n; i++) {
                    t.rawset(i, parse(b, pos));
                }
                return t;
            }
            case '%': {
                int n = Integer.parseInt(ascii(b, start, lineEnd));
                LuaTable map = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = parse(b, pos);
                    LuaValue v = parse(b, pos);
                    if (!k.isnil()) {
                        map.rawset(k, v);
                    }
                }
                LuaTable t = new LuaTable();
                t.rawset(MAP, map);
                return t;
            }
            case '~': {
                int n = Integer.parseInt(ascii(b, start, lineEnd));
                LuaTable set = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = parse(b, pos);
                    if (!k.isnil()) {
                        set.rawset(k, LuaValue.TRUE);
                    }
                }
                LuaTable t = new LuaTable();
                t.rawset(SET, set);
                return t;
            }
            case '_':
                return LuaValue.NIL;
            case '#':
                return b[start] == 't' ? LuaValue.TRUE : LuaValue.FALSE;
            case ',': {
                LuaTable t = new LuaTable();
                t.rawset(DOUBLE, LuaValue.valueOf(parseDouble(ascii(b, start, lineEnd))));
                return t;
            }
            case '(': {
                LuaTable t = new LuaTable();
                t.rawset(BIG_NUMBER, LuaString.valueOf(slice(b, start, lineEnd)));
                return t;
            }
            case '=': {
                int len = Integer.parseInt(ascii(b, start, lineEnd));
                LuaTable v = new LuaTable();
                v.rawset(FORMAT, LuaString.valueOf(slice(b, pos[0], pos[0] + 3)));
                v.rawset(STRING, LuaString.valueOf(slice(b, pos[0] + 4, pos[0] + len)));
                pos[0] += len + 2;
                LuaTable t = new LuaTable();
                t.rawset(VERBATIM, v);
                return t;
            }
            case '|': {
                // an attribute: Redis ignores it and returns the reply that follows
                int n = Integer.parseInt(ascii(b, start, lineEnd));
                for (int i = 0; i < 2 * n; i++) {
                    parse(b, pos);
                }
                return parse(b, pos);
            }
            default:
                throw new IllegalStateException("unexpected reply type " + (char) type);
        }
    }

    private static double parseDouble(String s) {
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static int lineEnd(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("truncated reply");
    }

    private static byte[] slice(byte[] b, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(b, from, out, 0, out.length);
        return out;
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }

    /**
     * Redis's {@code luaPushErrorBuff}: {@code {err="CODE message"}} from "-CODE message" (the
     * code is up to the first space) or from a bare message (code ERR), trimmed of CR/LF.
     */
    static LuaTable errorTable(byte[] buffer) {
        String s = new String(cString(buffer), StandardCharsets.ISO_8859_1);
        String code;
        String msg;
        if (s.startsWith("-")) {
            int space = s.indexOf(' ');
            if (space < 0) {
                code = "ERR";
                msg = s.substring(1);
            } else {
                code = s.substring(1, space);
                msg = s.substring(space + 1);
            }
        } else {
            code = "ERR";
            msg = s;
        }
        msg = trimCrLf(msg);
        LuaTable t = new LuaTable();
        t.rawset(ERR, LuaString.valueOf((code + " " + msg).getBytes(StandardCharsets.ISO_8859_1)));
        return t;
    }

    /** {@link #errorTable} of a message written in Java. */
    static LuaTable errorTable(String message) {
        return errorTable(message.getBytes(StandardCharsets.UTF_8));
    }

    /** sdstrim(s, "\r\n"): CR and LF removed from both ends. */
    static String trimCrLf(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == '\r' || s.charAt(from) == '\n')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == '\r' || s.charAt(to - 1) == '\n')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** The bytes up to the first NUL, as C reads a string. */
    static byte[] cString(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return slice(b, 0, i);
            }
        }
        return b;
    }

    static byte[] bytes(LuaString s) {
        byte[] out = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, out, 0, s.m_length);
        return out;
    }

    // ---- Lua -> reply ----

    /**
     * Writes {@code v} as the client's reply ({@code luaReplyToRedisReply}): the writer's
     * protocol is the client's, {@code scriptResp} the one the script chose with
     * {@code redis.setresp} (it decides how booleans convert).
     */
    static void write(RespReplyWriter out, LuaValue v, ProtocolVersion scriptResp) {
        switch (v.type()) {
            case LuaValue.TSTRING:
                out.bulk(bytes(v.checkstring()));
                return;
            case LuaValue.TBOOLEAN:
                if (scriptResp == ProtocolVersion.RESP2) {
                    if (v.toboolean()) {
                        out.integer(1);
                    } else {
                        out.nullBulk();
                    }
                } else {
                    out.bool(v.toboolean());
                }
                return;
            case LuaValue.TNUMBER:
                out.integer(cLong(v.todouble()));
                return;
            case LuaValue.TTABLE:
                writeTable(out, (LuaTable) v, scriptResp);
                return;
            default:
                out.nullBulk();
        }
    }

    private static void writeTable(RespReplyWriter out, LuaTable t, ProtocolVersion scriptResp) {
        LuaValue err = t.rawget(ERR);
        if (err.type() == LuaValue.TSTRING) {
            writeLine(out, '-', cString(bytes(err.checkstring())), true);
            return;
        }
        LuaValue ok = t.rawget(OK);
        if (ok.type() == LuaValue.TSTRING) {
            writeLine(out, '+', cString(bytes(ok.checkstring())), false);
            return;
        }
        LuaValue dbl = t.rawget(DOUBLE);
        if (dbl.type() == LuaValue.TNUMBER) {
            out.doubleValue(dbl.todouble());
            return;
        }
        LuaValue big = t.rawget(BIG_NUMBER);
        if (big.type() == LuaValue.TSTRING) {
            byte[] digits = mapCrLf(bytes(big.checkstring()));
            if (out.protocol() == ProtocolVersion.RESP3) {
                ByteBuf b = out.target();
                b.writeByte('(');
                b.writeBytes(digits);
                b.writeBytes(CRLF);
            } else {
                out.bulk(digits);
            }
            return;
        }
        LuaValue verbatim = t.rawget(VERBATIM);
        if (verbatim.type() == LuaValue.TTABLE) {
            LuaValue format = verbatim.rawget(FORMAT);
            LuaValue string = verbatim.rawget(STRING);
            if (format.type() == LuaValue.TSTRING && string.type() == LuaValue.TSTRING) {
                byte[] text = bytes(string.checkstring());
                if (out.protocol() == ProtocolVersion.RESP3) {
                    byte[] fmt = cString(bytes(format.checkstring()));
                    ByteBuf b = out.target();
                    b.writeByte('=');
                    b.writeCharSequence(Long.toString(text.length + 4L), StandardCharsets.US_ASCII);
                    b.writeBytes(CRLF);
                    for (int i = 0; i < 3; i++) {
                        b.writeByte(i < fmt.length ? fmt[i] : 0);
                    }
                    b.writeByte(':');
                    b.writeBytes(text);
                    b.writeBytes(CRLF);
                } else {
                    out.bulk(text);
                }
                return;
            }
        }
        LuaValue map = t.rawget(MAP);
        if (map.type() == LuaValue.TTABLE) {
            int n = 0;
            LuaValue k = LuaValue.NIL;
            while (!(k = ((LuaTable) map).next(k).arg1()).isnil()) {
                n++;
            }
            out.map(n);
            k = LuaValue.NIL;
            while (true) {
                Varargs e = ((LuaTable) map).next(k);
                if ((k = e.arg1()).isnil()) {
                    break;
                }
                write(out, k, scriptResp);
                write(out, e.arg(2), scriptResp);
            }
            return;
        }
        LuaValue set = t.rawget(SET);
        if (set.type() == LuaValue.TTABLE) {
            int n = 0;
            LuaValue k = LuaValue.NIL;
            while (!(k = ((LuaTable) set).next(k).arg1()).isnil()) {
                n++;
            }
            out.set(n);
            k = LuaValue.NIL;
            while (!(k = ((LuaTable) set).next(k).arg1()).isnil()) {
                write(out, k, scriptResp);
            }
            return;
        }
        int n = 0;
        while (!t.rawget(n + 1).isnil()) {
            n++;
        }
        out.array(n);
        for (int i = 1; i <= n; i++) {
            write(out, t.rawget(i), scriptResp);
        }
    }

    /**
     * An error or status line of raw bytes: CR/LF become spaces (an error is first trimmed of
     * them, as addReplyErrorFormat does); an error not starting with '-' gets "-ERR ".
     */
    static void writeLine(RespReplyWriter out, char type, byte[] text, boolean error) {
        ByteBuf b = out.target();
        if (error) {
            text = trimCrLf(text);
        }
        b.writeByte(type);
        b.writeBytes(mapCrLf(text));
        b.writeBytes(CRLF);
    }

    private static byte[] trimCrLf(byte[] b) {
        int from = 0;
        int to = b.length;
        while (from < to && (b[from] == '\r' || b[from] == '\n')) {
            from++;
        }
        while (to > from && (b[to - 1] == '\r' || b[to - 1] == '\n')) {
            to--;
        }
        return slice(b, from, to);
    }

    private static byte[] mapCrLf(byte[] b) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\r' || out[i] == '\n') {
                out[i] = ' ';
            }
        }
        return out;
    }

    /** C's (long long) cast of a double on x86-64: truncation, and LLONG_MIN when out of range or NaN. */
    static long cLong(double d) {
        if (d >= -9.223372036854775808E18 && d < 9.223372036854775808E18) {
            return (long) d;
        }
        return Long.MIN_VALUE;
    }
}
