package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.api.ReplySink;
import io.respkv.server.ClientConnection;
import io.respkv.server.pubsub.PubSubRegistry;
import io.respkv.server.pubsub.Publication;
import io.respkv.server.pubsub.Subscriber;
import io.respkv.server.pubsub.Subscriber.Kind;
import java.util.List;
import java.util.Set;

/**
 * Pub/Sub (Redis's {@code pubsub.c}): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
 * SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB CHANNELS | NUMSUB | NUMPAT |
 * SHARDCHANNELS | SHARDNUMSUB | HELP, on {@link PubSubRegistry}.
 *
 * <p>Confirmations are pushes ({@code >3} in RESP3, {@code *3} in RESP2), one per channel, with
 * the client's subscription count after it (channels plus patterns; shard channels count
 * apart). A RESP2 client with a subscription is in subscribed mode: the dispatcher lets through
 * only {@link #ALLOWED_WHILE_SUBSCRIBED}, and PING answers {@code ["pong", message]}. Shard
 * channels work as on a single non-cluster Redis 7.0 node: a namespace of their own, no patterns.
 *
 * <p>Where respkv differs: UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE without arguments leave
 * the channels in the order they were subscribed (Redis: its hash order), and PUBSUB CHANNELS
 * lists in no particular order either.
 */
final class PubSubCommands {

    private PubSubCommands() {
    }

    /** What a RESP2 client in subscribed mode may run (Redis's processCommand check). */
    static final Set<String> ALLOWED_WHILE_SUBSCRIBED = Set.of("ping", "subscribe", "ssubscribe", "unsubscribe",
            "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset");

    static void register(CommandTable t) {
        t.register("subscribe", ctx -> subscribe(ctx, Kind.CHANNEL, "subscribe"));
        t.register("psubscribe", ctx -> subscribe(ctx, Kind.PATTERN, "psubscribe"));
        t.register("ssubscribe", ctx -> subscribe(ctx, Kind.SHARD, "ssubscribe"));
        t.register("unsubscribe", ctx -> unsubscribe(ctx, Kind.CHANNEL, "unsubscribe"));
        t.register("punsubscribe", ctx -> unsubscribe(ctx, Kind.PATTERN, "punsubscribe"));
        t.register("sunsubscribe", ctx -> unsubscribe(ctx, Kind.SHARD, "sunsubscribe"));
        t.registerReplicated("publish", ctx -> publish(ctx, false));
        t.register("spublish", ctx -> publish(ctx, true));
        t.register("pubsub|channels", ctx -> channels(ctx, false));
        t.register("pubsub|shardchannels", ctx -> channels(ctx, true));
        t.register("pubsub|numsub", ctx -> numsub(ctx, false));
        t.register("pubsub|shardnumsub", ctx -> numsub(ctx, true));
        t.register("pubsub|numpat", ctx -> ctx.reply().integer(ctx.server().pubsub().patternCount()));
        t.register("pubsub|help", PubSubCommands::help);
    }

    /**
     * Whether {@code client}, a RESP2 connection in subscribed mode, may not run {@code entry};
     * the dispatcher then replies {@link #notAllowed}.
     */
    static boolean refusedWhileSubscribed(ClientConnection client, CommandEntry entry) {
        return client.protocol() == ProtocolVersion.RESP2 && client.subscriber().active()
                && !ALLOWED_WHILE_SUBSCRIBED.contains(entry.name());
    }

    /** Redis's error for a command a RESP2 subscribed client may not run. */
    static String notAllowed(String fullName) {
        return "ERR Can't execute '" + fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
                + " are allowed in this context";
    }

    /**
     * {@code SUBSCRIBE channel [channel ...]}, {@code PSUBSCRIBE pattern [pattern ...]},
     * {@code SSUBSCRIBE shardchannel [shardchannel ...]}: one confirmation per argument,
     * {@code [kind, name, count]}, whether or not the client was already subscribed.
     */
    static void subscribe(ExecutionContext ctx, Kind kind, String confirmation) {
        Subscriber s = ctx.client().subscriber();
        PubSubRegistry registry = ctx.server().pubsub();
        for (int i = 1; i < ctx.argc(); i++) {
            byte[] name = ctx.arg(i);
            registry.subscribe(s, kind, name);
            confirm(ctx, confirmation, name, count(s, kind));
        }
    }

