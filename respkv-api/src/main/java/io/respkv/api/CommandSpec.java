package io.respkv.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a command declares about itself: the one table that drives arity checks, COMMAND output,
 * ACL categories, replication (which commands change data), MULTI and the proxy (which
 * arguments are keys).
 *
 * @param name        lower-case name; a subcommand is {@code container|sub}, e.g. {@code config|get}
 * @param arity       argument count including the name; negative {@code -n} means at least {@code n}
 * @param flags       Redis command flags
 * @param firstKey    index of the first key argument, 0 if the command takes no key at fixed positions
 * @param lastKey     index of the last key argument; negative counts from the end (-1 = last argument)
 * @param keyStep     distance between key arguments (2 for MSET)
 * @param aclCategories ACL categories without the {@code @}, e.g. {@code string}, {@code fast}
 */
public record CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int keyStep,
                          Set<String> aclCategories) {

    public CommandSpec {
        requireNonNull(name, "name");
        requireNonNull(flags, "flags");
        requireNonNull(aclCategories, "aclCategories");
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("command name must be lower case: " + name);
        }
        if (arity == 0) {
            throw new IllegalArgumentException(name + ": arity 0 is not valid");
        }
        if (firstKey < 0 || (firstKey > 0 && keyStep <= 0)) {
            throw new IllegalArgumentException(name + ": bad key positions " + firstKey + "," + lastKey + "," + keyStep);
        }
        // An enum set: is() runs several times per command, and a bit test is what it should cost
        // (the hashed Set.copyOf probed with each flag's identity hash, 3% of a cheap command's CPU).
        EnumSet<CommandFlag> copy = EnumSet.noneOf(CommandFlag.class);
        copy.addAll(flags);
        flags = Collections.unmodifiableSet(copy);
        aclCategories = Set.copyOf(aclCategories);
    }

    /** Whether {@code argc} arguments (the name included) satisfy the arity. */
    public boolean arityAccepts(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** Whether the command has {@code flag}. */
    public boolean is(CommandFlag flag) {
        return flags.contains(flag);
    }

    /** Whether the command may change data (the {@code write} flag). */
    public boolean isWrite() {
        return flags.contains(CommandFlag.WRITE);
    }

    /**
     * The indexes of the key arguments of a request with {@code argc} arguments, by the fixed key
     * positions (commands with {@code movablekeys} find further keys themselves).
     */
    public int[] keyIndexes(int argc) {
        if (firstKey == 0 || firstKey >= argc) {
            return new int[0];
        }
        int last = lastKey >= 0 ? Math.min(lastKey, argc - 1) : argc + lastKey;
        if (last < firstKey) {
            return new int[0];
        }
        int[] out = new int[(last - firstKey) / keyStep + 1];
        for (int i = 0, pos = firstKey; pos <= last; pos += keyStep) {
            out[i++] = pos;
        }
        return out;
    }
}
