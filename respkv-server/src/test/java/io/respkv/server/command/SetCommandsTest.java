package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespkvServerTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Set commands where respkv answers differently from Redis by design (docs/compatibility.md):
 * member order, SSCAN's exact COUNT and its cursors under concurrent writes, the bound on
 * SRANDMEMBER's negative count, and random draws from large sets.
 */
class SetCommandsTest extends RespkvServerTest {

    @Test
    void membersComeInByteOrder() throws Exception {
        assertEquals(":4\r\n", reply("SADD", "s", "b", "10", "a", "9"));
        assertEquals("*4\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\na\r\n$1\r\nb\r\n", reply("SMEMBERS", "s"));
        assertEquals(":2\r\n", reply("SADD", "t", "a", "9"));
        assertEquals("*2\r\n$1\r\n9\r\n$1\r\na\r\n", reply("SINTER", "s", "t"));
        assertEquals("*2\r\n$2\r\n10\r\n$1\r\nb\r\n", reply("SDIFF", "s", "t"));
    }

    @Test
    void sscanCountIsExact() throws Exception {
        assertEquals(":5\r\n", reply("SADD", "s", "1", "2", "3", "4", "5"));
        RespFrame first = c.call("SSCAN", "s", "0", "COUNT", "2");
        assertNotEquals("0", first.elements().get(0).text(), "Redis would return the small intset whole");
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", new String(first.elements().get(1).raw(), UTF_8));
        RespFrame second = c.call("SSCAN", "s", first.elements().get(0).text(), "COUNT", "2");
        assertEquals("*2\r\n$1\r\n3\r\n$1\r\n4\r\n", new String(second.elements().get(1).raw(), UTF_8));
        RespFrame third = c.call("SSCAN", "s", second.elements().get(0).text(), "COUNT", "2");
        assertEquals("0", third.elements().get(0).text());
        assertEquals("*1\r\n$1\r\n5\r\n", new String(third.elements().get(1).raw(), UTF_8));
    }

    @Test
    void sscanReturnsEveryMemberThatStaysDespiteConcurrentWrites() throws Exception {
        List<String> args = new ArrayList<>(List.of("SADD", "s"));
        Set<String> stable = new TreeSet<>();
        for (int i = 0; i < 200; i++) {
            String member = "member:" + String.format("%03d", i) + ":" + "x".repeat(i % 9);
            args.add(member);
            stable.add(member);
        }
        reply(args.toArray(new String[0]));
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            RespFrame page = c.call("SSCAN", "s", cursor, "COUNT", "7");
            cursor = page.elements().get(0).text();
            for (RespFrame m : page.elements().get(1).elements()) {
                seen.add(m.text());
            }
            // Members come and go between calls, on both sides of the cursor.
            reply("SADD", "s", "member:" + String.format("%03d", calls * 7 % 200) + ":new" + calls);
            reply("SREM", "s", "member:" + String.format("%03d", (calls * 13 + 100) % 200) + ":new" + (calls - 1));
            calls++;
        } while (!cursor.equals("0") && calls < 1_000);
        assertEquals("0", cursor);
        assertTrue(seen.containsAll(stable), "members present throughout were all returned");
    }

    @Test
    void srandmemberNegativeCountIsBounded() throws Exception {
        reply("SADD", "s", "a");
        String limit = Long.toString(SetCommands.MAX_REPEATED_DRAWS);
        assertEquals("-ERR value is out of range, respkv returns at most " + limit + " random members per call\r\n",
                reply("SRANDMEMBER", "s", "-" + (SetCommands.MAX_REPEATED_DRAWS + 1)));
        assertEquals("-ERR value is out of range, respkv returns at most " + limit + " random members per call\r\n",
                reply("SRANDMEMBER", "s", "-9223372036854775807"));
        // Redis's own range check comes first, and a missing key answers before the bound.
        assertEquals("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
                reply("SRANDMEMBER", "s", "-9223372036854775808"));
        assertEquals("*0\r\n", reply("SRANDMEMBER", "nokey", "-9223372036854775807"));
        RespFrame many = c.call("SRANDMEMBER", "s", "-100000");
        assertEquals(100_000, many.elements().size());
        assertEquals("a", many.elements().get(99_999).text());
    }

    @Test
    void largeSetsDrawEveryMember() throws Exception {
        List<String> args = new ArrayList<>(List.of("SADD", "s"));
        for (int i = 0; i < 2_000; i++) {
            args.add("user:" + i);
        }
        reply(args.toArray(new String[0]));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            for (RespFrame m : c.call("SRANDMEMBER", "s", "-1000").elements()) {
                seen.add(m.text());
            }
        }
        // The sampler is near uniform, not exact ("user:<i>" without padding leaves uneven gaps):
        // 100,000 draws reach every member unless one is drawn at under a fifth of its share
        // (then it is missed with probability about e^-10).
        assertEquals(2_000, seen.size(), "reached " + seen.size() + " of 2000 members");
        Set<String> distinct = new HashSet<>();
        for (RespFrame m : c.call("SRANDMEMBER", "s", "600").elements()) {
            assertTrue(distinct.add(m.text()), "repeated " + m.text());
        }
        assertEquals(600, distinct.size());
    }
}
