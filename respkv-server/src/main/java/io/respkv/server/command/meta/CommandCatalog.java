package io.respkv.server.command.meta;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The metadata of every Redis 7.0.15 command, loaded from the data captured from a real
 * redis-server ({@value #INFO_RESOURCE}, {@value #DOCS_RESOURCE}; regenerated, never edited by
 * hand). Each command is known by its lower-case full name, a subcommand as
 * {@code container|sub}. The {@code COMMAND INFO} data is read and validated once, when the
 * catalog loads (a malformed entry fails the load and is named); the much larger
 * {@code COMMAND DOCS} data is read on first use, and each command's docs parsed on demand.
 *
 * <p>The catalog holds all of Redis's commands; what a server advertises is the subset it
 * implements (see {@link CommandReplies}).
 */
public final class CommandCatalog {

    /** The {@code COMMAND INFO} data, next to this class. */
    public static final String INFO_RESOURCE = "commands.info.txt";
    /** The {@code COMMAND DOCS} data, next to this class. */
    public static final String DOCS_RESOURCE = "commands.docs.txt";

    private final Map<String, CommandEntry> byName;
    private final List<CommandEntry> topLevel;
    private final List<CommandEntry> all;
    private final Supplier<String> docsText;
    private volatile Map<String, int[]> docsLines;
    private String docsSource; // published by the volatile write of docsLines
    private final Map<String, ReplyTree.Map> docsCache = new ConcurrentHashMap<>();

    private CommandCatalog(Map<String, CommandEntry> byName, List<CommandEntry> topLevel,
                           Supplier<String> docsText) {
        this.byName = byName;
        this.topLevel = topLevel;
        List<CommandEntry> everything = new ArrayList<>(byName.size());
        for (CommandEntry e : topLevel) {
            everything.add(e);
            everything.addAll(e.subcommands());
        }
        this.all = Collections.unmodifiableList(everything);
        this.docsText = docsText;
    }

    private static final class Bundled {
        static final CommandCatalog INSTANCE = parse(resource(INFO_RESOURCE), () -> resource(DOCS_RESOURCE));
    }

    /** The catalog of the data bundled with respkv, loaded on first use. */
    public static CommandCatalog redis() {
        return Bundled.INSTANCE;
    }

    private static String resource(String name) {
        try (InputStream in = CommandCatalog.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + CommandCatalog.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A catalog from data in the format of the bundled files: {@code infoText} is read now,
     * {@code docsText} when docs are first asked for.
     *
     * @throws IllegalStateException naming the line and command of the first invalid entry
     */
    public static CommandCatalog parse(String infoText, Supplier<String> docsText) {
        Map<String, CommandEntry> byName = new HashMap<>(1024);
        List<CommandEntry> topLevel = new ArrayList<>(256);
        String previous = null;
        int lineNo = 0;
        for (int start = 0; start < infoText.length(); ) {
            int end = infoText.indexOf('\n', start);
            if (end < 0) {
                end = infoText.length();
            }
            lineNo++;
            if (end > start && infoText.charAt(start) != '#') {
                int space = infoText.indexOf(' ', start);
                if (space < 0 || space > end) {
                    throw new IllegalStateException(INFO_RESOURCE + " line " + lineNo + ": no space after the name");
                }
                String name = infoText.substring(start, space);
                try {
                    if (previous != null && previous.compareTo(name) >= 0) {
                        throw new IllegalArgumentException("not sorted after " + previous);
                    }
                    ReplyTree tree = ReplyTreeText.parse(infoText, space + 1, end);
                    CommandEntry entry = entry(tree, null);
                    if (!entry.name().equals(name)) {
                        throw new IllegalArgumentException("the reply names " + entry.name());
                    }
                    topLevel.add(entry);
                    byName.put(name, entry);
                    for (CommandEntry sub : entry.subcommands()) {
                        byName.put(sub.name(), sub);
                    }
                } catch (RuntimeException e) {
                    throw new IllegalStateException(INFO_RESOURCE + " line " + lineNo + " (" + name + "): "
                            + e.getMessage(), e);
                }
                previous = name;
            }
            start = end + 1;
        }
        return new CommandCatalog(Map.copyOf(byName), List.copyOf(topLevel), docsText);
    }

    /** Builds and checks the entry of one {@code COMMAND INFO} reply element. */
    private static CommandEntry entry(ReplyTree tree, String container) {
        List<ReplyTree> e = array(tree, "the reply").elements();
        if (e.size() != 10) {
            throw new IllegalArgumentException("expected 10 elements, got " + e.size());
        }
        String name = bulk(e.get(0), "name");
        if (container == null ? name.indexOf('|') >= 0 : !name.startsWith(container + "|")
                || name.indexOf('|', container.length() + 1) >= 0) {
            throw new IllegalArgumentException("bad command name " + name);
        }
        try {
            int arity = integer(e.get(1), "arity");
            Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
            for (ReplyTree f : set(e.get(2), "flags").elements()) {
                String wire = simple(f, "flag");
                try {
                    flags.add(CommandFlag.fromWireName(wire));
                } catch (IllegalArgumentException unknown) {
                    throw new IllegalArgumentException("unknown command flag " + wire);
                }
            }
            int firstKey = integer(e.get(3), "first key");
            int lastKey = integer(e.get(4), "last key");
            int keyStep = integer(e.get(5), "key step");
            Set<String> categories = new LinkedHashSet<>();
            for (ReplyTree c : set(e.get(6), "ACL categories").elements()) {
                String cat = simple(c, "ACL category");
                if (!cat.startsWith("@") || cat.length() == 1 || !cat.equals(asciiLower(cat))) {
                    throw new IllegalArgumentException("bad ACL category " + cat);
                }
                categories.add(cat.substring(1));
            }
            set(e.get(7), "tips");
            List<KeySpec> keySpecs = new ArrayList<>();
            for (ReplyTree k : set(e.get(8), "key specs").elements()) {
                keySpecs.add(keySpec(k));
            }
            List<CommandEntry> subs = new ArrayList<>();
            String previous = null;
            // Redis answers an empty set for a plain command and an array for a container
            List<ReplyTree> subTrees = e.get(9) instanceof ReplyTree.Array a ? a.elements()
                    : set(e.get(9), "subcommands").elements();
            for (ReplyTree s : subTrees) {
                if (container != null) {
                    throw new IllegalArgumentException("a subcommand with subcommands");
                }
                CommandEntry sub = entry(s, name);
                // Redis sends subcommands in its hash order, which changes with every start;
                // the generator sorts them, so the data is stable and lookups can rely on it
                if (previous != null && previous.compareTo(sub.name()) >= 0) {
                    throw new IllegalArgumentException("subcommands not sorted: " + sub.name() + " after " + previous);
                }
                subs.add(sub);
                previous = sub.name();
            }
            CommandSpec spec = new CommandSpec(name, arity, flags, firstKey, lastKey, keyStep, categories);
            return new CommandEntry(name, container, spec, (ReplyTree.Array) tree, keySpecs, subs);
        } catch (RuntimeException ex) {
            if (container == null) {
                throw ex;
            }
            throw new IllegalArgumentException(name + ": " + ex.getMessage(), ex);
        }
    }

    private static KeySpec keySpec(ReplyTree tree) {
        ReplyTree.Map m = map(tree, "key spec");
        int flags = 0;
        for (ReplyTree f : set(field(m, "flags"), "key spec flags").elements()) {
            String wire = simple(f, "key spec flag");
            KeySpecFlag flag = KeySpecFlag.fromWireName(wire);
            if (flag == null) {
                throw new IllegalArgumentException("unknown key spec flag " + wire);
            }
            flags |= flag.bit();
        }
        ReplyTree.Map begin = map(field(m, "begin_search"), "begin_search");
        ReplyTree.Map beginSpec = map(field(begin, "spec"), "begin_search spec");
        KeySpec.BeginSearch beginSearch;
        switch (bulk(field(begin, "type"), "begin_search type")) {
            case "index":
                beginSearch = new KeySpec.Index(integer(field(beginSpec, "index"), "index"));
                break;
            case "keyword":
                beginSearch = new KeySpec.Keyword(bulk(field(beginSpec, "keyword"), "keyword"),
                        integer(field(beginSpec, "startfrom"), "startfrom"));
                break;
            case "unknown":
                beginSearch = new KeySpec.UnknownBegin();
                break;
            default:
                throw new IllegalArgumentException("unknown begin_search type " + begin.get("type"));
        }
        ReplyTree.Map find = map(field(m, "find_keys"), "find_keys");
        ReplyTree.Map findSpec = map(field(find, "spec"), "find_keys spec");
        KeySpec.FindKeys findKeys;
        switch (bulk(field(find, "type"), "find_keys type")) {
            case "range": {
                int lastKey = integer(field(findSpec, "lastkey"), "lastkey");
                int step = integer(field(findSpec, "keystep"), "keystep");
                int limit = integer(field(findSpec, "limit"), "limit");
                if (step < 1 || limit < 0 || (limit > 0 && lastKey != -1)) {
                    throw new IllegalArgumentException("bad range " + lastKey + "," + step + "," + limit);
                }
                findKeys = new KeySpec.Range(lastKey, step, limit);
                break;
            }
            case "keynum": {
                int step = integer(field(findSpec, "keystep"), "keystep");
                int keyNumIdx = integer(field(findSpec, "keynumidx"), "keynumidx");
                int firstKey = integer(field(findSpec, "firstkey"), "firstkey");
                if (step < 1 || keyNumIdx < 0 || firstKey < 0) {
                    throw new IllegalArgumentException("bad keynum " + keyNumIdx + "," + firstKey + "," + step);
                }
                findKeys = new KeySpec.KeyNum(keyNumIdx, firstKey, step);
                break;
            }
            case "unknown":
                findKeys = new KeySpec.UnknownFind();
                break;
            default:
                throw new IllegalArgumentException("unknown find_keys type " + find.get("type"));
        }
        return new KeySpec(flags, beginSearch, findKeys);
    }

    private static ReplyTree field(ReplyTree.Map m, String key) {
        ReplyTree v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static ReplyTree.Array array(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Array a) {
            return a;
        }
        throw new IllegalArgumentException(what + " is not an array");
    }

    private static ReplyTree.Set set(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Set s) {
            return s;
        }
        throw new IllegalArgumentException(what + " is not a set");
    }

    private static ReplyTree.Map map(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Map m) {
            return m;
        }
        throw new IllegalArgumentException(what + " is not a map");
    }

    private static String bulk(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Bulk b) {
            return b.text();
        }
        throw new IllegalArgumentException(what + " is not a bulk string");
    }

    private static String simple(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Simple s) {
            return s.text();
        }
        throw new IllegalArgumentException(what + " is not a simple string");
    }

    private static int integer(ReplyTree t, String what) {
        if (t instanceof ReplyTree.Int i && i.value() == (int) i.value()) {
            return (int) i.value();
        }
        throw new IllegalArgumentException(what + " is not a 32-bit integer");
    }

    /** ASCII-only lower case, as C's {@code tolower} in the C locale. */
    static String asciiLower(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    if (chars[j] >= 'A' && chars[j] <= 'Z') {
                        chars[j] += 32;
                    }
                }
                return new String(chars);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ lookups

    /** The entry of the lower-case full name {@code name} ({@code get}, {@code config|get}), or {@code null}. */
    public CommandEntry get(String name) {
        return byName.get(name);
    }

    /**
     * Redis's {@code lookupCommandBySds}: {@code name} in any ASCII case, a subcommand as
     * {@code container|sub}; {@code null} if there is no such command.
     */
    public CommandEntry lookup(String name) {
        return byName.get(asciiLower(name));
    }

    /** The spec of {@code name} (lower-case full name), or {@code null}. */
    public CommandSpec spec(String name) {
        CommandEntry e = byName.get(name);
        return e == null ? null : e.spec();
    }

    /** The full names of the subcommands of {@code name}; empty if it has none or is unknown. */
    public List<String> subcommands(String name) {
        CommandEntry e = byName.get(name);
        return e == null ? List.of() : e.subcommandNames();
    }

    /** The {@code COMMAND INFO} reply of {@code name} (lower-case full name), or {@code null}. */
    public ReplyTree.Array info(String name) {
        CommandEntry e = byName.get(name);
        return e == null ? null : e.info();
    }

    /** The top-level commands, sorted by name. */
    public List<CommandEntry> topLevel() {
        return topLevel;
    }

    /** Every command: each top-level command followed by its subcommands, sorted. */
    public List<CommandEntry> all() {
        return all;
    }

    // ------------------------------------------------------------------ docs

    /**
     * The {@code COMMAND DOCS} reply of {@code name} (lower-case full name; for a subcommand the
     * entry inside its container's {@code subcommands}), or {@code null} if unknown.
     */
    public ReplyTree.Map docs(String name) {
        CommandEntry e = byName.get(name);
        return e == null ? null : docs(e);
    }

    /** The {@code COMMAND DOCS} reply of {@code entry}. */
    public ReplyTree.Map docs(CommandEntry entry) {
        if (entry.isSubcommand()) {
            ReplyTree.Map container = docs(byName.get(entry.container()));
            ReplyTree subs = container.get("subcommands");
            ReplyTree doc = subs instanceof ReplyTree.Map m ? m.get(entry.name()) : null;
            if (!(doc instanceof ReplyTree.Map docMap)) {
                throw new IllegalStateException(DOCS_RESOURCE + ": no docs for " + entry.name());
            }
            return docMap;
        }
        return docsCache.computeIfAbsent(entry.name(), this::parseDocs);
    }

    private ReplyTree.Map parseDocs(String name) {
        Map<String, int[]> lines = docsLines();
        int[] range = lines.get(name);
        if (range == null) {
            throw new IllegalStateException(DOCS_RESOURCE + ": no docs for " + name);
        }
        try {
            return map(ReplyTreeText.parse(docsSource, range[0], range[1]), "docs");
        } catch (RuntimeException e) {
            throw new IllegalStateException(DOCS_RESOURCE + " (" + name + "): " + e.getMessage(), e);
        }
    }

    /** Indexes the docs file by command name on first use (each line is parsed only when asked for). */
    private Map<String, int[]> docsLines() {
        Map<String, int[]> lines = docsLines;
        if (lines != null) {
            return lines;
        }
        synchronized (this) {
            if (docsLines != null) {
                return docsLines;
            }
            String text = docsText.get();
            Map<String, int[]> index = new HashMap<>(512);
            for (int start = 0; start < text.length(); ) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = text.length();
                }
                if (end > start && text.charAt(start) != '#') {
                    int space = text.indexOf(' ', start);
                    if (space < 0 || space > end) {
                        throw new IllegalStateException(DOCS_RESOURCE + ": a line without a name at offset " + start);
                    }
                    index.put(text.substring(start, space), new int[] {space + 1, end});
                }
                start = end + 1;
            }
            docsSource = text;
            docsLines = index;
            return index;
        }
    }
}
