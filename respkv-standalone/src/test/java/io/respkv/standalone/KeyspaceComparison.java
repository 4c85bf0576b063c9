package io.respkv.standalone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asserts that two servers hold the same keyspace: in every database, the same keys, and for
 * each the same type, value and TTL (within {@link #TTL_TOLERANCE_MS}). Keys and values are
 * compared as bytes; the order of unordered replies (KEYS, SMEMBERS, HGETALL) is ignored.
 */
final class KeyspaceComparison {

    static final long TTL_TOLERANCE_MS = 1000;

    private KeyspaceComparison() {
    }

    /** Compares databases {@code 0 .. databases - 1}; returns the number of keys compared. */
    static long assertSameKeyspace(RawRespClient expected, RawRespClient actual, int databases) throws IOException {
        long compared = 0;
        for (int db = 0; db < databases; db++) {
            assertEquals("OK", expected.call("SELECT", Integer.toString(db)).text());
            assertEquals("OK", actual.call("SELECT", Integer.toString(db)).text());
            TreeMap<String, byte[]> keys = keys(expected);
            assertEquals(keys.keySet(), keys(actual).keySet(), "keys of db " + db);
            for (byte[] key : keys.values()) {
                String where = "db " + db + " key " + HexFormat.of().formatHex(key);
                String type = call(expected, "TYPE", key).text();
                assertEquals(type, call(actual, "TYPE", key).text(), where);
                switch (type) {
                    case "string", "list", "zset" -> assertArrayEquals(read(expected, type, key).raw(),
                            read(actual, type, key).raw(), where);
                    case "hash" -> assertEquals(pairs(read(expected, type, key)), pairs(read(actual, type, key)), where);
                    case "set" -> assertEquals(members(read(expected, type, key)), members(read(actual, type, key)), where);
                    default -> throw new AssertionError("unexpected type " + type + " at " + where);
                }
                long ttlExpected = call(expected, "PTTL", key).integer();
                long ttlActual = call(actual, "PTTL", key).integer();
                if (ttlExpected < 0 || ttlActual < 0) {
                    assertEquals(ttlExpected, ttlActual, "PTTL at " + where);
                } else {
                    assertTrue(Math.abs(ttlExpected - ttlActual) <= TTL_TOLERANCE_MS,
                            "PTTL at " + where + ": " + ttlExpected + " vs " + ttlActual);
                }
                compared++;
            }
        }
        return compared;
    }

    private static RespFrame read(RawRespClient c, String type, byte[] key) throws IOException {
        return switch (type) {
            case "string" -> call(c, "GET", key);
            case "list" -> call(c, "LRANGE", key, "0", "-1");
            case "zset" -> call(c, "ZRANGE", key, "0", "-1", "WITHSCORES");
            case "hash" -> call(c, "HGETALL", key);
            case "set" -> call(c, "SMEMBERS", key);
            default -> throw new AssertionError(type);
        };
    }

    private static RespFrame call(RawRespClient c, String verb, byte[] key, String... rest) throws IOException {
        byte[][] args = new byte[2 + rest.length][];
        args[0] = verb.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        args[1] = key;
        for (int i = 0; i < rest.length; i++) {
            args[2 + i] = rest[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        RespFrame reply = c.call(RespCommand.of(args));
        assertTrue(!reply.isError(), verb + ": " + reply);
        return reply;
    }

    private static TreeMap<String, byte[]> keys(RawRespClient c) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        for (RespFrame k : c.call("KEYS", "*").elements()) {
            out.put(HexFormat.of().formatHex(k.payload()), k.payload());
        }
        return out;
    }

    private static Map<String, String> pairs(RespFrame reply) {
        Map<String, String> out = new TreeMap<>();
        List<RespFrame> e = reply.elements();
        for (int i = 0; i < e.size(); i += 2) {
            out.put(HexFormat.of().formatHex(e.get(i).payload()), HexFormat.of().formatHex(e.get(i + 1).payload()));
        }
        return out;
    }

    private static TreeSet<String> members(RespFrame reply) {
        TreeSet<String> out = new TreeSet<>();
        for (RespFrame m : reply.elements()) {
            out.add(HexFormat.of().formatHex(m.payload()));
        }
        return out;
    }
}
