package io.respkv.server.script;

import java.nio.charset.StandardCharsets;

/** The longest prefix C's strtod accepts (decimal, hexadecimal, inf, infinity, nan), and its value. */
final class StrtodPrefix {

    private StrtodPrefix() {
    }

    /** The end of the number starting at {@code from} (== from: none). */
    static int scan(byte[] d, int from) {
        int p = from;
        if (p < d.length && (d[p] == '+' || d[p] == '-')) {
            p++;
        }
        if (matches(d, p, "infinity")) {
            return p + 8;
        }
        if (matches(d, p, "inf") || matches(d, p, "nan")) {
            return p + 3;
        }
        if (p + 1 < d.length && d[p] == '0' && (d[p + 1] | 0x20) == 'x') {
            int q = p + 2;
            int digits = 0;
            while (q < d.length && Character.digit(d[q], 16) >= 0) {
                q++;
                digits++;
            }
            if (q < d.length && d[q] == '.') {
                q++;
                while (q < d.length && Character.digit(d[q], 16) >= 0) {
                    q++;
                    digits++;
                }
            }
            if (digits == 0) {
                return p + 1; // just the "0"
            }
            return exponent(d, q, 'p');
        }
        int q = p;
        int digits = 0;
        while (q < d.length && d[q] >= '0' && d[q] <= '9') {
            q++;
            digits++;
        }
        if (q < d.length && d[q] == '.') {
            q++;
            while (q < d.length && d[q] >= '0' && d[q] <= '9') {
                q++;
                digits++;
            }
        }
        if (digits == 0) {
            return from;
        }
        return exponent(d, q, 'e');
    }

    private static int exponent(byte[] d, int q, char e) {
        if (q < d.length && (d[q] | 0x20) == e) {
            int r = q + 1;
            if (r < d.length && (d[r] == '+' || d[r] == '-')) {
                r++;
            }
            int s = r;
            while (r < d.length && d[r] >= '0' && d[r] <= '9') {
                r++;
            }
            if (r > s) {
                return r;
            }
        }
        return q;
    }

    private static boolean matches(byte[] d, int p, String word) {
        if (p + word.length() > d.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if ((d[p + i] | 0x20) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static double value(byte[] d, int from, int end) {
        String s = new String(d, from, end - from, StandardCharsets.ISO_8859_1).toLowerCase();
        boolean neg = s.startsWith("-");
        String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        double v;
        if (body.startsWith("inf")) {
            v = Double.POSITIVE_INFINITY;
        } else if (body.startsWith("nan")) {
            v = Double.NaN;
        } else if (body.startsWith("0x")) {
            v = Double.parseDouble(body.contains("p") ? body : body + "p0");
        } else {
            v = Double.parseDouble(body);
        }
        return neg ? -v : v;
    }
}
