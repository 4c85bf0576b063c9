package io.respkv.engine.tikv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** {@link TikvEngineProvider}: found by name, options parsed and checked. */
class TikvEngineProviderTest {

    private static KeyspaceEngineProvider provider() {
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            if (p.name().equals("tikv")) {
                return p;
            }
        }
        throw new AssertionError("no tikv provider registered");
    }

    @Test
    void opensAnEngineOnTheGivenPdAndPrefix() {
        String prefix = TikvTestCluster.newPrefix("provider");
        try (KeyspaceEngine e = provider().open(Map.of("pd", TikvTestCluster.pd(), "prefix", prefix,
                "timeout-ms", "5000", "lock-ttl-ms", "2000", "lock-wait-ms", "500", "dir", "/ignored"))) {
            TikvEngine engine = (TikvEngine) e;
            assertEquals("tikv", engine.name());
            assertArrayEquals(prefix.getBytes(StandardCharsets.UTF_8), engine.prefix());
            assertTrue(engine.has(EngineFeature.BLOCKING_IO));
            assertTrue(engine.has(EngineFeature.SHARED_STORE));
            assertEquals(13, engine.commands().size());
        }
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException noPd = assertThrows(IllegalArgumentException.class, () -> provider().open(Map.of()));
        assertTrue(noPd.getMessage().contains("--pd"), noPd.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("pd", "h:1", "colour", "red")));
        assertTrue(unknown.getMessage().startsWith("unknown tikv engine option [colour]"), unknown.getMessage());
        IllegalArgumentException badPd = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("pd", "nohostport")));
        assertEquals("a PD address is host:port, got 'nohostport'", badPd.getMessage());
        IllegalArgumentException badNumber = assertThrows(IllegalArgumentException.class,
                () -> provider().open(Map.of("pd", "h:1", "lock-ttl-ms", "5")));
        assertEquals("lock-ttl-ms needs an integer from 100 to 2147483647, got '5'", badNumber.getMessage());
    }
}
