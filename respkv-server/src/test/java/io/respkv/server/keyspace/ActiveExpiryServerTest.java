package io.respkv.server.keyspace;

import static io.respkv.server.keyspace.Layout.b;
import static io.respkv.server.keyspace.Layout.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.engine.MemoryEngine;
import java.io.ByteArrayOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Expiry through a running server: active expiry, and expired_keys counted by write paths. */
class ActiveExpiryServerTest {

    private static final Pattern EXPIRED_KEYS = Pattern.compile("\r\nexpired_keys:(\\d+)\r\n");

    private final MemoryEngine engine = new MemoryEngine();
    private RespServer server;
    private RawRespClient client;

    @BeforeEach
    void start() throws Exception {
        server = RespServer.builder().port(0).engine(engine).start().join();
        client = RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        engine.close();
    }

    @Test
    void activeExpiryRemovesKeysNobodyReads() throws Exception {
        int n = 1_000;
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            pipeline.write(RespCommand.of("SET", "key:" + i, "v", "PX", "50").encode());
        }
        // Re-set keys that must survive: without expiry, and with a later deadline.
        pipeline.write(RespCommand.of("SET", "reset", "v", "PX", "50").encode());
        pipeline.write(RespCommand.of("SET", "reset", "v2").encode());
        pipeline.write(RespCommand.of("SET", "extended", "v", "PX", "50").encode());
        pipeline.write(RespCommand.of("PEXPIRE", "extended", "600000").encode());
        client.sendRaw(pipeline.toByteArray());
        for (int i = 0; i < n + 3; i++) {
            assertArrayEquals(b("+OK\r\n"), client.readReply().raw());
        }
        assertArrayEquals(b(":1\r\n"), client.readReply().raw());

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Layout.keys(engine, KeyCodec.META, 0).size() > 2 || Layout.keys(engine, KeyCodec.EXPIRY, 0).size() > 1) {
            assertTrue(System.nanoTime() < deadline, "expired keys not removed within 10 s");
            Thread.sleep(20);
        }
        assertEquals(n, expiredKeys());
        assertArrayEquals(b("$2\r\nv2\r\n"), client.call("GET", "reset").raw());
        assertArrayEquals(b("$1\r\nv\r\n"), client.call("GET", "extended").raw());
        assertArrayEquals(b(":2\r\n"), client.call("DBSIZE").raw());
    }

    @Test
    void writesCountTheExpiredLeftoversTheyReplace() throws Exception {
        // Expired entries without an expiry-index entry: only a write can find them.
        long past = System.currentTimeMillis() - 1_000;
        run(engine, 0, past - 1, ks -> {
            ks.putString(b("a"), b("old"), past);
            ks.putString(b("b"), b("old"), past);
        });
        engine.transact(txn -> {
            txn.delete(KeyCodec.expiryKey(0, past, b("a")));
            txn.delete(KeyCodec.expiryKey(0, past, b("b")));
            return null;
        });
        assertEquals(0, expiredKeys());
        assertArrayEquals(b("$-1\r\n"), client.call("GET", "a").raw(), "reads hide it");
        assertEquals(0, expiredKeys());
        assertArrayEquals(b("+OK\r\n"), client.call("SET", "a", "new").raw());
        assertEquals(1, expiredKeys());
        assertArrayEquals(b(":0\r\n"), client.call("DEL", "b").raw());
        assertEquals(2, expiredKeys());
        assertEquals(1, Layout.keys(engine, KeyCodec.META, 0).size());
        assertArrayEquals(b("$3\r\nnew\r\n"), client.call("GET", "a").raw());
    }

    private long expiredKeys() throws Exception {
        Matcher m = EXPIRED_KEYS.matcher(client.call("INFO", "stats").text());
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }
}
