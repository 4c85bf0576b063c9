package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in metadata and {@link CommandReplies} against a live redis-server 7.0.15, in RESP2
 * and RESP3, byte for byte. Where Redis answers in its hash order (the command tables and the
 * subcommands of a container), both sides are put in name order first; the re-encoded Redis reply
 * is checked to be exactly the bytes it sent.
 */
class CommandCatalogDifferentialTest {

    private static RealRedis redis;
    private static RealRedis.Connection resp2;
    private static RealRedis.Connection resp3;
    private static final CommandCatalog CATALOG = CommandCatalog.redis();
    private static final CommandReplies REPLIES = new CommandReplies(CATALOG, name -> true, SimpleGlob::matcher);

    @BeforeAll
    static void startRedis() {
        redis = RealRedis.start();
        resp2 = redis.connect();
        resp3 = redis.connect();
        resp3.call("HELLO", "3");
    }

    @AfterAll
    static void stopRedis() throws Exception {
        try {
            if (resp2 != null) {
                resp2.close();
            }
            if (resp3 != null) {
                resp3.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** Routes a COMMAND request as the server's dispatcher will. */
    static byte[] ours(ProtocolVersion protocol, TestArgs args) {
        BytesReplySink sink = new BytesReplySink(protocol);
        if (args.count() == 1) {
            REPLIES.command(sink);
            return sink.bytes();
        }
        // the dispatcher's arity check, from the same data (a subcommand's arity counts COMMAND)
        CommandEntry sub = CATALOG.lookup("command|" + args.string(1));
        if (sub != null && !sub.spec().arityAccepts(args.count())) {
            sink.error("ERR wrong number of arguments for '" + sub.name() + "' command");
            return sink.bytes();
        }
        switch (args.string(1).toLowerCase()) {
            case "info" -> REPLIES.info(sink, args);
            case "docs" -> REPLIES.docs(sink, args);
            case "list" -> REPLIES.list(sink, args);
            case "count" -> REPLIES.count(sink);
            case "help" -> REPLIES.help(sink);
            case "getkeys" -> REPLIES.getKeys(sink, args);
            case "getkeysandflags" -> REPLIES.getKeysAndFlags(sink, args);
            default -> throw new IllegalArgumentException(args.string(1));
        }
        return sink.bytes();
    }

    static byte[] theirs(ProtocolVersion protocol, TestArgs args) {
        return (protocol == ProtocolVersion.RESP2 ? resp2 : resp3).call(args.raw());
    }

    /** Asserts byte equality in both protocols. */
    static void assertSameReply(TestArgs args) {
        for (ProtocolVersion p : ProtocolVersion.values()) {
            byte[] expected = theirs(p, args);
            byte[] actual = ours(p, args);
            assertArrayEquals(expected, actual, () -> p + " " + describe(args) + "\nredis:  " + RespFrames.show(expected)
                    + "\nrespkv: " + RespFrames.show(actual));
        }
    }

    /** Re-encodes a tree as {@code protocol} (trees parsed from RESP2 only hold RESP2 types). */
    static byte[] encode(ProtocolVersion protocol, ReplyTree tree) {
        BytesReplySink sink = new BytesReplySink(protocol);
        tree.writeTo(sink);
        return sink.bytes();
    }

    /** Parses Redis's reply, checks that the tree is exact, and returns it canonicalized by {@code canon}. */
    static ReplyTree canonical(ProtocolVersion p, byte[] reply, java.util.function.UnaryOperator<ReplyTree> canon) {
        ReplyTree tree = RespFrames.toTree(reply);
        assertArrayEquals(reply, encode(p, tree), "tree of redis reply is not exact");
        return canon.apply(tree);
    }

    static String describe(TestArgs args) {
        List<String> parts = new ArrayList<>();
        for (byte[] a : args.raw()) {
            parts.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return parts.toString();
    }

    @Test
    void everyCommandAndSubcommandHasTheSameInfoAndDocs() {
        List<String> mismatches = new ArrayList<>();
        for (CommandEntry e : CATALOG.all()) {
            for (String sub : List.of("INFO", "DOCS")) {
                TestArgs args = TestArgs.of("COMMAND", sub, e.name());
                for (ProtocolVersion p : ProtocolVersion.values()) {
                    byte[] expected = theirs(p, args);
                    byte[] actual = ours(p, args);
                    if (!e.subcommands().isEmpty()) {
                        // a container: Redis lists its subcommands in hash order
                        expected = encode(p, canonical(p, expected, t -> sub.equals("INFO")
                                ? new ReplyTree.Array(List.of(ReplyCanon.info(((ReplyTree.Array) t).elements().get(0))))
                                : ReplyCanon.docsReply(t)));
                    }
                    if (!Arrays.equals(expected, actual)) {
                        mismatches.add(p + " " + sub + " " + e.name());
                    }
                }
            }
        }
        assertEquals(List.of(), mismatches);
        assertEquals(240, CATALOG.topLevel().size());
    }

    @Test
    void namesInAnyCaseAndUnknownNames() {
        assertSameReply(TestArgs.of("COMMAND", "INFO", "GET", "nope", "Config|Get", "config|", "|get", "get|x",
                "config|get|x", "", "|", "OBJECT|encoding"));
        assertSameReply(TestArgs.of("COMMAND", "INFO", "nope"));
        assertSameReply(TestArgs.of("COMMAND", "DOCS", "get", "nope", "get", "CONFIG|GET", "config|"));
        assertSameReply(TestArgs.of("COMMAND", "DOCS", "nope"));
        assertSameReply(new TestArgs("COMMAND".getBytes(StandardCharsets.US_ASCII), "INFO".getBytes(StandardCharsets.US_ASCII),
                new byte[] {'g', 'e', 't', 0}, new byte[] {(byte) 0xc3, (byte) 0xa9}));
    }

    @Test
    void wholeTables() {
        for (ProtocolVersion p : ProtocolVersion.values()) {
            for (TestArgs args : List.of(TestArgs.of("COMMAND"), TestArgs.of("COMMAND", "INFO"))) {
                ReplyTree expected = canonical(p, theirs(p, args), ReplyCanon::infoReply);
                assertArrayEquals(encode(p, expected), ours(p, args), p + " " + describe(args));
            }
            TestArgs docs = TestArgs.of("COMMAND", "DOCS");
            ReplyTree expected = canonical(p, theirs(p, docs), ReplyCanon::docsReply);
            assertArrayEquals(encode(p, expected), ours(p, docs), p + " COMMAND DOCS");
        }
        assertSameReply(TestArgs.of("COMMAND", "COUNT"));
        assertSameReply(TestArgs.of("COMMAND", "HELP"));
        assertSameReply(TestArgs.of("COMMAND", "COUNT", "x"));
        assertSameReply(TestArgs.of("COMMAND", "help", "x"));
    }

    static Stream<List<String>> listRequests() {
        return Stream.of(
                List.of("COMMAND", "LIST"),
                List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"),
                List.of("COMMAND", "LIST", "FILTERBY", "aclcat", "STRING"),
                List.of("COMMAND", "LIST", "filterby", "AclCat", "keyspace"),
                List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "@string"),
                List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"),
                List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "dangerous"),
                List.of("COMMAND", "LIST", "FILTERBY", "MODULE", "x"),
                List.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"),
                List.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "*|GET"),
                List.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "?et"));
    }

