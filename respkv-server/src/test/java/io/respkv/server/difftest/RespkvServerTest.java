package io.respkv.server.difftest;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.respkv.server.RespServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The base of respkv-only wire tests (behaviour Redis has no equivalent for, so no differential):
 * one server on a free port per class, one raw client {@link #c}, every key flushed before each
 * test, and {@link #reply} for exact reply bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RespkvServerTest {

    protected RespServer server;
    protected RawRespClient c;

    @BeforeAll
    void startServer() throws Exception {
        server = RespServer.builder().port(0).start().join();
        c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()));
    }

    @AfterAll
    void stopServer() throws Exception {
        if (c != null) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void flushAll() throws Exception {
        if (!"+OK\r\n".equals(reply("FLUSHALL"))) {
            throw new IllegalStateException("FLUSHALL failed");
        }
    }

    /** Sends {@code args} and returns the reply's exact bytes as text. */
    protected String reply(String... args) throws Exception {
        return new String(c.call(args).raw(), UTF_8);
    }
}
