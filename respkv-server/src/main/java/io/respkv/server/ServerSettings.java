package io.respkv.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parameters CONFIG GET and CONFIG SET know: every standard Redis 7.0 parameter name, so
 * tools and test suites that read or tune them keep working.
 *
 * <p>Three kinds: <em>live</em> parameters respkv applies ({@code requirepass}, and those
 * registered as {@link LiveParameter}s: {@code notify-keyspace-events},
 * {@code client-output-buffer-limit}); <em>fixed</em>
 * ones that reflect the server's configuration and cannot change while it runs ({@code port},
 * {@code bind}, {@code databases}, {@code proto-max-bulk-len}: CONFIG SET answers Redis's
 * "can't set immutable config"); and the rest, which do not apply to respkv (memory policy,
 * RDB/AOF tuning, encodings...): they are accepted, stored and reported back, and have no effect.
 * Defaults of the latter come from a redis-server 7.0.15 ({@code redis-config-defaults.tsv}).
 */
public final class ServerSettings {

    private static final String DEFAULTS = "command/redis-config-defaults.tsv";

    private volatile String requirePass;
    private volatile java.util.function.Consumer<String> requirePassListener;
    private final Map<String, String> fixed = new LinkedHashMap<>();
    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final Map<String, LiveParameter> live = new ConcurrentHashMap<>();

    /** A parameter respkv parses and applies, rather than only storing it. */
    public interface LiveParameter {
        /** The value as CONFIG GET shows it (normalised, as Redis shows it). */
        String get();

        /**
         * Checks a value without applying it.
         *
         * @throws IllegalArgumentException with Redis's message (CONFIG SET puts it after "failed ... - ")
         */
        void check(String value);

        /** Applies a value {@link #check} accepted. */
        void set(String value);
    }

    /**
     * A live integer parameter from {@code min} to {@code max}, with Redis's errors for a value
     * that is not an integer or out of range (its numeric config type).
     */
    public static LiveParameter longParameter(long min, long max, java.util.function.LongSupplier get,
                                               java.util.function.LongConsumer set) {
        return new LiveParameter() {
            @Override
            public String get() {
                return Long.toString(get.getAsLong());
            }

            @Override
            public void check(String value) {
                long v;
                try {
                    v = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("argument couldn't be parsed into an integer");
                }
                if (v < min || v > max) {
                    throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
                }
            }

            @Override
            public void set(String value) {
                set.accept(Long.parseLong(value));
            }
        };
    }

    ServerSettings(ServerConfig config) {
        this.requirePass = config.requirePass();
        loadDefaults();
        fixed.put("port", Integer.toString(config.port()));
        fixed.put("bind", config.bind());
        fixed.put("databases", Integer.toString(config.databases()));
        fixed.put("proto-max-bulk-len", Long.toString(config.limits().maxBulkLength()));
        fixed.put("io-threads", Integer.toString(Math.max(1, config.eventLoopThreads())));
        // respkv persists through its engine, never through RDB/AOF.
        stored.put("save", "");
        stored.put("appendonly", "no");
    }

    private void loadDefaults() {
        try (InputStream in = ServerSettings.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                stored.put(line.substring(0, tab), line.substring(tab + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code name} a parameter that reflects the server's configuration and cannot change while it runs. */
    void fixed(String name, String value) {
        fixed.put(name, value);
        stored.remove(name);
    }

    /** Makes {@code name} a live parameter handled by {@code parameter} (at server start). */
    void live(String name, LiveParameter parameter) {
        live.put(name, parameter);
        stored.remove(name);
    }

    /**
     * Checks a value for a known, mutable parameter before CONFIG SET applies anything.
     *
     * @throws IllegalArgumentException with Redis's message if the value is refused
     */
    public void check(String name, String value) {
        LiveParameter p = live.get(name);
        if (p != null) {
            p.check(value);
        }
    }

    /** The default user's password, or null if none is required. */
    public String requirePass() {
        return requirePass;
    }

    /** Sets the default user's password; null or empty removes it (and makes the default user nopass). */
    public void requirePass(String password) {
        this.requirePass = password == null || password.isEmpty() ? null : password;
        java.util.function.Consumer<String> l = requirePassListener;
        if (l != null) {
            l.accept(this.requirePass);
        }
    }

    /** Called with the new password (null for none) whenever requirepass changes (the ACL's default user). */
    void requirePassListener(java.util.function.Consumer<String> listener) {
        this.requirePassListener = listener;
    }

    /** Whether {@code name} (lower case) is a known parameter. */
    public boolean known(String name) {
        return name.equals("requirepass") || fixed.containsKey(name) || stored.containsKey(name)
                || live.containsKey(name);
    }

    /** Whether {@code name} cannot change at runtime. */
    public boolean immutable(String name) {
        return fixed.containsKey(name);
    }

    /** The current value of a known parameter. */
    public String get(String name) {
        if (name.equals("requirepass")) {
            String p = requirePass;
            return p == null ? "" : p;
        }
        LiveParameter p = live.get(name);
        if (p != null) {
            return p.get();
        }
        String v = fixed.get(name);
        return v != null ? v : stored.get(name);
    }

    /** Sets a known, mutable parameter. */
    public void set(String name, String value) {
        if (name.equals("requirepass")) {
            requirePass(value);
        } else if (fixed.containsKey(name)) {
            throw new IllegalArgumentException("can't set immutable config");
        } else if (live.containsKey(name)) {
            live.get(name).set(value);
        } else {
            stored.put(name, value);
        }
    }

    /** Every parameter name. */
    public Iterable<String> names() {
        Map<String, Boolean> all = new LinkedHashMap<>();
        all.put("requirepass", true);
        fixed.keySet().forEach(n -> all.put(n, true));
        stored.keySet().forEach(n -> all.put(n, true));
        live.keySet().forEach(n -> all.put(n, true));
        return Collections.unmodifiableSet(all.keySet());
    }
}
