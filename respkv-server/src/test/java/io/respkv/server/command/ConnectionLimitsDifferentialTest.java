package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * maxclients, timeout, client-query-buffer-limit and protected-mode against redis-server
 * 7.0.15: their CONFIG GET/SET, and what a connection over a limit gets (the same bytes, then
 * the connection closed).
 */
class ConnectionLimitsDifferentialTest extends RespkvDifferentialTest {

    private List<RespTarget> targets() {
        return List.of(redis().target(), RespTarget.loopback("respkv", respkvPort()));
    }

    @AfterEach
    void restoreDefaults() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient c = RawRespClient.connect(t)) {
                c.call("CONFIG", "SET", "maxclients", "10000");
                c.call("CONFIG", "SET", "timeout", "0");
                c.call("CONFIG", "SET", "client-query-buffer-limit", "1gb");
                c.call("CONFIG", "SET", "protected-mode", "yes");
            }
        }
    }

    @ProtocolTest
    void configParameters(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "CONFIG GET maxclients", "CONFIG GET timeout", "CONFIG GET client-query-buffer-limit",
                    "CONFIG GET protected-mode",
                    "CONFIG SET maxclients 0", "CONFIG SET maxclients x", "CONFIG SET maxclients 500", "CONFIG GET maxclients",
                    "CONFIG SET timeout -1", "CONFIG SET timeout 2147483648", "CONFIG SET timeout 30", "CONFIG GET timeout",
                    "CONFIG SET client-query-buffer-limit 1000", "CONFIG SET client-query-buffer-limit 2mb",
                    "CONFIG GET client-query-buffer-limit", "CONFIG SET client-query-buffer-limit 1048576",
                    "CONFIG GET client-query-buffer-limit",
                    "CONFIG SET protected-mode maybe", "CONFIG SET protected-mode no", "CONFIG GET protected-mode",
                    "CONFIG SET protected-mode YES", "CONFIG GET protected-mode");
        }
    }

    @Test
    void connectionsOverMaxclientsAreRefused() throws Exception {
        for (RespTarget t : targets()) {
            List<RawRespClient> open = new ArrayList<>();
            try {
                RawRespClient admin = RawRespClient.connect(t);
                open.add(admin);
                RawRespClient.Drained refused = null;
                for (int attempt = 0; attempt < 10 && refused == null; attempt++) {
                    // the clients of other tests may still be closing: count what this server has now
                    long others = admin.call("CLIENT", "LIST").text().lines().count();
                    assertEquals("OK", admin.call("CONFIG", "SET", "maxclients", Long.toString(others)).text());
                    RawRespClient second = RawRespClient.connect(t);
                    open.add(second);
                    RawRespClient.Drained drained = second.drain(Duration.ofMillis(300), Duration.ofSeconds(5), 1 << 16);
                    if (drained.bytes().length > 0 || drained.closed()) {
                        refused = drained;
                    }
                    // else one of those clients left between the count and the connect, making room: again
                }
                assertNotNull(refused, t + " never refused a connection over maxclients");
                assertArrayEquals("-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII),
                        refused.bytes(), t + ": " + refused);
                assertTrue(refused.closed(), t + " keeps the refused connection open");
                assertEquals("PONG", admin.call("PING").text());
                assertEquals("OK", admin.call("CONFIG", "SET", "maxclients", "10000").text());
            } finally {
                for (RawRespClient c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTimeout() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient admin = RawRespClient.connect(t); RawRespClient idle = RawRespClient.connect(t);
                 RawRespClient subscriber = RawRespClient.connect(t)) {
                subscriber.call("SUBSCRIBE", "news");
                assertEquals("OK", admin.call("CONFIG", "SET", "timeout", "1").text());
                assertEquals("PONG", idle.call("PING").text());
                // Redis closes a client idle for more than `timeout` whole seconds, checked about every second
                RawRespClient.Drained closed = idle.drain(Duration.ofSeconds(4), Duration.ofSeconds(8), 1024);
                assertTrue(closed.closed(), t + " kept an idle connection: " + closed);
                assertEquals(0, closed.bytes().length);
                // subscribed clients are not subject to the timeout
                RawRespClient.Drained sub = subscriber.drain(Duration.ofMillis(100), Duration.ofMillis(200), 1024);
                assertTrue(!sub.closed(), t + " closed a subscriber");
            }
            try (RawRespClient fresh = RawRespClient.connect(t)) {
                assertEquals("OK", fresh.call("CONFIG", "SET", "timeout", "0").text());
            }
        }
    }

    @Test
    void aClientOverTheQueryBufferLimitIsClosed() throws Exception {
        for (RespTarget t : targets()) {
            try (RawRespClient admin = RawRespClient.connect(t); RawRespClient greedy = RawRespClient.connect(t)) {
                assertEquals("OK", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb").text());
                // an unfinished 3 MB argument: 2 MB of it is more unparsed input than the limit
                greedy.sendRaw("*2\r\n$3\r\nSET\r\n$3000000\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'x');
                try {
                    for (int i = 0; i < 32; i++) {
                        greedy.sendRaw(chunk);
                    }
                } catch (java.io.IOException closedWhileSending) {
                    // the server may close it before all of it is sent
                }
                RawRespClient.Drained closed = greedy.drain(Duration.ofMillis(500), Duration.ofSeconds(5), 1 << 16);
                assertTrue(closed.closed(), t + " kept a client over the limit: " + closed);
                assertEquals(0, closed.bytes().length);
                assertEquals("PONG", admin.call("PING").text());
                assertEquals("OK", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1gb").text());
            }
        }
    }
}
