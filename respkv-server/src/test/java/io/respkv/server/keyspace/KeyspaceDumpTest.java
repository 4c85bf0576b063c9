package io.respkv.server.keyspace;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.Snapshot;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dump stream of {@link KeyspaceDump}, byte for byte (the replay into Redis is tested in respkv-standalone). */
class KeyspaceDumpTest {

    /** 2100-01-01T00:00:00Z: a deadline no test run reaches. */
    private static final long FAR = 4_102_444_800_000L;

    private RespServer server;
    private RawRespClient c;

    @BeforeEach
    void start() throws Exception {
        server = RespServer.builder().port(0).start().join();
        c = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()));
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        server.close();
    }

    /** Sends a command in redis-cli syntax and checks the reply. */
    private void send(String line, String expectedReply) throws Exception {
        assertEquals(expectedReply, new String(c.call(RespCommand.parse(line)).raw(), ISO_8859_1), line);
    }

    /** The RESP encoding of commands in redis-cli syntax (bytes as ISO-8859-1 chars). */
    private static String resp(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            b.append(new String(RespCommand.parse(line).encode(), ISO_8859_1));
        }
        return b.toString();
    }

    private record Result(String stream, long keys, long commands, List<Long> progress) {
    }

    private Result dumpAll(long now) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> progress = new ArrayList<>();
        try (Snapshot snapshot = server.engine().snapshot()) {
            KeyspaceDump dump = new KeyspaceDump(snapshot, now, out);
            LongConsumer p = progress::add;
            for (int db = dump.nextDatabase(0); db >= 0; db = dump.nextDatabase(db + 1)) {
                dump.writeDatabase(db, p);
            }
            return new Result(out.toString(ISO_8859_1), dump.keys(), dump.commands(), progress);
        }
    }

    @Test
    void everyTypeAndItsDeadlineInKeyOrderPerDatabase() throws Exception {
        send("SET a 1", "+OK\r\n");
        send("PEXPIREAT a " + FAR, ":1\r\n");
        send("HSET h f v \"\" \"\\x00\"", ":2\r\n");
        send("RPUSH l x y", ":2\r\n");
        send("LPUSH l w", ":3\r\n");
        send("SADD s m \"\\xff\"", ":2\r\n");
        send("ZADD z 1.5 m -inf lo 0.1 \"\\r\\n\"", ":3\r\n");
        send("SELECT 3", "+OK\r\n");
        send("SET \"\\x00\\xff\" \"\\r\\n\"", "+OK\r\n");
        send("EXPIREAT \"\\x00\\xff\" " + FAR / 1000, ":1\r\n");
        Result r = dumpAll(System.currentTimeMillis());
        assertEquals(resp("SELECT 0",
                "SET a 1", "PEXPIREAT a " + FAR,
                "DEL h", "HSET h \"\" \"\\x00\" f v",
                "DEL l", "RPUSH l w x y",
                "DEL s", "SADD s m \"\\xff\"",
                // members in byte order, each score as ZSCORE prints it
                "DEL z", "ZADD z 0.10000000000000001 \"\\r\\n\" -inf lo 1.5 m",
                "SELECT 3",
                "SET \"\\x00\\xff\" \"\\r\\n\"", "PEXPIREAT \"\\x00\\xff\" " + FAR), r.stream());
        assertEquals(6, r.keys());
        assertEquals(14, r.commands());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), r.progress());
    }

    @Test
    void largeCollectionsGoOutInChunks() throws Exception {
        int n = 2 * KeyspaceDump.CHUNK_ELEMENTS + 17;
        List<String> push = new ArrayList<>(List.of("RPUSH", "big"));
        List<String> hset = new ArrayList<>(List.of("HSET", "hash"));
        for (int i = 0; i < n; i++) {
            push.add("e" + i);
            hset.add(String.format("f%05d", i));
            hset.add("v" + i);
        }
        assertEquals(n, c.call(push.toArray(String[]::new)).integer());
        assertEquals(n, c.call(hset.toArray(String[]::new)).integer());
        // one element above the byte bound: a chunk of its own
        String huge = "x".repeat(KeyspaceDump.CHUNK_BYTES);
        assertEquals(3, c.call("SADD", "set", "a", huge, "zz").integer());

        String stream = dumpAll(System.currentTimeMillis()).stream();
        List<String> expected = new ArrayList<>(List.of("SELECT 0", "DEL big"));
        for (int from = 0; from < n; from += KeyspaceDump.CHUNK_ELEMENTS) {
            StringBuilder cmd = new StringBuilder("RPUSH big");
            for (int i = from; i < Math.min(n, from + KeyspaceDump.CHUNK_ELEMENTS); i++) {
                cmd.append(" e").append(i);
            }
            expected.add(cmd.toString());
        }
        expected.add("DEL hash");
        for (int from = 0; from < n; from += KeyspaceDump.CHUNK_ELEMENTS) {
            StringBuilder cmd = new StringBuilder("HSET hash");
            for (int i = from; i < Math.min(n, from + KeyspaceDump.CHUNK_ELEMENTS); i++) {
                cmd.append(String.format(" f%05d v%d", i, i));
            }
            expected.add(cmd.toString());
        }
        expected.addAll(List.of("DEL set", "SADD set a " + huge, "SADD set zz"));
        assertEquals(resp(expected.toArray(String[]::new)), stream);
    }

    @Test
    void expiredKeysAndEmptyDatabasesAreLeftOut() throws Exception {
        long now = System.currentTimeMillis();
        send("SET gone v", "+OK\r\n");
        send("PEXPIREAT gone " + (now + 60_000), ":1\r\n");
        send("SADD gone2 m", ":1\r\n");
        send("PEXPIREAT gone2 " + (now + 60_000), ":1\r\n");
        send("SET kept v", "+OK\r\n");
        send("SELECT 1", "+OK\r\n");
        send("SET only v PX 60000", "+OK\r\n");
        send("SELECT 2", "+OK\r\n");
        send("SET k v", "+OK\r\n");
        send("DEL k", ":1\r\n");
        // dumped as of a minute later: the three expiring keys have expired
        Result r = dumpAll(now + 120_000);
        assertEquals(resp("SELECT 0", "SET kept v"), r.stream());
        assertEquals(1, r.keys());
    }

    @Test
    void nothingToDumpIsAnEmptyStream() throws Exception {
        Result r = dumpAll(System.currentTimeMillis());
        assertEquals("", r.stream());
        assertEquals(0, r.commands());
        try (Snapshot snapshot = server.engine().snapshot()) {
            assertEquals(-1, new KeyspaceDump(snapshot, 0, new ByteArrayOutputStream()).nextDatabase(0));
        }
    }
}
