package io.respkv.server.command;

import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.util.RedisNumbers;
import java.util.Locale;

/**
 * {@code OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP} (Redis's {@code object.c}).
 *
 * <p>respkv has neither Redis's in-memory encodings nor its reference counts nor its access
 * clocks, so these answers are defined by respkv (docs/compatibility.md, "OBJECT"):
 * <ul>
 * <li>ENCODING of a string is what Redis 7.0 gives a value of that shape written by SET:
 *     {@code int} for a canonical 64-bit integer of at most 20 characters, {@code embstr} for
 *     up to 44 bytes, {@code raw} above. Collections report the encoding Redis uses for large
 *     ones, which is how respkv stores every collection (one entry per element, no size-based
 *     conversion): hash {@code hashtable}, set {@code hashtable}, sorted set {@code skiplist},
 *     list {@code quicklist}.</li>
 * <li>REFCOUNT is 1, except for an integer string from 0 to 9999, which Redis serves from its
 *     shared integers (2147483647).</li>
 * <li>IDLETIME and FREQ: respkv keeps no access times or counters (tracking them would turn
 *     every read into a write), so it answers with an error instead of a made-up number. Where
 *     Redis itself refuses (IDLETIME under an LFU maxmemory-policy, FREQ under any other,
 *     the default) the error is Redis's.</li>
 * </ul>
 * A missing key answers nil, as in Redis, and counts as a keyspace miss (a hit otherwise).
 */
final class ObjectCommands {

    /** Strings up to this length are "embstr" in Redis (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    private static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS). */
    private static final long SHARED_INTEGERS = 10_000;
    /** The reference count Redis reports for a shared object (OBJ_SHARED_REFCOUNT). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    private ObjectCommands() {
    }

    static void register(CommandTable t) {
        t.register("object|encoding", ObjectCommands::encoding);
        t.register("object|refcount", ObjectCommands::refcount);
        t.register("object|idletime", ObjectCommands::idletime);
        t.register("object|freq", ObjectCommands::freq);
        t.register("object|help", ObjectCommands::help);
    }

    /** {@code OBJECT ENCODING key}: the encoding name (see the class comment), or nil. */
    static void encoding(ExecutionContext ctx) {
        KeyMeta meta = lookup(ctx);
        if (meta != null) {
            ctx.reply().bulk(encodingOf(meta));
        }
    }

    /** {@code OBJECT REFCOUNT key}: 1, or 2147483647 for a small integer string; nil if absent. */
    static void refcount(ExecutionContext ctx) {
        KeyMeta meta = lookup(ctx);
        if (meta != null) {
            long[] value = new long[1];
            boolean shared = isIntEncoded(meta) && RedisNumbers.tryParseLong(meta.value(), value)
                    && value[0] >= 0 && value[0] < SHARED_INTEGERS;
            ctx.reply().integer(shared ? SHARED_REFCOUNT : 1);
        }
    }

    /** {@code OBJECT IDLETIME key}: nil if absent, else an error (respkv keeps no access times). */
    static void idletime(ExecutionContext ctx) {
        if (lookup(ctx) != null) {
            ctx.reply().error(lfuPolicy(ctx) ? Errors.OBJECT_LFU_IDLETIME : Errors.OBJECT_NO_IDLETIME);
        }
    }

    /** {@code OBJECT FREQ key}: nil if absent, else an error (respkv keeps no access counters). */
    static void freq(ExecutionContext ctx) {
        if (lookup(ctx) != null) {
            ctx.reply().error(lfuPolicy(ctx) ? Errors.OBJECT_NO_FREQ : Errors.OBJECT_NOT_LFU_FREQ);
        }
    }

    /** {@code OBJECT HELP}: Redis 7.0's help text. */
    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "OBJECT",
                "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>.");
    }

    /** The encoding name of a live key (see the class comment). */
    static String encodingOf(KeyMeta meta) {
        switch (meta.type()) {
            case STRING:
                if (isIntEncoded(meta)) {
                    return "int";
                }
                return meta.value().length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
            case HASH:
            case SET:
                return "hashtable";
            case ZSET:
                return "skiplist";
            case LIST:
                return "quicklist";
            default:
                throw new IllegalStateException("no encoding for " + meta.type());
        }
    }

    /** Redis's tryObjectEncoding: a string of at most 20 bytes that string2l takes is "int". */
    private static boolean isIntEncoded(KeyMeta meta) {
        byte[] v = meta.value();
        return v != null && v.length <= 20 && RedisNumbers.tryParseLong(v, new long[1]);
    }

    /**
     * The key named by argument 2, counted as a keyspace hit or miss (Redis's OBJECT looks keys
     * up as reads); replies nil and returns null if it does not exist.
     */
    private static KeyMeta lookup(ExecutionContext ctx) {
        Keyspace ks = ctx.keyspace();
        KeyMeta meta = ks.meta(ctx.arg(2));
        if (meta == null) {
            ctx.server().keyspaceMisses.increment(); // LOOKUP_NONOTIFY: no keymiss event
            ctx.reply().nullBulk();
            return null;
        }
        ctx.server().keyspaceHits.increment();
        return meta;
    }

    private static boolean lfuPolicy(ExecutionContext ctx) {
        String policy = ctx.server().settings().get("maxmemory-policy");
        return policy != null && policy.toLowerCase(Locale.ROOT).endsWith("-lfu");
    }
}
