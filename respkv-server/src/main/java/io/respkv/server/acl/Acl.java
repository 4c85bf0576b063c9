package io.respkv.server.acl;

import io.respkv.api.CommandArgs;
import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.server.command.meta.FoundKeys;
import io.respkv.server.command.meta.KeyFinder;
import io.respkv.server.command.meta.KeySpecFlag;
import io.respkv.server.util.GlobMatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The users of one server (Redis's ACL): the {@code default} user every connection starts as,
 * the others created by ACL SETUSER or an ACL file, the permission check the dispatcher runs for
 * restricted users, and the {@link AclLog}.
 *
 * <p>Changes are serialized on this object; readers see a user's rules through one volatile
 * read ({@link AclUser#rules()}).
 */
public final class Acl {

    /** Permission check results (Redis's ACL_OK, ACL_DENIED_*). */
    public static final int OK = 0;
    public static final int DENIED_CMD = 1;
    public static final int DENIED_KEY = 2;
    public static final int DENIED_CHANNEL = 4;

    private final CommandBits commands;
    private final Path file;
    private final TreeMap<String, AclUser> users = new TreeMap<>();
    private final AclUser defaultUser;
    private final AclUser internalUser;
    private final AclLog log = new AclLog();

    /**
     * @param commands the command universe
     * @param file     the ACL file (Redis's {@code aclfile}), or null
     * @param requirePass the default user's password, or null for nopass
     */
    public Acl(CommandBits commands, Path file, String requirePass) {
        this.commands = commands;
        this.file = file;
        this.defaultUser = new AclUser("default", defaultRules());
        this.internalUser = new AclUser("default", defaultRules());
        users.put("default", defaultUser);
        if (requirePass != null) {
            updateDefaultPassword(requirePass);
        }
    }

    private AclRules defaultRules() {
        AclRules r = new AclRules(commands);
        for (String op : new String[] {"+@all", "~*", "&*", "on", "nopass"}) {
            r.apply(AclRules.bytes(op));
        }
        return r;
    }

    public CommandBits commands() {
        return commands;
    }

    public AclLog log() {
        return log;
    }

    public Path file() {
        return file;
    }

    public AclUser defaultUser() {
        return defaultUser;
    }

    /**
     * A user with every permission that no one can log in as or change: the server's own
     * connections (a replica applying the replicated log) run as it, whatever the default
     * user may do.
     */
    public AclUser internalUser() {
        return internalUser;
    }

    /** Redis's {@code authRequired}: the default user has a password or is off. */
    public boolean authRequired() {
        AclRules r = defaultUser.rules();
        return !r.nopass() || !r.enabled();
    }

    /** Whether a new connection starts authenticated (as the default user). */
    public boolean newConnectionAuthenticated() {
        AclRules r = defaultUser.rules();
        return r.nopass() && r.enabled();
    }

    /** Redis's {@code ACLUpdateDefaultUserPassword} (CONFIG SET requirepass). */
    public synchronized void updateDefaultPassword(String password) {
        AclRules r = defaultUser.rules().copy();
        r.apply(AclRules.bytes("resetpass"));
        if (password != null && !password.isEmpty()) {
            byte[] p = password.getBytes(StandardCharsets.UTF_8);
            byte[] op = new byte[p.length + 1];
            op[0] = '>';
            System.arraycopy(p, 0, op, 1, p.length);
            r.apply(op);
        } else {
            r.apply(AclRules.bytes("nopass"));
        }
        defaultUser.rules(r);
    }

    /** The user named {@code name}, or null. */
    public synchronized AclUser user(String name) {
        return users.get(name);
    }

    /** Every user, by name. */
    public synchronized List<AclUser> users() {
        return new ArrayList<>(users.values());
    }

    /** The user if {@code password} is right for an enabled user; null otherwise. */
    public AclUser authenticate(String name, byte[] password) {
        AclUser u = user(name);
        if (u == null) {
            return null;
        }
        AclRules r = u.rules();
        if (!r.enabled() || !r.checkPassword(password)) {
            return null;
        }
        return u;
    }

    /**
     * ACL SETUSER: applies {@code ops} to a copy of the user (a new user if none) and publishes
     * it only if all apply; returns null, or Redis's message for the first refused rule.
     */
    public synchronized String setUser(String name, List<byte[]> ops) {
        AclUser u = users.get(name);
        AclRules r = u == null ? new AclRules(commands) : u.rules().copy();
        for (byte[] op : ops) {
            String err = r.apply(op);
            if (err != null) {
                return "ERR Error in ACL SETUSER modifier '" + sanitize(new String(op, StandardCharsets.ISO_8859_1))
                        + "': " + err;
            }
        }
        if (u == null) {
            users.put(name, new AclUser(name, r));
        } else {
            u.rules(r);
        }
        return null;
    }

    /** Removes a user (not {@code default}); returns it, or null if there was none. */
    public synchronized AclUser deleteUser(String name) {
        return name.equals("default") ? null : users.remove(name);
    }

    /** ACL LIST's line for {@code u}. */
    public static String describe(AclUser u) {
        return "user " + u.name() + " " + u.rules().describe();
    }

    private static String sanitize(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    // ---- the permission check ----

    /** Redis's reply to ACL LOAD and ACL SAVE without an ACL file. */
    public static final String NO_FILE_ERROR = "ERR This Redis instance is not configured to use an ACL file. You may "
            + "want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
            + "Redis configuration file set) in order to store users in the Redis configuration.";

    /** The error line of a {@link #check} denial of command {@code commandName}, as Redis's processCommand writes it. */
    public static String deniedError(int denial, String commandName) {
        return switch (denial) {
            case DENIED_CMD -> "NOPERM this user has no permissions to run the '" + commandName + "' command";
            case DENIED_KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            default -> "NOPERM this user has no permissions to access one of the channels used as arguments";
        };
    }

    /**
     * Redis's {@code ACLCheckAllUserCommandPerm} for the command named by argument
     * {@code offset} of {@code args} (0 normally, 3 for ACL DRYRUN): {@link #OK} or a denial,
     * with the denied argument's index (relative to {@code offset}) in {@code deniedIndex[0]}.
     */
    public int check(AclRules r, String commandName, CommandSpec spec, CommandArgs args, int offset, int[] deniedIndex) {
        int id = commands.id(commandName);
        if (!r.allCommands && !spec.is(CommandFlag.NO_AUTH)) {
            if (id < 0 || !r.allowed.get(id)) {
                List<String> first = id < 0 ? null : r.firstArgs.get(id);
                int argc = args.count() - offset;
                if (argc < 2 || first == null) {
                    return DENIED_CMD;
                }
                int idx = offset + (commands.parent(id) >= 0 ? 2 : 1);
                String arg = args.string(idx);
                if (first.stream().noneMatch(a -> a.equalsIgnoreCase(arg))) {
                    return DENIED_CMD;
                }
            }
        }
        io.respkv.server.command.meta.CommandEntry meta = id < 0 ? null : commands.meta(id);
        if (!r.allKeys) {
            if (meta != null) {
                if (meta.hasKeys()) {
                    FoundKeys keys = KeyFinder.find(meta, args, offset);
                    for (int j = 0; j < keys.count(); j++) {
                        int idx = keys.index(j);
                        if (!keyAllowed(r, args.bytes(offset + idx), keys.flagBits(j))) {
                            deniedIndex[0] = idx;
                            return DENIED_KEY;
                        }
                    }
                }
            } else if (spec.firstKey() > 0) {
                for (int idx : spec.keyIndexes(args.count() - offset)) {
                    if (!keyAllowed(r, args.bytes(offset + idx), KeySpecFlag.ACCESS.bit() | KeySpecFlag.UPDATE.bit())) {
                        deniedIndex[0] = idx;
                        return DENIED_KEY;
                    }
                }
            }
        }
        if (!r.allChannels) {
            String name = commandName;
            int argc = args.count() - offset;
            int from = 1;
            int to;
            boolean literal = false;
            if (name.equals("publish") || name.equals("spublish")) {
                to = Math.min(2, argc);
            } else if (name.equals("subscribe") || name.equals("ssubscribe")) {
                to = argc;
            } else if (name.equals("psubscribe")) {
                to = argc;
                literal = true;
            } else {
                return OK;
            }
            for (int j = from; j < to; j++) {
                if (!channelAllowed(r, args.bytes(offset + j), literal)) {
                    deniedIndex[0] = j;
                    return DENIED_CHANNEL;
                }
            }
        }
        return OK;
    }

    /** Redis's {@code ACLSelectorCheckKey}. */
    static boolean keyAllowed(AclRules r, byte[] key, int keySpecFlags) {
        if (r.allKeys) {
            return true;
        }
        int need = 0;
        if ((keySpecFlags & KeySpecFlag.ACCESS.bit()) != 0) {
            need |= AclRules.READ;
        }
        if ((keySpecFlags & (KeySpecFlag.INSERT.bit() | KeySpecFlag.DELETE.bit() | KeySpecFlag.UPDATE.bit())) != 0) {
            need |= AclRules.WRITE;
        }
        for (AclRules.KeyPattern p : r.keys) {
            if ((p.flags() & need) == need && p.matcher().matches(key)) {
                return true;
            }
        }
        return false;
    }

    /** Redis's {@code ACLCheckChannelAgainstList}: a literal compare for PSUBSCRIBE's patterns. */
    public static boolean channelAllowed(AclRules r, byte[] channel, boolean literal) {
        if (r.allChannels) {
            return true;
        }
        for (String p : r.channels) {
            byte[] pattern = p.getBytes(StandardCharsets.ISO_8859_1);
            if (literal ? java.util.Arrays.equals(pattern, channel) : GlobMatcher.compile(pattern).matches(channel)) {
                return true;
            }
        }
        return false;
    }

    // ---- the ACL file ----

    /**
     * Redis's {@code ACLLoadFromFile}: replaces every user with the file's; on any error changes
     * nothing and returns the errors (Redis's text); null on success. {@code replaced} receives
     * the users that no longer exist (their connections must be closed).
     */
    public synchronized String load(List<AclUser> replaced) {
        String text;
        try {
            text = readFile();
        } catch (IOException e) {
            return openError(e);
        }
        return loadText(text, file.toString(), replaced);
    }

    /** The ACL file's content (ISO-8859-1: bytes as chars, like the rules). */
    public String readFile() throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    /** Redis's error line for an ACL file it could not open. */
    public String openError(IOException e) {
        String reason = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory" : e.getMessage();
        return "Error loading ACLs, opening file '" + file + "': " + reason;
    }

    /**
     * {@link #load} of ACL file content {@code text} read elsewhere: {@code source} names it in
     * errors (the file's path). Under Raft replication every replica loads the content the node
     * that ran ACL LOAD read from its file, and a restarted replica its last replicated users
     * ({@link #text}).
     */
    public synchronized String loadText(String text, String source, List<AclUser> replaced) {
        StringBuilder errors = new StringBuilder();
        Map<String, AclRules> loaded = new TreeMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = trim(lines[i], " \t\r\n");
            if (line.isEmpty()) {
                continue;
            }
            String[] argv = line.split(" ", -1);
            if (!argv[0].equals("user") || argv.length < 2) {
                errors.append(source).append(':').append(lineNumber)
                        .append(" should start with user keyword followed by the username. ");
                continue;
            }
            String name = argv[1];
            if (hasSpaces(name)) {
                errors.append("'").append(source).append(':').append(lineNumber).append(": username '").append(name)
                        .append("' contains invalid characters. ");
                continue;
            }
            if (loaded.containsKey(name)) {
                errors.append("WARNING: Duplicate user '").append(name).append("' found on line ").append(lineNumber)
                        .append(". ");
                continue;
            }
            AclRules r = new AclRules(commands);
            loaded.put(name, r);
            boolean syntaxError = false;
            List<String> ops = mergeSelectors(argv);
            if (ops == null) {
                errors.append(source).append(':').append(lineNumber).append(": Unmatched parenthesis in selector definition.");
                ops = List.of();
            }
            for (String rule : ops) {
                String op = trim(rule, "\t\r\n");
                String err = r.apply(op.getBytes(StandardCharsets.ISO_8859_1));
                if (err == null) {
                    continue;
                }
                if (err.equals(AclRules.UNKNOWN)) {
                    // a command name is no secret: Redis names the rule
                    errors.append(source).append(':').append(lineNumber).append(": Error in applying operation '")
                            .append(op).append("': ").append(err).append(". ");
                } else if (!syntaxError) {
                    // other rules may hold passwords: only the first error, without the rule
                    errors.append(source).append(':').append(lineNumber).append(": ").append(err).append(". ");
                    syntaxError = true;
                }
            }
        }
        if (errors.length() > 0) {
            return errors.append("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
                    .toString();
        }
        AclRules def = loaded.remove("default");
        defaultUser.rules(def != null ? def : defaultRules());
        for (AclUser old : users.values()) {
            if (old != defaultUser) {
                replaced.add(old);
            }
        }
        users.clear();
        users.put("default", defaultUser);
        loaded.forEach((name, r) -> users.put(name, new AclUser(name, r)));
        return null;
    }

    /** Redis's {@code ACLSaveToFile}: every user's ACL LIST line, written through a temporary file. */
    public synchronized void save() throws IOException {
        String text = text();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.currentTimeMillis());
        try {
            Files.write(tmp, text.getBytes(StandardCharsets.ISO_8859_1));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Every user in ACL file format: each user's ACL LIST line, by name ({@link #loadText} reads it back). */
    public synchronized String text() {
        StringBuilder s = new StringBuilder();
        for (AclUser u : users.values()) {
            s.append(describe(u)).append('\n');
        }
        return s.toString();
    }

    /** Redis's {@code ACLMergeSelectorArguments}: "(a" "b)" becomes "(a b)"; null if a "(" is not closed. */
    private static List<String> mergeSelectors(String[] argv) {
        List<String> out = new ArrayList<>();
        StringBuilder selector = null;
        for (int j = 2; j < argv.length; j++) {
            String op = argv[j];
            if (selector == null && op.startsWith("(") && !op.endsWith(")")) {
                selector = new StringBuilder(op);
            } else if (selector != null) {
                selector.append(' ').append(op);
                if (op.endsWith(")")) {
                    out.add(selector.toString());
                    selector = null;
                }
            } else {
                out.add(op);
            }
        }
        return selector == null ? out : null;
    }

    private static String trim(String s, String chars) {
        int b = 0;
        int e = s.length();
        while (b < e && chars.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (e > b && chars.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }

    /** Redis's {@code ACLStringHasSpaces}: whitespace or NUL. */
    public static boolean hasSpaces(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f' || c == 0) {
                return true;
            }
        }
        return false;
    }
}
