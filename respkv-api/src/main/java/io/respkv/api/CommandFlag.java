package io.respkv.api;

import java.util.Locale;

/** Redis 7 command flags, as reported by {@code COMMAND INFO}; {@link #wireName()} is Redis's spelling. */
public enum CommandFlag {
    WRITE,
    READONLY,
    DENYOOM,
    MODULE,
    ADMIN,
    PUBSUB,
    NOSCRIPT,
    BLOCKING,
    LOADING,
    STALE,
    SKIP_MONITOR,
    SKIP_SLOWLOG,
    ASKING,
    FAST,
    NO_AUTH,
    MAY_REPLICATE,
    SENTINEL,
    ONLY_SENTINEL,
    NO_MANDATORY_KEYS,
    PROTECTED,
    MODULE_GETKEYS,
    MODULE_NO_CLUSTER,
    NO_ASYNC_LOADING,
    NO_MULTI,
    MOVABLEKEYS,
    ALLOW_BUSY,
    MODULE_GETCHANNELS;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The flag as Redis writes it, e.g. {@code no_auth}. */
    public String wireName() {
        return wireName;
    }

    /** The flag for Redis's spelling, e.g. {@code skip_slowlog}. */
    public static CommandFlag fromWireName(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
