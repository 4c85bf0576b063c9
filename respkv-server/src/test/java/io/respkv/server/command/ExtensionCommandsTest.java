package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvServerTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** respkv's extensions (docs/commands.md): KEYS with PIVOT, LIMIT, DESC, WITHVALUES, and PDEL, exact replies. */
class ExtensionCommandsTest extends RespkvServerTest {

    private static String array(String... items) {
        StringBuilder b = new StringBuilder("*").append(items.length).append("\r\n");
        for (String item : items) {
            b.append(item == null ? "$-1" : "$" + item.getBytes(UTF_8).length + "\r\n" + item).append("\r\n");
        }
        return b.toString();
    }

    private void users() throws Exception {
        assertEquals("+OK\r\n", reply("MSET", "user:1", "a", "user:2", "b", "user:3", "c", "user:4", "d", "user:5", "e",
                "other:x", "o", "zeta", "z"));
    }

    @Test
    void plainKeysIsRedisKeys() throws Exception {
        users();
        assertEquals(array("other:x", "user:1", "user:2", "user:3", "user:4", "user:5", "zeta"), reply("KEYS", "*"));
        assertEquals(array("user:1", "user:2", "user:3", "user:4", "user:5"), reply("KEYS", "user:*"));
        assertEquals(array(), reply("KEYS", "nothing*"));
        assertEquals("-ERR wrong number of arguments for 'keys' command\r\n", reply("KEYS"));
        // COMMAND INFO keeps Redis's declaration (arity 2)
        assertTrue(reply("COMMAND", "INFO", "keys").startsWith("*1\r\n*10\r\n$4\r\nkeys\r\n:2\r\n"));
    }

    @Test
    void limitAndPivotWalkInKeyOrder() throws Exception {
        users();
        assertEquals(array("user:1", "user:2"), reply("KEYS", "user:*", "LIMIT", "2"));
        assertEquals(array("user:3", "user:4"), reply("KEYS", "user:*", "PIVOT", "user:2", "LIMIT", "2"));
        assertEquals(array("user:5"), reply("KEYS", "user:*", "LIMIT", "2", "PIVOT", "user:4"));
        assertEquals(array(), reply("KEYS", "user:*", "PIVOT", "user:5"));
        assertEquals(array("user:3", "user:4", "user:5"), reply("KEYS", "user:*", "PIVOT", "user:25"));
        assertEquals(array("user:1", "user:2", "user:3", "user:4", "user:5"), reply("KEYS", "user:*", "PIVOT", "a"));
        assertEquals(array(), reply("KEYS", "user:*", "PIVOT", "zz"));
        assertEquals(array("user:1", "user:2", "user:3", "user:4", "user:5", "zeta"), reply("KEYS", "*", "PIVOT", "other:x"));
        assertEquals(array("user:2", "user:3"), reply("KEYS", "*:?", "PIVOT", "user:1", "LIMIT", "2"));
        assertEquals(array(), reply("KEYS", "*", "LIMIT", "0"));
        assertEquals(array("other:x", "user:1", "user:2", "user:3", "user:4", "user:5", "zeta"),
                reply("KEYS", "*", "LIMIT", "-1"));
    }

    @Test
    void descWalksBackwards() throws Exception {
        users();
        assertEquals(array("zeta", "user:5", "user:4"), reply("KEYS", "*", "DESC", "LIMIT", "3"));
        assertEquals(array("user:5", "user:4", "user:3", "user:2", "user:1"), reply("KEYS", "user:*", "desc"));
        assertEquals(array("user:2", "user:1"), reply("KEYS", "user:*", "DESC", "PIVOT", "user:3"));
        assertEquals(array("user:2"), reply("KEYS", "user:*", "PIVOT", "user:3", "DESC", "LIMIT", "1"));
        assertEquals(array(), reply("KEYS", "user:*", "DESC", "PIVOT", "user:1"));
        assertEquals(array("user:5", "user:4", "user:3", "user:2", "user:1"), reply("KEYS", "user:*", "DESC", "PIVOT", "zz"));
        assertEquals(array(), reply("KEYS", "user:*", "DESC", "PIVOT", "a"));
        assertEquals(array("other:x"), reply("KEYS", "*", "DESC", "PIVOT", "user:1"));
    }

