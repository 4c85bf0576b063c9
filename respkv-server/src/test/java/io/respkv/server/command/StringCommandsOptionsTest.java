package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.CommandArgs;
import io.respkv.codec.RespRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link StringOptions}: SET and GETEX option parsing and expiry conversion, as Redis 7.0 does them. */
class StringCommandsOptionsTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void setAcceptsEachOptionAlone() {
        assertFlags(0, set());
        assertFlags(StringOptions.NX, set("NX"));
        assertFlags(StringOptions.XX, set("xx"));
        assertFlags(StringOptions.GET, set("Get"));
        assertFlags(StringOptions.KEEPTTL, set("keepttl"));
        assertFlags(StringOptions.EX, set("EX", "10"));
        assertFlags(StringOptions.PX, set("px", "10"));
        assertFlags(StringOptions.EXAT, set("EXAT", "10"));
        assertFlags(StringOptions.PXAT, set("pxat", "10"));
    }

    @Test
    void setAcceptsCompatibleCombinationsInAnyOrderAndRepeats() {
        assertFlags(StringOptions.NX | StringOptions.GET | StringOptions.EX, set("GET", "EX", "1", "NX"));
        assertFlags(StringOptions.XX | StringOptions.KEEPTTL | StringOptions.GET, set("KEEPTTL", "GET", "XX"));
        assertFlags(StringOptions.NX, set("NX", "nx", "NX"));
        assertFlags(StringOptions.GET, set("GET", "GET"));
        assertFlags(StringOptions.KEEPTTL, set("KEEPTTL", "KEEPTTL"));
        // The last expiry wins.
        assertEquals(NOW + 2000, expireAt(set("EX", "1", "EX", "2")));
    }

    @Test
    void setRejectsConflicts() {
        assertNull(parseSet(set("NX", "XX")));
        assertNull(parseSet(set("XX", "NX")));
        assertNull(parseSet(set("EX", "1", "PX", "1")));
        assertNull(parseSet(set("PX", "1", "EX", "1")));
        assertNull(parseSet(set("EXAT", "1", "PXAT", "1")));
        assertNull(parseSet(set("PXAT", "1", "EX", "1")));
        assertNull(parseSet(set("KEEPTTL", "EX", "1")));
        assertNull(parseSet(set("EX", "1", "KEEPTTL")));
        assertNull(parseSet(set("PXAT", "1", "KEEPTTL")));
    }

    @Test
    void setRejectsUnknownWordsMissingValuesAndGetexOptions() {
        assertNull(parseSet(set("EX")));
        assertNull(parseSet(set("NX", "PX")));
        assertNull(parseSet(set("PERSIST")));
        assertNull(parseSet(set("NXX")));
        assertNull(parseSet(set("N")));
        assertNull(parseSet(set("")));
        assertNull(parseSet(set("EX", "1", "junk")));
    }

    @Test
    void expiryKeywordConsumesWhateverFollows() {
        // "EX NX": NX is the (invalid) expiry value, not an option; the error comes at execution.
        StringOptions o = parseSet(set("EX", "NX"));
        assertNotNull(o);
        assertFlags(StringOptions.EX, set("EX", "NX"));
        assertEquals(StringOptions.NOT_AN_INTEGER, o.expireAt(set("EX", "NX"), NOW));
    }

    @Test
    void keywordsCompareLikeCStrings() {
        CommandArgs withNul = args("SET", "k", "v", "NX\0junk");
        assertEquals(StringOptions.NX, flagsOf(StringOptions.parseSet(withNul)));
        assertTrue(StringOptions.keyword(args("KEEPTTL\0"), 0, "KEEPTTL"));
        assertTrue(StringOptions.keyword(args("keepTTL"), 0, "KEEPTTL"));
        assertFalse(StringOptions.keyword(args("KEEPTT"), 0, "KEEPTTL"));
        assertFalse(StringOptions.keyword(args("\0KEEPTTL"), 0, "KEEPTTL"));
        assertFalse(StringOptions.keyword(args("KEEPTTLX"), 0, "KEEPTTL"));
    }

    @Test
    void getexOptions() {
        assertEquals(0, flagsOf(StringOptions.parseGetEx(getex())));
        assertEquals(StringOptions.PERSIST, flagsOf(StringOptions.parseGetEx(getex("persist"))));
        assertEquals(StringOptions.PX, flagsOf(StringOptions.parseGetEx(getex("PX", "5"))));
        assertNull(StringOptions.parseGetEx(getex("PERSIST", "EX", "1")));
        assertNull(StringOptions.parseGetEx(getex("EX", "1", "PERSIST")));
        assertNull(StringOptions.parseGetEx(getex("NX")));
        assertNull(StringOptions.parseGetEx(getex("XX")));
        assertNull(StringOptions.parseGetEx(getex("GET")));
        assertNull(StringOptions.parseGetEx(getex("KEEPTTL")));
        assertNull(StringOptions.parseGetEx(getex("EX")));
    }

    @Test
    void relativeAndAbsoluteDeadlines() {
        assertEquals(NOW + 10_000, expireAt(set("EX", "10")));
        assertEquals(NOW + 10, expireAt(set("PX", "10")));
        assertEquals(10_000, expireAt(set("EXAT", "10")));
        assertEquals(10, expireAt(set("PXAT", "10")));
        assertEquals(9_223_372_036_854_775_000L, expireAt(set("EXAT", "9223372036854775")));
        assertEquals(Long.MAX_VALUE, expireAt(set("PXAT", "9223372036854775807")));
        CommandArgs setex = args("SETEX", "k", "7", "v");
        assertEquals(NOW + 7000, StringOptions.expiry(StringOptions.EX, 2).expireAt(setex, NOW));
        assertEquals(NOW + 7, StringOptions.expiry(StringOptions.PX, 2).expireAt(setex, NOW));
    }

    @Test
    void invalidDeadlines() {
        assertEquals(StringOptions.INVALID, expireAt(set("EX", "0")));
        assertEquals(StringOptions.INVALID, expireAt(set("PX", "-1")));
        assertEquals(StringOptions.INVALID, expireAt(set("PXAT", "0")));
        // Seconds that overflow when multiplied by 1000.
        assertEquals(StringOptions.INVALID, expireAt(set("EXAT", "9223372036854776")));
        // A relative deadline that overflows when "now" is added.
        assertEquals(StringOptions.INVALID, expireAt(set("EX", "9223372036854775")));
        assertEquals(StringOptions.INVALID, expireAt(set("PX", "9223372036854775807")));
        assertEquals(StringOptions.NOT_AN_INTEGER, expireAt(set("EX", "abc")));
        assertEquals(StringOptions.NOT_AN_INTEGER, expireAt(set("EX", "+1")));
        assertEquals(StringOptions.NOT_AN_INTEGER, expireAt(set("EX", " 1")));
        assertEquals(StringOptions.NOT_AN_INTEGER, expireAt(set("EX", "1.5")));
        assertEquals(StringOptions.NOT_AN_INTEGER, expireAt(set("EX", "9223372036854775808")));
    }

    // ---------------------------------------------------------------- helpers

    private static CommandArgs set(String... options) {
        String[] all = new String[options.length + 3];
        all[0] = "SET";
        all[1] = "k";
        all[2] = "v";
        System.arraycopy(options, 0, all, 3, options.length);
        return args(all);
    }

    private static CommandArgs getex(String... options) {
        String[] all = new String[options.length + 2];
        all[0] = "GETEX";
        all[1] = "k";
        System.arraycopy(options, 0, all, 2, options.length);
        return args(all);
    }

    private static StringOptions parseSet(CommandArgs a) {
        return StringOptions.parseSet(a);
    }

    private static void assertFlags(int expected, CommandArgs a) {
        assertEquals(expected, flagsOf(StringOptions.parseSet(a)));
    }

    private static long expireAt(CommandArgs a) {
        StringOptions o = StringOptions.parseSet(a);
        assertNotNull(o);
        assertTrue(o.hasExpiry());
        return o.expireAt(a, NOW);
    }

    private static int flagsOf(StringOptions o) {
        assertNotNull(o, "expected the options to parse");
        int flags = 0;
        for (int bit = 0; bit < 9; bit++) {
            if (o.has(1 << bit)) {
                flags |= 1 << bit;
            }
        }
        return flags;
    }

    static CommandArgs args(String... words) {
        byte[][] a = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            a[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return RespRequest.of(a);
    }
}
