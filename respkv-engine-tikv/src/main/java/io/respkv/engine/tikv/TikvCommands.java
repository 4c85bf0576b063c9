package io.respkv.engine.tikv;

import io.respkv.api.Command;
import io.respkv.api.CommandContext;
import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.EngineCommand;
import io.respkv.api.ReplySink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tikv.common.TiConfiguration;
import org.tikv.common.TiSession;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.kvproto.PDGrpc;
import org.tikv.kvproto.Pdpb;
import org.tikv.raw.RawKVClient;
import org.tikv.shade.com.google.protobuf.ByteString;

/**
 * The {@code TIKV.*} and {@code PD.*} commands, kept from the Redis module for TiKV that respkv's
 * TiKV support grew from (RedisTiKV): they address raw TiKV keys as other raw-KV clients see them,
 * outside respkv's own layout and prefix, through the client's raw API. See docs/engines/tikv.md
 * for the table mapping each to the original.
 *
 * <p>They go to the cluster of the last {@code TIKV.CONN} (one per server, like the module's
 * global client) or, before any and after {@code TIKV.CLOSE}, to the engine's own cluster. Raw
 * operations are not transactional: {@code TIKV.DEL} and {@code TIKV.LOAD} read and then write
 * without isolation, {@code TIKV.MSET} is atomic per region only, and a raw key must not also be
 * written by TiKV transactions (TiKV's API v1 keeps the two apart only by convention).
 */
final class TikvCommands {

    private static final Logger LOG = Logger.getLogger(TikvCommands.class.getName());
    /** What {@code TIKV.CONN} without arguments connects to (as the module did). */
    static final String DEFAULT_PD = "127.0.0.1:2379";
    /** Most pairs one {@code TIKV.SCAN} returns (TiKV's raw-scan limit). */
    static final int MAX_SCAN_LIMIT = 10_240;

    private final TikvEngine engine;
    /** The engine's cluster for raw access, opened on first use. Guarded by this. */
    private Connection own;
    /** The cluster of the last TIKV.CONN; null if none. Guarded by this. */
    private Connection connected;

    /** One raw-KV session to one cluster. */
    private record Connection(List<String> pd, TiSession session, RawKVClient raw) {
        void close() {
            try {
                raw.close();
                session.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing a raw TiKV session", e);
            }
        }
    }

    TikvCommands(TikvEngine engine) {
        this.engine = engine;
    }

    private Connection open(List<String> pd) {
        TiConfiguration conf = TiConfiguration.createRawDefault(String.join(",", pd));
        conf.setWarmUpEnable(false);
        conf.setEnableGrpcForward(false);
        conf.setTimeout(engine.timeout().toMillis());
        TiSession session = TiSession.create(conf);
        return new Connection(List.copyOf(pd), session, session.createRawClient());
    }

    private synchronized Connection target() {
        if (connected != null) {
            return connected;
        }
        if (own == null) {
            own = open(engine.pdAddresses());
        }
        return own;
    }

    synchronized void close() {
        if (connected != null) {
            connected.close();
            connected = null;
        }
        if (own != null) {
            own.close();
            own = null;
        }
    }

    List<EngineCommand> commands() {
        List<EngineCommand> out = new ArrayList<>();
        out.add(command("tikv.conn", -1, CommandFlag.ADMIN, this::conn));
        out.add(command("tikv.close", 1, CommandFlag.ADMIN, this::close));
        out.add(command("tikv.get", 2, CommandFlag.READONLY, this::get));
        out.add(command("tikv.put", 3, CommandFlag.WRITE, this::put));
        out.add(command("tikv.set", 3, CommandFlag.WRITE, this::put));
        out.add(command("tikv.del", -2, CommandFlag.WRITE, this::del));
        out.add(command("tikv.mget", -2, CommandFlag.READONLY, this::mget));
        out.add(command("tikv.mput", -3, CommandFlag.WRITE, this::mput));
        out.add(command("tikv.mset", -3, CommandFlag.WRITE, this::mput));
        out.add(command("tikv.scan", -3, CommandFlag.READONLY, this::scan));
        out.add(command("tikv.delrange", 3, CommandFlag.WRITE, this::delrange));
        out.add(command("tikv.load", 2, CommandFlag.WRITE, this::load));
        out.add(command("pd.members", -1, CommandFlag.ADMIN, this::members));
        return out;
    }

