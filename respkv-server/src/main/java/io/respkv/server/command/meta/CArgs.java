package io.respkv.server.command.meta;

import io.respkv.api.CommandArgs;

/**
 * The request arguments of one command inside a larger request (e.g. the {@code SET k v} of
 * {@code COMMAND GETKEYS SET k v}), read with the C string functions Redis applies to them.
 */
final class CArgs {

    private final CommandArgs args;
    private final int offset;

    CArgs(CommandArgs args, int offset) {
        this.args = args;
        this.offset = offset;
    }

    /** Redis's {@code argc}: the command name and its arguments. */
    int argc() {
        return args.count() - offset;
    }

    /** The index of argument {@code i} in the underlying request. */
    int outer(int i) {
        return offset + i;
    }

    /** Redis's {@code !strcasecmp(argv[i]->ptr, word)}: ASCII case-insensitive, ending at a NUL byte. */
    boolean is(int i, String word) {
        int index = offset + i;
        int len = args.length(index);
        for (int k = 0; ; k++) {
            int a = k < len ? args.byteAt(index, k) & 0xff : 0;
            int w = k < word.length() ? word.charAt(k) : 0;
            if (lower(a) != lower(w)) {
                return false;
            }
            if (a == 0) {
                return true;
            }
        }
    }

    /** Whether argument {@code i} is the empty string ({@code sdslen(argv[i]->ptr) == 0}). */
    boolean isEmpty(int i) {
        return args.length(offset + i) == 0;
    }

    /** Redis's {@code string2ll}, or {@code null} when argument {@code i} is not such a number. */
    Long parseLong(int i) {
        try {
            return args.parseLong(offset + i);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * glibc's {@code atoi(argv[i]->ptr)}: {@code (int) strtol(s, NULL, 10)}, i.e. leading white
     * space, an optional sign, digits up to the first other byte, saturated to 64 bits and then
     * truncated to 32.
     */
    int atoi(int i) {
        int index = offset + i;
        int len = args.length(index);
        int k = 0;
        while (k < len && isSpace(args.byteAt(index, k))) {
            k++;
        }
        boolean negative = false;
        if (k < len && (args.byteAt(index, k) == '-' || args.byteAt(index, k) == '+')) {
            negative = args.byteAt(index, k) == '-';
            k++;
        }
        long value = 0;
        boolean saturated = false;
        for (; k < len; k++) {
            int d = args.byteAt(index, k) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (!saturated) {
                // accumulate as a negative number so that Long.MIN_VALUE is reachable
                if (value < (Long.MIN_VALUE + d) / 10) {
                    saturated = true;
                } else {
                    value = value * 10 - d;
                }
            }
        }
        long result;
        if (saturated) {
            result = negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else if (negative) {
            result = value;
        } else {
            result = value == Long.MIN_VALUE ? Long.MAX_VALUE : -value;
        }
        return (int) result;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
