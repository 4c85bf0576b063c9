package io.respkv.server.command.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a check: the switch that regenerates the checked-in metadata from redis-server 7.0.15.
 * It runs only with {@code -Drespkv.regenerateCommandCatalog=true}; see
 * {@link CommandCatalogGenerator} for the command line. {@code CommandCatalogDifferentialTest}
 * is what proves the checked-in files still match the server.
 */
class CommandCatalogGeneratorTest {

    @Test
    @EnabledIfSystemProperty(named = "respkv.regenerateCommandCatalog", matches = "true")
    void regenerate() throws Exception {
        CommandCatalogGenerator.generate(CommandCatalogGenerator.defaultDirectory());
    }
}
