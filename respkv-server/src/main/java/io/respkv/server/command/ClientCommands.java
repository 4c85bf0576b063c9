package io.respkv.server.command;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code CLIENT ID | SETNAME | GETNAME | LIST | INFO | SETINFO | KILL | NO-EVICT | HELP}. */
final class ClientCommands {

    private ClientCommands() {
    }

    /** CLIENT SETINFO arrived in Redis 7.2; Jedis and Lettuce send it on connect, so respkv has it. */
    static final CommandSpec SETINFO = new CommandSpec("client|setinfo", 4,
            EnumSet.of(CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE), 0, 0, 0,
            Set.of("slow", "connection"));

    static void register(CommandTable t) {
        t.register("client|id", ctx -> ctx.reply().integer(ctx.client().id()));
        t.register("client|setname", ClientCommands::setname);
        t.register("client|getname", ClientCommands::getname);
        t.register("client|list", ClientCommands::list);
        t.register("client|info", ctx -> ctx.reply().verbatim("txt", bytes(describe(ctx, ctx.client()) + "\n")));
        t.register(SETINFO, ClientCommands::setinfo);
        t.register("client|kill", ClientCommands::kill);
        t.register("client|no-evict", ClientCommands::onOff);
        t.register("client|help", ClientCommands::help);
    }

    /** {@code CLIENT SETNAME name}: an empty name removes it. */
    static void setname(ExecutionContext ctx) {
        String err = ClientNames.validate(ctx.args(), 2);
        if (err != null) {
            ctx.reply().error(err);
            return;
        }
        ctx.client().name(ctx.args().string(2));
        ctx.reply().ok();
    }

    /** {@code CLIENT GETNAME}: the name, or nil. */
    static void getname(ExecutionContext ctx) {
        String name = ctx.client().name();
        if (name.isEmpty()) {
            ctx.reply().nullBulk();
        } else {
            ctx.reply().bulk(name);
        }
    }

    /** {@code CLIENT SETINFO LIB-NAME name | LIB-VER version}. */
    static void setinfo(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        boolean libName = args.is(2, "LIB-NAME");
        if (!libName && !args.is(2, "LIB-VER")) {
            ctx.reply().error("ERR Unrecognized option '" + args.string(2) + "'");
            return;
        }
        if (ClientNames.validate(args, 3) != null) {
            ctx.reply().error("ERR " + args.string(2) + " cannot contain spaces, newlines or special characters.");
            return;
        }
        if (libName) {
            ctx.client().libName(args.string(3));
        } else {
            ctx.client().libVersion(args.string(3));
        }
        ctx.reply().ok();
    }

    /** {@code CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]}. */
    static void list(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        Set<Long> ids = null;
        String type = null;
        if (args.count() == 4 && args.is(2, "TYPE")) {
            type = clientType(args.string(3));
            if (type == null) {
                ctx.reply().error("ERR Unknown client type '" + args.string(3) + "'");
                return;
            }
        } else if (args.count() > 3 && args.is(2, "ID")) {
            ids = new HashSet<>();
            for (int i = 3; i < args.count(); i++) {
                try {
                    ids.add(args.parseLong(i));
                } catch (NumberFormatException e) {
                    ctx.reply().error("ERR Invalid client ID");
                    return;
                }
            }
        } else if (args.count() != 2) {
            ctx.syntaxError();
            return;
        }
        StringBuilder out = new StringBuilder();
        List<ClientConnection> clients = new ArrayList<>(ctx.server().clients());
        clients.sort((a, b) -> Long.compare(a.id(), b.id()));
        for (ClientConnection c : clients) {
            if (ids != null && !ids.contains(c.id())) {
                continue;
            }
            if (type != null && !type.equals(typeOf(c))) {
                continue;
            }
            out.append(describe(ctx, c)).append('\n');
        }
        ctx.reply().verbatim("txt", bytes(out.toString()));
    }

    /** Redis's {@code getClientType}: a client with pub/sub subscriptions is "pubsub" (respkv has no replicas). */
    private static String typeOf(ClientConnection c) {
        return c.subscriber().active() ? "pubsub" : "normal";
    }

