package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code respkv dump} end to end, in this process: a RocksDB keyspace with every type, binary
 * keys and values, TTLs, several databases and a 10,000-element list is dumped, the dump is
 * replayed into a fresh redis-server 7.0.15 as {@code redis-cli --pipe} does, and both
 * keyspaces are compared key by key (values as bytes, TTLs within a second). With
 * {@code redis-cli} on the PATH the real {@code redis-cli --pipe} replays it too.
 */
@Timeout(180)
class DumpCommandTest {

    private static final int LARGE = 10_000;

    @TempDir
    Path tmp;

    private Path data() {
        return tmp.resolve("data");
    }

    private static KeyspaceEngine openRocksDb(Path dir) {
        return Main.openEngine("rocksdb", Map.of("dir", dir.toString()));
    }

    /** Sends a command in redis-cli syntax; fails on an error reply. */
    private static void send(RawRespClient c, String line) throws IOException {
        var reply = c.call(RespCommand.parse(line));
        assertTrue(!reply.isError(), line + " -> " + reply);
    }

    /** The keyspace the tests dump: every type, binary data, TTLs, four databases, a large list. */
    private void buildKeyspace() throws Exception {
        try (KeyspaceEngine engine = openRocksDb(data());
             RespServer server = RespServer.builder().port(0).engine(engine).start().join();
             RawRespClient c = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()))) {
            send(c, "SET plain value");
            send(c, "SET \"\" \"the empty key\"");
            send(c, "SET \"bin\\x00\\xff\\r\\n\" \"\\x00\\x01\\xfe\\xff\\r\\n\"");
            send(c, "SET empty-value \"\"");
            send(c, "SET ttl:string v PX 3600000");
            send(c, "HSET hash f1 v1 \"\\x00f\" \"\\xffv\" \"\" empty");
            send(c, "HSET ttl:hash f v");
            send(c, "EXPIREAT ttl:hash " + (System.currentTimeMillis() / 1000 + 86_400));
            send(c, "RPUSH list b c \"\\x00\"");
            send(c, "LPUSH list a");
            send(c, "SADD set m1 m2 \"\\xff\\x00\" \"\"");
            send(c, "ZADD zset 1 one 2.5 two -inf low inf high 0.1 tenth -3 neg 1e300 huge 2.5 two-b");
            send(c, "ZADD ttl:zset 1 x");
            send(c, "PEXPIRE ttl:zset 7200000");
            send(c, "SET gone v PX 1");
            send(c, "SADD gone:set m");
            send(c, "PEXPIRE gone:set 1");
            // a large list and a large hash: several chunks each
            List<String> push = new ArrayList<>(List.of("RPUSH", "large:list"));
            List<String> hset = new ArrayList<>(List.of("HSET", "large:hash"));
            for (int i = 0; i < LARGE; i++) {
                push.add("element-" + i);
                if (i < 3000) {
                    hset.add("field-" + i);
                    hset.add("value-" + i);
                }
            }
            assertEquals(LARGE, c.call(push.toArray(String[]::new)).integer());
            assertEquals(3000, c.call(hset.toArray(String[]::new)).integer());
            send(c, "SELECT 1");
            send(c, "SET db1 one");
            send(c, "SADD db1:set a b c");
            send(c, "PEXPIRE db1:set 5000000");
            send(c, "SELECT 7");
            send(c, "RPUSH db7:list x y z");
            send(c, "SELECT 15");
            send(c, "ZADD db15:zset 0 a 0 b 0 c");
            send(c, "SET db15 \"\\xff\"");
            Thread.sleep(20); // "gone" and "gone:set" expire (stored, not yet purged)
        }
    }

    private record Run(int status, byte[] stdout, String stderr) {
    }

    private static Run dump(boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream errStream = new PrintStream(err, true, UTF_8); PrintStream help = new PrintStream(out, true, UTF_8)) {
            int status = DumpCommand.run(args, out, help, errStream, terminal, System::currentTimeMillis);
            return new Run(status, out.toByteArray(), err.toString(UTF_8));
        }
    }

    @Test
    void aDumpReplayedIntoRedisGivesTheSameKeyspace() throws Exception {
        buildKeyspace();
        Path file = tmp.resolve("dump.resp");
        Run run = dump(false, "--dir", data().toString(), "--output", file.toString());
        assertEquals(0, run.status(), run.stderr());
        assertEquals("", run.stderr(), "nothing on stderr when it is no terminal");
        assertEquals(0, run.stdout().length, "the dump went to the file");

        try (EmbeddedRedis redis = EmbeddedRedis.start()) {
            RespPipe.Result replay = RespPipe.replay(file, redis.port());
            assertEquals(List.of(), replay.errors());
            assertTrue(replay.replies() > LARGE / 1000, "replies: " + replay.replies());
            assertSameAsRespkv(redis);
        }

        if (hasRedisCli()) {
            try (EmbeddedRedis redis = EmbeddedRedis.start()) {
                Process cli = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(redis.port()), "--pipe")
                        .redirectInput(file.toFile()).redirectErrorStream(true).start();
                String output = new String(cli.getInputStream().readAllBytes(), UTF_8);
                assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "redis-cli --pipe did not finish");
                assertEquals(0, cli.exitValue(), output);
                assertTrue(output.contains("errors: 0,"), output);
                assertSameAsRespkv(redis);
            }
        } else {
            System.out.println("DumpCommandTest: redis-cli is not on the PATH; the replay through the real"
                    + " `redis-cli --pipe` is skipped (the in-test replay above does what it does)");
        }
    }

    /** Opens the dumped store again in a respkv server and compares it with {@code redis}. */
    private void assertSameAsRespkv(EmbeddedRedis redis) throws Exception {
        try (KeyspaceEngine engine = openRocksDb(data());
             RespServer server = RespServer.builder().port(0).engine(engine).start().join();
             RawRespClient respkv = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()));
             RawRespClient real = RawRespClient.connect(redis.target())) {
            long keys = KeyspaceComparison.assertSameKeyspace(respkv, real, 16);
            assertEquals(18, keys, "keys compared");
            // the dump left out what had expired, and the big list arrived whole and in order
            assertEquals("OK", real.call("SELECT", "0").text());
            assertEquals(0, real.call("EXISTS", "gone", "gone:set").integer());
            assertEquals(LARGE, real.call("LLEN", "large:list").integer());
            assertEquals("element-9999", real.call("LINDEX", "large:list", "-1").text());
        }
    }

    private static boolean hasRedisCli() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "redis-cli"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void oneDatabaseToStandardOutput() throws Exception {
        buildKeyspace();
        Run run = dump(false, "--dir", data().toString(), "--db", "15");
        assertEquals(0, run.status(), run.stderr());
        assertEquals("*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n"
                + "*3\r\n$3\r\nSET\r\n$4\r\ndb15\r\n$1\r\n\u00ff\r\n"
                + "*2\r\n$3\r\nDEL\r\n$9\r\ndb15:zset\r\n"
                + "*8\r\n$4\r\nZADD\r\n$9\r\ndb15:zset\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n",
                new String(run.stdout(), java.nio.charset.StandardCharsets.ISO_8859_1));
        Run empty = dump(false, "--dir", data().toString(), "--db", "3");
        assertEquals(0, empty.status(), empty.stderr());
        assertEquals(0, empty.stdout().length);
    }

    @Test
    void aProgressBarOnATerminal() throws Exception {
        buildKeyspace();
        Run run = dump(true, "--dir", data().toString(), "--output", tmp.resolve("d").toString());
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("respkv dump: counting keys...\rrespkv dump: [....."), run.stderr());
        assertTrue(run.stderr().matches("(?s).*\rrespkv dump: \\[#{30}] 18/18 keys 100%  0:\\d\\d elapsed\n"), run.stderr());
    }

    @Test
    void aStoreHeldByARunningServerIsRefused() throws Exception {
        buildKeyspace();
        try (KeyspaceEngine held = openRocksDb(data())) {
            Run run = dump(false, "--dir", data().toString(), "--output", tmp.resolve("d").toString());
            assertEquals(DumpCommand.FAILED, run.status());
            assertTrue(run.stderr().startsWith("respkv dump: " + data() + " is in use by another process (a running respkv"
                    + " server?): its rocksdb store is locked. Stop the server first"), run.stderr());
        }
    }

    @Test
    void badCommandLines() throws IOException {
        Files.writeString(tmp.resolve("not-a-store"), "");
        assertEquals(DumpCommand.USAGE, dump(false, "--dir", tmp.toString(), "--db", "x").status());
        assertEquals(DumpCommand.USAGE, dump(false, "--dir", tmp.toString(), "--db", "65536").status());
        Run port = dump(false, "--dir", tmp.toString(), "--port", "1");
        assertEquals(DumpCommand.USAGE, port.status());
        assertEquals("respkv dump: --port is a server option; dump does not take it\nTry 'dump --help'.\n", port.stderr());
        Run noDir = dump(false);
        assertEquals(DumpCommand.USAGE, noDir.status());
        assertEquals("respkv dump: --dir is required (the data directory of the rocksdb engine)\n", noDir.stderr());
        Run missing = dump(false, "--dir", tmp.resolve("nothing").toString());
        assertEquals(DumpCommand.FAILED, missing.status());
        assertEquals("respkv dump: no data directory at " + tmp.resolve("nothing") + "\n", missing.stderr());
        assertTrue(Files.notExists(tmp.resolve("nothing")), "no store is created");
        Run unknown = dump(false, "--dir", tmp.toString(), "--engine", "nope");
        assertEquals(DumpCommand.USAGE, unknown.status());
        assertTrue(unknown.stderr().startsWith("respkv dump: unknown engine 'nope'"), unknown.stderr());
        Run help = dump(false, "--help");
        assertEquals(0, help.status());
        assertTrue(new String(help.stdout(), UTF_8).startsWith("usage: java -jar respkv.jar dump --dir PATH"));
    }

    @Test
    void aFailingOutputIsReported() throws Exception {
        buildKeyspace();
        Run run = dump(false, "--dir", data().toString(), "--output", tmp.resolve("no/such/dir/d").toString());
        assertEquals(DumpCommand.FAILED, run.status());
        assertTrue(run.stderr().startsWith("respkv dump: cannot write the dump to " + tmp.resolve("no/such/dir/d")),
                run.stderr());
    }
}
