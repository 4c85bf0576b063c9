package io.respkv.server.script;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Lua 5.1's {@code string.format} ({@code lstrlib.c str_format}) with C's printf conversions:
 * LuaJ's own prints {@code %g} and {@code %s} of numbers with Java rules (and ignores the
 * precision of {@code %f}), which scripts would see.
 */
final class LuaStringFormat extends VarArgFunction {

    @Override
    public Varargs invoke(Varargs args) {
        LuaString fmt = args.checkstring(1);
        byte[] f = LuaReplies.bytes(fmt);
        ByteArrayOutputStream out = new ByteArrayOutputStream(f.length + 16);
        int arg = 1;
        int i = 0;
        while (i < f.length) {
            byte c = f[i++];
            if (c != '%') {
                out.write(c);
                continue;
            }
            if (i < f.length && f[i] == '%') {
                out.write('%');
                i++;
                continue;
            }
            int specStart = i;
            while (i < f.length && "-+ #0".indexOf(f[i]) >= 0) {
                i++;
            }
            if (i - specStart >= 6) {
                throw new LuaError("invalid format (repeated flags)");
            }
            String flags = new String(f, specStart, i - specStart, StandardCharsets.US_ASCII);
            int width = -1;
            int digits = 0;
            while (i < f.length && Character.isDigit(f[i])) {
                width = (width < 0 ? 0 : width * 10) + (f[i++] - '0');
                digits++;
            }
            int precision = -1;
            if (i < f.length && f[i] == '.') {
                i++;
                precision = 0;
                int pd = 0;
                while (i < f.length && Character.isDigit(f[i])) {
                    precision = precision * 10 + (f[i++] - '0');
                    pd++;
                }
                if (pd > 2) {
                    throw new LuaError("invalid format (width or precision too long)");
                }
            }
            if (digits > 2) {
                throw new LuaError("invalid format (width or precision too long)");
            }
            if (i >= f.length) {
                throw new LuaError("invalid option '%' to 'format'");
            }
            char conv = (char) f[i++];
            arg++;
            String body;
            switch (conv) {
                case 'c':
                    out.write((int) args.checkdouble(arg));
                    continue;
                case 'd':
                case 'i': {
                    long v = (long) args.checkdouble(arg);
                    body = signed(Long.toString(Math.abs(v)), v < 0, flags, precision);
                    if (v == Long.MIN_VALUE) {
                        body = signed("9223372036854775808", true, flags, precision);
                    }
                    break;
                }
                case 'o':
                case 'u':
                case 'x':
                case 'X': {
                    long v = (long) args.checkdouble(arg);
                    String s = switch (conv) {
                        case 'o' -> Long.toOctalString(v);
                        case 'u' -> Long.toUnsignedString(v);
                        case 'x' -> Long.toHexString(v);
                        default -> Long.toHexString(v).toUpperCase(Locale.ROOT);
                    };
                    if (precision >= 0) {
                        while (s.length() < precision) {
                            s = "0" + s;
                        }
                    }
                    if (flags.indexOf('#') >= 0 && v != 0) {
                        s = conv == 'o' ? "0" + s : conv == 'x' ? "0x" + s : conv == 'X' ? "0X" + s : s;
                    }
                    body = s;
                    break;
                }
                case 'e':
                case 'E':
                case 'f':
                case 'g':
                case 'G': {
                    double v = args.checkdouble(arg);
                    int p = precision < 0 ? 6 : precision;
                    boolean alt = flags.indexOf('#') >= 0;
                    String s = switch (conv) {
                        case 'e', 'E' -> CFormat.e(v, p, alt, conv == 'E');
                        case 'f' -> CFormat.f(v, p, alt);
                        default -> CFormat.g(v, p, alt, conv == 'G');
                    };
                    boolean neg = s.startsWith("-");
                    body = signed(neg ? s.substring(1) : s, neg, flags, -1);
                    break;
                }
                case 'q': {
                    byte[] s = LuaReplies.bytes(args.checkstring(arg));
                    out.write('"');
                    for (byte b : s) {
                        switch (b) {
                            case '"', '\\', '\n' -> {
                                out.write('\\');
                                out.write(b);
                            }
                            case '\r' -> out.writeBytes("\\r".getBytes(StandardCharsets.US_ASCII));
                            case 0 -> out.writeBytes("\\000".getBytes(StandardCharsets.US_ASCII));
                            default -> out.write(b);
                        }
                    }
                    out.write('"');
                    continue;
                }
                case 's': {
                    LuaValue v = args.arg(arg);
                    byte[] s;
                    if (v.type() == LuaValue.TNUMBER) {
                        s = CFormat.number(v.todouble()).getBytes(StandardCharsets.US_ASCII);
                    } else {
                        s = LuaReplies.bytes(args.checkstring(arg));
                    }
                    if (precision >= 0 && s.length > precision) {
                        byte[] t = new byte[precision];
                        System.arraycopy(s, 0, t, 0, precision);
                        s = t;
                    }
                    pad(out, s, width, flags.indexOf('-') >= 0, false);
                    continue;
                }
                default:
                    throw new LuaError("invalid option '%" + conv + "' to 'format'");
            }
            boolean numeric = conv != 'c';
            pad(out, body.getBytes(StandardCharsets.US_ASCII), width, flags.indexOf('-') >= 0,
                    numeric && flags.indexOf('0') >= 0 && (precision < 0 || "eEfgG".indexOf(conv) >= 0)
                            && !body.contains("inf") && !body.contains("nan"));
        }
        return LuaString.valueOf(out.toByteArray());
    }

    private static String signed(String digits, boolean negative, String flags, int precision) {
        if (precision >= 0) {
            if (precision == 0 && digits.equals("0")) {
                digits = "";
            }
            while (digits.length() < precision) {
                digits = "0" + digits;
            }
        }
        if (negative) {
            return "-" + digits;
        }
        if (flags.indexOf('+') >= 0) {
            return "+" + digits;
        }
        if (flags.indexOf(' ') >= 0) {
            return " " + digits;
        }
        return digits;
    }

    private static void pad(ByteArrayOutputStream out, byte[] s, int width, boolean left, boolean zeros) {
        int fill = width - s.length;
        if (fill <= 0) {
            out.writeBytes(s);
            return;
        }
        if (left) {
            out.writeBytes(s);
            for (int k = 0; k < fill; k++) {
                out.write(' ');
            }
        } else if (zeros) {
            int signLen = s.length > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
            if (s.length > signLen + 1 && s[signLen] == '0' && (s[signLen + 1] == 'x' || s[signLen + 1] == 'X')) {
                signLen += 2;
            }
            out.write(s, 0, signLen);
            for (int k = 0; k < fill; k++) {
                out.write('0');
            }
            out.write(s, signLen, s.length - signLen);
        } else {
            for (int k = 0; k < fill; k++) {
                out.write(' ');
            }
            out.writeBytes(s);
        }
    }
}
