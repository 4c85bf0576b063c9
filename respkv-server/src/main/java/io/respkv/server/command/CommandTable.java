package io.respkv.server.command;

import static java.util.Objects.requireNonNull;

import io.respkv.api.Command;
import io.respkv.api.CommandArgs;
import io.respkv.api.CommandSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The commands a server answers, by name. Built once at startup and read-only afterwards.
 *
 * <p>Specs (arity, flags, key positions, ACL categories) come from a spec source — the catalog
 * captured from Redis 7.0.15 for Redis commands, explicit specs for respkv's own extensions — so
 * behaviour and declaration cannot drift apart; {@link #validate()} names any command whose
 * declaration is inconsistent.
 *
 * <p>Lookup of a request's command name is allocation-free: names are hashed and compared
 * case-insensitively straight from the request's bytes.
 */
public final class CommandTable {

    private final Function<String, CommandSpec> specs;
    private final Map<String, CommandEntry> byName = new TreeMap<>();
    private CommandEntry[] slots = new CommandEntry[0];
    private byte[][] slotNames = new byte[0][];
    private int mask;

    /** @param specs the spec of each Redis command by lower-case name ({@code container|sub} for subcommands) */
    public CommandTable(Function<String, CommandSpec> specs) {
        this.specs = requireNonNull(specs, "specs");
    }

    /** Registers a command whose spec comes from the spec source. */
    public CommandTable register(String name, Command<? super ExecutionContext> command) {
        return register(specOf(name), command);
    }

    /**
     * Registers a command that is not a write but still goes through a replicated log, applied
     * on every replica in log order ({@link CommandEntry#replicated}).
     */
    public CommandTable registerReplicated(String name, Command<? super ExecutionContext> command) {
        register(name, command);
        CommandEntry entry = get(name);
        entry.replicatedAlthoughNotWrite(true);
        return this;
    }

    /** Registers a command with an explicit spec (respkv extensions). */
    public CommandTable register(CommandSpec spec, Command<? super ExecutionContext> command) {
        requireNonNull(command, "command");
        String name = spec.name();
        int bar = name.indexOf('|');
        if (bar < 0) {
            CommandEntry existing = byName.get(name);
            if (existing == null) {
                byName.put(name, new CommandEntry(spec, command));
            } else if (existing.isContainer() && !existing.isExecutable()) {
                existing.command(command); // a container that also runs without a subcommand (COMMAND)
            } else {
                throw new IllegalStateException("command registered twice: " + name);
            }
        } else {
            String container = name.substring(0, bar);
            CommandEntry parent = byName.computeIfAbsent(container, c -> new CommandEntry(specOf(c), null));
            if (parent.subcommands().containsKey(name.substring(bar + 1))) {
                throw new IllegalStateException("command registered twice: " + name);
            }
            parent.addSubcommand(name.substring(bar + 1), new CommandEntry(spec, command));
        }
        rebuildIndex();
        return this;
    }

    /**
     * The spec the spec source gives {@code name} (Redis's, for a Redis command), whether or not
     * it is registered: for an extension that registers a Redis command with a changed spec.
     */
    public CommandSpec sourceSpec(String name) {
        return specOf(name);
    }

    private CommandSpec specOf(String name) {
        CommandSpec spec = specs.apply(name);
        if (spec == null) {
            throw new IllegalStateException("no spec for command '" + name + "'");
        }
        return spec;
    }

    /** The entry for a lower-case name, or null. Subcommands: {@code "config|get"}. */
    public CommandEntry get(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) {
            return byName.get(name.toLowerCase(Locale.ROOT));
        }
        CommandEntry parent = byName.get(name.substring(0, bar).toLowerCase(Locale.ROOT));
        return parent == null ? null : parent.subcommands().get(name.substring(bar + 1).toLowerCase(Locale.ROOT));
    }

    /** Top-level commands in name order. */
    public Collection<CommandEntry> commands() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** Every entry, containers' subcommands included, in name order. */
    public List<CommandEntry> allEntries() {
        List<CommandEntry> out = new ArrayList<>();
        for (CommandEntry e : byName.values()) {
            out.add(e);
            out.addAll(e.subcommands().values());
        }
        return out;
    }

    /** The top-level entry named by argument {@code index} of {@code args}, ignoring case; null if unknown. */
    public CommandEntry lookup(CommandArgs args, int index) {
        int len = args.length(index);
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + lower(args.byteAt(index, i));
        }
        for (int slot = spread(h) & mask; ; slot = (slot + 1) & mask) {
            byte[] name = slotNames[slot];
            if (name == null) {
                return null;
            }
            if (name.length == len && equalsLower(name, args, index)) {
                return slots[slot];
            }
        }
    }

    /** The subcommand of {@code container} named by argument 1, or null. */
    public CommandEntry lookupSubcommand(CommandEntry container, CommandArgs args) {
        // Few subcommands per container: a linear case-insensitive scan allocates nothing. Redis
        // finds subcommands by their full bytes, so a name must match in length too (unlike
        // CommandArgs.is, which ends an argument at a NUL as option keywords do).
        for (Map.Entry<String, CommandEntry> sub : container.subcommands().entrySet()) {
            if (args.length(1) == sub.getKey().length() && args.is(1, sub.getKey())) {
                return sub.getValue();
            }
        }
        return null;
    }

    /**
     * Checks every declaration: names lower case, arity consistent with key positions,
     * containers have subcommands, subcommand names prefixed by their container.
     *
     * @throws IllegalStateException naming the first offender
     */
    public void validate() {
        for (CommandEntry e : allEntries()) {
            CommandSpec s = e.spec();
            if (!e.isContainer() && !e.isExecutable()) {
                throw new IllegalStateException("command without behaviour: " + s.name());
            }
            int minArgs = Math.abs(s.arity());
            if (s.firstKey() > 0 && s.arity() > 0 && s.firstKey() >= minArgs) {
                throw new IllegalStateException(s.name() + ": first key " + s.firstKey() + " beyond arity " + s.arity());
            }
            for (Map.Entry<String, CommandEntry> sub : e.subcommands().entrySet()) {
                if (!sub.getValue().name().equals(s.name() + "|" + sub.getKey())) {
                    throw new IllegalStateException("subcommand " + sub.getValue().name() + " registered under " + s.name());
                }
            }
        }
    }

    /** Resets INFO commandstats counters (CONFIG RESETSTAT). */
    public void resetStats() {
        allEntries().forEach(CommandEntry::resetStats);
    }

    private void rebuildIndex() {
        int capacity = Integer.highestOneBit(Math.max(4, byName.size() * 4) - 1) << 1;
        CommandEntry[] newSlots = new CommandEntry[capacity];
        byte[][] newNames = new byte[capacity][];
        int newMask = capacity - 1;
        for (CommandEntry e : byName.values()) {
            byte[] name = e.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int h = 0;
            for (byte b : name) {
                h = 31 * h + b;
            }
            int slot = spread(h) & newMask;
            while (newNames[slot] != null) {
                slot = (slot + 1) & newMask;
            }
            newNames[slot] = name;
            newSlots[slot] = e;
        }
        slots = newSlots;
        slotNames = newNames;
        mask = newMask;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private static int lower(byte b) {
        return (b >= 'A' && b <= 'Z') ? b + 32 : b;
    }

    private static boolean equalsLower(byte[] lowerName, CommandArgs args, int index) {
        for (int i = 0; i < lowerName.length; i++) {
            if (lower(args.byteAt(index, i)) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }
}
