package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Protected mode's rule (the tests only use loopback, so the refusal of a remote client is
 * checked on the rule itself; its error line was captured from redis-server 7.0.15 reached
 * through a non-loopback address) and the memory values of client-query-buffer-limit.
 */
class ConnectionLimitsTest {

    @Test
    void protectedModeRefusesOnlyRemoteClientsOfAPasswordlessDefaultUser() throws Exception {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}), 40000);
        InetSocketAddress local4 = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 40000);
        InetSocketAddress local6 = new InetSocketAddress(InetAddress.getByName("::1"), 40000);
        assertTrue(ConnectionLimits.refusedByProtectedMode(true, true, remote));
        assertFalse(ConnectionLimits.refusedByProtectedMode(true, true, local4));
        assertFalse(ConnectionLimits.refusedByProtectedMode(true, true, local6));
        assertFalse(ConnectionLimits.refusedByProtectedMode(false, true, remote), "protected-mode no");
        assertFalse(ConnectionLimits.refusedByProtectedMode(true, false, remote), "the default user has a password");
        assertTrue(ConnectionLimits.PROTECTED_MODE_ERROR.startsWith("-DENIED Redis is running in protected mode"));
        assertTrue(ConnectionLimits.PROTECTED_MODE_ERROR.endsWith("accepting connections from the outside.\r\n"));
    }

    @Test
    void memoryValues() {
        assertEquals(1024, ConnectionLimits.memory("1kb"));
        assertEquals(1000, ConnectionLimits.memory("1k"));
        assertEquals(3L << 30, ConnectionLimits.memory("3GB"));
        assertEquals(5_000_000, ConnectionLimits.memory("5m"));
        assertEquals(77, ConnectionLimits.memory("77"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionLimits.memory("x"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionLimits.memory("-1"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionLimits.memory("99999999999gb"));
    }
}
