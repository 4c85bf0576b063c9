package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in metadata is exactly what the generator produces from redis-server 7.0.15: proof
 * that it was not edited by hand. With {@code -Drespkv.regenerateCommandCatalog=true} the test
 * writes the fresh files over the checked-in ones instead (see {@link CommandCatalogGenerator}).
 */
class CommandCatalogGeneratorTest {

    @Test
    void checkedInCatalogIsWhatTheGeneratorProduces(@TempDir Path fresh) throws Exception {
        Path checkedIn = CommandCatalogGenerator.defaultDirectory();
        boolean regenerate = Boolean.getBoolean("respkv.regenerateCommandCatalog");
        CommandCatalogGenerator.generate(regenerate ? checkedIn : fresh);
        if (regenerate) {
            return;
        }
        for (String file : new String[] {CommandCatalog.INFO_RESOURCE, CommandCatalog.DOCS_RESOURCE}) {
            assertEquals(Files.readString(checkedIn.resolve(file), StandardCharsets.UTF_8),
                    Files.readString(fresh.resolve(file), StandardCharsets.UTF_8),
                    file + " differs from what redis-server 7.0.15 reports: regenerate it, never edit it by hand");
        }
    }
}
