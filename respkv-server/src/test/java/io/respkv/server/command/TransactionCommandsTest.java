package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvServerTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * respkv-only checks of WATCH where the path matters, not just the reply (the replies themselves
 * are compared with Redis in {@link TransactionCommandsDifferentialTest}).
 */
class TransactionCommandsTest extends RespkvServerTest {

    private static final Pattern EXPIRED_KEYS = Pattern.compile("\r\nexpired_keys:(\\d+)\r\n");

    private long expiredKeys() throws Exception {
        Matcher m = EXPIRED_KEYS.matcher(reply("INFO", "stats"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    /**
     * A key watched while live and then removed by active expiry (no client touches it): the
     * removal itself must mark the watcher, since afterwards no stored entry is left for EXEC
     * to find expired.
     */
    @Test
    void activeExpiryMarksTheWatcher() throws Exception {
        long before = expiredKeys();
        assertEquals("+OK\r\n", reply("SET", "k", "v", "PX", "50"));
        assertEquals("+OK\r\n", reply("WATCH", "k"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (expiredKeys() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, expiredKeys(), "active expiry did not remove the key in 5 s");
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("PING"));
        assertEquals("*-1\r\n", reply("EXEC"));
    }

    /** The same key removed by active expiry when it was already expired at WATCH: no change. */
    @Test
    void activeExpiryOfAKeyAlreadyExpiredAtWatchIsNoChange() throws Exception {
        long before = expiredKeys();
        assertEquals("+OK\r\n", reply("SET", "k", "v", "PX", "1"));
        Thread.sleep(10);
        assertEquals("+OK\r\n", reply("WATCH", "k"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (expiredKeys() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, expiredKeys(), "active expiry did not remove the key in 5 s");
        assertEquals("+OK\r\n", reply("MULTI"));
        assertEquals("+QUEUED\r\n", reply("PING"));
        assertEquals("*1\r\n+PONG\r\n", reply("EXEC"));
    }

    /** A write inside EXEC does not fail the same EXEC, retried or not; it does fail others. */
    @Test
    void execsOwnWritesDoNotFailIt() throws Exception {
        try (RawRespClient other = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            assertEquals("+OK\r\n", new String(other.call("WATCH", "k").raw(), UTF_8));
            assertEquals("+OK\r\n", reply("WATCH", "k"));
            assertEquals("+OK\r\n", reply("MULTI"));
            assertEquals("+QUEUED\r\n", reply("SET", "k", "1"));
            assertEquals("+QUEUED\r\n", reply("INCR", "k"));
            assertEquals("*2\r\n+OK\r\n:2\r\n", reply("EXEC"));
            assertEquals("+OK\r\n", new String(other.call("MULTI").raw(), UTF_8));
            assertEquals("*-1\r\n", new String(other.call("EXEC").raw(), UTF_8));
        }
    }
}
