package io.respkv.server.command;

import io.respkv.api.CommandArgs;

/**
 * The options of {@code SET} ({@code NX XX GET KEEPTTL EX PX EXAT PXAT}) and {@code GETEX}
 * ({@code PERSIST EX PX EXAT PXAT}), parsed with Redis 7.0's rules
 * ({@code parseExtendedStringArgumentsOrReply} in t_string.c):
 *
 * <ul>
 *   <li>options may come in any order and repeat ({@code NX NX}, {@code EX 1 EX 2}: the last
 *       expiry wins);</li>
 *   <li>conflicting options are a syntax error: {@code NX} with {@code XX}, more than one of
 *       {@code EX PX EXAT PXAT}, any of those with {@code KEEPTTL} (SET) or {@code PERSIST}
 *       (GETEX); an expiry keyword without a following argument;</li>
 *   <li>keywords are compared as C strings: an argument matches if it equals the keyword up to an
 *       embedded NUL byte ({@code "NX\0junk"} is {@code NX}), as in Redis.</li>
 * </ul>
 *
 * The expiry argument is only located here; {@link #expireAt} converts it to an absolute Unix-ms
 * deadline when the command executes.
 */
final class StringOptions {

    static final int NX = 1;
    static final int XX = 1 << 1;
    static final int EX = 1 << 2;
    static final int PX = 1 << 3;
    static final int KEEPTTL = 1 << 4;
    static final int GET = 1 << 5;
    static final int EXAT = 1 << 6;
    static final int PXAT = 1 << 7;
    static final int PERSIST = 1 << 8;

    private static final int ANY_EXPIRY = EX | PX | EXAT | PXAT;

    /** {@link #expireAt}: the expiry argument is not an integer. */
    static final long NOT_AN_INTEGER = -1;
    /** {@link #expireAt}: the expiry is not positive, or the deadline overflows. */
    static final long INVALID = -2;

    private final int flags;
    private final int expireArg;

    private StringOptions(int flags, int expireArg) {
        this.flags = flags;
        this.expireArg = expireArg;
    }

    /** Options that only carry an expiry (SETEX, PSETEX): {@code flag} is EX or PX. */
    static StringOptions expiry(int flag, int expireArg) {
        return new StringOptions(flag, expireArg);
    }

    /** Options with flags only (SETNX). */
    static StringOptions of(int flags) {
        return new StringOptions(flags, -1);
    }

    /** SET's options from argument 3 on; null on a syntax error. */
    static StringOptions parseSet(CommandArgs args) {
        return parse(args, 3, true);
    }

    /** GETEX's options from argument 2 on; null on a syntax error. */
    static StringOptions parseGetEx(CommandArgs args) {
        return parse(args, 2, false);
    }

    private static StringOptions parse(CommandArgs args, int from, boolean set) {
        int flags = 0;
        int expireArg = -1;
        int argc = args.count();
        for (int j = from; j < argc; j++) {
            boolean hasNext = j < argc - 1;
            if (set && keyword(args, j, "NX") && (flags & XX) == 0) {
                flags |= NX;
            } else if (set && keyword(args, j, "XX") && (flags & NX) == 0) {
                flags |= XX;
            } else if (set && keyword(args, j, "GET")) {
                flags |= GET;
            } else if (set && keyword(args, j, "KEEPTTL") && (flags & (PERSIST | ANY_EXPIRY)) == 0) {
                flags |= KEEPTTL;
            } else if (!set && keyword(args, j, "PERSIST") && (flags & (KEEPTTL | ANY_EXPIRY)) == 0) {
                flags |= PERSIST;
            } else if (hasNext && (flags & (KEEPTTL | PERSIST)) == 0 && expiryKeyword(args, j) != 0
                    && (flags & ANY_EXPIRY & ~expiryKeyword(args, j)) == 0) {
                flags |= expiryKeyword(args, j);
                expireArg = ++j;
            } else {
                return null;
            }
        }
        return new StringOptions(flags, expireArg);
    }

    /** The expiry flag argument {@code j} names (EX, PX, EXAT, PXAT), or 0. */
    private static int expiryKeyword(CommandArgs args, int j) {
        if (keyword(args, j, "EX")) {
            return EX;
        } else if (keyword(args, j, "PX")) {
            return PX;
        } else if (keyword(args, j, "EXAT")) {
            return EXAT;
        } else if (keyword(args, j, "PXAT")) {
            return PXAT;
        }
        return 0;
    }

    /**
     * Whether argument {@code i} equals {@code word} ignoring ASCII case, compared as a C string:
     * bytes after an embedded NUL are ignored, as Redis's {@code strcasecmp} ignores them.
     */
    static boolean keyword(CommandArgs args, int i, String word) {
        return args.is(i, word);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Whether an expiry (EX, PX, EXAT or PXAT) was given. */
    boolean hasExpiry() {
        return expireArg >= 0;
    }

    /** Whether the expiry given is absolute (EXAT, PXAT). */
    boolean absoluteExpiry() {
        return (flags & (EXAT | PXAT)) != 0;
    }

    /**
     * The absolute Unix-ms deadline the expiry argument names at {@code nowMillis}, with Redis's
     * checks ({@code getExpireMillisecondsOrReply}): a value that is not positive, seconds that
     * overflow when multiplied by 1000, and a relative expiry whose deadline overflows are
     * {@link #INVALID}; a value that is not an integer is {@link #NOT_AN_INTEGER}.
     */
    long expireAt(CommandArgs args, long nowMillis) {
        long value;
        try {
            value = args.parseLong(expireArg);
        } catch (NumberFormatException e) {
            return NOT_AN_INTEGER;
        }
        boolean seconds = (flags & (EX | EXAT)) != 0;
        if (value <= 0 || (seconds && value > Long.MAX_VALUE / 1000)) {
            return INVALID;
        }
        if (seconds) {
            value *= 1000;
        }
        if ((flags & (EX | PX)) != 0) {
            // Wraps on overflow exactly like Redis's signed addition, and is then caught below.
            value += nowMillis;
        }
        return value <= 0 ? INVALID : value;
    }
}
