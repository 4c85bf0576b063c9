package io.respkv.server.command.meta;

import io.respkv.api.CommandSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything the catalog knows about one Redis command or subcommand: its {@link CommandSpec},
 * key specs, subcommands and the raw {@code COMMAND INFO} reply it came from. Immutable.
 */
public final class CommandEntry {

    private final String name;
    private final String container;
    private final CommandSpec spec;
    private final ReplyTree.Array info;
    private final List<KeySpec> keySpecs;
    private final List<CommandEntry> subcommands;
    private final List<String> subcommandNames;
    private final NativeKeyFinders.Finder nativeKeyFinder;
    private final boolean hasKeys;

    CommandEntry(String name, String container, CommandSpec spec, ReplyTree.Array info, List<KeySpec> keySpecs,
                 List<CommandEntry> subcommands) {
        this.name = name;
        this.container = container;
        this.spec = spec;
        this.info = info;
        this.keySpecs = List.copyOf(keySpecs);
        this.subcommands = List.copyOf(subcommands);
        List<String> names = new ArrayList<>(subcommands.size());
        for (CommandEntry sub : subcommands) {
            names.add(sub.name);
        }
        this.subcommandNames = Collections.unmodifiableList(names);
        this.nativeKeyFinder = NativeKeyFinders.forCommand(name);
        boolean keys = nativeKeyFinder != null;
        for (KeySpec k : keySpecs) {
            keys |= !k.has(KeySpecFlag.NOT_KEY);
        }
        this.hasKeys = keys;
    }

    /** The lower-case full name, e.g. {@code get} or {@code config|get}. */
    public String name() {
        return name;
    }

    /** The container's name for a subcommand ({@code config} for {@code config|get}), else {@code null}. */
    public String container() {
        return container;
    }

    /** Whether this is a subcommand ({@code container|sub}). */
    public boolean isSubcommand() {
        return container != null;
    }

    /** The spec: arity, flags, legacy key positions, ACL categories. */
    public CommandSpec spec() {
        return spec;
    }

    /** The {@code COMMAND INFO} reply for this command, as Redis 7.0.15 sent it in RESP3. */
    public ReplyTree.Array info() {
        return info;
    }

    /** The key specs, in Redis's order (their position is the {@code key_spec_index} of COMMAND DOCS). */
    public List<KeySpec> keySpecs() {
        return keySpecs;
    }

    /** The subcommands of a container command, sorted by name; empty otherwise. */
    public List<CommandEntry> subcommands() {
        return subcommands;
    }

    /** The full names of the subcommands ({@code config|get}, ...), sorted. */
    public List<String> subcommandNames() {
        return subcommandNames;
    }

    /**
     * Whether the command can have key arguments at all (Redis's {@code doesCommandHaveKeys}): a
     * key spec not marked {@code not_key}, or a key-finding function of its own.
     */
    public boolean hasKeys() {
        return hasKeys;
    }

    /** Whether the command is in the ACL category {@code category} (without {@code @}, any case). */
    public boolean inAclCategory(String category) {
        return spec.aclCategories().contains(CommandCatalog.asciiLower(category));
    }

    NativeKeyFinders.Finder nativeKeyFinder() {
        return nativeKeyFinder;
    }

    @Override
    public String toString() {
        return "CommandEntry[" + name + "]";
    }
}
