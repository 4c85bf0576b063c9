package io.respkv.server.acl;

import io.respkv.api.CommandSpec;
import io.respkv.server.command.CommandTable;
import io.respkv.server.command.meta.CommandCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands ACL rules talk about, each with a bit number (Redis's command id) and its ACL
 * categories: every command and subcommand of redis-server 7.0.15 (so that {@code +xadd} or
 * {@code -@stream} mean what they mean in Redis, and rule descriptions come out the same), plus
 * this server's own extensions.
 */
public final class CommandBits {

    /** Redis's categories, in its order (ACL CAT, and the order rule descriptions try them in). */
    public static final List<String> CATEGORIES = List.of("keyspace", "read", "write", "set", "sortedset", "list",
            "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
            "blocking", "dangerous", "connection", "transaction", "scripting");

    private final List<String> names = new ArrayList<>();
    private final List<Integer> parents = new ArrayList<>();
    private final List<Long> categoryMasks = new ArrayList<>();
    private final List<List<Integer>> children = new ArrayList<>();
    private final List<io.respkv.server.command.meta.CommandEntry> metas = new ArrayList<>();
    private final List<Integer> topLevel = new ArrayList<>();
    private final Map<String, Integer> byName = new HashMap<>();

    /** The commands of Redis 7.0.15 plus the commands of {@code table} Redis does not have. */
    public static CommandBits of(CommandTable table) {
        CommandBits bits = redis();
        for (io.respkv.server.command.CommandEntry e : table.commands()) {
            Integer id = bits.byName.get(e.name());
            if (id == null) {
                id = bits.add(e.name(), -1, e.spec(), null);
            }
            for (io.respkv.server.command.CommandEntry sub : e.subcommands().values()) {
                if (!bits.byName.containsKey(sub.name())) {
                    bits.add(sub.name(), id, sub.spec(), null);
                }
            }
        }
        return bits;
    }

    /** Redis 7.0's commands and subcommands with their categories (the proxy's universe: it runs none itself). */
    public static CommandBits redis() {
        CommandBits bits = new CommandBits();
        CommandCatalog catalog = CommandCatalog.redis();
        for (io.respkv.server.command.meta.CommandEntry top : catalog.topLevel()) {
            int id = bits.add(top.name(), -1, top.spec(), top);
            for (io.respkv.server.command.meta.CommandEntry sub : top.subcommands()) {
                bits.add(sub.name(), id, sub.spec(), sub);
            }
        }
        return bits;
    }

    private int add(String name, int parent, CommandSpec spec, io.respkv.server.command.meta.CommandEntry meta) {
        int id = names.size();
        names.add(name);
        parents.add(parent);
        long mask = 0;
        for (String c : spec.aclCategories()) {
            int i = CATEGORIES.indexOf(c.startsWith("@") ? c.substring(1) : c);
            if (i >= 0) {
                mask |= 1L << i;
            }
        }
        categoryMasks.add(mask);
        children.add(new ArrayList<>());
        metas.add(meta);
        if (parent < 0) {
            topLevel.add(id);
        } else {
            children.get(parent).add(id);
        }
        byName.put(name, id);
        return id;
    }

    /** How many commands (ids are 0 to size-1). */
    public int size() {
        return names.size();
    }

    /** The id of {@code fullName} ({@code get}, {@code config|get}), any case; -1 if unknown. */
    public int id(String fullName) {
        Integer id = byName.get(fullName.toLowerCase(Locale.ROOT));
        return id == null ? -1 : id;
    }

    /** Redis's {@code lookupCommandBySds} in strict form: {@code name} or {@code name|sub}; -1 if unknown. */
    int lookup(String rule) {
        String[] parts = rule.split("\\|", -1);
        if (parts.length > 2) {
            return -1;
        }
        int base = id(parts[0]);
        if (base < 0 || parts.length == 1) {
            return base;
        }
        if (children.get(base).isEmpty()) {
            return -1;
        }
        return id(parts[0] + "|" + parts[1]);
    }

    public String name(int id) {
        return names.get(id);
    }

    public int parent(int id) {
        return parents.get(id);
    }

    public List<Integer> children(int id) {
        return children.get(id);
    }

    public List<Integer> topLevel() {
        return topLevel;
    }

    /** Whether command {@code id} is in category number {@code category} of {@link #CATEGORIES}. */
    public boolean inCategory(int id, int category) {
        return (categoryMasks.get(id) & (1L << category)) != 0;
    }

    /** Redis's key specs and key rules for {@code id}; null for respkv's own commands. */
    public io.respkv.server.command.meta.CommandEntry meta(int id) {
        return metas.get(id);
    }

    /** The index of {@code category} in {@link #CATEGORIES}, any case; -1 if none. */
    public static int category(String category) {
        for (int i = 0; i < CATEGORIES.size(); i++) {
            if (CATEGORIES.get(i).equalsIgnoreCase(category)) {
                return i;
            }
        }
        return -1;
    }
}
