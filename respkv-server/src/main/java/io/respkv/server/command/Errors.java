package io.respkv.server.command;

/** Redis 7.0's error lines, exactly as it sends them (without the leading dash). */
public final class Errors {

    private Errors() {
    }

    public static final String SYNTAX = "ERR syntax error";
    public static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_A_FLOAT = "ERR value is not a valid float";
    /** getIntFromObjectOrReply's error for a 64-bit integer outside the 32-bit range. */
    public static final String INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String DB_INDEX = "ERR DB index is out of range";
    public static final String INVALID_EXPIRE = "ERR invalid expire time in '%s' command";
    public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String INTERNAL = "ERR internal error";
    /** The engine's store cannot be reached now (see {@link io.respkv.api.EngineUnavailableException}). */
    public static final String ENGINE_UNAVAILABLE = "ERR engine unavailable";
    /** A replicated write (or read) the log could not commit (or confirm) in time: Redis's min-replicas error. */
    public static final String NO_REPLICAS = "NOREPLICAS Not enough good replicas to write.";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
    public static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    public static final String LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
    public static final String LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
    public static final String LCS_MEMORY =
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

    /** {@code ERR wrong number of arguments for 'name' command}. */
    public static String arity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    // ---- key commands (DEL, EXPIRE, RENAME, COPY, MOVE, SCAN...) ----

    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String NOT_AN_INT32 =
            "ERR value is out of range, value must between -2147483648 and 2147483647";
    public static final String INVALID_CURSOR = "ERR invalid cursor";
    public static final String EXPIRE_NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public static final String EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";

    /** {@code ERR invalid expire time in 'name' command}. */
    public static String invalidExpire(String fullName) {
        return String.format(INVALID_EXPIRE, fullName);
    }

    /** {@code ERR Unsupported option opt} (EXPIRE's flags). */
    public static String unsupportedOption(String option) {
        return "ERR Unsupported option " + option;
    }

    // ---- hashes (HINCRBY, HINCRBYFLOAT, HRANDFIELD) ----

    public static final String HASH_VALUE_NOT_AN_INTEGER = "ERR hash value is not an integer";
    public static final String HASH_VALUE_NOT_A_FLOAT = "ERR hash value is not a float";
    /** HINCRBYFLOAT's check of the increment itself (the sum has {@link #NAN_OR_INFINITY}). */
    public static final String NAN_OR_INFINITE_VALUE = "ERR value is NaN or Infinity";
    /** HRANDFIELD's count with WITHVALUES outside +-LONG_MAX/2. */
    public static final String VALUE_OUT_OF_RANGE = "ERR value is out of range";
    public static final String HRANDFIELD_COUNT_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    /** respkv's own: a negative HRANDFIELD count above what a reply built in memory may hold. */
    public static String hrandfieldTooMany(int max) {
        return "ERR value is out of range, respkv returns at most " + max + " random fields per call";
    }

    // ---- OBJECT ----

    public static final String OBJECT_LFU_IDLETIME = "ERR An LFU maxmemory policy is selected, idle time not tracked."
            + " Please note that when switching between policies at runtime LRU and LFU data will take some time"
            + " to adjust.";
    public static final String OBJECT_NOT_LFU_FREQ = "ERR An LFU maxmemory policy is not selected, access frequency"
            + " not tracked. Please note that when switching between policies at runtime LRU and LFU data will take"
            + " some time to adjust.";
    /** respkv's own: it keeps no access times (reads would have to write). */
    public static final String OBJECT_NO_IDLETIME = "ERR respkv does not track access times, idle time not available";
    /** respkv's own: it keeps no access counters. */
    public static final String OBJECT_NO_FREQ =
            "ERR respkv does not track access frequency, access frequency not available";

    // ---- sorted sets (ZSetCommands) ----

    public static final String ZADD_XX_AND_NX = "ERR XX and NX options at the same time are not compatible";
    public static final String ZADD_GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    public static final String ZADD_INCR_PAIR = "ERR INCR option supports a single increment-element pair";
    public static final String ZSET_NAN_SCORE = "ERR resulting score is not a number (NaN)";
    public static final String ZSET_MIN_MAX_NOT_FLOAT = "ERR min or max is not a float";
    public static final String ZSET_LEX_RANGE = "ERR min or max not valid string range item";
    public static final String ZRANGE_LIMIT_NEEDS_BY =
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    public static final String ZRANGE_WITHSCORES_BYLEX =
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    public static final String ZSET_WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
    public static final String ZINTERCARD_LIMIT = "ERR LIMIT can't be negative";
    public static final String ZMPOP_NUMKEYS = "ERR numkeys should be greater than 0";
    public static final String ZMPOP_COUNT = "ERR count should be greater than 0";
    /** ZRANDMEMBER's count range, -LONG_MAX..LONG_MAX. */
    public static final String ZRANDMEMBER_COUNT_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    /** respkv's own: a negative ZRANDMEMBER count above what a reply built in memory may hold. */
    public static String zrandmemberTooMany(long max) {
        return "ERR value is out of range, respkv returns at most " + max + " random members per call";
    }

    /** {@code ERR at least 1 input key is needed for 'name' command} (ZUNION, ZINTER, ZDIFF...). */
    public static String zsetNeedsKeys(String fullName) {
        return "ERR at least 1 input key is needed for '" + fullName + "' command";
    }

    // ---- lists and blocking commands (LMPOP, BLMPOP, BZMPOP, BLPOP, BZPOPMIN...) ----

    public static final String NUMKEYS = "ERR numkeys should be greater than 0";
    public static final String MPOP_COUNT = "ERR count should be greater than 0";
    public static final String TIMEOUT_NOT_A_FLOAT = "ERR timeout is not a float or out of range";
    public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";

    // ---- sets (SINTERCARD, SRANDMEMBER; SINTERCARD's numkeys check is NUMKEYS above) ----

    /** SINTERCARD's numkeys beyond the arguments given. */
    public static final String NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
    /** SINTERCARD's LIMIT, negative or not an integer. */
    public static final String SINTERCARD_LIMIT = "ERR LIMIT can't be negative";
    /** SRANDMEMBER's count range, -LONG_MAX..LONG_MAX. */
    public static final String SRANDMEMBER_COUNT_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    /** respkv's own: a negative SRANDMEMBER count above what a reply built in memory may hold. */
    public static String srandmemberTooMany(long max) {
        return "ERR value is out of range, respkv returns at most " + max + " random members per call";
    }

    /** A script has run longer than busy-reply-threshold (Redis's shared.slowevalerr). */
    public static final String BUSY_SCRIPT = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    /** A function has run longer than busy-reply-threshold (Redis's shared.slowscripterr). */
    public static final String BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
}
