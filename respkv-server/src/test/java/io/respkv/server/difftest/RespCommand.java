package io.respkv.server.difftest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One request: its arguments as bytes, encoded on the wire as a RESP multibulk
 * ({@code *<n>\r\n} then {@code $<len>\r\n<arg>\r\n} per argument).
 *
 * <p>{@link #parse(String)} reads a command line the way {@code redis-cli} splits its input
 * ({@code sdssplitargs}): words separated by blanks, {@code "double quotes"} with
 * {@code \n \r \t \b \a \\ \" \xhh} escapes, {@code 'single quotes'} with {@code \'}.
 * {@link #toString()} renders it back in that syntax, every argument double-quoted.
 */
public final class RespCommand {

    private static final int DISPLAY_LIMIT_PER_ARG = 200;

    private final List<byte[]> args;

    private RespCommand(List<byte[]> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one argument");
        }
        this.args = args;
    }

    /** A command of UTF-8 encoded string arguments. */
    public static RespCommand of(String... args) {
        List<byte[]> list = new ArrayList<>(args.length);
        for (String arg : args) {
            list.add(Objects.requireNonNull(arg, "arg").getBytes(StandardCharsets.UTF_8));
        }
        return new RespCommand(List.copyOf(list));
    }

    /** A command of binary arguments (copied). */
    public static RespCommand of(byte[]... args) {
        List<byte[]> list = new ArrayList<>(args.length);
        for (byte[] arg : args) {
            list.add(Objects.requireNonNull(arg, "arg").clone());
        }
        return new RespCommand(List.copyOf(list));
    }

    /**
     * Splits a {@code redis-cli} style command line, e.g. {@code SET "a key" "\x00\xff"}.
     *
     * @throws IllegalArgumentException on unbalanced quotes or an empty line
     */
    public static RespCommand parse(String line) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            ByteArrayOutputStream arg = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (i >= n) {
                    if (inDouble || inSingle) {
                        throw new IllegalArgumentException("unbalanced quotes in: " + line);
                    }
                    break;
                }
                char c = line.charAt(i);
                if (inDouble) {
                    if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x'
                            && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        arg.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        char e = line.charAt(++i);
                        arg.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        // Like sdssplitargs: a closing quote must end the word.
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw new IllegalArgumentException("closing quote must be followed by a space: " + line);
                        }
                        done = true;
                    } else {
                        i = writeCodePoint(arg, line, i);
                    }
                } else if (inSingle) {
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        i++;
                        arg.write('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw new IllegalArgumentException("closing quote must be followed by a space: " + line);
                        }
                        done = true;
                    } else {
                        i = writeCodePoint(arg, line, i);
                    }
                } else if (Character.isWhitespace(c)) {
                    done = true;
                } else if (c == '"') {
                    inDouble = true;
                } else if (c == '\'') {
                    inSingle = true;
                } else {
                    i = writeCodePoint(arg, line, i);
                }
                i++;
            }
            out.add(arg.toByteArray());
        }
        return new RespCommand(List.copyOf(out));
    }

    /** The arguments; the list is immutable, the arrays must not be modified. */
    public List<byte[]> args() {
        return args;
    }

    /** The multibulk encoding of this command. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeAscii(out, "*" + args.size() + "\r\n");
        for (byte[] arg : args) {
            writeAscii(out, "$" + arg.length + "\r\n");
            out.writeBytes(arg);
            writeAscii(out, "\r\n");
        }
        return out.toByteArray();
    }

    /** The arguments, each double-quoted and escaped, separated by spaces. */
    @Override
    public String toString() {
        return args.stream().map(a -> BytesFormat.quote(a, DISPLAY_LIMIT_PER_ARG)).collect(Collectors.joining(" "));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RespCommand other) || other.args.size() != args.size()) {
            return false;
        }
        for (int i = 0; i < args.size(); i++) {
            if (!Arrays.equals(args.get(i), other.args.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte[] arg : args) {
            h = 31 * h + Arrays.hashCode(arg);
        }
        return h;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** Writes the code point at {@code i} as UTF-8; returns the index of its last char. */
    private static int writeCodePoint(ByteArrayOutputStream out, String line, int i) {
        int cp = line.codePointAt(i);
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        return i + Character.charCount(cp) - 1;
    }

    private static void writeAscii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