    @Test
    void withValuesPairsKeysWithStringValues() throws Exception {
        users();
        assertEquals(":1\r\n", reply("HSET", "user:33", "f", "v"));
        assertEquals(":1\r\n", reply("LPUSH", "user:4a", "x"));
        assertEquals(array("user:3", "c", "user:33", null, "user:4", "d", "user:4a", null),
                reply("KEYS", "user:*", "PIVOT", "user:2", "LIMIT", "4", "WITHVALUES"));
        assertEquals(array("zeta", "z", "user:5", "e"), reply("KEYS", "*", "WITHVALUES", "DESC", "LIMIT", "2"));
        assertEquals(array(), reply("KEYS", "nothing*", "WITHVALUES"));
        try (RawRespClient resp3 = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            resp3.call("HELLO", "3");
            assertEquals("*4\r\n$7\r\nuser:33\r\n_\r\n$6\r\nuser:4\r\n$1\r\nd\r\n",
                    new String(resp3.call("KEYS", "user:*", "PIVOT", "user:3", "LIMIT", "2", "WITHVALUES").raw(), UTF_8));
        }
    }

    @Test
    void binaryKeysAndTheEmptyKey() throws Exception {
        byte[] low = {'k', 0};
        byte[] high = {'k', (byte) 0xff};
        c.call(RespCommand.of("SET".getBytes(UTF_8), low, "1".getBytes(UTF_8)));
        c.call(RespCommand.of("SET".getBytes(UTF_8), high, "2".getBytes(UTF_8)));
        assertEquals("+OK\r\n", reply("SET", "", "empty"));
        assertEquals("+OK\r\n", reply("SET", "k", "3"));
        assertEquals("*2\r\n$1\r\nk\r\n$2\r\nk\u0000\r\n", reply("KEYS", "k*", "LIMIT", "2"));
        assertEquals("*1\r\n$2\r\nk\u0000\r\n", new String(c.call(RespCommand.of("KEYS".getBytes(UTF_8), "k*".getBytes(UTF_8),
                "PIVOT".getBytes(UTF_8), "k".getBytes(UTF_8), "LIMIT".getBytes(UTF_8), "1".getBytes(UTF_8))).raw(), UTF_8));
        byte[] desc = c.call(RespCommand.of("KEYS".getBytes(UTF_8), "k*".getBytes(UTF_8), "DESC".getBytes(UTF_8),
                "LIMIT".getBytes(UTF_8), "1".getBytes(UTF_8))).raw();
        assertArrayEquals(new byte[] {'*', '1', '\r', '\n', '$', '2', '\r', '\n', 'k', (byte) 0xff, '\r', '\n'}, desc);
        // "*" matches the empty key (as Redis's KEYS *); the empty key sorts first
        assertEquals(array("", "empty"), reply("KEYS", "*", "LIMIT", "1", "WITHVALUES"));
        assertEquals(array("k"), reply("KEYS", "*", "PIVOT", "", "LIMIT", "1"));
    }

    @Test
    void expiredKeysAreSkipped() throws Exception {
        users();
        assertEquals("+OK\r\n", reply("SET", "user:0", "gone", "PX", "1"));
        Thread.sleep(20);
        assertEquals(array("other:x", "user:1"), reply("KEYS", "*", "LIMIT", "2"));
    }

