package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respkv.api.CommandFlag;
import io.respkv.server.command.CommandEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of command argument parsing (Jazzer): for every command of the command
 * table (bar the few that would change the server for the inputs after them), random argument
 * vectors, built from numbers at the edges of their ranges, option keywords, keys of every type
 * and raw bytes, are run on an in-process connection (the real channel handler, decoder and
 * dispatcher over the memory engine). No reply may be the dispatcher's
 * {@code -ERR internal error} (what an unexpected exception in a command becomes), the
 * connection must stay open (an exception escaping to Netty closes it) and must still answer a
 * PING. Seeds: {@code src/test/resources/io/respkv/server/CommandArgumentsFuzzTestInputs/run/}.
 */
class CommandArgumentsFuzzTest {

    /**
     * Commands left out: they would change what the next inputs run against (configuration,
     * users, pausing or killing clients, shutting down), write files, or sleep.
     */
    private static final Set<String> LEFT_OUT = Set.of("config|set", "config|rewrite", "config|resetstat", "acl|setuser",
            "acl|deluser", "acl|load", "acl|save", "shutdown", "debug", "client|pause", "client|kill", "client|no-evict",
            "client|no-touch", "client|reply", "monitor", "save", "bgsave", "bgrewriteaof", "replicaof", "slaveof", "sync",
            "psync", "failover", "module", "eval", "eval_ro", "evalsha", "evalsha_ro", "script", "function", "fcall",
            "fcall_ro", "wait", "quit", "raft.snapshot", "raft.transfer", "raft.add", "raft.remove");

    private static final String[] NUMBERS = {"0", "1", "-1", "2", "10", "100", "-100", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "4294967296", "2147483648",
            "1.5", "-1.5", "0.0", "1e3", "1e400", "-1e400", "inf", "-inf", "+inf", "nan", "0x10", " 1", "1 ", "01",
            "+1", "", "99999999999999999999999", "3.0000000000000000001", "1.7976931348623157e308", "(1", "(inf", "[a",
            "-", "+", "(", "["};
    private static final String[] KEYWORDS = {"NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "EXAT", "PXAT",
            "KEEPTTL", "GET", "WITHSCORES", "WITHSCORE", "LIMIT", "BYSCORE", "BYLEX", "REV", "MATCH", "COUNT", "TYPE",
            "STORE", "ASC", "DESC", "ALPHA", "BY", "WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX", "LEFT", "RIGHT",
            "BEFORE", "AFTER", "IDX", "LEN", "MINMATCHLEN", "WITHMATCHLEN", "RANK", "MAXLEN", "FIELDS", "WITHVALUES",
            "REPLACE", "DB", "COPY", "AUTH", "AUTH2", "SETNAME", "RESP", "ABSTTL", "IDLETIME", "FREQ", "ID", "SCHEDULE",
            "FLUSH", "ASYNC", "SYNC", "STRING", "LIST", "SET", "ZSET", "HASH", "NOVALUES", "*", "h*", "[a-", "\\"};
    private static final String[] KEYS = {"str", "num", "list", "hash", "set", "zset", "nokey", "{str}x"};

    private static final RespServer SERVER = RespServer.builder().port(0).build();
    private static final List<String[]> COMMANDS = commands();

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static List<String[]> commands() {
        Set<String> names = new TreeSet<>();
        List<String[]> out = new ArrayList<>();
        for (CommandEntry e : SERVER.state().commands().allEntries()) {
            String name = e.name().toLowerCase(java.util.Locale.ROOT);
            if (LEFT_OUT.contains(name) || (e.isContainer() && !e.isExecutable()) || !names.add(name)) {
                continue;
            }
            out.add(name.split("\\|"));
        }
        return out;
    }

    @FuzzTest(maxDuration = "5s")
    void run(FuzzedDataProvider data) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespChannelHandler(SERVER.state()));
        try {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            request(in, "FLUSHALL");
            request(in, "SET", "str", "hello");
            request(in, "SET", "num", "12");
            request(in, "RPUSH", "list", "a", "b", "c");
            request(in, "HSET", "hash", "f", "v", "n", "1");
            request(in, "SADD", "set", "a", "b", "1");
            request(in, "ZADD", "zset", "1", "a", "2.5", "b");
            boolean blocking = false;
            int commands = data.consumeInt(1, 4);
            List<String> ran = new ArrayList<>();
            for (int c = 0; c < commands; c++) {
                String[] name = COMMANDS.get(data.consumeInt(0, COMMANDS.size() - 1));
                CommandEntry entry = SERVER.state().commands().get(String.join("|", name));
                blocking |= entry != null && entry.spec().is(CommandFlag.BLOCKING);
                List<byte[]> args = new ArrayList<>();
                for (String part : name) {
                    args.add(part.getBytes(StandardCharsets.US_ASCII));
                }
                int extra = data.consumeInt(0, 8);
                for (int i = 0; i < extra; i++) {
                    args.add(argument(data));
                }
                ran.add(describe(args));
                request(in, args);
            }
            request(in, "PING");
            ch.writeInbound(Unpooled.wrappedBuffer(in.toByteArray()));
            String out = written(ch);
            if (out.contains("-ERR internal error")) {
                fail("internal error for " + ran + ": " + excerpt(out));
            }
            assertTrue(ch.isOpen(), "the connection closed after " + ran + ": " + excerpt(out));
            if (!blocking) {
                assertTrue(out.endsWith("+PONG\r\n") || out.endsWith("$4\r\npong\r\n$0\r\n\r\n") || out.endsWith("+QUEUED\r\n")
                        || out.endsWith(">2\r\n$4\r\npong\r\n$0\r\n\r\n"), "no PONG after " + ran + ": " + excerpt(out));
            }
        } finally {
            ch.close();
            ch.finishAndReleaseAll();
        }
        assertFalse(ch.isOpen());
    }

    private static byte[] argument(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 4)) {
            case 0 -> NUMBERS[data.consumeInt(0, NUMBERS.length - 1)].getBytes(StandardCharsets.US_ASCII);
            case 1 -> KEYWORDS[data.consumeInt(0, KEYWORDS.length - 1)].getBytes(StandardCharsets.US_ASCII);
            case 2 -> KEYS[data.consumeInt(0, KEYS.length - 1)].getBytes(StandardCharsets.US_ASCII);
            case 3 -> Long.toString(data.consumeLong()).getBytes(StandardCharsets.US_ASCII);
            default -> data.consumeBytes(data.consumeInt(0, 16));
        };
    }

    private static void request(ByteArrayOutputStream out, String... args) {
        List<byte[]> a = new ArrayList<>();
        for (String s : args) {
            a.add(s.getBytes(StandardCharsets.US_ASCII));
        }
        request(out, a);
    }

    private static void request(ByteArrayOutputStream out, List<byte[]> args) {
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    private static String describe(List<byte[]> args) {
        StringBuilder sb = new StringBuilder();
        for (byte[] a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append('"');
            for (byte b : a) {
                int c = b & 0xff;
                sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
            sb.append('"');
        }
        return sb.toString();
    }

    private static String excerpt(String out) {
        return out.length() <= 2000 ? out : out.substring(0, 1000) + " ... " + out.substring(out.length() - 1000);
    }
}
