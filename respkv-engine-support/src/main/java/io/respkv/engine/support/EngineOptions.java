package io.respkv.engine.support;

import io.respkv.api.Durability;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Parsing of the option values the local engines' providers share. Every bad value is an
 * {@link IllegalArgumentException} naming the option and the value.
 */
public final class EngineOptions {

    private EngineOptions() {
    }

    /**
     * Throws if {@code options} has a key not in {@code known}, e.g.
     * {@code unknown rocksdb engine options [a, b]; known: [dir, ...]}.
     *
     * @param engine the engine's name, as in {@code --engine}
     */
    public static void requireKnown(String engine, Map<String, String> options, List<String> known) {
        TreeSet<String> unknown = new TreeSet<>(options.keySet());
        known.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown " + engine + " engine option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; known: " + known);
        }
    }

    /** {@code sync} or {@code async}, in any case. */
    public static Durability durability(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "sync" -> Durability.SYNC;
            case "async" -> Durability.ASYNC;
            default -> throw new IllegalArgumentException("durability must be sync or async, got '" + value + "'");
        };
    }

    /** A whole number of milliseconds, at least {@code min}; surrounding blanks are ignored. */
    public static long millis(String option, String value, long min) {
        long ms;
        try {
            ms = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < min) {
            throw new IllegalArgumentException(option + " needs milliseconds >= " + min + ", got '" + value + "'");
        }
        return ms;
    }
}
