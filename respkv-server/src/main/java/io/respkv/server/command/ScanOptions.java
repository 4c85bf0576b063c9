package io.respkv.server.command;

import io.respkv.codec.RespRequest;
import io.respkv.server.util.GlobMatcher;

/**
 * The options of the SCAN family ({@code SCAN}, {@code HSCAN}, {@code SSCAN}, {@code ZSCAN}):
 * {@code [MATCH pattern] [COUNT count] [TYPE type]}, parsed as Redis's {@code scanGenericCommand}
 * does — pairs in any order, a later one wins, COUNT below 1 is a syntax error, TYPE only for SCAN.
 *
 * @param count   how many entries one call looks at (default 10)
 * @param pattern the MATCH glob, or null
 * @param type    the TYPE name, or null
 */
record ScanOptions(long count, byte[] pattern, byte[] type) {

    static final long DEFAULT_COUNT = 10;

    /**
     * Parses the options starting at argument {@code from}. On a bad option replies Redis's error
     * and returns null.
     */
    static ScanOptions parse(ExecutionContext ctx, int from, boolean allowType) {
        RespRequest args = ctx.args();
        long count = DEFAULT_COUNT;
        byte[] pattern = null;
        byte[] type = null;
        for (int i = from; i < args.count(); i += 2) {
            boolean hasValue = i + 1 < args.count();
            if (args.is(i, "COUNT") && hasValue) {
                Long n = ctx.longArg(i + 1);
                if (n == null) {
                    return null;
                }
                if (n < 1) {
                    ctx.syntaxError();
                    return null;
                }
                count = n;
            } else if (args.is(i, "MATCH") && hasValue) {
                pattern = args.bytes(i + 1);
            } else if (allowType && args.is(i, "TYPE") && hasValue) {
                type = args.bytes(i + 1);
            } else {
                ctx.syntaxError();
                return null;
            }
        }
        return new ScanOptions(count, pattern, type);
    }

    /** The compiled MATCH pattern, or null when every entry matches (no MATCH, or {@code *}). */
    GlobMatcher matcher() {
        return pattern == null || (pattern.length == 1 && pattern[0] == '*') ? null : GlobMatcher.compile(pattern);
    }
}
