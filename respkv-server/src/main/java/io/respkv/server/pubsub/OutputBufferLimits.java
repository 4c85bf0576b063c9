package io.respkv.server.pubsub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Redis's {@code client-output-buffer-limit}: per client class (normal, replica, pubsub) a hard
 * limit in bytes, a soft limit in bytes and the seconds the soft limit may be exceeded, 0 meaning
 * none. respkv enforces the pubsub class (see {@link Subscriber}) and the normal class (the
 * connection handler, on the replies it has not yet handed to the socket); the replica values are
 * kept and shown for tools that read them (respkv has no Redis replicas). Immutable.
 */
public final class OutputBufferLimits {

    /** One class's limits. */
    public record Limit(long hardBytes, long softBytes, long softSeconds) {

        /** The lower of the hard and soft limits that are set (0 when neither is). */
        public long lowestBytes() {
            return hardBytes > 0 && softBytes > 0 ? Math.min(hardBytes, softBytes) : Math.max(hardBytes, softBytes);
        }

        /** No limit at all ({@code 0 0 0}). */
        public boolean unlimited() {
            return hardBytes == 0 && softBytes == 0;
        }

        /**
         * Redis's {@code checkClientOutputBufferLimits}: whether a client with {@code used} bytes
         * waiting for its socket is over this limit: at or over the hard limit, or at or over the
         * soft limit for more than its seconds. {@code softSince} holds the {@code nanoTime} the
         * client was first seen over the soft limit ({@link #NOT_OVER_SOFT} when it is not), and
         * is updated here, as Redis updates {@code obuf_soft_limit_reached_time}.
         */
        public boolean exceeded(long used, java.util.concurrent.atomic.AtomicLong softSince, long nowNanos) {
            boolean hard = hardBytes > 0 && used >= hardBytes;
            boolean soft = softBytes > 0 && used >= softBytes;
            if (soft) {
                long since = softSince.get();
                if (since == NOT_OVER_SOFT) {
                    softSince.compareAndSet(NOT_OVER_SOFT, nowNanos);
                    soft = false; // the first time it is seen over the soft limit
                } else if (nowNanos - since <= softSeconds * 1_000_000_000L) {
                    soft = false;
                }
            } else {
                softSince.set(NOT_OVER_SOFT);
            }
            return hard || soft;
        }
    }

    /** The value of a soft-limit clock of a client that is not over its soft limit (see {@link Limit#exceeded}). */
    public static final long NOT_OVER_SOFT = Long.MIN_VALUE;

    /** Redis 7.0's defaults: {@code normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}. */
    public static final OutputBufferLimits DEFAULT = new OutputBufferLimits(new Limit(0, 0, 0),
            new Limit(256L << 20, 64L << 20, 60), new Limit(32L << 20, 8L << 20, 60));

    private static final String WRONG_ARGS = "Wrong number of arguments in buffer limit configuration.";
    private static final String BAD_CLASS = "Invalid client class specified in buffer limit configuration.";
    private static final String BAD_VALUE = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

    private final Limit normal;
    private final Limit replica;
    private final Limit pubsub;

    private OutputBufferLimits(Limit normal, Limit replica, Limit pubsub) {
        this.normal = normal;
        this.replica = replica;
        this.pubsub = pubsub;
    }

    /** The limits of the pubsub class. */
    public Limit pubsub() {
        return pubsub;
    }

    /** The limits of the normal class (every client that is neither subscribed nor a replica). */
    public Limit normal() {
        return normal;
    }

    /**
     * These limits with the classes named in {@code value} replaced, as CONFIG SET reads it:
     * {@code <class> <hard> <soft> <soft-seconds>} repeated, classes {@code normal},
     * {@code replica} (or {@code slave}), {@code pubsub} in any case, sizes with Redis's units
     * ({@code 1k}=1000, {@code 1kb}=1024, m, mb, g, gb). All or nothing.
     *
     * @throws IllegalArgumentException with Redis's message if the value is invalid
     */
    public OutputBufferLimits with(String value) {
        List<String> v = words(value);
        if (v.size() % 4 != 0) {
            throw new IllegalArgumentException(WRONG_ARGS);
        }
        Limit n = normal;
        Limit r = replica;
        Limit p = pubsub;
        for (int j = 0; j < v.size(); j += 4) {
            String cls = v.get(j).toLowerCase(Locale.ROOT);
            if (!cls.equals("normal") && !cls.equals("slave") && !cls.equals("replica") && !cls.equals("pubsub")) {
                throw new IllegalArgumentException(BAD_CLASS);
            }
            long hard = memory(v.get(j + 1));
            long soft = memory(v.get(j + 2));
            long seconds = seconds(v.get(j + 3));
            if (hard < 0 || soft < 0 || seconds < 0) {
                throw new IllegalArgumentException(BAD_VALUE);
            }
            Limit l = new Limit(hard, soft, seconds);
            switch (cls) {
                case "normal" -> n = l;
                case "pubsub" -> p = l;
                default -> r = l;
            }
        }
        return new OutputBufferLimits(n, r, p);
    }

    /** As CONFIG GET shows it. */
    public String format() {
        return "normal " + format(normal) + " slave " + format(replica) + " pubsub " + format(pubsub);
    }

    private static String format(Limit l) {
        return Long.toUnsignedString(l.hardBytes()) + " " + Long.toUnsignedString(l.softBytes()) + " " + l.softSeconds();
    }

    /** Redis's {@code memtoull}: digits and an optional unit; -1 if invalid (or beyond a signed 64-bit count). */
    static long memory(String s) {
        int u = 0;
        while (u < s.length() && s.charAt(u) >= '0' && s.charAt(u) <= '9') {
            u++;
        }
        long mul;
        switch (s.substring(u).toLowerCase(Locale.ROOT)) {
            case "", "b" -> mul = 1;
            case "k" -> mul = 1000;
            case "kb" -> mul = 1024;
            case "m" -> mul = 1000 * 1000;
            case "mb" -> mul = 1024 * 1024;
            case "g" -> mul = 1000L * 1000 * 1000;
            case "gb" -> mul = 1024L * 1024 * 1024;
            default -> {
                return -1;
            }
        }
        if (u == 0) {
            return 0; // strtoull of no digits is 0, as Redis takes it
        }
        long value;
        try {
            value = Long.parseLong(s.substring(0, u));
        } catch (NumberFormatException tooBig) {
            return -1;
        }
        return value > Long.MAX_VALUE / mul ? -1 : value * mul;
    }

    /** {@code strtoll} of the whole word; -1 if it is not an integer. */
    private static long seconds(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The value split into words on spaces (Redis splits it as arguments; quotes are not expected here). */
    private static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : value.trim().split("[ \t\r\n]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