    /**
     * {@code UNSUBSCRIBE [channel ...]}, {@code PUNSUBSCRIBE [pattern ...]},
     * {@code SUNSUBSCRIBE [shardchannel ...]}: one confirmation per argument, or, without
     * arguments, per subscription left; a client subscribed to nothing gets one with a null name.
     * Messages already on their way to the client are delivered before the confirmations.
     */
    static void unsubscribe(ExecutionContext ctx, Kind kind, String confirmation) {
        Subscriber s = ctx.client().subscriber();
        PubSubRegistry registry = ctx.server().pubsub();
        s.drainInto(ctx.reply().target());
        if (ctx.argc() > 1) {
            for (int i = 1; i < ctx.argc(); i++) {
                byte[] name = ctx.arg(i);
                registry.unsubscribe(s, kind, name);
                confirm(ctx, confirmation, name, count(s, kind));
            }
            return;
        }
        List<byte[]> names = s.subscribed(kind);
        for (byte[] name : names) {
            registry.unsubscribe(s, kind, name);
            confirm(ctx, confirmation, name, count(s, kind));
        }
        if (names.isEmpty()) {
            confirm(ctx, confirmation, null, count(s, kind));
        }
    }

    /** RESET's part: every subscription dropped without confirmations, pending messages sent first. */
    static void reset(ExecutionContext ctx) {
        Subscriber s = ctx.client().subscriber();
        if (!s.active()) {
            return;
        }
        s.drainInto(ctx.reply().target());
        PubSubRegistry registry = ctx.server().pubsub();
        for (Kind kind : Kind.values()) {
            registry.unsubscribeAll(s, kind);
        }
    }

    /** What a confirmation counts: channels and patterns together; shard channels apart. */
    private static int count(Subscriber s, Kind kind) {
        return kind == Kind.SHARD ? s.shardChannels() : s.subscriptionCount();
    }

    private static void confirm(ExecutionContext ctx, String kind, byte[] name, int count) {
        ReplySink r = ctx.reply();
        r.push(3);
        r.bulk(kind);
        if (name == null) {
            r.nullBulk();
        } else {
            r.bulk(name);
        }
        r.integer(count);
    }

    /**
     * {@code PUBLISH channel message} / {@code SPUBLISH shardchannel message}: the number of
     * clients of this instance that receive it. With other instances sharing the store, the
     * message also goes to theirs (see {@link PubSubRegistry#forward}), who are not counted.
     */
    static void publish(ExecutionContext ctx, boolean shard) {
        PubSubRegistry registry = ctx.server().pubsub();
        Publication p = registry.publication(ctx.client());
        byte[] channel = ctx.arg(1);
        byte[] message = ctx.arg(2);
        int receivers = registry.publish(channel, message, shard, p);
        ctx.publish(p, false);
        registry.forward(channel, message, shard);
        ctx.reply().integer(receivers);
    }

    /** {@code PUBSUB CHANNELS [pattern]} / {@code PUBSUB SHARDCHANNELS [pattern]}: the channels with subscribers. */
    static void channels(ExecutionContext ctx, boolean shard) {
        if (ctx.argc() > 3) {
            ctx.reply().error("ERR unknown subcommand or wrong number of arguments for '" + ctx.args().string(1)
                    + "'. Try PUBSUB HELP.");
            return;
        }
        List<byte[]> names = ctx.server().pubsub().channels(shard, ctx.argc() == 3 ? ctx.arg(2) : null);
        ReplySink r = ctx.reply();
        r.array(names.size());
        for (byte[] n : names) {
            r.bulk(n);
        }
    }

    /** {@code PUBSUB NUMSUB [channel ...]} / {@code PUBSUB SHARDNUMSUB [shardchannel ...]}: channel, count pairs. */
    static void numsub(ExecutionContext ctx, boolean shard) {
        PubSubRegistry registry = ctx.server().pubsub();
        ReplySink r = ctx.reply();
        r.array((ctx.argc() - 2) * 2);
        for (int i = 2; i < ctx.argc(); i++) {
            byte[] channel = ctx.arg(i);
            r.bulk(channel);
            r.integer(registry.subscribers(shard, channel));
        }
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "PUBSUB",
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level channel(s)");
    }
}