    @ParameterizedTest
    @MethodSource("listRequests")
    void commandListAsASetOfNames(List<String> request) {
        TestArgs args = TestArgs.of(request.toArray(String[]::new));
        for (ProtocolVersion p : ProtocolVersion.values()) {
            ReplyTree.Array expected = (ReplyTree.Array) canonical(p, theirs(p, args), t -> t);
            ReplyTree.Array actual = (ReplyTree.Array) RespFrames.toTree(ours(p, args));
            assertEquals(sortedNames(expected), sortedNames(actual), p + " " + request);
        }
        if (request.size() > 2 && request.get(4).equals("string")) {
            assertTrue(sortedNames((ReplyTree.Array) RespFrames.toTree(ours(ProtocolVersion.RESP2, args))).contains("get"));
        }
    }

    private static List<String> sortedNames(ReplyTree.Array names) {
        List<String> out = new ArrayList<>();
        for (ReplyTree n : names.elements()) {
            out.add(((ReplyTree.Bulk) n).text());
        }
        out.sort(null);
        return out;
    }

    @Test
    void commandListSyntaxErrors() {
        assertSameReply(TestArgs.of("COMMAND", "LIST", "FILTERBY"));
        assertSameReply(TestArgs.of("COMMAND", "LIST", "FILTERBY", "ACLCAT"));
        assertSameReply(TestArgs.of("COMMAND", "LIST", "FILTERBY", "foo", "x"));
        assertSameReply(TestArgs.of("COMMAND", "LIST", "x", "FILTERBY", "PATTERN", "x"));
        assertSameReply(TestArgs.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "a", "b"));
        assertSameReply(TestArgs.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string", "FILTERBY", "ACLCAT", "read"));
    }