    /**
     * A command's declaration: no key positions (its keys are raw TiKV keys, not respkv's, so a
     * cluster proxy must not route by them), ACL category {@code tikv}.
     */
    private static EngineCommand command(String name, int arity, CommandFlag flag, Command<CommandContext> body) {
        CommandSpec spec = new CommandSpec(name, arity, Set.of(flag), 0, 0, 0,
                Set.of(flag == CommandFlag.READONLY ? "read" : flag == CommandFlag.WRITE ? "write" : "admin",
                        "slow", "tikv"));
        return new EngineCommand(spec, ctx -> {
            try {
                body.execute(ctx);
            } catch (RuntimeException e) {
                ctx.reply().error("ERR tikv: " + oneLine(e));
            }
        });
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\r', ' ').replace('\n', ' ');
    }

    private static ByteString arg(CommandContext ctx, int i) {
        return ByteString.copyFrom(ctx.args().bytes(i));
    }

    // ---- connection ----

    /** {@code TIKV.CONN [pd ...]}: use that cluster for the raw commands; {@code +OK}. */
    private void conn(CommandContext ctx) {
        List<String> pd = new ArrayList<>();
        for (int i = 1; i < ctx.args().count(); i++) {
            pd.add(ctx.args().string(i));
        }
        if (pd.isEmpty()) {
            pd.add(DEFAULT_PD);
        }
        Connection next = open(pd);
        Connection previous;
        synchronized (this) {
            previous = connected;
            connected = next;
        }
        if (previous != null) {
            previous.close();
        }
        ctx.reply().ok();
    }

    /** {@code TIKV.CLOSE}: back to the engine's own cluster; {@code +OK}. */
    private void close(CommandContext ctx) {
        Connection previous;
        synchronized (this) {
            previous = connected;
            connected = null;
        }
        if (previous != null) {
            previous.close();
        }
        ctx.reply().ok();
    }

    // ---- raw KV ----

    /** {@code TIKV.GET key}: the raw value, or nil. */
    private void get(CommandContext ctx) {
        Optional<ByteString> v = target().raw().get(arg(ctx, 1));
        if (v.isPresent()) {
            ctx.reply().bulk(v.get().toByteArray());
        } else {
            ctx.reply().nullBulk();
        }
    }

    /**
     * The error for an empty value: raw KV keeps no empty values apart from absent keys
     * (tikv-client-java's batch get answers an absent key with an empty value, and TiKV's other
     * clients refuse empty values), so neither does respkv.
     */
    static final String EMPTY_VALUE = "ERR tikv: empty values are not supported by TiKV raw KV";

    /** {@code TIKV.PUT|TIKV.SET key value}: {@code +OK}. */
    private void put(CommandContext ctx) {
        if (ctx.args().length(2) == 0) {
            ctx.reply().error(EMPTY_VALUE);
            return;
        }
        target().raw().put(arg(ctx, 1), arg(ctx, 2));
        ctx.reply().ok();
    }

    /** {@code TIKV.DEL key [key ...]}: how many of the keys existed (read, then deleted; not atomic). */
    private void del(CommandContext ctx) {
        List<ByteString> keys = new ArrayList<>();
        for (int i = 1; i < ctx.args().count(); i++) {
            keys.add(arg(ctx, i));
        }
        RawKVClient raw = target().raw();
        // (the client sorts the lists it is given in place: give it copies)
        long existing = raw.batchGet(new ArrayList<>(keys)).stream().filter(p -> !p.getValue().isEmpty()).count();
        raw.batchDelete(new ArrayList<>(keys));
        ctx.reply().integer(existing);
    }

    /** {@code TIKV.MGET key [key ...]}: the values in argument order, nil for absent keys. */
    private void mget(CommandContext ctx) {
        List<ByteString> keys = new ArrayList<>();
        for (int i = 1; i < ctx.args().count(); i++) {
            keys.add(arg(ctx, i));
        }
        Map<ByteString, ByteString> found = new HashMap<>();
        for (Kvrpcpb.KvPair p : target().raw().batchGet(new ArrayList<>(keys))) { // sorted in place by the client
            if (!p.getValue().isEmpty()) { // the client's answer for an absent key
                found.put(p.getKey(), p.getValue());
            }
        }
        ReplySink reply = ctx.reply();
        reply.array(keys.size());
        for (ByteString k : keys) {
            ByteString v = found.get(k);
            if (v == null) {
                reply.nullBulk();
            } else {
                reply.bulk(v.toByteArray());
            }
        }
    }

