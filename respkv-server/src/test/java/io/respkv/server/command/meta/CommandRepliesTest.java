package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** {@link CommandReplies} for a server that implements only some commands; wire bytes pinned. */
class CommandRepliesTest {

    private static final CommandCatalog CATALOG = CommandCatalog.redis();
    private static final Set<String> IMPLEMENTED = Set.of("get", "set", "config", "config|get", "object|encoding", "mset", "xread");
    private static final CommandReplies REPLIES = new CommandReplies(CATALOG, IMPLEMENTED::contains, SimpleGlob::matcher);

    private static String reply(ProtocolVersion p, BiConsumer<BytesReplySink, TestArgs> call, String... request) {
        BytesReplySink sink = new BytesReplySink(p);
        call.accept(sink, TestArgs.of(request));
        return sink.text();
    }

    private static String resp2(BiConsumer<BytesReplySink, TestArgs> call, String... request) {
        return reply(ProtocolVersion.RESP2, call, request);
    }

    private static String resp3(BiConsumer<BytesReplySink, TestArgs> call, String... request) {
        return reply(ProtocolVersion.RESP3, call, request);
    }

    private static String encode(ProtocolVersion p, ReplyTree tree) {
        BytesReplySink sink = new BytesReplySink(p);
        tree.writeTo(sink);
        return sink.text();
    }

    @Test
    void onlyImplementedCommandsAreAdvertised() {
        assertEquals(List.of("config", "get", "mset", "set", "xread"),
                REPLIES.advertisedTopLevel().stream().map(CommandEntry::name).toList());
        assertTrue(REPLIES.advertises(CATALOG.get("config|get")));
        assertFalse(REPLIES.advertises(CATALOG.get("config|set")));
        assertFalse(REPLIES.advertises(CATALOG.get("object|encoding")), "its container is not implemented");
        assertFalse(REPLIES.advertises(null));
        assertEquals(":5\r\n", resp2((s, a) -> REPLIES.count(s), "COMMAND", "COUNT"));
    }

    @Test
    void unknownNamesInInfoAreNullsAndInDocsAreLeftOut() {
        assertEquals("*2\r\n$-1\r\n$-1\r\n", resp2(REPLIES::info, "COMMAND", "INFO", "nope", "object|encoding"));
        assertEquals("*2\r\n_\r\n_\r\n", resp3(REPLIES::info, "COMMAND", "INFO", "mget", "config|set"));
        assertEquals("*0\r\n", resp2(REPLIES::docs, "COMMAND", "DOCS", "nope", "mget"));
        assertEquals("%0\r\n", resp3(REPLIES::docs, "COMMAND", "DOCS", "nope"));
        assertEquals("*3\r\n" + encode(ProtocolVersion.RESP2, CATALOG.info("get")) + "$-1\r\n"
                + encode(ProtocolVersion.RESP2, CATALOG.info("config|get")),
                resp2(REPLIES::info, "COMMAND", "INFO", "GET", "lcs", "Config|Get"));
        assertEquals("%2\r\n$3\r\nget\r\n" + encode(ProtocolVersion.RESP3, CATALOG.docs("get")) + "$3\r\nget\r\n"
                + encode(ProtocolVersion.RESP3, CATALOG.docs("get")), resp3(REPLIES::docs, "COMMAND", "DOCS", "get", "Get"));
    }

    @Test
    void aContainerListsOnlyItsImplementedSubcommands() {
        List<ReplyTree> fields = new ArrayList<>(CATALOG.info("config").elements());
        fields.set(9, new ReplyTree.Array(List.of(CATALOG.info("config|get"))));
        for (ProtocolVersion p : ProtocolVersion.values()) {
            assertEquals("*1\r\n" + encode(p, new ReplyTree.Array(fields)),
                    reply(p, REPLIES::info, "COMMAND", "INFO", "config"));
        }
        String docs = resp3(REPLIES::docs, "COMMAND", "DOCS", "config");
        ReplyTree.Map configDocs = (ReplyTree.Map) ((ReplyTree.Map) RespFrames.toTree(docs.getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1))).get("config");
        assertEquals(new ReplyTree.Map(List.of(new ReplyTree.Bulk("config|get"), CATALOG.docs("config|get"))),
                configDocs.get("subcommands"));
        assertEquals(CATALOG.docs("config").get("summary"), configDocs.get("summary"));