    @Test
    void keysOptionErrors() throws Exception {
        users();
        assertEquals("-ERR value is not an integer or out of range\r\n", reply("KEYS", "*", "LIMIT", "x"));
        assertEquals("-ERR value is not an integer or out of range\r\n", reply("KEYS", "*", "LIMIT", "99999999999999999999"));
        assertEquals("-ERR syntax error\r\n", reply("KEYS", "*", "LIMIT"));
        assertEquals("-ERR syntax error\r\n", reply("KEYS", "*", "PIVOT"));
        assertEquals("-ERR syntax error\r\n", reply("KEYS", "*", "DESC", "DESCX"));
        assertEquals("-ERR syntax error\r\n", reply("KEYS", "*", "LIMIT", "1", "FOO"));
        // stray arguments that are no option: Redis's own reply to KEYS with extra arguments
        assertEquals("-ERR wrong number of arguments for 'keys' command\r\n", reply("KEYS", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'keys' command\r\n", reply("KEYS", "*", "FOO", "LIMIT", "1"));
    }

    @Test
    void pdelDeletesEveryMatchingKey() throws Exception {
        users();
        assertEquals(":1\r\n", reply("HSET", "user:h", "f", "v"));
        assertEquals(":6\r\n", reply("PDEL", "user:*"));
        assertEquals(array("other:x", "zeta"), reply("KEYS", "*"));
        assertEquals(":0\r\n", reply("PDEL", "user:*"));
        assertEquals(":0\r\n", reply("HLEN", "user:h"));
        assertEquals(":1\r\n", reply("PDEL", "?eta"));
        assertEquals(":1\r\n", reply("PDEL", "*"));
        assertEquals(":0\r\n", reply("DBSIZE"));
        assertEquals("-ERR wrong number of arguments for 'pdel' command\r\n", reply("PDEL"));
        assertEquals("-ERR wrong number of arguments for 'pdel' command\r\n", reply("PDEL", "a", "b"));
    }

    @Test
    void pdelStaysInItsDatabase() throws Exception {
        assertEquals("+OK\r\n", reply("SET", "a", "0"));
        assertEquals("+OK\r\n", reply("SELECT", "1"));
        assertEquals("+OK\r\n", reply("MSET", "a", "1", "b", "1"));
        assertEquals(":2\r\n", reply("PDEL", "*"));
        assertEquals("+OK\r\n", reply("SELECT", "0"));
        assertEquals("$1\r\n0\r\n", reply("GET", "a"));
    }

    @Test
    void pdelWorksInBatchesOverManyKeys() throws Exception {
        // 20,000 keys, one in four matching "*:x": the matches span several delete batches and
        // the keys between them several scan bounds (ExtensionCommands.PDEL_BATCH / PDEL_SCAN)
        int total = 20_000;
        for (int from = 0; from < total; from += 1000) {
            List<String> args = new ArrayList<>(List.of("MSET"));
            for (int i = from; i < from + 1000; i++) {
                args.add(String.format("k%05d:%s", i, i % 4 == 0 ? "x" : "y"));
                args.add("v");
            }
            assertEquals("+OK\r\n", reply(args.toArray(String[]::new)));
        }
        assertEquals(":" + total / 4 + "\r\n", reply("PDEL", "*:x"));
        assertEquals(":" + total * 3 / 4 + "\r\n", reply("DBSIZE"));
        assertEquals(array(), reply("KEYS", "*:x", "LIMIT", "1"));
        assertEquals(array("k00001:y"), reply("KEYS", "*", "LIMIT", "1"));
        assertEquals(":" + total * 3 / 4 + "\r\n", reply("PDEL", "k*"));
        assertEquals(":0\r\n", reply("DBSIZE"));
    }

    @Test
    void pdelInsideExecIsPartOfTheTransaction() throws Exception {
        users();
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("PDEL", "user:*"));
        assertEquals("+QUEUED\r\n", reply("KEYS", "*", "WITHVALUES"));
        assertEquals("*2\r\n:5\r\n" + array("other:x", "o", "zeta", "z"), reply("EXEC"));
    }

    @Test
    void pdelTouchesWatchedKeys() throws Exception {
        users();
        try (RawRespClient other = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            assertEquals("+OK\r\n", new String(other.call("WATCH", "user:3").raw(), UTF_8));
            assertEquals(":0\r\n", reply("PDEL", "nothing*"));
            assertEquals("+OK\r\n", new String(other.call("MULTI").raw(), UTF_8));
            assertEquals("*0\r\n", new String(other.call("EXEC").raw(), UTF_8));
            assertEquals("+OK\r\n", new String(other.call("WATCH", "user:3").raw(), UTF_8));
            assertEquals(":5\r\n", reply("PDEL", "user:*"));
            assertEquals("+OK\r\n", new String(other.call("MULTI").raw(), UTF_8));
            assertEquals("*-1\r\n", new String(other.call("EXEC").raw(), UTF_8));
        }
    }
}
