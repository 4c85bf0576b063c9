package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import org.junit.jupiter.api.Test;

/** What CONFIG does where respkv differs from a Redis started with a config file. */
class ConfigCommandsTest {

    @Test
    void rewriteHasNoFileAndFixedParametersAreImmutable() throws Exception {
        try (RespServer server = RespServer.builder().port(0).databases(4).start().join();
             RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            assertEquals("-ERR The server is running without a config file\r\n", reply(c, "CONFIG", "REWRITE"));
            assertEquals("*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n", reply(c, "CONFIG", "GET", "databases"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n",
                    reply(c, "CONFIG", "SET", "port", "1"));
            assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", reply(c, "CONFIG", "GET", "save"));
            assertEquals("+OK\r\n", reply(c, "CONFIG", "SET", "requirepass", "pw"));
            assertEquals("+RESET\r\n", reply(c, "RESET"));
            assertEquals("-NOAUTH Authentication required.\r\n", reply(c, "PING"));
            assertEquals("+OK\r\n", reply(c, "AUTH", "pw"));
            assertEquals("+PONG\r\n", reply(c, "PING"));
        }
    }

    private static String reply(RawRespClient c, String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }
}
