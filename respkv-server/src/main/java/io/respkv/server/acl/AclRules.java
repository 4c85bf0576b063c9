package io.respkv.server.acl;

import io.respkv.server.util.GlobMatcher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one user may do, as Redis 7.0's {@code user} with its root selector: flags, password
 * hashes, the command bitmap (one bit per {@link CommandBits} id), key patterns with read/write
 * permissions, and channel patterns. Built by {@link #apply} (Redis's {@code ACLSetUser}) on a
 * private copy, then published whole ({@link AclUser#rules(AclRules)}): a published instance is
 * never changed again, so connections read it without locks.
 */
public final class AclRules {

    static final int ENABLED = 1;
    static final int DISABLED = 2;
    static final int NOPASS = 4;
    static final int SKIP_SANITIZE = 8;
    static final int SANITIZE = 16;
    private static final String[] FLAG_NAMES = {"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"};

    /** Key permissions of a pattern. */
    static final int READ = 1;
    static final int WRITE = 2;
    static final int ALL = READ | WRITE;

    /** A key pattern with the permissions it grants ({@code ~p}, {@code %R~p}, {@code %W~p}). */
    record KeyPattern(String pattern, int flags, GlobMatcher matcher) {
        KeyPattern withFlags(int more) {
            return new KeyPattern(pattern, flags | more, matcher);
        }
    }

    final CommandBits commands;
    int flags;
    final List<String> passwords;
    BitSet allowed;
    /** Redis's reserved "future commands" bit: set by +@all only. */
    boolean future;
    boolean allCommands;
    boolean allKeys;
    boolean allChannels;
    final List<KeyPattern> keys;
    final List<String> channels;
    /** Redis's allowed_firstargs: {@code +get|x} on a command without subcommands. */
    final Map<Integer, List<String>> firstArgs;
    /** Set when published: all commands, keys and channels (no check needed at all). */
    boolean unrestricted;

    /** A new user's rules: off, no passwords, no commands, no keys, no channels. */
    AclRules(CommandBits commands) {
        this.commands = commands;
        this.flags = DISABLED;
        this.passwords = new ArrayList<>();
        this.allowed = new BitSet(commands.size());
        this.keys = new ArrayList<>();
        this.channels = new ArrayList<>();
        this.firstArgs = new HashMap<>();
    }

    AclRules copy() {
        AclRules c = new AclRules(commands);
        c.flags = flags;
        c.passwords.addAll(passwords);
        c.allowed = (BitSet) allowed.clone();
        c.future = future;
        c.allCommands = allCommands;
        c.allKeys = allKeys;
        c.allChannels = allChannels;
        c.keys.addAll(keys);
        c.channels.addAll(channels);
        firstArgs.forEach((k, v) -> c.firstArgs.put(k, new ArrayList<>(v)));
        return c;
    }

    /** Freezes the rules before they are published. */
    AclRules seal() {
        unrestricted = allCommands && allKeys && allChannels;
        return this;
    }

    /** Whether every command, key and channel is allowed: the dispatcher's one check. */
    public boolean unrestricted() {
        return unrestricted;
    }

    public boolean enabled() {
        return (flags & ENABLED) != 0;
    }

    public boolean nopass() {
        return (flags & NOPASS) != 0;
    }

    /**
     * Applies one rule (Redis's {@code ACLSetUser}); returns null, or Redis's message for a
     * refused rule ({@code ACLSetUserStringError}), the rules then partly changed.
     */
    String apply(byte[] op) {
        int len = op.length;
        if (len == 0) {
            return null;
        }
        String s = new String(op, StandardCharsets.ISO_8859_1);
        if (s.equalsIgnoreCase("on")) {
            flags = (flags | ENABLED) & ~DISABLED;
        } else if (s.equalsIgnoreCase("off")) {
            flags = (flags | DISABLED) & ~ENABLED;
        } else if (s.equalsIgnoreCase("skip-sanitize-payload")) {
            flags = (flags | SKIP_SANITIZE) & ~SANITIZE;
        } else if (s.equalsIgnoreCase("sanitize-payload")) {
            flags = (flags | SANITIZE) & ~SKIP_SANITIZE;
        } else if (s.equalsIgnoreCase("nopass")) {
            flags |= NOPASS;
            passwords.clear();
        } else if (s.equalsIgnoreCase("resetpass")) {
            flags &= ~NOPASS;
            passwords.clear();
        } else if (op[0] == '>' || op[0] == '#') {
            String hash;
            if (op[0] == '>') {
                hash = hash(op, 1, len - 1);
            } else {
                if (!validHash(s.substring(1))) {
                    return BAD_HASH;
                }
                hash = s.substring(1);
            }
            if (!passwords.contains(hash)) {
                passwords.add(hash);
            }
            flags &= ~NOPASS;
        } else if (op[0] == '<' || op[0] == '!') {
            String hash;
            if (op[0] == '<') {
                hash = hash(op, 1, len - 1);
            } else {
                if (!validHash(s.substring(1))) {
                    return BAD_HASH;
                }
                hash = s.substring(1);
            }
            if (!passwords.remove(hash)) {
                return "The password you are trying to remove from the user does not exist";
            }
        } else if (op[0] == '(' && op[len - 1] == ')') {
            return "Selectors are not supported by respkv";
        } else if (s.equalsIgnoreCase("clearselectors")) {
            return null;
        } else if (s.equalsIgnoreCase("reset")) {
            apply(bytes("resetpass"));
            apply(bytes("resetkeys"));
            apply(bytes("resetchannels"));
            apply(bytes("off"));
            apply(bytes("sanitize-payload"));
            apply(bytes("-@all"));
        } else {
            return applySelector(op, s);
        }
        return null;
    }

    private static final String BAD_HASH =
            "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    private static final String SYNTAX = "Syntax error";
    static final String UNKNOWN = "Unknown command or category name in ACL";

    /** Redis's {@code ACLSetSelector}: keys, channels and commands. */
    private String applySelector(byte[] op, String s) {
        int len = op.length;
        if (s.equalsIgnoreCase("allkeys") || s.equalsIgnoreCase("~*")) {
            allKeys = true;
            keys.clear();
        } else if (s.equalsIgnoreCase("resetkeys")) {
            allKeys = false;
            keys.clear();
        } else if (s.equalsIgnoreCase("allchannels") || s.equalsIgnoreCase("&*")) {
            allChannels = true;
            channels.clear();
        } else if (s.equalsIgnoreCase("resetchannels")) {
            allChannels = false;
            channels.clear();
        } else if (s.equalsIgnoreCase("allcommands") || s.equalsIgnoreCase("+@all")) {
            allowed.set(0, commands.size());
            future = true;
            allCommands = true;
            firstArgs.clear();
        } else if (s.equalsIgnoreCase("nocommands") || s.equalsIgnoreCase("-@all")) {
            allowed.clear();
            future = false;
            allCommands = false;
            firstArgs.clear();
        } else if (op[0] == '~' || op[0] == '%') {
            if (allKeys) {
                return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
                        + "have any effect. Try 'resetkeys' to start with an empty list of patterns";
            }
            int perm = 0;
            int offset = 1;
            if (op[0] == '%') {
                for (; offset < len; offset++) {
                    char c = Character.toUpperCase((char) (op[offset] & 0xff));
                    if (c == 'R' && (perm & READ) == 0) {
                        perm |= READ;
                    } else if (c == 'W' && (perm & WRITE) == 0) {
                        perm |= WRITE;
                    } else if (op[offset] == '~') {
                        offset++;
                        break;
                    } else {
                        return SYNTAX;
                    }
                }
                if (perm == 0) {
                    return SYNTAX; // Redis 7.0 would store a pattern it cannot describe
                }
            } else {
                perm = ALL;
            }
            if (hasSpaces(op, offset)) {
                return SYNTAX;
            }
            String pattern = s.substring(offset);
            int found = -1;
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).pattern().equals(pattern)) {
                    found = i;
                }
            }
            if (found < 0) {
                keys.add(new KeyPattern(pattern, perm, GlobMatcher.compile(pattern.getBytes(StandardCharsets.ISO_8859_1))));
            } else {
                keys.set(found, keys.get(found).withFlags(perm));
            }
            allKeys = false;
        } else if (op[0] == '&') {
            if (allChannels) {
                return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
                        + "have any effect. Try 'resetchannels' to start with an empty list of channels";
            }
            if (hasSpaces(op, 1)) {
                return SYNTAX;
            }
            String pattern = s.substring(1);
            if (!channels.contains(pattern)) {
                channels.add(pattern);
            }
            allChannels = false;
        } else if (op[0] == '+' && (len < 2 || op[1] != '@')) {
            String rule = s.substring(1);
            int bar = rule.lastIndexOf('|');
            if (bar < 0) {
                int id = commands.lookup(rule);
                if (id < 0) {
                    return UNKNOWN;
                }
                changePerm(allowed, id, true);
            } else {
                String base = rule.substring(0, bar);
                String sub = rule.substring(bar + 1);
                int id = commands.lookup(base);
                if (id < 0) {
                    return UNKNOWN;
                }
                if (commands.parent(id) >= 0) {
                    return "Allowing first-arg of a subcommand is not supported";
                }
                if (sub.isEmpty()) {
                    return SYNTAX;
                }
                if (!commands.children(id).isEmpty()) {
                    int subId = commands.lookup(rule);
                    if (subId < 0) {
                        return UNKNOWN;
                    }
                    changePerm(allowed, subId, true);
                } else {
                    List<String> args = firstArgs.computeIfAbsent(id, k -> new ArrayList<>());
                    if (args.stream().noneMatch(a -> a.equalsIgnoreCase(sub))) {
                        args.add(sub);
                    }
                }
            }
        } else if (op[0] == '-' && (len < 2 || op[1] != '@')) {
            int id = commands.lookup(s.substring(1));
            if (id < 0) {
                return UNKNOWN;
            }
            changePerm(allowed, id, false);
        } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
            int category = CommandBits.category(s.substring(2));
            if (category < 0) {
                return UNKNOWN;
            }
            setCategory(allowed, category, op[0] == '+');
        } else {
            return SYNTAX;
        }
        return null;
    }

    /** Redis's {@code ACLChangeSelectorPerm}: the command and all its subcommands. */
    private void changePerm(BitSet bits, int id, boolean allow) {
        setBit(bits, id, allow);
        if (bits == allowed) {
            firstArgs.remove(id);
        }
        for (int sub : commands.children(id)) {
            setBit(bits, sub, allow);
        }
    }

    private void setBit(BitSet bits, int id, boolean allow) {
        bits.set(id, allow);
        if (!allow && bits == allowed) {
            allCommands = false;
        }
    }

    /** Redis's {@code ACLSetSelectorCommandBitsForCategory}. */
    private void setCategory(BitSet bits, int category, boolean allow) {
        for (int id : commands.topLevel()) {
            if (commands.inCategory(id, category)) {
                changePerm(bits, id, allow);
            }
            for (int sub : commands.children(id)) {
                if (commands.inCategory(sub, category)) {
                    changePerm(bits, sub, allow);
                }
            }
        }
    }

    private static boolean hasSpaces(byte[] op, int from) {
        for (int i = from; i < op.length; i++) {
            byte b = op[i];
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f' || b == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean validHash(String hex) {
        if (hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case hex SHA-256 of {@code len} bytes of {@code b} from {@code off}. */
    static String hash(byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, off, len);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether every channel is allowed ({@code allchannels}). */
    public boolean allChannelsAllowed() {
        return allChannels;
    }

    /** The channel patterns (without {@code &}), in the order added. */
    public List<String> channelPatterns() {
        return java.util.Collections.unmodifiableList(channels);
    }

    /** The password hashes (lower-case hex SHA-256), in the order added. */
    public List<String> passwords() {
        return java.util.Collections.unmodifiableList(passwords);
    }

    /** Whether {@code password} is one of the user's (or the user has nopass). */
    boolean checkPassword(byte[] password) {
        if (nopass()) {
            return true;
        }
        byte[] hashed = hash(password, 0, password.length).getBytes(StandardCharsets.US_ASCII);
        boolean ok = false;
        for (String p : passwords) {
            ok |= MessageDigest.isEqual(hashed, p.getBytes(StandardCharsets.US_ASCII));
        }
        return ok;
    }

    // ---- descriptions, as Redis prints them ----

    /** The flag names, in Redis's order. */
    public List<String> flagNames() {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < FLAG_NAMES.length; j++) {
            if ((flags & (1 << j)) != 0) {
                out.add(FLAG_NAMES[j]);
            }
        }
        return out;
    }

    /** Redis's {@code ACLDescribeUser}: the rules after {@code user <name> } in ACL LIST. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (String f : flagNames()) {
            s.append(f).append(' ');
        }
        for (String p : passwords) {
            s.append('#').append(p).append(' ');
        }
        if (allKeys) {
            s.append("~* ");
        } else {
            for (KeyPattern k : keys) {
                s.append(patternString(k)).append(' ');
            }
        }
        if (allChannels) {
            s.append("&* ");
        } else {
            s.append("resetchannels ");
            for (String c : channels) {
                s.append('&').append(c).append(' ');
            }
        }
        return s.append(describeCommands()).toString();
    }

    /** GETUSER's {@code keys}. */
    public String describeKeys() {
        if (allKeys) {
            return "~*";
        }
        StringBuilder s = new StringBuilder();
        for (KeyPattern k : keys) {
            s.append(s.length() == 0 ? "" : " ").append(patternString(k));
        }
        return s.toString();
    }

    /** GETUSER's {@code channels}. */
    public String describeChannels() {
        if (allChannels) {
            return "&*";
        }
        StringBuilder s = new StringBuilder();
        for (String c : channels) {
            s.append(s.length() == 0 ? "" : " ").append('&').append(c);
        }
        return s.toString();
    }

    private static String patternString(KeyPattern k) {
        return (k.flags() == ALL ? "~" : k.flags() == READ ? "%R~" : "%W~") + k.pattern();
    }

    /**
     * Redis 7.0's {@code ACLDescribeSelectorCommandRules}: {@code +@all} or {@code -@all}, then
     * greedily the categories that describe most of the difference, then single commands. (Redis
     * lists single commands in its hash table's order, which is random per process; here by name.)
     */
    public String describeCommands() {
        StringBuilder rules = new StringBuilder();
        boolean additive = !future;
        AclRules fake = new AclRules(commands);
        if (!additive) {
            rules.append("+@all ");
            fake.applySelector(bytes("+@all"), "+@all");
        } else {
            rules.append("-@all ");
        }
        BitSet temp = (BitSet) allowed.clone();
        boolean[] applied = new boolean[CommandBits.CATEGORIES.size()];
        while (true) {
            int best = -1;
            long minDiff = Integer.MAX_VALUE;
            long maxSame = 0;
            for (int j = 0; j < applied.length; j++) {
                if (applied[j]) {
                    continue;
                }
                long on = 0;
                long off = 0;
                for (int id = 0; id < commands.size(); id++) {
                    // only Redis's own commands count, so that the choice is Redis's; respkv's
                    // extensions come out as single commands if the categories chosen miss them
                    if (commands.meta(id) != null && commands.inCategory(id, j)) {
                        if (temp.get(id)) {
                            on++;
                        } else {
                            off++;
                        }
                    }
                }
                long diff = additive ? off : on;
                long same = additive ? on : off;
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame))) {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best < 0) {
                break;
            }
            fake.setCategory(fake.allowed, best, additive);
            fake.setCategory(temp, best, !additive);
            rules.append(additive ? "+@" : "-@").append(CommandBits.CATEGORIES.get(best)).append(' ');
            applied[best] = true;
        }
        for (int id : commands.topLevel()) {
            describeSingle(id, fake, rules);
            for (int sub : commands.children(id)) {
                describeSingle(sub, fake, rules);
            }
        }
        rules.setLength(rules.length() - 1);
        return rules.toString();
    }

    private void describeSingle(int id, AclRules fake, StringBuilder rules) {
        boolean user = allowed.get(id);
        if (user != fake.allowed.get(id)) {
            rules.append(user ? '+' : '-').append(commands.name(id)).append(' ');
            fake.changePerm(fake.allowed, id, user);
        }
        List<String> args = firstArgs.get(id);
        if (!user && args != null) {
            for (String a : args) {
                rules.append('+').append(commands.name(id)).append('|').append(a).append(' ');
            }
        }
    }
}
