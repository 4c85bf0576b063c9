package io.respkv.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each transport this machine can run serves the same bytes: a pipelined batch answered in
 * order, a 1 MiB value in and out, INFO naming the transport and CLIENT LIST the socket's fd.
 */
class NetTransportTest {

    @ParameterizedTest
    @EnumSource(value = NetTransport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void eachAvailableTransportServesTheSameBytes(NetTransport transport) throws Exception {
        assumeTrue(transport.isAvailable(), () -> transport + " not available here: " + transport.unavailabilityCause());
        try (RespServer server = RespServer.builder().port(0).transport(transport).start().join();
             RawRespClient client = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()))) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 100; i++) {
                batch.writeBytes(RespCommand.of("INCR", "n").encode());
            }
            client.sendRaw(batch.toByteArray());
            for (int i = 1; i <= 100; i++) {
                assertArrayEquals((":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII), client.readReply().raw());
            }
            String big = "x".repeat(1 << 20);
            assertArrayEquals("+OK\r\n".getBytes(StandardCharsets.US_ASCII), client.call("SET", "big", big).raw());
            assertArrayEquals(("$" + big.length() + "\r\n" + big + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    client.call("GET", "big").raw());

            String info = new String(client.call("INFO", "server").raw(), StandardCharsets.UTF_8);
            assertTrue(info.contains("\r\nmultiplexing_api:" + transport.configName() + "\r\n"), info);
            String clients = new String(client.call("CLIENT", "LIST").raw(), StandardCharsets.UTF_8);
            if (transport == NetTransport.NIO) {
                assertTrue(clients.contains(" fd=-1 "), clients);
            } else {
                assertTrue(clients.matches("(?s).* fd=\\d+ .*"), clients);
            }
        }
    }

    @Test
    void autoResolvesToATransportThisMachineRuns() {
        NetTransport resolved = NetTransport.AUTO.resolve();
        assertNotEquals(NetTransport.AUTO, resolved);
        assertTrue(resolved.isAvailable());
        assertEquals(NetTransport.NIO, NetTransport.NIO.resolve());
        // The server takes io_uring where it runs; the proxy takes it only by name.
        assertEquals(NetTransport.IO_URING.isAvailable(), resolved == NetTransport.IO_URING);
        NetTransport proxy = NetTransport.AUTO.resolveForProxy();
        assertEquals(NetTransport.EPOLL.isAvailable() ? NetTransport.EPOLL : NetTransport.NIO, proxy);
        assertEquals(NetTransport.IO_URING, NetTransport.IO_URING.resolveForProxy());
    }

    @Test
    void namesRoundTripAndUnknownNamesAreRefused() {
        for (NetTransport t : NetTransport.values()) {
            assertEquals(t, NetTransport.ofConfigName(t.configName()));
        }
        assertEquals(NetTransport.IO_URING, NetTransport.ofConfigName("IO_URING"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetTransport.ofConfigName("kqueue"));
        assertEquals("unknown transport 'kqueue' (expected auto, io_uring, epoll or nio)", e.getMessage());
    }
}
