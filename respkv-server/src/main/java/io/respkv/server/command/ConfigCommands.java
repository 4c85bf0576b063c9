package io.respkv.server.command;

import io.respkv.api.ReplySink;
import io.respkv.codec.RespRequest;
import io.respkv.server.ServerSettings;
import io.respkv.server.util.GlobMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code CONFIG GET | SET | RESETSTAT | REWRITE | HELP} over {@link ServerSettings}. */
final class ConfigCommands {

    private ConfigCommands() {
    }

    static void register(CommandTable t) {
        t.register("config|get", ConfigCommands::get);
        t.register("config|set", ConfigCommands::set);
        t.register("config|resetstat", ConfigCommands::resetstat);
        t.register("config|rewrite", ctx -> ctx.reply().error("ERR The server is running without a config file"));
        t.register("config|help", ConfigCommands::help);
    }

    /** {@code CONFIG GET parameter [parameter ...]}: a map of every parameter matching any of the glob patterns. */
    static void get(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        ServerSettings settings = ctx.server().settings();
        Map<String, String> matched = new LinkedHashMap<>();
        for (int i = 2; i < args.count(); i++) {
            byte[] pattern = args.bytes(i);
            String given = args.string(i);
            if (given.indexOf('[') < 0 && given.indexOf('*') < 0 && given.indexOf('?') < 0) {
                // No glob characters: a direct lookup, replied under the name as the client spelled it.
                String name = given.toLowerCase(Locale.ROOT);
                if (settings.known(name) && !matched.containsKey(given)) {
                    matched.put(given, settings.get(name));
                }
                continue;
            }
            for (String name : settings.names()) {
                if (!matched.containsKey(name)
                        && GlobMatcher.matches(pattern, name.getBytes(StandardCharsets.US_ASCII), true)) {
                    matched.put(name, settings.get(name));
                }
            }
        }
        ReplySink r = ctx.reply();
        r.map(matched.size());
        for (Map.Entry<String, String> e : matched.entrySet()) {
            r.bulk(e.getKey());
            r.bulk(e.getValue());
        }
    }

    /** {@code CONFIG SET parameter value [parameter value ...]}: all or nothing. */
    static void set(ExecutionContext ctx) {
        RespRequest args = ctx.args();
        if ((args.count() & 1) == 1) {
            ctx.reply().error(Errors.SYNTAX); // Redis: parameter/value pairs, else a syntax error (arity is -4)
            return;
        }
        ServerSettings settings = ctx.server().settings();
        List<String[]> changes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 2; i < args.count(); i += 2) {
            String name = args.string(i).toLowerCase(Locale.ROOT);
            if (!settings.known(name)) {
                ctx.reply().error("ERR Unknown option or number of arguments for CONFIG SET - '" + args.string(i) + "'");
                return;
            }
            if (!seen.add(name)) {
                ctx.reply().error(failed(name, "duplicate parameter"));
                return;
            }
            if (settings.immutable(name)) {
                ctx.reply().error(failed(name, "can't set immutable config"));
                return;
            }
            try {
                settings.check(name, args.string(i + 1));
            } catch (IllegalArgumentException refused) {
                ctx.reply().error(failed(name, refused.getMessage()));
                return;
            }
            changes.add(new String[] {name, args.string(i + 1)});
        }
        for (String[] change : changes) {
            settings.set(change[0], change[1]);
        }
        ctx.reply().ok();
    }

    private static String failed(String name, String why) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
    }

    /** {@code CONFIG RESETSTAT}: zeroes INFO's command statistics. */
    static void resetstat(ExecutionContext ctx) {
        ctx.server().commands().resetStats();
        ctx.reply().ok();
    }

    static void help(ExecutionContext ctx) {
        Help.reply(ctx, "CONFIG",
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "REWRITE",
                "    Rewrite the configuration file.");
    }
}
