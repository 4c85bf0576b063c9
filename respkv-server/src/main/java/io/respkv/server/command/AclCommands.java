package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import io.respkv.server.acl.Acl;
import io.respkv.server.acl.AclLog;
import io.respkv.server.acl.AclUser;
import io.respkv.server.acl.CommandBits;
import io.respkv.server.replication.ReplicatedEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The ACL command: users, their rules, the ACL log and the ACL file, as Redis 7.0.15's. */
final class AclCommands {

    private static final Logger LOG = Logger.getLogger(AclCommands.class.getName());

    private AclCommands() {
    }

    static void register(CommandTable t) {
        t.registerReplicated("acl|setuser", AclCommands::setuser);
        t.register("acl|getuser", AclCommands::getuser);
        t.registerReplicated("acl|deluser", AclCommands::deluser);
        t.register("acl|list", ctx -> list(ctx, false));
        t.register("acl|users", ctx -> list(ctx, true));
        t.register("acl|whoami", ctx -> ctx.reply().bulk(latin1(ctx.client().user())));
        t.register("acl|cat", AclCommands::cat);
        t.register("acl|genpass", AclCommands::genpass);
        t.register("acl|log", AclCommands::log);
        t.register("acl|dryrun", AclCommands::dryrun);
        t.register("acl|save", AclCommands::save);
        t.register("acl|load", AclCommands::load);
        t.register("acl|help", AclCommands::help);
    }

    static String name(RespRequest args, int i) {
        return new String(args.bytes(i), StandardCharsets.ISO_8859_1);
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code ACL SETUSER username [rule ...]}. */
    static void setuser(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        String user = name(args, 2);
        if (Acl.hasSpaces(user)) {
            ctx.reply().error("ERR Usernames can't contain spaces or null characters");
            return;
        }
        List<byte[]> ops = new ArrayList<>();
        for (int i = 3; i < args.count(); i++) {
            byte[] op = args.bytes(i);
            if (op.length > 0 && op[0] == '(' && op[op.length - 1] != ')') {
                // Redis merges "(a b" ... "c)" into one selector; respkv has no selectors
                ctx.reply().error("ERR Error in ACL SETUSER modifier '" + name(args, i)
                        + "': Selectors are not supported by respkv");
                return;
            }
            ops.add(op);
        }
        AclUser existing = ctx.server().acl().user(user);
        io.respkv.server.acl.AclRules before = existing == null ? null : existing.rules();
        String error = ctx.server().acl().setUser(user, ops);
        if (error != null) {
            ctx.reply().error(error);
            return;
        }
        if (existing != null) {
            killPubsubClientsIfNeeded(ctx, existing, before, existing.rules());
        }
        ctx.usersChanged();
        ctx.reply().ok();
    }

    /**
     * Redis 7.0's {@code ACLKillPubsubClientsIfNeeded}: when a user loses channel patterns it had,
     * its subscribed connections whose subscriptions the new rules no longer allow are closed.
     */
    private static void killPubsubClientsIfNeeded(ExecutionContext ctx, AclUser user,
                                                  io.respkv.server.acl.AclRules before,
                                                  io.respkv.server.acl.AclRules after) {
        if (after.allChannelsAllowed()) {
            return;
        }
        if (after.channelPatterns().containsAll(before.channelPatterns())) {
            return;
        }
        for (ClientConnection c : ctx.server().clients()) {
            if (c.aclUser() != user || !c.subscriber().active()) {
                continue;
            }
            boolean kill;
            try {
                kill = !allowed(after, c.subscriber().subscribed(io.respkv.server.pubsub.Subscriber.Kind.PATTERN), true)
                        || !allowed(after, c.subscriber().subscribed(io.respkv.server.pubsub.Subscriber.Kind.CHANNEL), false)
                        || !allowed(after, c.subscriber().subscribed(io.respkv.server.pubsub.Subscriber.Kind.SHARD), false);
            } catch (RuntimeException changing) {
                // its subscriptions changed while being read (its own thread): err on the safe side
                kill = true;
            }
            if (kill) {
                if (c == ctx.client()) {
                    c.closeAfterReply();
                } else {
                    c.channel().close();
                }
            }
        }
    }

