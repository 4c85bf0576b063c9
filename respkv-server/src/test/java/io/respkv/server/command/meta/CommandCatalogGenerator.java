package io.respkv.server.command.meta;

import io.respkv.api.ProtocolVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Regenerates the checked-in command metadata ({@code commands.info.txt},
 * {@code commands.docs.txt}) from a real redis-server 7.0.15: it starts the server from
 * org.signal:embedded-redis, says {@code HELLO 3}, runs {@code COMMAND INFO} and
 * {@code COMMAND DOCS}, checks that the parsed trees re-encode to the very bytes Redis sent, and
 * writes one line per top-level command, sorted by name. Redis sends commands and subcommands in
 * its hash order, which changes with every start; the generator sorts subcommands by name too,
 * so that the data only changes when Redis's answers do. Never edit the data files by hand.
 *
 * <p>Run it (from the repository root) through the test that wraps it:
 *
 * <pre>
 * ./mvnw -B -q -pl respkv-server -am test -Drespkv.regenerateCommandCatalog=true \
 *     -Dtest=CommandCatalogGeneratorTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * or run {@link #main} from an IDE with the test classpath, passing the output directory
 * (default: {@value #RESOURCE_DIR} under the working directory, or under
 * {@code respkv-server/} when run from the repository root).
 */
public final class CommandCatalogGenerator {

    static final String RESOURCE_DIR = "src/main/resources/io/respkv/server/command/meta";
    static final String REDIS_VERSION = "7.0.15";

    private CommandCatalogGenerator() {
    }

    /** Usage: {@code CommandCatalogGenerator [output-directory]}. */
    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : defaultDirectory();
        generate(dir);
        System.out.println("wrote " + dir.resolve(CommandCatalog.INFO_RESOURCE) + " and "
                + dir.resolve(CommandCatalog.DOCS_RESOURCE));
    }

    static Path defaultDirectory() {
        Path here = Path.of(RESOURCE_DIR);
        return Files.isDirectory(Path.of("src/main")) ? here : Path.of("respkv-server").resolve(here);
    }

    /** Captures the metadata from a fresh redis-server and writes both files into {@code dir}. */
    static void generate(Path dir) throws IOException {
        Map<String, ReplyTree> info = new TreeMap<>();
        Map<String, ReplyTree> docs = new TreeMap<>();
        try (RealRedis redis = RealRedis.start(); RealRedis.Connection c = redis.connect()) {
            ReplyTree.Map hello = (ReplyTree.Map) exactTree(c.call("HELLO", "3"));
            ReplyTree version = hello.get("version");
            if (!new ReplyTree.Bulk(REDIS_VERSION).equals(version)) {
                throw new IllegalStateException("expected redis " + REDIS_VERSION + ", got " + version);
            }
            ReplyTree.Array infoReply = (ReplyTree.Array) exactTree(c.call("COMMAND", "INFO"));
            for (ReplyTree command : infoReply.elements()) {
                String name = ((ReplyTree.Bulk) ((ReplyTree.Array) command).elements().get(0)).text();
                if (info.put(name, ReplyCanon.info(command)) != null) {
                    throw new IllegalStateException("COMMAND INFO repeats " + name);
                }
            }
            ReplyTree.Map docsReply = (ReplyTree.Map) exactTree(c.call("COMMAND", "DOCS"));
            for (int i = 0; i < docsReply.size(); i++) {
                String name = ((ReplyTree.Bulk) docsReply.key(i)).text();
                if (docs.put(name, ReplyCanon.docs(docsReply.value(i))) != null) {
                    throw new IllegalStateException("COMMAND DOCS repeats " + name);
                }
            }
        }
        if (!info.keySet().equals(docs.keySet())) {
            throw new IllegalStateException("COMMAND INFO and COMMAND DOCS name different commands");
        }
        Files.createDirectories(dir);
        write(dir.resolve(CommandCatalog.INFO_RESOURCE), "COMMAND INFO", info);
        write(dir.resolve(CommandCatalog.DOCS_RESOURCE), "COMMAND DOCS", docs);
    }

    /** The tree of a reply, after checking that it re-encodes to exactly the bytes Redis sent. */
    private static ReplyTree exactTree(byte[] reply) {
        ReplyTree tree = RespFrames.toTree(reply);
        BytesReplySink sink = new BytesReplySink(ProtocolVersion.RESP3);
        tree.writeTo(sink);
        if (!Arrays.equals(sink.bytes(), reply)) {
            throw new IllegalStateException("reply does not round-trip through ReplyTree");
        }
        return tree;
    }

    private static void write(Path file, String what, Map<String, ReplyTree> entries) throws IOException {
        StringBuilder out = new StringBuilder(1 << 18);
        out.append("# ").append(what).append(" of redis-server ").append(REDIS_VERSION)
                .append(", one top-level command per line: <name> <reply>.\n")
                .append("# Generated by CommandCatalogGenerator (see README.md); do not edit.")
                .append(" Redis is BSD-3-Clause: see NOTICE-redis.txt.\n");
        for (Map.Entry<String, ReplyTree> e : entries.entrySet()) {
            String line = ReplyTreeText.format(e.getValue());
            if (!ReplyTreeText.parse(line).equals(e.getValue())) {
                throw new IllegalStateException("text notation does not round-trip for " + e.getKey());
            }
            out.append(e.getKey()).append(' ').append(line).append('\n');
        }
        Files.writeString(file, out, StandardCharsets.US_ASCII);
    }
}
