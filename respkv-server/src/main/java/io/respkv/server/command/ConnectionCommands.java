package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.ClientConnection;
import java.nio.charset.StandardCharsets;

/** Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH. */
final class ConnectionCommands {

    private ConnectionCommands() {
    }

    static void register(CommandTable t) {
        t.register("ping", ConnectionCommands::ping);
        t.register("echo", ctx -> ctx.reply().bulk(ctx.args().bytes(1)));
        t.register("select", ConnectionCommands::select);
        t.register("quit", ConnectionCommands::quit);
        t.register("reset", ConnectionCommands::reset);
        t.register("hello", ConnectionCommands::hello);
        t.register("auth", ConnectionCommands::auth);
    }

    /**
     * {@code PING [message]}: PONG, or the message as a bulk string; for a RESP2 client in
     * subscribed mode {@code ["pong", message or ""]}.
     */
    static void ping(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 2) {
            ctx.reply().error(Errors.arity("ping"));
        } else if (ctx.client().subscriber().active() && ctx.client().protocol() == ProtocolVersion.RESP2) {
            ctx.reply().array(2);
            ctx.reply().bulk("pong");
            ctx.reply().bulk(args.count() == 2 ? args.bytes(1) : new byte[0]);
        } else if (args.count() == 2) {
            ctx.reply().bulk(args.bytes(1));
        } else {
            ctx.reply().simple("PONG");
        }
    }

    /** {@code SELECT index}. */
    static void select(ExecutionContext ctx) {
        long db;
        try {
            db = ctx.args().parseLong(1);
        } catch (NumberFormatException e) {
            ctx.reply().error(Errors.NOT_AN_INTEGER);
            return;
        }
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            ctx.reply().error(Errors.INT_RANGE);
            return;
        }
        if (db < 0 || db >= ctx.server().databases()) {
            ctx.reply().error(Errors.DB_INDEX);
            return;
        }
        ctx.client().db((int) db);
        ctx.reply().ok();
    }

    /** {@code QUIT}: OK, then the connection closes. */
    static void quit(ExecutionContext ctx) {
        ctx.reply().ok();
        ctx.client().closeAfterReply();
    }

    /**
     * {@code RESET}: back to a fresh connection's state (no MULTI or WATCH, no subscriptions, db 0,
     * RESP2, no name, default auth).
     */
    static void reset(ExecutionContext ctx) {
        ClientConnection c = ctx.client();
        c.transaction().discard(ctx.server().watches()); // leaves MULTI, unwatches everything
        PubSubCommands.reset(ctx);
        c.db(0);
        c.protocol(ProtocolVersion.RESP2);
        c.name("");
        c.aclUser(ctx.server().acl().defaultUser());
        c.authenticated(ctx.server().acl().newConnectionAuthenticated());
        ctx.reply().simple("RESET");
    }

    /** {@code HELLO [protover [AUTH username password] [SETNAME clientname]]}. */
    static void hello(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        ReplySink reply = ctx.reply();
        long version = 0;
        int next = 1;
        if (args.count() >= 2) {
            try {
                version = args.parseLong(next++);
            } catch (NumberFormatException e) {
                reply.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version < 2 || version > 3) {
                reply.error("NOPROTO unsupported protocol version");
                return;
            }
        }
        ClientConnection c = ctx.client();
        // Options take effect in order, as in Redis 7.0: a later bad option (or NOAUTH) leaves
        // earlier ones applied.
        for (int j = next; j < args.count(); j++) {
            int more = args.count() - 1 - j;
            if (args.is(j, "AUTH") && more >= 2) {
                if (!authenticate(ctx, args.bytes(j + 1), args.bytes(j + 2))) {
                    reply.error(Errors.WRONGPASS);
                    return;
                }
                j += 2;
            } else if (args.is(j, "SETNAME") && more >= 1) {
                String err = ClientNames.validate(args, j + 1);
                if (err != null) {
                    reply.error(err);
                    return;
                }
                c.name(args.string(j + 1));
                j++;
            } else {
                reply.error("ERR Syntax error in HELLO option '" + args.string(j) + "'");
                return;
            }
        }
        if (!c.authenticated()) {
            reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                    + "the RESP protocol version at the same time");
            return;
        }
        if (version != 0) {
            c.protocol(version == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2);
            ctx.reply().protocol(c.protocol());
        }
        reply.map(7);
        reply.bulk("server");
        reply.bulk("redis");
        reply.bulk("version");
        reply.bulk(ServerInfo.REDIS_VERSION);
        reply.bulk("proto");
        reply.integer(c.protocol() == ProtocolVersion.RESP3 ? 3 : 2);
        reply.bulk("id");
        reply.integer(c.id());
        reply.bulk("mode");
        reply.bulk("standalone");
        reply.bulk("role");
        reply.bulk("master");
        reply.bulk("modules");
        reply.array(0);
    }

    /** {@code AUTH [username] password}. */
    static void auth(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if (args.count() > 3) {
            ctx.reply().error(Errors.SYNTAX);
            return;
        }
        byte[] user;
        byte[] pass;
        if (args.count() == 2) {
            if (ctx.server().acl().defaultUser().rules().nopass()) {
                ctx.reply().error("ERR AUTH <password> called without any password configured for the default "
                        + "user. Are you sure your configuration is correct?");
                return;
            }
            user = DEFAULT_USER;
            pass = args.bytes(1);
        } else {
            user = args.bytes(1);
            pass = args.bytes(2);
        }
        if (authenticate(ctx, user, pass)) {
            ctx.reply().ok();
        } else {
            ctx.reply().error(Errors.WRONGPASS);
        }
    }

    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);

    /**
     * Redis's {@code ACLAuthenticateUser}: on success the connection runs as the user from now
     * on; a failure is written to the ACL log (object: the command name as sent).
     */
    private static boolean authenticate(ExecutionContext ctx, byte[] user, byte[] pass) {
        String name = new String(user, StandardCharsets.ISO_8859_1);
        io.respkv.server.acl.AclUser u = ctx.server().acl().authenticate(name, pass);
        ClientConnection c = ctx.client();
        if (u != null) {
            c.aclUser(u);
            c.authenticated(true);
            return true;
        }
        AclDenials.log(ctx.server(), c, io.respkv.server.acl.AclLog.Reason.AUTH, ctx.args().bytes(0), name,
                ctx.nowMillis(), ctx.args().string(0).toLowerCase(java.util.Locale.ROOT));
        return false;
    }
}