    /** Redis's canonical client type for a CLIENT LIST/KILL TYPE argument, or null. */
    private static String clientType(String t) {
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "normal":
                return "normal";
            case "master":
                return "master";
            case "replica":
            case "slave":
                return "replica";
            case "pubsub":
                return "pubsub";
            default:
                return null;
        }
    }

    /**
     * One CLIENT LIST line, with Redis 7's fields. qbuf and qbuf-free are the connection's receive
     * buffer (unrun bytes, room left) as of its last read; omem is the bytes of replies and pub/sub
     * messages not yet taken by the socket; tot-mem is their sum. Fields respkv does not track
     * per client (argv-mem, rbs, obl...) are reported as 0.
     */
    static String describe(ExecutionContext ctx, ClientConnection c) {
        return describe(ctx.nowMillis(), c, c == ctx.client() ? ctx.args().string(0).toLowerCase(java.util.Locale.ROOT)
                        + (ctx.args().count() > 1 ? "|" + ctx.args().string(1).toLowerCase(java.util.Locale.ROOT) : "")
                        : c.lastCommand());
    }

    /** One CLIENT LIST line at {@code now}, with {@code cmd} as the client's command. */
    static String describe(long now, ClientConnection c, String cmd) {
        long omem = c.outputBufferBytes();
        return "id=" + c.id()
                + " addr=" + c.remoteAddress()
                + " laddr=" + c.localAddress()
                + " fd=" + fd(c.channel())
                + " name=" + c.name()
                + " age=" + Math.max(0, (now - c.createdAtMillis()) / 1000)
                + " idle=" + Math.max(0, (now - c.lastInteractionMillis()) / 1000)
                + " flags=" + flags(c) + " db=" + c.db()
                + " sub=" + c.subscriber().channels() + " psub=" + c.subscriber().patterns()
                + " ssub=" + c.subscriber().shardChannels() + " multi=" + c.transaction().multiCount()
                + " qbuf=" + c.queryBufferBytes() + " qbuf-free=" + c.queryBufferFree()
                + " argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0"
                + " omem=" + omem + " tot-mem=" + (c.queryBufferBytes() + c.queryBufferFree() + omem) + " events=r"
                + " cmd=" + cmd
                + " user=" + c.user()
                + " redir=-1 resp=" + (c.protocol() == io.respkv.api.ProtocolVersion.RESP3 ? 3 : 2)
                + " lib-name=" + c.libName()
                + " lib-ver=" + c.libVersion();
    }

    /**
     * CLIENT LIST's {@code flags=}, in Redis's order: P (pub/sub), x (MULTI), b (blocked), d (a
     * watched key changed); N for none.
     */
    private static String flags(ClientConnection c) {
        StringBuilder f = new StringBuilder(4);
        if (c.subscriber().active()) {
            f.append('P');
        }
        if (c.transaction().inMulti()) {
            f.append('x');
        }
        if (c.blocked()) {
            f.append('b');
        }
        if (c.transaction().dirty()) {
            f.append('d');
        }
        return f.length() == 0 ? "N" : f.toString();
    }

    private static int fd(Channel ch) {
        if (ch instanceof UnixChannel unix) {
            return unix.fd().intValue();
        }
        return -1;
    }

    /**
     * {@code CLIENT KILL ip:port} (old form: OK or "No such client", may kill the caller) or
     * {@code CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]}
     * (the number killed).
     */
    static void kill(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        long id = 0;
        String type = null;
        String addr = null;
        String laddr = null;
        String user = null;
        boolean skipMe = true;
        if (args.count() == 3) {
            addr = args.string(2);
            skipMe = false;
        } else if (args.count() > 3 && (args.count() & 1) == 0) {
            for (int i = 2; i < args.count(); i += 2) {
                if (args.is(i, "ID")) {
                    long v;
                    try {
                        v = args.parseLong(i + 1);
                    } catch (NumberFormatException e) {
                        v = 0;
                    }
                    if (v < 1) {
                        ctx.reply().error("ERR client-id should be greater than 0");
                        return;
                    }
                    id = v;
                } else if (args.is(i, "TYPE")) {
                    type = clientType(args.string(i + 1));
                    if (type == null) {
                        ctx.reply().error("ERR Unknown client type '" + args.string(i + 1) + "'");
                        return;
                    }
                } else if (args.is(i, "ADDR")) {
                    addr = args.string(i + 1);
                } else if (args.is(i, "LADDR")) {
                    laddr = args.string(i + 1);
                } else if (args.is(i, "USER")) {
                    user = args.string(i + 1);
                    if (ctx.server().acl().user(user) == null) {
                        ctx.reply().error("ERR No such user '" + user + "'");
                        return;
                    }
                } else if (args.is(i, "SKIPME")) {
                    if (args.is(i + 1, "yes")) {
                        skipMe = true;
                    } else if (args.is(i + 1, "no")) {
                        skipMe = false;
                    } else {
                        ctx.syntaxError();
                        return;
                    }
                } else {
                    ctx.syntaxError();
                    return;
                }
            }
        } else {
            ctx.syntaxError();
            return;
        }
        int killed = 0;
        boolean closeSelf = false;
        for (ClientConnection c : ctx.server().clients()) {
            if ((addr != null && !addr.equals(c.remoteAddress()))
                    || (laddr != null && !laddr.equals(c.localAddress()))
                    || (type != null && !type.equals(typeOf(c)))
                    || (id != 0 && id != c.id())
                    || (user != null && !user.equals(c.user()))
                    || (c == ctx.client() && skipMe)) {
                continue;
            }
            if (c == ctx.client()) {
                closeSelf = true;
            } else {
                c.channel().close();
            }
            killed++;
        }
        if (args.count() == 3) {
            if (killed == 0) {
                ctx.reply().error("ERR No such client");
            } else {
                ctx.reply().ok();
            }
        } else {
            ctx.reply().integer(killed);
        }
        if (closeSelf) {
            ctx.client().closeAfterReply();
        }
    }

    /** {@code CLIENT NO-EVICT on|off}: respkv never evicts clients; the flag is accepted. */
    static void onOff(ExecutionContext ctx) {
        if (ctx.args().is(2, "on") || ctx.args().is(2, "off")) {
            ctx.reply().ok();
        } else {
            ctx.syntaxError();
        }
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "CLIENT",
                "GETNAME",
                "    Return the name of the current connection.",
                "ID",
                "    Return the ID of the current connection.",
                "INFO",
                "    Return information about the current client connection.",
                "KILL <ip:port>",
                "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are:",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made from the specified address",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made to specified local address",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Kill connections by type.",
                "    * USER <username>",
                "      Kill connections authenticated by <username>.",
                "    * SKIPME (YES|NO)",
                "      Skip killing current connection (default: yes).",
                "    * ID <client-id>",
                "      Kill connections by client id.",
                "LIST [options ...]",
                "    Return information about client connections. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Return clients of specified type.",
                "SETNAME <name>",
                "    Assign the name <name> to the current connection.",
                "SETINFO <LIB-NAME|LIB-VER> <value>",
                "    Set client library name or version.",
                "NO-EVICT (ON|OFF)",
                "    Protect current client connection from eviction.");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
