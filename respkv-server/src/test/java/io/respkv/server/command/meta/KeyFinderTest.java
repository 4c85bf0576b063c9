package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFinderTest {

    private static final CommandCatalog CATALOG = CommandCatalog.redis();

    private static FoundKeys find(String command) {
        TestArgs args = TestArgs.of(command.split(" ", -1));
        return KeyFinder.find(CATALOG.get(args.string(0)), args, 0);
    }

    @Test
    void indexAndRange() {
        FoundKeys mset = find("mset a 1 b 2");
        assertArrayEquals(new int[] {1, 3}, mset.indexes());
        assertEquals(EnumSet.of(KeySpecFlag.OW, KeySpecFlag.UPDATE), mset.flags(0));
        assertArrayEquals(new int[] {1, 2}, find("rename a b").indexes());
        assertEquals(Set.of(KeySpecFlag.RW, KeySpecFlag.ACCESS, KeySpecFlag.DELETE), find("rename a b").flags(0));
        assertArrayEquals(new int[] {1, 2, 3}, find("del a b c").indexes());
    }

    @Test
    void keywordWithALimit() {
        assertArrayEquals(new int[] {4, 5}, find("xread count 1 streams a b 0 0").indexes());
        // the keyword search stops before the last argument, and an odd tail keeps the lower half
        assertArrayEquals(new int[] {2}, find("xread streams a b c").indexes());
        assertEquals(0, find("xread count streams").count());
    }

    @Test
    void keyNumAndTheCommandsOwnRuleWhenTheSpecDoesNotApply() {
        FoundKeys ok = find("zunionstore d 2 a b");
        assertArrayEquals(new int[] {1, 3, 4}, ok.indexes());
        assertEquals(KeySpecFlag.OW.bit() | KeySpecFlag.UPDATE.bit(), ok.flagBits(0));
        assertEquals(KeySpecFlag.RO.bit() | KeySpecFlag.ACCESS.bit(), ok.flagBits(1));
        // "2abc" is not a string2ll number, so the spec fails; Redis's own rule uses atoi
        FoundKeys fallback = find("zunionstore d 2abc a b");
        assertArrayEquals(new int[] {3, 4, 1}, fallback.indexes());
        assertEquals(0, fallback.flagBits(0));
        // numkeys is truncated to 32 bits as in C: 4294967298 keys means 2
        assertArrayEquals(new int[] {1, 3, 4}, find("zunionstore d 4294967298 a b").indexes());
        assertEquals(0, find("eval s 2 a").count());
    }

    @Test
    void backwardKeywordOfAnIncompleteSpecFallsBackToMigratesRule() {
        FoundKeys keys = find("migrate h 1  0 1 copy auth pw keys a b");
        assertArrayEquals(new int[] {10, 11}, keys.indexes());
        assertEquals(Set.of(KeySpecFlag.RW, KeySpecFlag.ACCESS, KeySpecFlag.DELETE), keys.flags(1));
        assertArrayEquals(new int[] {3}, find("migrate h 1 k 0 1").indexes());
        assertEquals(0, find("migrate h 1 k 0 1 keys a").count());
    }

    @Test
    void variableFlagsUseTheCommandsRule() {
        assertEquals(Set.of(KeySpecFlag.OW, KeySpecFlag.UPDATE), find("set k v").flags(0));
        assertEquals(Set.of(KeySpecFlag.RW, KeySpecFlag.ACCESS, KeySpecFlag.UPDATE), find("set k v nx GET").flags(0));
        assertEquals(Set.of(KeySpecFlag.RO, KeySpecFlag.ACCESS), find("bitfield k get u8 0").flags(0));
        assertEquals(Set.of(KeySpecFlag.RW, KeySpecFlag.ACCESS, KeySpecFlag.UPDATE), find("bitfield k get u8").flags(0));
    }

    @Test
    void sortKeepsTheLastStore() {
        FoundKeys keys = find("sort k store a by x store b");
        assertArrayEquals(new int[] {1, 7}, keys.indexes());
        assertEquals(Set.of(KeySpecFlag.OW, KeySpecFlag.UPDATE), keys.flags(1));
        assertArrayEquals(new int[] {1}, find("sort k store").indexes());
    }

    @Test
    void notKeySpecsAreSkipped() {
        CommandEntry spublish = CATALOG.get("spublish");
        assertFalse(spublish.hasKeys());
        assertEquals(0, find("spublish ch msg").count());
        assertTrue(CATALOG.get("sort").hasKeys());
        assertFalse(CATALOG.get("ping").hasKeys());
    }

    @Test
    void findsKeysOfACommandInsideALargerRequest() {
        TestArgs args = TestArgs.of("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2");
        FoundKeys keys = KeyFinder.find(CATALOG.get("mset"), args, 2);
        assertArrayEquals(new int[] {1, 3}, keys.indexes());
        assertEquals("FoundKeys[1[OW, UPDATE], 3[OW, UPDATE]]", keys.toString());
    }

    private static CArgs cargs(byte[]... args) {
        return new CArgs(new TestArgs(args), 0);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void cStringRules() {
        CArgs a = cargs(b(" 12x"), b("-5"), b("+7"), b("99999999999"), b("-99999999999999999999"), b("abc"),
                b("12\0003"), b("9223372036854775807"), b("\t\n-3"), b(""));
        assertEquals(12, a.atoi(0));
        assertEquals(-5, a.atoi(1));
        assertEquals(7, a.atoi(2));
        assertEquals((int) 99999999999L, a.atoi(3));
        assertEquals(0, a.atoi(4)); // strtol saturates to LONG_MIN, whose low 32 bits are 0
        assertEquals(0, a.atoi(5));
        assertEquals(12, a.atoi(6));
        assertEquals(-1, a.atoi(7));
        assertEquals(-3, a.atoi(8));
        assertEquals(0, a.atoi(9));
        CArgs w = cargs(b("STREAMS\000x"), b("stream"), b("streamsx"), b(""));
        assertTrue(w.is(0, "streams"));
        assertFalse(w.is(1, "streams"));
        assertFalse(w.is(2, "streams"));
        assertTrue(w.isEmpty(3));
        assertNull(w.parseLong(0));
    }
}
