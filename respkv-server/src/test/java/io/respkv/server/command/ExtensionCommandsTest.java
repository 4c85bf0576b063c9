package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvServerTest;
import io.respkv.server.keyspace.KeyCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** respkv's extensions (docs/commands.md): KEYS with PIVOT, LIMIT, DESC, WITHVALUES, PDEL and DELRANGE, exact replies. */
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

    // ---- DELRANGE ----

    /** The exact reply to a command given in redis-cli syntax (quotes, \xNN escapes). */
    private String replyTo(String line) throws Exception {
        return new String(c.call(RespCommand.parse(line)).raw(), UTF_8);
    }

    @Test
    void delrangeDeletesTheKeysFromStartUpToEnd() throws Exception {
        users();
        assertEquals(":3\r\n", reply("DELRANGE", "user:2", "user:5"));
        assertEquals(array("other:x", "user:1", "user:5", "zeta"), reply("KEYS", "*"));
        assertEquals(":0\r\n", reply("DELRANGE", "user:2", "user:5"));
        // bounds need not exist; end is exclusive, start inclusive
        assertEquals(":1\r\n", reply("DELRANGE", "user:", "user:10"));
        assertEquals(":1\r\n", reply("DELRANGE", "user:5", "user:50"));
        assertEquals(":2\r\n", reply("DELRANGE", "", "\u007f"));
        assertEquals(":0\r\n", reply("DBSIZE"));
        assertEquals("-ERR wrong number of arguments for 'delrange' command\r\n", reply("DELRANGE"));
        assertEquals("-ERR wrong number of arguments for 'delrange' command\r\n", reply("DELRANGE", "a"));
        assertEquals("-ERR wrong number of arguments for 'delrange' command\r\n", reply("DELRANGE", "a", "b", "c"));
    }

    @Test
    void delrangeOfAnEmptyOrReversedRangeDeletesNothing() throws Exception {
        assertEquals(":0\r\n", reply("DELRANGE", "a", "z"));
        users();
        assertEquals(":0\r\n", reply("DELRANGE", "user:3", "user:3"));
        assertEquals(":0\r\n", reply("DELRANGE", "user:5", "user:1"));
        assertEquals(":0\r\n", reply("DELRANGE", "zz", "a"));
        assertEquals(":0\r\n", reply("DELRANGE", "user:10", "user:2")); // between user:1 and user:2: empty
        assertEquals(":0\r\n", reply("DELRANGE", "user:1\u0000", "user:2"));
        assertEquals(":7\r\n", reply("DBSIZE"));
    }

    @Test
    void delrangeComparesBinaryKeysByteByByte() throws Exception {
        for (String key : new String[] {"\"\"", "k", "\"k\\x00\"", "\"k\\x00\\x00\"", "\"k\\x01\"", "\"k\\x7f\"",
                "\"k\\x80\"", "\"k\\xff\"", "\"k\\xff\\xff\"", "l"}) {
            assertEquals("+OK\r\n", replyTo("SET " + key + " v"));
        }
        // [k\x00, k\x80): k\x00, k\x00\x00, k\x01, k\x7f (not k, not k\x80: 0x80 > 0x7f unsigned)
        assertEquals(":4\r\n", replyTo("DELRANGE \"k\\x00\" \"k\\x80\""));
        byte[] keys = c.call("KEYS", "*").raw();
        assertArrayEquals(bytes("*6\r\n$0\r\n\r\n$1\r\nk\r\n$2\r\nk", 0x80, "\r\n$2\r\nk", 0xff, "\r\n$3\r\nk", 0xff, 0xff,
                "\r\n$1\r\nl\r\n"), keys);
        // the empty key is the least key; an end past every 0xff run covers them
        assertEquals(":1\r\n", reply("DELRANGE", "", "k"));
        assertEquals(":3\r\n", replyTo("DELRANGE \"k\\x80\" \"k\\xff\\xff\\x00\""));
        assertEquals(array("k", "l"), reply("KEYS", "*"));
    }

    /** Text pieces (UTF-8) and single bytes (Integers) concatenated. */
    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(((String) part).getBytes(UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Test
    void delrangeStaysInItsDatabaseAndSkipsExpiredKeys() throws Exception {
        assertEquals("+OK\r\n", reply("MSET", "a", "0", "b", "0"));
        assertEquals("+OK\r\n", reply("SELECT", "1"));
        assertEquals("+OK\r\n", reply("MSET", "a", "1", "b", "1", "c", "1"));
        assertEquals("+OK\r\n", reply("SET", "ab", "gone", "PX", "1"));
        Thread.sleep(20);
        assertEquals(":3\r\n", reply("DELRANGE", "a", "d"));
        assertEquals("+OK\r\n", reply("SELECT", "0"));
        assertEquals(array("a", "b"), reply("KEYS", "*"));
    }

    @Test
    void delrangeRetiresCollectionsAndExpiryEntries() throws Exception {
        assertEquals(":3\r\n", reply("HSET", "c:hash", "f1", "v1", "f2", "v2", "f3", "v3"));
        assertEquals(":3\r\n", reply("RPUSH", "c:list", "a", "b", "c"));
        assertEquals(":2\r\n", reply("SADD", "c:set", "m1", "m2"));
        assertEquals(":2\r\n", reply("ZADD", "c:zset", "1", "m1", "2", "m2"));
        assertEquals("+OK\r\n", reply("SET", "c:str", "v", "EX", "1000"));
        assertEquals(":1\r\n", reply("PEXPIRE", "c:hash", "1000000"));
        assertEquals(":1\r\n", reply("SADD", "d:set", "kept"));
        assertEquals("+OK\r\n", reply("SET", "d:str", "v", "EX", "1000"));
        assertEquals(":5\r\n", reply("DELRANGE", "c:", "c;"));
        assertEquals(array("d:set", "d:str"), reply("KEYS", "*"));
        assertEquals(":0\r\n", reply("HLEN", "c:hash"));
        assertEquals(":-2\r\n", reply("TTL", "c:str"));
        // a new collection at a deleted key starts empty
        assertEquals(":1\r\n", reply("RPUSH", "c:list", "new"));
        assertEquals(array("new"), reply("LRANGE", "c:list", "0", "-1"));
        assertEquals(":1\r\n", reply("DEL", "c:list"));
        // the expiry index holds only d:str's entry at once; the sweeper reclaims every element
        // of the deleted collections (their garbage markers go when it is done)
        assertEquals(List.of("d:str"), userKeysOf(KeyCodec.EXPIRY));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(userKeysOf(KeyCodec.ELEMENT).equals(List.of("d:set")) && userKeysOf(KeyCodec.GARBAGE).isEmpty())) {
            assertTrue(System.nanoTime() < deadline, "not reclaimed: elements of " + userKeysOf(KeyCodec.ELEMENT)
                    + ", markers of " + userKeysOf(KeyCodec.GARBAGE));
            Thread.sleep(20);
        }
        assertEquals(array("kept"), reply("SMEMBERS", "d:set"));
    }

    /** The user key of every engine entry of {@code family} in database 0, in engine order. */
    private List<String> userKeysOf(byte family) {
        List<String> out = new ArrayList<>();
        byte[] prefix = KeyCodec.familyPrefix(family, 0);
        try (Transaction txn = server.engine().begin(); KvCursor cursor = txn.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (cursor.next()) {
                byte[] k = cursor.key();
                byte[] user = family == KeyCodec.EXPIRY ? KeyCodec.userKeyOfExpiry(k)
                        : Arrays.copyOfRange(k, 7, 7 + ByteBuffer.wrap(k, 3, 4).getInt());
                out.add(new String(user, UTF_8));
            }
        }
        return out;
    }

    @Test
    void delrangeWorksInBatchesOverManyKeys() throws Exception {
        int total = 5_000; // several ExtensionCommands.PDEL_BATCH steps
        for (int from = 0; from < total; from += 1000) {
            List<String> args = new ArrayList<>(List.of("MSET"));
            for (int i = from; i < from + 1000; i++) {
                args.add(String.format("k%05d", i));
                args.add("v");
            }
            assertEquals("+OK\r\n", reply(args.toArray(String[]::new)));
        }
        assertEquals(":" + (4321 - 7) + "\r\n", reply("DELRANGE", "k00007", "k04321"));
        assertEquals(":" + (total - 4321 + 7) + "\r\n", reply("DBSIZE"));
        assertEquals(array("k00005", "k00006", "k04321", "k04322"), reply("KEYS", "*", "PIVOT", "k00004", "LIMIT", "4"));
    }

    @Test
    void delrangeInsideExecIsPartOfTheTransaction() throws Exception {
        users();
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("DELRANGE", "user:", "user;"));
        assertEquals("+QUEUED\r\n", reply("DELRANGE", "b", "a"));
        assertEquals("+QUEUED\r\n", reply("KEYS", "*", "WITHVALUES"));
        assertEquals("*3\r\n:5\r\n:0\r\n" + array("other:x", "o", "zeta", "z"), reply("EXEC"));
    }

    @Test
    void delrangeTouchesWatchedKeysInItsRangeOnly() throws Exception {
        users();
        try (RawRespClient other = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            assertEquals("+OK\r\n", text(other.call("WATCH", "zeta")));
            assertEquals(":3\r\n", reply("DELRANGE", "user:1", "user:4"));
            assertEquals("+OK\r\n", text(other.call("MULTI")));
            assertEquals("*0\r\n", text(other.call("EXEC")));
            assertEquals("+OK\r\n", text(other.call("WATCH", "user:4", "zeta")));
            assertEquals(":0\r\n", reply("DELRANGE", "user:5", "user:4"));
            assertEquals(":1\r\n", reply("DELRANGE", "user:40", "user:9"));
            assertEquals("+OK\r\n", text(other.call("MULTI")));
            assertEquals("*0\r\n", text(other.call("EXEC")));
            assertEquals("+OK\r\n", text(other.call("WATCH", "user:4")));
            assertEquals(":1\r\n", reply("DELRANGE", "user:", "user:5"));
            assertEquals("+OK\r\n", text(other.call("MULTI")));
            assertEquals("*-1\r\n", text(other.call("EXEC")));
        }
    }

    private static String text(RespFrame frame) {
        return new String(frame.raw(), UTF_8);
    }

    @Test
    void delrangeReportsADelEventPerKey() throws Exception {
        try (RawRespClient sub = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            assertEquals("+OK\r\n", reply("CONFIG", "SET", "notify-keyspace-events", "KEg"));
            try {
                sub.call("SUBSCRIBE", "__keyevent@0__:del");
                sub.call("SUBSCRIBE", "__keyspace@0__:k01500");
                int n = 2500; // more than two batches
                for (int from = 0; from < n; from += 500) {
                    List<String> args = new ArrayList<>(List.of("MSET"));
                    for (int i = from; i < from + 500; i++) {
                        args.add(String.format("k%05d", i));
                        args.add("v");
                    }
                    assertEquals("+OK\r\n", reply(args.toArray(String[]::new)));
                }
                assertEquals(":1\r\n", reply("HSET", "l", "f", "v"));
                assertEquals(":" + (n + 1) + "\r\n", reply("DELRANGE", "k", "m"));
                for (int i = 0; i < n; i++) {
                    if (i == 1500) {
                        assertEquals(array("message", "__keyspace@0__:k01500", "del"), text(sub.readReply()));
                    }
                    assertEquals(array("message", "__keyevent@0__:del", String.format("k%05d", i)), text(sub.readReply()));
                }
                assertEquals(array("message", "__keyevent@0__:del", "l"), text(sub.readReply()));
                assertEquals(":0\r\n", reply("DELRANGE", "k", "m"));
                assertEquals(":1\r\n", reply("SADD", "s", "x"));
                assertEquals(":1\r\n", reply("DELRANGE", "s", "t"));
                assertEquals(array("message", "__keyevent@0__:del", "s"), text(sub.readReply()));
            } finally {
                assertEquals("+OK\r\n", reply("CONFIG", "SET", "notify-keyspace-events", ""));
            }
        }
    }
}
