package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void aProbedPortIsBelowTheEphemeralRangeAndBindable() throws Exception {
        int low = FreePorts.ephemeralLow();
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.probe();
            assertTrue(port >= 1024 && port < 65536, "port " + port);
            if (low - 1024 >= 1_000) {
                assertTrue(port < low, "port " + port + " is in the ephemeral range from " + low);
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertTrue(s.isBound());
            }
        }
    }
}
