package io.respkv.server.command.meta;

import static java.util.Objects.requireNonNull;

import io.respkv.api.CommandArgs;
import io.respkv.api.CommandFlag;
import io.respkv.api.ReplySink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The replies of the {@code COMMAND} family, byte for byte as Redis 7.0.15 gives them, for the
 * commands a server implements. Every method takes the whole request ({@code COMMAND <sub> ...},
 * argument 0 being {@code COMMAND}); the caller has already checked the subcommand's arity, as
 * Redis's dispatcher does.
 *
 * <p>The catalog holds every Redis command; this class advertises only those the
 * {@code implemented} predicate accepts (by lower-case full name; a subcommand is advertised
 * only if its container is too). An unadvertised command is answered exactly like a command
 * Redis does not have. Redis lists commands in hash order, which changes with every start;
 * here they come sorted by name, each container followed by its subcommands.
 */
public final class CommandReplies {

    private static final String[] HELP = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };

    private final CommandCatalog catalog;
    private final Function<byte[], Predicate<String>> patternMatcher;
    private final List<CommandEntry> topLevel = new ArrayList<>();
    private final Map<String, List<CommandEntry>> subcommands = new HashMap<>();
    private final Set<String> aclCategories = new TreeSet<>();

    /**
     * @param catalog        all of Redis's commands
     * @param implemented    which full names ({@code get}, {@code config|get}) to advertise
     * @param patternMatcher for {@code COMMAND LIST FILTERBY PATTERN p}: given the pattern's
     *                       bytes, a test of a lower-case full name. Redis matches with its glob
     *                       ({@code stringmatchlen}) ignoring case, so pass such a matcher.
     */
    public CommandReplies(CommandCatalog catalog, Predicate<String> implemented,
                          Function<byte[], Predicate<String>> patternMatcher) {
        this.catalog = requireNonNull(catalog, "catalog");
        requireNonNull(implemented, "implemented");
        this.patternMatcher = requireNonNull(patternMatcher, "patternMatcher");
        for (CommandEntry e : catalog.topLevel()) {
            if (!implemented.test(e.name())) {
                continue;
            }
            topLevel.add(e);
            List<CommandEntry> subs = new ArrayList<>();
            for (CommandEntry s : e.subcommands()) {
                if (implemented.test(s.name())) {
                    subs.add(s);
                }
            }
            subcommands.put(e.name(), List.copyOf(subs));
        }
        for (CommandEntry e : catalog.all()) {
            aclCategories.addAll(e.spec().aclCategories());
        }
    }

    /** Whether {@code entry} is advertised. */
    public boolean advertises(CommandEntry entry) {
        if (entry == null) {
            return false;
        }
        if (entry.isSubcommand()) {
            List<CommandEntry> subs = subcommands.get(entry.container());
            return subs != null && subs.contains(entry);
        }
        return subcommands.containsKey(entry.name());
    }

    /** The advertised top-level commands, sorted. */
    public List<CommandEntry> advertisedTopLevel() {
        return List.copyOf(topLevel);
    }

    /** The advertised subcommands of the advertised container {@code entry}. */
    public List<CommandEntry> advertisedSubcommands(CommandEntry entry) {
        return subcommands.getOrDefault(entry.name(), List.of());
    }

    /** {@code COMMAND} (no arguments): the INFO of every advertised top-level command. */
    public void command(ReplySink sink) {
        sink.array(topLevel.size());
        for (CommandEntry e : topLevel) {
            writeInfo(sink, e);
        }
    }

    /** {@code COMMAND COUNT}: the number of advertised top-level commands. */
    public void count(ReplySink sink) {
        sink.integer(topLevel.size());
    }

    /** {@code COMMAND HELP}. */
    public void help(ReplySink sink) {
        sink.array(HELP.length);
        for (String line : HELP) {
            sink.simple(line);
        }
    }

    /**
     * {@code COMMAND INFO [name ...]}: one entry per name, a null for an unknown one ({@code $-1}
     * in RESP2); no names means every top-level command, as {@code COMMAND}.
     */
    public void info(ReplySink sink, CommandArgs args) {
        if (args.count() <= 2) {
            command(sink);
            return;
        }
        sink.array(args.count() - 2);
        for (int i = 2; i < args.count(); i++) {
            CommandEntry e = lookupBySds(args, i);
            if (e == null) {
                sink.nullBulk();
            } else {
                writeInfo(sink, e);
            }
        }
    }

    /**
     * {@code COMMAND DOCS [name ...]}: a map from full name to docs, unknown names left out (a
     * name asked for twice is answered twice); no names means every top-level command.
     */
    public void docs(ReplySink sink, CommandArgs args) {
        if (args.count() <= 2) {
            sink.map(topLevel.size());
            for (CommandEntry e : topLevel) {
                sink.bulk(e.name());
                writeDocs(sink, e);
            }
            return;
        }
        List<CommandEntry> found = new ArrayList<>(args.count() - 2);
        for (int i = 2; i < args.count(); i++) {
            CommandEntry e = lookupBySds(args, i);
            if (e != null) {
                found.add(e);
            }
        }
        sink.map(found.size());
        for (CommandEntry e : found) {
            sink.bulk(e.name());
            writeDocs(sink, e);
        }
    }

    /**
     * {@code COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]}: advertised full names,
     * subcommands included. No modules exist here, so the MODULE filter matches nothing; an
     * unknown ACL category matches nothing; anything else after LIST is a syntax error.
     */
    public void list(ReplySink sink, CommandArgs args) {
        CArgs argv = new CArgs(args, 0);
        Predicate<CommandEntry> filter = e -> true;
        for (int i = 2; i < args.count(); i++) {
            int moreArgs = args.count() - 1 - i;
            if (!argv.is(i, "filterby") || moreArgs != 2) {
                sink.error("ERR syntax error");
                return;
            }
            if (argv.is(i + 1, "module")) {
                filter = e -> false;
            } else if (argv.is(i + 1, "aclcat")) {
                String category = null;
                for (String c : aclCategories) {
                    if (argv.is(i + 2, c)) {
                        category = c;
                    }
                }
                String cat = category;
                filter = cat == null ? e -> false : e -> e.spec().aclCategories().contains(cat);
            } else if (argv.is(i + 1, "pattern")) {
                Predicate<String> matcher = patternMatcher.apply(args.bytes(i + 2));
                filter = e -> matcher.test(e.name());
            } else {
                sink.error("ERR syntax error");
                return;
            }
            i += 2;
        }
        List<String> names = new ArrayList<>();
        for (CommandEntry e : topLevel) {
            if (filter.test(e)) {
                names.add(e.name());
            }
            for (CommandEntry s : subcommands.get(e.name())) {
                if (filter.test(s)) {
                    names.add(s.name());
                }
            }
        }
        sink.array(names.size());
        for (String n : names) {
            sink.bulk(n);
        }
    }

    /** {@code COMMAND GETKEYS command [arg ...]}: the key arguments, as bulk strings. */
    public void getKeys(ReplySink sink, CommandArgs args) {
        getKeys(sink, args, false);
    }

    /**
     * {@code COMMAND GETKEYSANDFLAGS command [arg ...]}: per key, an array of the key and the set
     * of its key-spec flags.
     */
    public void getKeysAndFlags(ReplySink sink, CommandArgs args) {
        getKeys(sink, args, true);
    }

    /** Redis's {@code getKeysSubcommandImpl}. */
    private void getKeys(ReplySink sink, CommandArgs args, boolean withFlags) {
        String self = withFlags ? "command|getkeysandflags" : "command|getkeys";
        if (!catalog.get(self).spec().arityAccepts(args.count())) {
            // the dispatcher checks this first; repeated so that a short request cannot reach the lookup
            sink.error("ERR wrong number of arguments for '" + self + "' command");
            return;
        }
        CommandEntry cmd = lookupForCall(args, 2);
        int argc = args.count() - 2;
        if (cmd == null) {
            sink.error("ERR Invalid command specified");
            return;
        }
        if (!cmd.hasKeys()) {
            sink.error("ERR The command has no key arguments");
            return;
        }
        if (!cmd.spec().arityAccepts(argc)) {
            sink.error("ERR Invalid number of arguments specified for command");
            return;
        }
        FoundKeys keys = KeyFinder.find(cmd, args, 2);
        if (keys.count() == 0) {
            if (cmd.spec().is(CommandFlag.NO_MANDATORY_KEYS)) {
                sink.array(0);
            } else {
                sink.error("ERR Invalid arguments specified for command");
            }
            return;
        }
        sink.array(keys.count());
        for (int i = 0; i < keys.count(); i++) {
            byte[] key = args.bytes(2 + keys.index(i));
            if (!withFlags) {
                sink.bulk(key);
                continue;
            }
            sink.array(2);
            sink.bulk(key);
            Set<KeySpecFlag> flags = keys.flags(i);
            sink.set(flags.size());
            for (KeySpecFlag f : flags) {
                sink.simple(f.wireName());
            }
        }
    }

    // ------------------------------------------------------------------ lookups

    /**
     * Redis's {@code lookupCommandBySds} on argument {@code i}: a top-level name or
     * {@code container|sub}, any ASCII case; {@code null} unless advertised.
     */
    private CommandEntry lookupBySds(CommandArgs args, int i) {
        CommandEntry e = catalog.lookup(args.string(i));
        return advertises(e) ? e : null;
    }

    /**
     * Redis's {@code lookupCommand} on the command that starts at argument {@code at}: the
     * container's subcommand named by the next argument when the command has subcommands and
     * such an argument exists; {@code null} unless advertised.
     */
    public CommandEntry lookupForCall(CommandArgs args, int at) {
        CommandEntry base = catalog.lookup(args.string(at));
        if (base == null || base.isSubcommand()) {
            return null;
        }
        CommandEntry e = base;
        if (args.count() - at > 1 && !base.subcommands().isEmpty()) {
            e = catalog.lookup(base.name() + "|" + args.string(at + 1));
            if (e != null && !base.name().equals(e.container())) {
                e = null; // the second argument itself contained a '|'
            }
        }
        return advertises(e) ? e : null;
    }

    // ------------------------------------------------------------------ rendering

    private void writeInfo(ReplySink sink, CommandEntry e) {
        List<CommandEntry> subs = e.isSubcommand() ? List.of() : subcommands.get(e.name());
        if (subs.size() == e.subcommands().size()) {
            e.info().writeTo(sink);
            return;
        }
        List<ReplyTree> fields = e.info().elements();
        sink.array(fields.size());
        for (int i = 0; i < 9; i++) {
            fields.get(i).writeTo(sink);
        }
        // a container's subcommands are an array even when none are left
        sink.array(subs.size());
        for (CommandEntry s : subs) {
            s.info().writeTo(sink);
        }
    }

    private void writeDocs(ReplySink sink, CommandEntry e) {
        ReplyTree.Map docs = catalog.docs(e);
        List<CommandEntry> subs = e.isSubcommand() ? List.of() : subcommands.get(e.name());
        if (subs.size() == e.subcommands().size()) {
            docs.writeTo(sink);
            return;
        }
        sink.map(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            docs.key(i).writeTo(sink);
            if (docs.key(i) instanceof ReplyTree.Bulk k && k.text().equals("subcommands")) {
                sink.map(subs.size());
                for (CommandEntry s : subs) {
                    sink.bulk(s.name());
                    catalog.docs(s).writeTo(sink);
                }
            } else {
                docs.value(i).writeTo(sink);
            }
        }
    }
}
