package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.difftest.RespkvServerTest;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.RedisType;
import org.junit.jupiter.api.Test;

/**
 * OBJECT where respkv answers differently from Redis by design (docs/compatibility.md):
 * collections report one encoding whatever their size, IDLETIME and FREQ refuse with respkv's
 * own errors instead of numbers respkv does not track, and string encodings follow the value's
 * shape whatever command wrote it.
 */
class ObjectCommandsTest extends RespkvServerTest {

    @Test
    void collectionsHaveOneEncodingWhateverTheirSize() throws Exception {
        // Redis says "listpack" for a small hash; respkv stores every hash the same way.
        assertEquals(":1\r\n", reply("HSET", "small", "f", "v"));
        assertEquals("$9\r\nhashtable\r\n", reply("OBJECT", "ENCODING", "small"));
        assertEquals(":1\r\n", reply("OBJECT", "REFCOUNT", "small"));
        assertEquals("hashtable", ObjectCommands.encodingOf(KeyMeta.collection(RedisType.SET, 0, 1, 1)));
        assertEquals("skiplist", ObjectCommands.encodingOf(KeyMeta.collection(RedisType.ZSET, 0, 1, 1)));
        assertEquals("quicklist", ObjectCommands.encodingOf(KeyMeta.collection(RedisType.LIST, 0, 1, 1)));
    }

    @Test
    void stringEncodingFollowsTheValueShape() throws Exception {
        // Redis would say "raw" after APPEND; respkv keeps no history of how a value was written.
        assertEquals("+OK\r\n", reply("SET", "s", "1"));
        assertEquals(":2\r\n", reply("APPEND", "s", "2"));
        assertEquals("$3\r\nint\r\n", reply("OBJECT", "ENCODING", "s"));
        assertEquals(":2147483647\r\n", reply("OBJECT", "REFCOUNT", "s"));
        // Redis: "embstr" for INCRBYFLOAT's result, even when it prints as an integer.
        assertEquals("$1\r\n2\r\n", reply("INCRBYFLOAT", "s", "-10"));
        assertEquals("$3\r\nint\r\n", reply("OBJECT", "ENCODING", "s"));
        assertEquals("$3\r\n2.5\r\n", reply("INCRBYFLOAT", "s", "0.5"));
        assertEquals("$6\r\nembstr\r\n", reply("OBJECT", "ENCODING", "s"));
        assertEquals(":1\r\n", reply("OBJECT", "REFCOUNT", "s"));
    }

    @Test
    void idletimeAndFreqAreRefusedNotMadeUp() throws Exception {
        assertEquals("+OK\r\n", reply("SET", "k", "v"));
        assertEquals("-ERR respkv does not track access times, idle time not available\r\n",
                reply("OBJECT", "IDLETIME", "k"));
        assertEquals("$-1\r\n", reply("OBJECT", "IDLETIME", "nokey"));
        assertEquals("+OK\r\n", reply("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"));
        try {
            assertEquals("-ERR respkv does not track access frequency, access frequency not available\r\n",
                    reply("OBJECT", "FREQ", "k"));
            assertEquals("$-1\r\n", reply("OBJECT", "FREQ", "nokey"));
        } finally {
            assertEquals("+OK\r\n", reply("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        }
    }

}
