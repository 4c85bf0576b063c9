package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandCatalogTest {

    private static final CommandCatalog CATALOG = CommandCatalog.redis();

    private static String resource(String name) throws IOException {
        try (InputStream in = CommandCatalog.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void getIsAFastReadOnlyStringCommandWithOneKey() {
        CommandSpec get = CATALOG.spec("get");
        assertEquals(new CommandSpec("get", 2, Set.of(CommandFlag.READONLY, CommandFlag.FAST), 1, 1, 1,
                Set.of("read", "string", "fast")), get);
        assertEquals(List.of(new KeySpec(KeySpecFlag.RO.bit() | KeySpecFlag.ACCESS.bit(), new KeySpec.Index(1),
                new KeySpec.Range(0, 1, 0))), CATALOG.get("get").keySpecs());
        assertEquals("{\"summary\":\"Get the value of a key\",\"since\":\"1.0.0\",\"group\":\"string\","
                + "\"complexity\":\"O(1)\",\"arguments\":[{\"name\":\"key\",\"type\":\"key\",\"key_spec_index\":0}]}",
                ReplyTreeText.format(CATALOG.docs("get")));
    }

    @Test
    void legacyKeyPositionsOfMultiKeyCommands() {
        CommandSpec mset = CATALOG.spec("mset");
        assertEquals(List.of(1, -1, 2), List.of(mset.firstKey(), mset.lastKey(), mset.keyStep()));
        assertTrue(mset.isWrite());
        assertTrue(CATALOG.spec("zunionstore").is(CommandFlag.MOVABLEKEYS));
        assertTrue(CATALOG.spec("eval").is(CommandFlag.NO_MANDATORY_KEYS));
        assertTrue(CATALOG.get("mset").inAclCategory("STRING"));
        assertFalse(CATALOG.get("mset").inAclCategory("@string"));
        assertFalse(CATALOG.get("mset").inAclCategory("\u212Aeyspace")); // the Kelvin sign is not a K to Redis
        assertTrue(CATALOG.get("del").inAclCategory("Keyspace"));
        assertEquals(-1, CATALOG.spec("command").arity());
    }

    @Test
    void subcommandsAreKnownByTheirFullName() {
        CommandEntry configGet = CATALOG.get("config|get");
        assertNotNull(configGet);
        assertEquals("config", configGet.container());
        assertEquals(-3, configGet.spec().arity());
        assertTrue(configGet.spec().is(CommandFlag.ADMIN));
        assertEquals(List.of("config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"),
                CATALOG.subcommands("config"));
        assertEquals(List.of(), CATALOG.subcommands("get"));
        assertEquals(List.of(), CATALOG.subcommands("nope"));
        assertSame(configGet, CATALOG.lookup("CONFIG|Get"));
        assertNull(CATALOG.lookup("config|"));
        assertNull(CATALOG.get("CONFIG"));
        assertEquals("Get the values of configuration parameters",
                ((ReplyTree.Bulk) CATALOG.docs("config|get").get("summary")).text());
        assertSame(CATALOG.docs("config|get"),
                ((ReplyTree.Map) CATALOG.docs("config").get("subcommands")).get("config|get"));
    }

    @Test
    void everyCommandBuildsAValidSpecAndHasDocs() {
        assertEquals(240, CATALOG.topLevel().size());
        int subcommands = 0;
        for (CommandEntry e : CATALOG.all()) {
            assertSame(e, CATALOG.get(e.name()));
            assertEquals(e.name(), e.spec().name());
            assertEquals(e.info(), CATALOG.info(e.name()));
            assertNotNull(CATALOG.docs(e), e.name());
            assertEquals(new ReplyTree.Bulk(e.name()), e.info().elements().get(0));
            subcommands += e.isSubcommand() ? 1 : 0;
        }
        assertEquals(CATALOG.all().size(), CATALOG.topLevel().size() + subcommands);
        assertTrue(subcommands > 100, "subcommands: " + subcommands);
    }

    @Test
    void theDataFilesAreSortedAndCarryTheirProvenance() throws IOException {
        for (String file : List.of(CommandCatalog.INFO_RESOURCE, CommandCatalog.DOCS_RESOURCE)) {
            String text = resource(file);
            assertTrue(text.startsWith("# COMMAND "), file);
            assertTrue(text.contains("redis-server 7.0.15") && text.contains("do not edit"), file);
            String previous = "";
            for (String line : text.split("\n")) {
                if (!line.startsWith("#")) {
                    String name = line.substring(0, line.indexOf(' '));
                    assertTrue(previous.compareTo(name) < 0, file + ": " + name + " after " + previous);
                    previous = name;
                }
            }
        }
        assertNotNull(CommandCatalog.class.getResource("NOTICE-redis.txt"));
    }

    @Test
    void loadingIsFastAndDocsAreParsedOnlyWhenAsked() throws IOException {
        String info = resource(CommandCatalog.INFO_RESOURCE);
        int[] docsReads = {0};
        String docs = resource(CommandCatalog.DOCS_RESOURCE);
        long best = Long.MAX_VALUE;
        CommandCatalog catalog = null;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            catalog = CommandCatalog.parse(info, () -> {
                docsReads[0]++;
                return docs;
            });
            best = Math.min(best, System.nanoTime() - start);
        }
        assertEquals(0, docsReads[0]);
        System.out.printf("CommandCatalog: %d commands parsed in %.1f ms (best of 5)%n", catalog.all().size(), best / 1e6);
        assertTrue(best < 500_000_000L, "parse took " + best / 1e6 + " ms");
        catalog.docs("get");
        catalog.docs("config|get");
        assertEquals(1, docsReads[0]);
    }

    @Test
    void anInvalidEntryFailsTheLoadAndIsNamed() throws IOException {
        String info = resource(CommandCatalog.INFO_RESOURCE);
        String badFlag = info.replace("[\"get\",2,~[+\"readonly\",", "[\"get\",2,~[+\"readonly\",+\"shiny\",");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CommandCatalog.parse(badFlag, () -> ""));
        assertTrue(e.getMessage().matches("commands\\.info\\.txt line \\d+ \\(get\\): unknown command flag shiny"),
                e.getMessage());

        String badSub = info.replace("[\"config|get\",-3,", "[\"config|get\",0,");
        e = assertThrows(IllegalStateException.class, () -> CommandCatalog.parse(badSub, () -> ""));
        assertTrue(e.getMessage().endsWith("(config): config|get: config|get: arity 0 is not valid"), e.getMessage());

        int getLine = info.indexOf("\nget ") + 1;
        int getEnd = info.indexOf('\n', getLine);
        String badKeySpec = info.substring(0, getLine)
                + info.substring(getLine, getEnd).replace("\"keystep\":1", "\"keystep\":0") + info.substring(getEnd);
        assertFalse(badKeySpec.equals(info));
        e = assertThrows(IllegalStateException.class, () -> CommandCatalog.parse(badKeySpec, () -> ""));
        assertTrue(e.getMessage().matches("commands\\.info\\.txt line \\d+ \\(get\\): bad range 0,0,0"), e.getMessage());

        String unsorted = "a [\"a\",1,~[],0,0,0,~[],~[],~[],~[]]\n" + "# x\n" + info.substring(info.indexOf("\nacl ") + 1);
        e = assertThrows(IllegalStateException.class, () -> CommandCatalog.parse("zz [\"zz\",1,~[],0,0,0,~[],~[],~[],~[]]\n"
                + unsorted, () -> ""));
        assertEquals("commands.info.txt line 2 (a): not sorted after zz", e.getMessage());
    }
}
