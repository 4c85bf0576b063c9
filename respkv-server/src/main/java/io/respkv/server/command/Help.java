package io.respkv.server.command;

import io.respkv.api.ReplySink;
import java.util.Locale;

/** The reply of {@code <CONTAINER> HELP}, laid out as Redis's {@code addReplyHelp}. */
final class Help {

    private Help() {
    }

    static void reply(ExecutionContext ctx, String container, String... lines) {
        ReplySink r = ctx.reply();
        String upper = container.toUpperCase(Locale.ROOT);
        r.array(lines.length + 3);
        r.simple(upper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String line : lines) {
            r.simple(line);
        }
        r.simple("HELP");
        r.simple("    Prints this help.");
    }
}
