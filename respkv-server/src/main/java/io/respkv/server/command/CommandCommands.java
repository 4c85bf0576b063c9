package io.respkv.server.command;

import io.respkv.server.command.meta.CommandCatalog;
import io.respkv.server.command.meta.CommandReplies;
import io.respkv.server.util.GlobMatcher;
import java.nio.charset.StandardCharsets;

/**
 * {@code COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | GETKEYSANDFLAGS | HELP]}: Redis 7.0.15's
 * own metadata (captured in {@link CommandCatalog}) for exactly the commands this server has.
 */
final class CommandCommands {

    private final CommandTable table;
    private volatile CommandReplies replies;

    private CommandCommands(CommandTable table) {
        this.table = table;
    }

    static void register(CommandTable t) {
        CommandCommands c = new CommandCommands(t);
        t.register("command|count", ctx -> c.replies().count(ctx.reply()));
        t.register("command|info", ctx -> c.replies().info(ctx.reply(), ctx.args()));
        t.register("command|docs", ctx -> c.replies().docs(ctx.reply(), ctx.args()));
        t.register("command|list", ctx -> c.replies().list(ctx.reply(), ctx.args()));
        t.register("command|getkeys", ctx -> c.replies().getKeys(ctx.reply(), ctx.args()));
        t.register("command|getkeysandflags", ctx -> c.replies().getKeysAndFlags(ctx.reply(), ctx.args()));
        t.register("command|help", ctx -> c.replies().help(ctx.reply()));
        t.register("command", ctx -> c.replies().command(ctx.reply()));
    }

    /** Built on first use, when the table is complete. */
    private CommandReplies replies() {
        CommandReplies r = replies;
        if (r == null) {
            r = new CommandReplies(CommandCatalog.redis(), name -> table.get(name) != null,
                    pattern -> {
                        GlobMatcher m = GlobMatcher.compile(pattern, true);
                        return name -> m.matches(name.getBytes(StandardCharsets.US_ASCII));
                    });
            replies = r;
        }
        return r;
    }
}
