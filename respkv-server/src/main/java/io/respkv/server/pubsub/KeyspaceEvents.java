package io.respkv.server.pubsub;

/**
 * The classes of keyspace notifications ({@code notify-keyspace-events}), with Redis 7.0's
 * flag letters, bit values and parsing ({@code notify.c}).
 *
 * <p>A command reports an event with its class, e.g.
 * {@code ctx.notifyKeyspaceEvent(KeyspaceEvents.LIST, "lpush", key)}; it is published only if
 * the class is enabled, and then on {@code __keyspace@<db>__:<key>} (with {@link #KEYSPACE}) and
 * {@code __keyevent@<db>__:<event>} (with {@link #KEYEVENT}).
 */
public final class KeyspaceEvents {

    private KeyspaceEvents() {
    }

    /** {@code K}: publish on {@code __keyspace@<db>__:<key>}. */
    public static final int KEYSPACE = 1 << 0;
    /** {@code E}: publish on {@code __keyevent@<db>__:<event>}. */
    public static final int KEYEVENT = 1 << 1;
    /** {@code g}: generic commands (DEL, EXPIRE, RENAME, COPY, MOVE...). */
    public static final int GENERIC = 1 << 2;
    /** {@code $}: string commands. */
    public static final int STRING = 1 << 3;
    /** {@code l}: list commands. */
    public static final int LIST = 1 << 4;
    /** {@code s}: set commands. */
    public static final int SET = 1 << 5;
    /** {@code h}: hash commands. */
    public static final int HASH = 1 << 6;
    /** {@code z}: sorted-set commands. */
    public static final int ZSET = 1 << 7;
    /** {@code x}: a key expired and was removed. */
    public static final int EXPIRED = 1 << 8;
    /** {@code e}: a key was evicted for maxmemory (respkv never evicts). */
    public static final int EVICTED = 1 << 9;
    /** {@code t}: stream commands (respkv has no streams yet). */
    public static final int STREAM = 1 << 10;
    /** {@code m}: a read found no key (not in {@code A}). */
    public static final int KEY_MISS = 1 << 11;
    /** Redis's module "loaded" class: no letter. */
    public static final int LOADED = 1 << 12;
    /** {@code d}: module events (respkv has no modules). */
    public static final int MODULE = 1 << 13;
    /** {@code n}: a key was created (not in {@code A}). */
    public static final int NEW = 1 << 14;
    /** {@code A}: {@code g$lshzxetd}. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /** CONFIG SET's message for a letter that is not a class. */
    public static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    /** The flags of a {@code notify-keyspace-events} value, or -1 if it has a character that is no class. */
    public static int parse(String classes) {
        int flags = 0;
        for (int i = 0; i < classes.length(); i++) {
            switch (classes.charAt(i)) {
                case 'A' -> flags |= ALL;
                case 'g' -> flags |= GENERIC;
                case '$' -> flags |= STRING;
                case 'l' -> flags |= LIST;
                case 's' -> flags |= SET;
                case 'h' -> flags |= HASH;
                case 'z' -> flags |= ZSET;
                case 'x' -> flags |= EXPIRED;
                case 'e' -> flags |= EVICTED;
                case 'K' -> flags |= KEYSPACE;
                case 'E' -> flags |= KEYEVENT;
                case 't' -> flags |= STREAM;
                case 'm' -> flags |= KEY_MISS;
                case 'd' -> flags |= MODULE;
                case 'n' -> flags |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return flags;
    }

    /**
     * The flags as CONFIG GET shows them: {@code A} when every class of {@link #ALL} is on (and
     * then {@code n} is not shown even if set, as in Redis), else the class letters in Redis's
     * order, then {@code K}, {@code E}, {@code m}.
     */
    public static String format(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & ALL) == ALL) {
            s.append('A');
        } else {
            append(s, flags, GENERIC, 'g');
            append(s, flags, STRING, '$');
            append(s, flags, LIST, 'l');
            append(s, flags, SET, 's');
            append(s, flags, HASH, 'h');
            append(s, flags, ZSET, 'z');
            append(s, flags, EXPIRED, 'x');
            append(s, flags, EVICTED, 'e');
            append(s, flags, STREAM, 't');
            append(s, flags, MODULE, 'd');
            append(s, flags, NEW, 'n');
        }
        append(s, flags, KEYSPACE, 'K');
        append(s, flags, KEYEVENT, 'E');
        append(s, flags, KEY_MISS, 'm');
        return s.toString();
    }

    private static void append(StringBuilder s, int flags, int flag, char letter) {
        if ((flags & flag) != 0) {
            s.append(letter);
        }
    }

    /** Whether events of {@code type} are published under {@code flags}: the class is on and so is K or E. */
    public static boolean enabled(int flags, int type) {
        return (flags & type) != 0 && (flags & (KEYSPACE | KEYEVENT)) != 0;
    }
}
