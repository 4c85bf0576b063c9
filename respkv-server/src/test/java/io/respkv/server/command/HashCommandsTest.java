package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespkvServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Hash commands where respkv answers differently from Redis by design (docs/compatibility.md):
 * field order, HSCAN's exact COUNT and its cursors under concurrent writes, and the bound on
 * HRANDFIELD's negative count.
 */
class HashCommandsTest extends RespkvServerTest {

    @Test
    void fieldsComeInByteOrder() throws Exception {
        assertEquals(":3\r\n", reply("HSET", "h", "b", "2", "c", "3", "a", "1"));
        assertEquals("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", reply("HKEYS", "h"));
        assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", reply("HVALS", "h"));
        assertEquals("*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", reply("HGETALL", "h"));
    }

    @Test
    void hscanCountIsExact() throws Exception {
        assertEquals(":5\r\n", reply("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"));
        RespFrame first = c.call("HSCAN", "h", "0", "COUNT", "2");
        assertNotEquals("0", first.elements().get(0).text(), "Redis would return the small hash whole");
        assertEquals("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", new String(first.elements().get(1).raw(), UTF_8));
        RespFrame second = c.call("HSCAN", "h", first.elements().get(0).text(), "COUNT", "2");
        assertEquals("*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n", new String(second.elements().get(1).raw(), UTF_8));
        RespFrame third = c.call("HSCAN", "h", second.elements().get(0).text(), "COUNT", "2");
        assertEquals("0", third.elements().get(0).text());
        assertEquals("*2\r\n$1\r\ne\r\n$1\r\n5\r\n", new String(third.elements().get(1).raw(), UTF_8));
    }

    @Test
    void hscanReturnsEveryFieldThatStaysDespiteConcurrentWrites() throws Exception {
        List<String> args = new ArrayList<>(List.of("HSET", "h"));
        Set<String> stable = new TreeSet<>();
        for (int i = 0; i < 200; i++) {
            String field = "field:" + String.format("%03d", i) + ":" + "x".repeat(i % 9);
            args.add(field);
            args.add("v");
            if (i % 4 != 0) {
                stable.add(field);
            }
        }
        c.call(args.toArray(new String[0]));
        Set<String> seen = new TreeSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            RespFrame r = c.call("HSCAN", "h", cursor, "COUNT", "7");
            cursor = r.elements().get(0).text();
            List<RespFrame> items = r.elements().get(1).elements();
            for (int i = 0; i < items.size(); i += 2) {
                assertTrue(seen.add(items.get(i).text()), "returned twice: " + items.get(i).text());
            }
            // Between calls: remove some unstable fields, add new ones before and after the cursor.
            c.call("HDEL", "h", "field:" + String.format("%03d", calls * 4 % 200) + ":" + "x".repeat(calls * 4 % 200 % 9));
            c.call("HSET", "h", "aaa:" + calls, "new", "zzz:" + calls, "new");
            calls++;
        } while (!cursor.equals("0") && calls < 1000);
        assertEquals("0", cursor);
        Set<String> missing = new TreeSet<>(stable);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing);
    }

    @Test
    void hrandfieldNegativeCountIsBounded() throws Exception {
        int max = HashCommands.MAX_RANDOM_FIELDS;
        assertEquals(":1\r\n", reply("HSET", "h", "f", "v"));
        String tooMany = Long.toString(-(long) max - 1);
        assertEquals("-ERR value is out of range, respkv returns at most " + max + " random fields per call\r\n",
                reply("HRANDFIELD", "h", tooMany));
        assertEquals("-ERR value is out of range, respkv returns at most " + max + " random fields per call\r\n",
                reply("HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"));
        assertEquals("*0\r\n", reply("HRANDFIELD", "nokey", tooMany), "a missing key is looked at first");
        RespFrame many = c.call("HRANDFIELD", "h", "-100000");
        assertEquals(100_000, many.elements().size());
    }

}