    static Stream<String> getKeysRequests() {
        return Stream.of(
                // index + range
                "get k", "get", "get a b", "set k v", "set k v get", "set k v GET", "set k v px 10", "set k v nx get",
                "mset a 1 b 2", "mset a 1 b", "del a b c", "exists a", "rename a b", "smove a b m", "blpop a b 0",
                "brpoplpush a b 0", "bzpopmin a b 0", "pfcount a b", "pfmerge d a b", "bitop and d a b", "lcs a b",
                "zrangestore d s 0 1", "geosearchstore d s frommember m byradius 1 m", "xadd k * f v", "watch a b",
                "object encoding k", "OBJECT ENCODING k", "object freq k", "object help", "memory usage k",
                "xinfo stream k", "restore k 0 x", "touch a", "lpos k e",
                // keynum
                "zunionstore d 2 a b", "zunionstore d 2 a b weights 1 2", "zunionstore d 0 a", "zunionstore d 3 a b",
                "zunionstore d 2abc a b", "zunionstore d -1 a b", "zunionstore d 4294967298 a b",
                "zunionstore d 99999999999 a b", "zinter 2 a b", "zintercard 2 a b", "zdiff 1 a", "zdiffstore d 1 a",
                "eval s 0", "eval s 2 a b c", "eval s 2 a", "eval s x", "eval s 1x a", "evalsha s 1 k", "eval_ro s 1 k",
                "evalsha_ro s 1 k", "fcall f 1 k", "fcall_ro f 0", "lmpop 2 a b left", "lmpop 1x a left",
                "blmpop 0 2 a b left", "zmpop 1 a min", "bzmpop 0 1 a min", "sintercard 2 a b limit 1",
                // keyword (forwards with a limit, backwards)
                "xread streams a 0", "xread count 1 block 0 streams a b 0 0", "xread streams a b c", "xread streams a",
                "xread count 1 streams", "xread STREAMS streams a 0", "xreadgroup group g c streams a 0",
                "xreadgroup group g c count 1 noack streams a b 0 0", "georadius k 1 2 3 m store d",
                "georadius k 1 2 3 m storedist d", "georadius k 1 2 3 m store", "georadius k 1 2 3 m store a storedist b",
                "georadiusbymember k m 3 m store d", "georadius_ro k 1 2 3 m",
                "migrate h 1 k 0 1", "migrate h 1 k 0 1 copy replace", "migrate h 1 k 0 1 keys a b",
                "migrate h 1 x 0 1 auth pw keys a", "migrate h 1 k 0 keys",
                // unknown specs and the command's own rules
                "sort k", "sort k store d", "sort k by x get y store d limit 0 1", "sort k store", "sort k store a store b",
                "sort k limit store x", "sort_ro k by x", "bitfield k get u8 0", "bitfield k set u8 0 1",
                "bitfield k incrby u8 0 1", "bitfield k overflow sat get u8 0", "bitfield k bogus", "bitfield_ro k get u8 0",
                // no keys, unknown commands, subcommands
                "ping", "config get x", "CONFIG GET x", "config", "config nope x", "config|get x", "nope k",
                "command info", "spublish ch msg", "ssubscribe ch", "publish ch m", "wait 0 0", "function load x",
                "client kill x");
    }

    @ParameterizedTest
    @MethodSource("getKeysRequests")
    void getKeysAndFlags(String command) {
        List<String> words = new ArrayList<>(List.of(command.split(" ")));
        for (String sub : List.of("GETKEYS", "GETKEYSANDFLAGS")) {
            List<String> request = new ArrayList<>(List.of("COMMAND", sub));
            request.addAll(words);
            assertSameReply(TestArgs.of(request.toArray(String[]::new)));
        }
    }

    @Test
    void getKeysWithEmptyAndBinaryArguments() {
        List<List<byte[]>> requests = List.of(
                List.of(b("migrate"), b("h"), b("1"), b(""), b("0"), b("1"), b("keys"), b("a"), b("b")),
                List.of(b("migrate"), b("h"), b("1"), b(""), b("0"), b("1"), b("copy"), b("auth2"), b("u"), b("p"),
                        b("keys"), b("a")),
                List.of(b("set"), b("k"), b("v"), new byte[] {'G', 'e', 't', 0, 'x'}),
                List.of(b("set"), b("k"), b("v"), new byte[] {'g', 'e'}),
                List.of(b("zunionstore"), b("d"), b(" 2"), b("a"), b("b")),
                List.of(b("zunionstore"), b("d"), b("+2"), b("a"), b("b")),
                List.of(b("xread"), new byte[] {'s', 't', 'r', 'e', 'a', 'm', 's', 0, '!'}, b("a"), b("0")),
                List.of(b("get"), new byte[] {(byte) 0xff, 0, 1}));
        for (List<byte[]> command : requests) {
            for (String sub : List.of("GETKEYS", "GETKEYSANDFLAGS")) {
                List<byte[]> request = new ArrayList<>(List.of(b("COMMAND"), b(sub)));
                request.addAll(command);
                assertSameReply(new TestArgs(request.toArray(byte[][]::new)));
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
