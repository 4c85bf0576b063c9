package io.respkv.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The security flags of the standalone server: aclfile, protected mode and the connection limits. */
class MainOptionsTest {

    @Test
    void securityFlags() {
        Main.Options o = Main.Options.parse(new String[] {"--aclfile", "/etc/respkv/users.acl", "--protected-mode", "no",
                "--maxclients", "50", "--timeout", "300", "--client-query-buffer-limit", "2097152"});
        assertEquals("/etc/respkv/users.acl", o.aclFile);
        assertFalse(o.protectedMode);
        assertEquals(50, o.maxClients);
        assertEquals(300, o.timeout);
        assertEquals(2097152, o.queryBufferLimit);
    }

    @Test
    void defaultsAreRedis() {
        Main.Options o = Main.Options.parse(new String[0]);
        assertEquals(null, o.aclFile);
        assertTrue(o.protectedMode);
        assertEquals(10_000, o.maxClients);
        assertEquals(0, o.timeout);
        assertEquals(1L << 30, o.queryBufferLimit);
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--maxclients", "0"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--timeout", "-1"}));
        assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] {"--client-query-buffer-limit", "1000"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--protected-mode", "maybe"}));
    }
}