    private static boolean allowed(io.respkv.server.acl.AclRules rules, List<byte[]> names, boolean literal) {
        for (byte[] name : names) {
            if (!Acl.channelAllowed(rules, name, literal)) {
                return false;
            }
        }
        return true;
    }

    /** {@code ACL GETUSER username}: flags, passwords, commands, keys, channels, selectors. */
    static void getuser(ExecutionContext ctx) {
        AclUser u = ctx.server().acl().user(name(ctx.args(), 2));
        ReplySink reply = ctx.reply();
        if (u == null) {
            reply.nullBulk();
            return;
        }
        var r = u.rules();
        reply.map(6);
        reply.bulk("flags");
        List<String> flags = r.flagNames();
        reply.set(flags.size());
        flags.forEach(reply::bulk);
        reply.bulk("passwords");
        List<String> passwords = r.passwords();
        reply.array(passwords.size());
        passwords.forEach(reply::bulk);
        reply.bulk("commands");
        reply.bulk(latin1(r.describeCommands()));
        reply.bulk("keys");
        reply.bulk(latin1(r.describeKeys()));
        reply.bulk("channels");
        reply.bulk(latin1(r.describeChannels()));
        reply.bulk("selectors");
        reply.array(0);
    }

    /** {@code ACL DELUSER username [username ...]}: the number deleted; their connections are closed. */
    static void deluser(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        for (int i = 2; i < args.count(); i++) {
            if (name(args, i).equals("default")) {
                ctx.reply().error("ERR The 'default' user cannot be removed");
                return;
            }
        }
        int deleted = 0;
        List<AclUser> gone = new ArrayList<>();
        for (int i = 2; i < args.count(); i++) {
            AclUser u = ctx.server().acl().deleteUser(name(args, i));
            if (u != null) {
                gone.add(u);
                deleted++;
            }
        }
        disconnect(ctx, gone);
        if (deleted > 0) {
            ctx.usersChanged();
        }
        ctx.reply().integer(deleted);
    }

    /** Redis's {@code ACLFreeUserAndKillClients}: the connections of removed users go. */
    private static void disconnect(ExecutionContext ctx, List<AclUser> gone) {
        if (gone.isEmpty()) {
            return;
        }
        AclUser def = ctx.server().acl().defaultUser();
        for (ClientConnection c : ctx.server().clients()) {
            if (gone.contains(c.aclUser())) {
                c.aclUser(def);
                c.authenticated(false);
                if (c == ctx.client()) {
                    c.closeAfterReply();
                } else {
                    c.channel().close();
                }
            }
        }
    }

    /** {@code ACL LIST} (rules of each user) and {@code ACL USERS} (names), sorted by name. */
    static void list(ExecutionContext ctx, boolean namesOnly) {
        List<AclUser> users = ctx.server().acl().users();
        ctx.reply().array(users.size());
        for (AclUser u : users) {
            ctx.reply().bulk(latin1(namesOnly ? u.name() : Acl.describe(u)));
        }
    }

