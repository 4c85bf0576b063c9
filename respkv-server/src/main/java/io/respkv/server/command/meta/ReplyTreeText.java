package io.respkv.server.command.meta;

import java.util.ArrayList;
import java.util.List;

/**
 * The one-line text notation of a {@link ReplyTree}, used by the checked-in command metadata.
 * It reads like JSON, with the RESP3 type kept where JSON has none:
 *
 * <pre>
 * "text"          bulk string (JSON escapes; the writer emits ASCII only, \\uXXXX for the rest)
 * +"text"         simple string
 * -12             integer
 * _               null
 * [a,b]           array
 * ~[a,b]          set
 * {k:v,k:v}       map (keys are any values; order and repeats are kept)
 * </pre>
 *
 * No whitespace is written or accepted inside a value, so one reply is one line.
 */
public final class ReplyTreeText {

    private ReplyTreeText() {
    }

    /** The notation of {@code tree}. */
    public static String format(ReplyTree tree) {
        StringBuilder out = new StringBuilder(256);
        format(tree, out);
        return out.toString();
    }

    /** Appends the notation of {@code tree} to {@code out}. */
    public static void format(ReplyTree tree, StringBuilder out) {
        if (tree instanceof ReplyTree.Bulk b) {
            quote(b.text(), out);
        } else if (tree instanceof ReplyTree.Simple s) {
            out.append('+');
            quote(s.text(), out);
        } else if (tree instanceof ReplyTree.Int i) {
            out.append(i.value());
        } else if (tree instanceof ReplyTree.Null) {
            out.append('_');
        } else if (tree instanceof ReplyTree.Array a) {
            list(a.elements(), out);
        } else if (tree instanceof ReplyTree.Set s) {
            out.append('~');
            list(s.elements(), out);
        } else {
            ReplyTree.Map m = (ReplyTree.Map) tree;
            out.append('{');
            for (int i = 0; i < m.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                format(m.key(i), out);
                out.append(':');
                format(m.value(i), out);
            }
            out.append('}');
        }
    }

    private static void list(List<ReplyTree> elements, StringBuilder out) {
        out.append('[');
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            format(elements.get(i), out);
        }
        out.append(']');
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append("\\u");
                        String hex = Integer.toHexString(c);
                        out.append("0000", hex.length(), 4).append(hex);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses a whole value: {@code text} must hold exactly one value.
     *
     * @throws IllegalArgumentException naming the offset of the first malformed character
     */
    public static ReplyTree parse(CharSequence text) {
        return parse(text, 0, text.length());
    }

    /** Parses exactly one value from {@code text[start, end)}. */
    public static ReplyTree parse(CharSequence text, int start, int end) {
        Cursor c = new Cursor(text, start, end);
        ReplyTree tree = c.value();
        if (c.pos != end) {
            throw c.error("trailing characters");
        }
        return tree;
    }

    private static final class Cursor {
        private final CharSequence s;
        private final int end;
        private int pos;

        Cursor(CharSequence s, int start, int end) {
            this.s = s;
            this.pos = start;
            this.end = end;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + pos);
        }

        char peek() {
            if (pos >= end) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        void expect(char ch) {
            if (peek() != ch) {
                throw error("expected '" + ch + "'");
            }
            pos++;
        }

        ReplyTree value() {
            char ch = peek();
            switch (ch) {
                case '"':
                    return new ReplyTree.Bulk(string());
                case '+':
                    pos++;
                    return new ReplyTree.Simple(string());
                case '_':
                    pos++;
                    return new ReplyTree.Null();
                case '[':
                    return new ReplyTree.Array(items());
                case '~':
                    pos++;
                    return new ReplyTree.Set(items());
                case '{':
                    return map();
                default:
                    if (ch == '-' || (ch >= '0' && ch <= '9')) {
                        return new ReplyTree.Int(integer());
                    }
                    throw error("unexpected '" + ch + "'");
            }
        }

        List<ReplyTree> items() {
            expect('[');
            List<ReplyTree> out = new ArrayList<>();
            if (peek() == ']') {
                pos++;
                return out;
            }
            while (true) {
                out.add(value());
                char ch = peek();
                pos++;
                if (ch == ']') {
                    return out;
                }
                if (ch != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        ReplyTree map() {
            expect('{');
            List<ReplyTree> out = new ArrayList<>();
            if (peek() == '}') {
                pos++;
                return new ReplyTree.Map(out);
            }
            while (true) {
                out.add(value());
                expect(':');
                out.add(value());
                char ch = peek();
                pos++;
                if (ch == '}') {
                    return new ReplyTree.Map(out);
                }
                if (ch != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        long integer() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digits = pos;
            while (pos < end && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == digits) {
                throw error("expected a digit");
            }
            try {
                return Long.parseLong(s, start, pos, 10);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("integer out of range");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = null;
            int runStart = pos;
            while (true) {
                char ch = peek();
                if (ch == '"') {
                    String text = out == null ? s.subSequence(runStart, pos).toString()
                            : out.append(s, runStart, pos).toString();
                    pos++;
                    return text;
                }
                if (ch < 0x20) {
                    throw error("control character in a string");
                }
                if (ch != '\\') {
                    pos++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(s, runStart, pos);
                pos++;
                char esc = peek();
                pos++;
                switch (esc) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > end) {
                            throw error("short \\u escape");
                        }
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0) {
                                throw error("bad \\u escape");
                            }
                            code = code * 16 + d;
                        }
                        pos += 4;
                        out.append((char) code);
                    }
                    default -> {
                        pos -= 2;
                        throw error("unknown escape");
                    }
                }
                runStart = pos;
            }
        }
    }
}
