package io.respkv.proxy;

import io.respkv.api.CommandFlag;
import io.respkv.codec.RespRequest;
import io.respkv.server.command.meta.CommandCatalog;
import io.respkv.server.command.meta.CommandEntry;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Finds a request's command in Redis's catalog without allocating (open addressing on the
 * lower-cased name's hash), with what the proxy does with it. Subcommands of container
 * commands ({@code OBJECT ENCODING}) are resolved through the catalog when needed.
 */
final class CommandTable {

    /** One command: its catalog entry and the proxy's treatment. */
    record Entry(byte[] name, CommandEntry command, ProxyCommand kind, boolean readOnly, boolean blocking) {
    }

    private static final Map<String, ProxyCommand> SPECIAL = Map.ofEntries(
            Map.entry("ping", ProxyCommand.PING),
            Map.entry("echo", ProxyCommand.ECHO),
            Map.entry("hello", ProxyCommand.HELLO),
            Map.entry("auth", ProxyCommand.AUTH),
            Map.entry("acl", ProxyCommand.ACL),
            Map.entry("select", ProxyCommand.SELECT),
            Map.entry("client", ProxyCommand.CLIENT),
            Map.entry("quit", ProxyCommand.QUIT),
            Map.entry("readonly", ProxyCommand.READONLY),
            Map.entry("readwrite", ProxyCommand.READWRITE),
            Map.entry("mget", ProxyCommand.MGET),
            Map.entry("mset", ProxyCommand.MSET),
            Map.entry("del", ProxyCommand.SUM_KEYS),
            Map.entry("unlink", ProxyCommand.SUM_KEYS),
            Map.entry("exists", ProxyCommand.SUM_KEYS),
            Map.entry("touch", ProxyCommand.SUM_KEYS),
            Map.entry("dbsize", ProxyCommand.DBSIZE),
            Map.entry("keys", ProxyCommand.KEYS),
            Map.entry("flushdb", ProxyCommand.FLUSH),
            Map.entry("flushall", ProxyCommand.FLUSH),
            Map.entry("randomkey", ProxyCommand.RANDOMKEY),
            Map.entry("scan", ProxyCommand.SCAN),
            Map.entry("multi", ProxyCommand.MULTI),
            Map.entry("exec", ProxyCommand.EXEC),
            Map.entry("discard", ProxyCommand.DISCARD),
            Map.entry("watch", ProxyCommand.WATCH),
            Map.entry("unwatch", ProxyCommand.UNWATCH),
            Map.entry("subscribe", ProxyCommand.SUBSCRIBE),
            Map.entry("psubscribe", ProxyCommand.SUBSCRIBE),
            Map.entry("ssubscribe", ProxyCommand.SUBSCRIBE),
            // replication, monitoring and server lifecycle belong to each node, not to the proxy
            Map.entry("wait", ProxyCommand.UNSUPPORTED),
            Map.entry("monitor", ProxyCommand.UNSUPPORTED),
            Map.entry("sync", ProxyCommand.UNSUPPORTED),
            Map.entry("psync", ProxyCommand.UNSUPPORTED),
            Map.entry("replconf", ProxyCommand.UNSUPPORTED),
            Map.entry("replicaof", ProxyCommand.UNSUPPORTED),
            Map.entry("slaveof", ProxyCommand.UNSUPPORTED),
            Map.entry("failover", ProxyCommand.UNSUPPORTED),
            Map.entry("shutdown", ProxyCommand.UNSUPPORTED),
            Map.entry("asking", ProxyCommand.UNSUPPORTED),
            Map.entry("reset", ProxyCommand.UNSUPPORTED),
            Map.entry("unsubscribe", ProxyCommand.UNSUBSCRIBE),
            Map.entry("punsubscribe", ProxyCommand.UNSUBSCRIBE),
            Map.entry("sunsubscribe", ProxyCommand.UNSUBSCRIBE));

    static final CommandTable INSTANCE = new CommandTable(CommandCatalog.redis());

    private final Entry[] table;
    private final int[] hashes;
    private final int mask;
    private final CommandCatalog catalog;

    private CommandTable(CommandCatalog catalog) {
        this.catalog = catalog;
        int size = Integer.highestOneBit(catalog.topLevel().size() * 4 - 1) << 1;
        table = new Entry[size];
        hashes = new int[size];
        mask = size - 1;
        for (CommandEntry c : catalog.topLevel()) {
            Entry e = entry(c);
            int h = c.name().hashCode();
            int i = mix(h) & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            table[i] = e;
            hashes[i] = h;
        }
    }

    private static Entry entry(CommandEntry c) {
        ProxyCommand kind = SPECIAL.getOrDefault(c.name(), ProxyCommand.ROUTE);
        return new Entry(c.name().getBytes(StandardCharsets.US_ASCII), c, kind,
                c.spec().is(CommandFlag.READONLY), c.spec().is(CommandFlag.BLOCKING));
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    /** The command of {@code request} (argument 0), or null if Redis does not know it. */
    Entry lookup(RespRequest request) {
        int h = request.lowerCaseHash(0);
        int i = mix(h) & mask;
        Entry e;
        while ((e = table[i]) != null) {
            if (hashes[i] == h && request.argEqualsLowerCase(0, e.name)) {
                return e;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** The subcommand entry {@code container|sub} named by argument 1, or null. */
    CommandEntry subcommand(Entry container, RespRequest request) {
        if (request.count() < 2) {
            return null;
        }
        return catalog.lookup(container.command().name() + "|" + request.string(1));
    }
}