    /** {@code ACL CAT [category]}: the categories, or the commands of one. */
    static void cat(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() == 2) {
            ctx.reply().array(CommandBits.CATEGORIES.size());
            CommandBits.CATEGORIES.forEach(ctx.reply()::bulk);
            return;
        }
        if (args.count() != 3) {
            ctx.reply().error(subcommandSyntax(args));
            return;
        }
        int category = CommandBits.category(args.string(2));
        if (category < 0) {
            String c = args.string(2);
            ctx.reply().error("ERR Unknown category '" + (c.length() > 128 ? c.substring(0, 128) : c) + "'");
            return;
        }
        CommandBits bits = ctx.server().acl().commands();
        List<String> names = new ArrayList<>();
        for (int id : bits.topLevel()) {
            if (bits.inCategory(id, category)) {
                names.add(bits.name(id));
            }
            for (int sub : bits.children(id)) {
                if (bits.inCategory(sub, category)) {
                    names.add(bits.name(sub));
                }
            }
        }
        ctx.reply().array(names.size());
        names.forEach(ctx.reply()::bulk);
    }

    /** {@code ACL GENPASS [bits]}: random hex, 256 bits by default. */
    static void genpass(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 3) {
            ctx.reply().error(subcommandSyntax(args));
            return;
        }
        long bits = 256;
        if (args.count() == 3) {
            try {
                bits = args.parseLong(2);
            } catch (NumberFormatException e) {
                ctx.reply().error(Errors.NOT_AN_INTEGER);
                return;
            }
        }
        if (bits <= 0 || bits > 4096) {
            ctx.reply().error("ERR ACL GENPASS argument must be the number of bits for the output password, "
                    + "a positive number up to 4096");
            return;
        }
        int chars = (int) ((bits + 3) / 4);
        byte[] out = new byte[chars];
        byte[] hex = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < chars; i++) {
            out[i] = hex[ctx.random().nextInt(16)];
        }
        ctx.reply().bulk(out);
    }

    /** {@code ACL LOG [count | RESET]}. */
    static void log(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 3) {
            ctx.reply().error(subcommandSyntax(args));
            return;
        }
        AclLog log = ctx.server().acl().log();
        long count = 10;
        if (args.count() == 3) {
            if (args.is(2, "reset")) {
                log.reset();
                ctx.reply().ok();
                return;
            }
            try {
                count = args.parseLong(2);
            } catch (NumberFormatException e) {
                ctx.reply().error(Errors.NOT_AN_INTEGER);
                return;
            }
            count = Math.max(0, count);
        }
        List<AclLog.Entry> entries = log.latest(count);
        ReplySink reply = ctx.reply();
        reply.array(entries.size());
        long now = ctx.nowMillis();
        for (AclLog.Entry e : entries) {
            reply.map(7);
            reply.bulk("count");
            reply.integer(e.count());
            reply.bulk("reason");
            reply.bulk(e.reason().wire());
            reply.bulk("context");
            reply.bulk(e.context());
            reply.bulk("object");
            reply.bulk(e.object());
            reply.bulk("username");
            reply.bulk(latin1(e.username()));
            reply.bulk("age-seconds");
            reply.doubleValue((now - e.createdMillis()) / 1000.0);
            reply.bulk("client-info");
            reply.bulk(e.clientInfo());
        }
    }

    /** {@code ACL DRYRUN username command [arg ...]}: OK, or why the user could not run it (a bulk string). */
    static void dryrun(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Acl acl = ctx.server().acl();
        AclUser u = acl.user(name(args, 2));
        if (u == null) {
            ctx.reply().error("ERR User '" + name(args, 2) + "' not found");
            return;
        }
        CommandTable table = ctx.server().commands();
        CommandEntry cmd = table.lookup(args, 3);
        if (cmd != null && cmd.isContainer() && args.count() - 3 >= 2) {
            cmd = null;
            CommandEntry container = table.lookup(args, 3);
            for (var sub : container.subcommands().entrySet()) {
                if (args.length(4) == sub.getKey().length() && args.is(4, sub.getKey())) {
                    cmd = sub.getValue();
                }
            }
        }
        if (cmd == null) {
            ctx.reply().error("ERR Command '" + args.string(3) + "' not found");
            return;
        }
        if (!cmd.spec().arityAccepts(args.count() - 3)) {
            ctx.reply().error(Errors.arity(cmd.name()));
            return;
        }
        int[] idx = new int[1];
        int result = acl.check(u.rules(), cmd.name(), cmd.spec(), args, 3, idx);
        switch (result) {
            case Acl.OK -> ctx.reply().ok();
            case Acl.DENIED_CMD -> ctx.reply().bulk("This user has no permissions to run the '" + cmd.name() + "' command");
            case Acl.DENIED_KEY -> ctx.reply().bulk("This user has no permissions to access the '"
                    + args.string(idx[0] + 3) + "' key");
            default -> ctx.reply().bulk("This user has no permissions to access the '"
                    + args.string(idx[0] + 3) + "' channel");
        }
    }

    private static final String NO_FILE = Acl.NO_FILE_ERROR;

    /** {@code ACL SAVE}: writes the users to the ACL file. */
    static void save(ExecutionContext ctx) {
        Acl acl = ctx.server().acl();
        if (acl.file() == null) {
            ctx.reply().error(NO_FILE);
            return;
        }
        try {
            acl.save();
            ctx.reply().ok();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "ACL SAVE failed", e);
            ctx.reply().error("ERR There was an error trying to save the ACLs. Please check the server logs for more "
                    + "information");
        }
    }

    /**
     * {@code ACL LOAD}: replaces the users with the ACL file's (all or nothing). Under a
     * replicated log, this node reads its file and the log carries the content to every
     * replica ({@link ReplicatedEntry#aclLoad}), each loading it as this node would.
     */
    static void load(ExecutionContext ctx) {
        Acl acl = ctx.server().acl();
        if (acl.file() == null) {
            ctx.reply().error(NO_FILE);
            return;
        }
        String text;
        try {
            text = acl.readFile();
        } catch (IOException e) {
            ctx.reply().error("ERR " + acl.openError(e));
            return;
        }
        if (ctx.replication() != null) {
            try {
                ctx.reply().target().writeBytes(ctx.replication().submit(
                        ReplicatedEntry.aclLoad(acl.file().toString(), text)));
            } catch (io.respkv.server.replication.ReplicationUnavailableException unavailable) {
                ctx.reply().error(Errors.NO_REPLICAS);
            }
            return;
        }
        loadText(ctx, text, acl.file().toString());
    }

    /** Loads ACL file content {@code text} ({@code source} names it in errors) and replies as ACL LOAD. */
    static void loadText(ExecutionContext ctx, String text, String source) {
        List<AclUser> replaced = new ArrayList<>();
        String errors = ctx.server().acl().loadText(text, source, replaced);
        if (errors != null) {
            ctx.reply().error("ERR " + errors.replace('\r', ' ').replace('\n', ' '));
            return;
        }
        disconnect(ctx, replaced);
        ctx.usersChanged();
        ctx.reply().ok();
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "ACL",
                "CAT [<category>]",
                "    List all commands that belong to <category>, or all command categories",
                "    when no category is specified.",
                "DELUSER <username> [<username> ...]",
                "    Delete a list of users.",
                "DRYRUN <username> <command> [<arg> ...]",
                "    Returns whether the user can execute the given command without executing the command.",
                "GETUSER <username>",
                "    Get the user's details.",
                "GENPASS [<bits>]",
                "    Generate a secure 256-bit user password. The optional `bits` argument can",
                "    be used to specify a different size.",
                "LIST",
                "    Show users details in config file format.",
                "LOAD",
                "    Reload users from the ACL file.",
                "LOG [<count> | RESET]",
                "    Show the ACL log entries.",
                "SAVE",
                "    Save the current config to the ACL file.",
                "SETUSER <username> <attribute> [<attribute> ...]",
                "    Create or modify a user with the specified attributes.",
                "USERS",
                "    List all the registered usernames.",
                "WHOAMI",
                "    Return the current connection username.");
    }

    /** Redis's {@code addReplySubcommandSyntaxError}. */
    private static String subcommandSyntax(RespRequest args) {
        return "ERR unknown subcommand or wrong number of arguments for '" + args.string(1) + "'. Try ACL HELP.";
    }
}
