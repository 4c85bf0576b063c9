package io.respkv.server.command.meta;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One Redis 7 key spec: where the search for keys begins and how the keys are found from there
 * (the {@code key_specs} element of {@code COMMAND INFO}).
 *
 * @param flagBits    the {@link KeySpecFlag} mask
 * @param beginSearch where the search begins
 * @param findKeys    how keys are found from the beginning
 */
public record KeySpec(int flagBits, BeginSearch beginSearch, FindKeys findKeys) {

    public KeySpec {
        requireNonNull(beginSearch, "beginSearch");
        requireNonNull(findKeys, "findKeys");
    }

    /** The flags, in Redis's order. */
    public Set<KeySpecFlag> flags() {
        return KeySpecFlag.fromBits(flagBits);
    }

    /** Whether the spec has {@code flag}. */
    public boolean has(KeySpecFlag flag) {
        return (flagBits & flag.bit()) != 0;
    }

    /** Where the search for keys begins. */
    public sealed interface BeginSearch {
    }

    /** The search begins at argument {@code index}. */
    public record Index(int index) implements BeginSearch {
    }

    /**
     * The search begins after the first argument equal to {@code keyword} (ignoring case), looked
     * for from argument {@code startFrom} forwards, or from {@code argc + startFrom} backwards when
     * negative.
     */
    public record Keyword(String keyword, int startFrom) implements BeginSearch {
        public Keyword {
            requireNonNull(keyword, "keyword");
        }
    }

    /** The keys cannot be found from the spec (Redis's {@code unknown}). */
    public record UnknownBegin() implements BeginSearch {
    }

    /** How keys are found once the search has begun. */
    public sealed interface FindKeys {
    }

    /**
     * Keys from the beginning to {@code lastKey} (relative to the beginning; negative counts from
     * the end), every {@code keyStep}; with a negative {@code lastKey} and a {@code limit}, only
     * 1/limit of the remaining arguments are keys.
     */
    public record Range(int lastKey, int keyStep, int limit) implements FindKeys {
    }

    /**
     * The argument at {@code keyNumIndex} (relative to the beginning) is the number of keys, the
     * first of which is at {@code firstKey} (relative to the beginning), every {@code keyStep}.
     */
    public record KeyNum(int keyNumIndex, int firstKey, int keyStep) implements FindKeys {
    }

    /** The keys cannot be found from the spec (Redis's {@code unknown}). */
    public record UnknownFind() implements FindKeys {
    }
}
