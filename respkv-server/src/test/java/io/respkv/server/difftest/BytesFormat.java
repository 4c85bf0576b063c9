package io.respkv.server.difftest;

/**
 * Renders bytes readably for failure messages, the way {@code redis-cli} and {@code MONITOR}
 * do ({@code sdscatrepr}): a double-quoted string with {@code \r}, {@code \n}, {@code \t},
 * {@code \a}, {@code \b}, {@code \\}, {@code \"} escaped and any other non-printable byte as
 * {@code \xhh}.
 */
public final class BytesFormat {

    /** Longest rendering before the middle is cut; keeps failure messages readable. */
    public static final int DEFAULT_LIMIT = 1024;

    private BytesFormat() {
    }

    /** Quotes all of {@code bytes}. */
    public static String quote(byte[] bytes) {
        return quote(bytes, Integer.MAX_VALUE);
    }

    /**
     * Quotes {@code bytes}; if there are more than {@code limit} of them, renders the first
     * {@code limit} and says how many there were.
     */
    public static String quote(byte[] bytes, int limit) {
        int shown = Math.min(bytes.length, limit);
        StringBuilder out = new StringBuilder(shown + 16).append('"');
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.append((char) b);
                    } else {
                        out.append(String.format("\\x%02x", b));
                    }
                }
            }
        }
        out.append('"');
        if (shown < bytes.length) {
            out.append("...(").append(bytes.length).append(" bytes)");
        }
        return out.toString();
    }
}