    /** {@code TIKV.MPUT|TIKV.MSET k v [k v ...]}: {@code +OK}. */
    private void mput(CommandContext ctx) {
        int n = ctx.args().count();
        if ((n - 1) % 2 != 0) {
            ctx.reply().error("ERR wrong number of arguments for '" + ctx.args().string(0).toLowerCase() + "' command");
            return;
        }
        for (int i = 2; i < n; i += 2) {
            if (ctx.args().length(i) == 0) {
                ctx.reply().error(EMPTY_VALUE);
                return;
            }
        }
        Map<ByteString, ByteString> pairs = new LinkedHashMap<>();
        for (int i = 1; i < n; i += 2) {
            pairs.put(arg(ctx, i), arg(ctx, i + 1)); // a repeated key: the last value wins, as in MSET
        }
        target().raw().batchPut(pairs);
        ctx.reply().ok();
    }

    /**
     * {@code TIKV.SCAN startkey [endkey] limit}: up to {@code limit} pairs with
     * {@code startkey <= key < endkey} (no end: to the end of the key space), as a flat array
     * {@code key value key value ...} in key order.
     */
    private void scan(CommandContext ctx) {
        int n = ctx.args().count();
        if (n > 4) {
            ctx.reply().error("ERR wrong number of arguments for 'tikv.scan' command");
            return;
        }
        long limit;
        try {
            limit = ctx.args().parseLong(n - 1);
        } catch (NumberFormatException e) {
            ctx.reply().error("ERR value is not an integer or out of range");
            return;
        }
        if (limit < 0 || limit > MAX_SCAN_LIMIT) {
            ctx.reply().error("ERR limit must be from 0 to " + MAX_SCAN_LIMIT);
            return;
        }
        List<Kvrpcpb.KvPair> pairs = limit == 0 ? List.of()
                : n == 4 ? target().raw().scan(arg(ctx, 1), arg(ctx, 2), (int) limit)
                : target().raw().scan(arg(ctx, 1), (int) limit);
        ReplySink reply = ctx.reply();
        reply.array(pairs.size() * 2);
        for (Kvrpcpb.KvPair p : pairs) {
            reply.bulk(p.getKey().toByteArray());
            reply.bulk(p.getValue().toByteArray());
        }
    }

    /** {@code TIKV.DELRANGE start end}: deletes raw keys {@code start <= key < end} (TiKV's DeleteRange); {@code +OK}. */
    private void delrange(CommandContext ctx) {
        ByteString start = arg(ctx, 1);
        ByteString end = arg(ctx, 2);
        if (ByteString.unsignedLexicographicalComparator().compare(start, end) < 0) {
            target().raw().deleteRange(start, end);
        }
        ctx.reply().ok();
    }

    /**
     * {@code TIKV.LOAD key}: copies raw TiKV key {@code key}'s value into respkv's key space as the
     * string {@code key} (of the connection's database, as {@code SET key value}) and replies the
     * value; nil, and nothing set, if the raw key is absent.
     */
    private void load(CommandContext ctx) {
        Optional<ByteString> v = target().raw().get(arg(ctx, 1));
        if (v.isEmpty()) {
            ctx.reply().nullBulk();
            return;
        }
        byte[] value = v.get().toByteArray();
        ctx.setString(ctx.args().bytes(1), value);
        ctx.reply().bulk(value);
    }

    // ---- PD ----

    /**
     * {@code PD.MEMBERS [pd]}: PD's members, asked of {@code pd} (default: the current cluster's
     * first PD), one entry each: {@code [name, member-id, [client-url ...], leader (1|0)]}.
     */
    private void members(CommandContext ctx) {
        if (ctx.args().count() > 2) {
            ctx.reply().error("ERR wrong number of arguments for 'pd.members' command");
            return;
        }
        Connection c = target();
        String pd = ctx.args().count() == 2 ? ctx.args().string(1) : c.pd().get(0);
        var channel = c.session().getChannelFactory().getChannel(pd, c.session().getConf().getHostMapping());
        Pdpb.GetMembersResponse r = PDGrpc.newBlockingStub(channel)
                .withDeadlineAfter(engine.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .getMembers(Pdpb.GetMembersRequest.newBuilder()
                        .setHeader(Pdpb.RequestHeader.newBuilder().setClusterId(0)).build());
        ReplySink reply = ctx.reply();
        reply.array(r.getMembersCount());
        for (Pdpb.Member m : r.getMembersList()) {
            reply.array(4);
            reply.bulk(m.getName());
            reply.integer(m.getMemberId());
            reply.array(m.getClientUrlsCount());
            for (String url : m.getClientUrlsList()) {
                reply.bulk(url);
            }
            reply.integer(r.hasLeader() && r.getLeader().getMemberId() == m.getMemberId() ? 1 : 0);
        }
    }

}