        CommandReplies none = new CommandReplies(CATALOG, Set.of("config")::contains, SimpleGlob::matcher);
        BytesReplySink sink = new BytesReplySink(ProtocolVersion.RESP3);
        none.info(sink, TestArgs.of("COMMAND", "INFO", "config"));
        assertTrue(sink.text().endsWith("~0\r\n*0\r\n"), sink.text()); // no key specs, and an empty subcommand array
    }

    @Test
    void commandListsContainersFollowedByTheirSubcommands() {
        assertEquals("*6\r\n$6\r\nconfig\r\n$10\r\nconfig|get\r\n$3\r\nget\r\n$4\r\nmset\r\n$3\r\nset\r\n$5\r\nxread\r\n",
                resp2(REPLIES::list, "COMMAND", "LIST"));
        assertEquals("*1\r\n$10\r\nconfig|get\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "aclcat", "ADMIN"));
        assertEquals("*3\r\n$3\r\nget\r\n$4\r\nmset\r\n$3\r\nset\r\n",
                resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"));
        assertEquals("*0\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "@string"));
        assertEquals("*2\r\n$3\r\nget\r\n$3\r\nset\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "PATTERN", "?ET"));
        assertEquals("*0\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "MODULE", "m"));
        assertEquals("-ERR syntax error\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "NAME", "get"));
        assertEquals("-ERR syntax error\r\n", resp3(REPLIES::list, "COMMAND", "LIST", "FILTERBY", "PATTERN"));
    }

    @Test
    void commandWithoutArgumentsIsTheInfoOfEveryAdvertisedCommand() {
        assertEquals(resp2(REPLIES::info, "COMMAND", "INFO", "config", "get", "mset", "set", "xread"),
                resp2((s, a) -> REPLIES.command(s), "COMMAND"));
        assertEquals(resp3(REPLIES::info, "COMMAND", "INFO", "config", "get", "mset", "set", "xread"),
                resp3(REPLIES::info, "COMMAND", "INFO"));
        String all = resp3(REPLIES::docs, "COMMAND", "DOCS");
        assertEquals(resp3(REPLIES::docs, "COMMAND", "DOCS", "config", "get", "mset", "set", "xread"), all);
    }

    @Test
    void getKeysOnlyKnowsImplementedCommands() {
        assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"));
        assertEquals("*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+OW\r\n+update\r\n",
                resp3(REPLIES::getKeysAndFlags, "COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"));
        assertEquals("*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n",
                resp2(REPLIES::getKeysAndFlags, "COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"));
        assertEquals("-ERR Invalid command specified\r\n", resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "mget", "a"));
        assertEquals("-ERR Invalid command specified\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "object", "encoding", "k"));
        assertEquals("-ERR Invalid command specified\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "config|get", "x"));
        assertEquals("-ERR The command has no key arguments\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "config", "get", "x"));
        assertEquals("-ERR Invalid number of arguments specified for command\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "get", "a", "b"));
        assertEquals("-ERR Invalid arguments specified for command\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "xread", "count", "1", "streams"));
        assertEquals("-ERR wrong number of arguments for 'command|getkeys' command\r\n",
                resp2(REPLIES::getKeys, "COMMAND", "GETKEYS", "get"));
    }

    @Test
    void help() {
        String help = resp3((s, a) -> REPLIES.help(s), "COMMAND", "HELP");
        assertTrue(help.startsWith("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"), help);
        assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"), help);
    }
}
