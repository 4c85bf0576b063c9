package io.respkv.server.command.meta;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * A test-only case-insensitive glob with just {@code *}, {@code ?} and literal characters: enough
 * to drive {@code COMMAND LIST FILTERBY PATTERN} in tests (the server passes the real matcher).
 */
final class SimpleGlob {

    private SimpleGlob() {
    }

    static Predicate<String> matcher(byte[] pattern) {
        String p = new String(pattern, StandardCharsets.ISO_8859_1);
        for (char c : p.toCharArray()) {
            if (c == '[' || c == '\\') {
                throw new IllegalArgumentException("SimpleGlob supports only * and ?: " + p);
            }
        }
        return name -> matches(p, 0, name, 0);
    }

    private static boolean matches(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (matches(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length()) {
                return false;
            }
            if (c != '?' && Character.toLowerCase(c) != Character.toLowerCase(s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }
}
