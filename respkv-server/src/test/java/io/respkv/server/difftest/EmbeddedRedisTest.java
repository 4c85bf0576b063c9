package io.respkv.server.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedRedisTest {

    @RegisterExtension
    static final EmbeddedRedisExtension REDIS = new EmbeddedRedisExtension("hz 17");

    @Test
    void runsRedis7015WithTheHermeticConfig() throws IOException {
        EmbeddedRedis redis = REDIS.redis();
        try (RawRespClient c = RawRespClient.connect(redis.target())) {
            assertEquals("\"+PONG\\r\\n\"", c.call("PING").toString());
            assertTrue(c.call("INFO", "server").text().contains("redis_version:7.0.15\r\n"));
            assertEquals("\"*2\\r\\n$4\\r\\nsave\\r\\n$0\\r\\n\\r\\n\"", c.call("CONFIG", "GET", "save").toString());
            assertEquals("\"*2\\r\\n$10\\r\\nappendonly\\r\\n$2\\r\\nno\\r\\n\"",
                    c.call("CONFIG", "GET", "appendonly").toString());
            assertEquals("\"*2\\r\\n$4\\r\\nbind\\r\\n$9\\r\\n127.0.0.1\\r\\n\"", c.call("CONFIG", "GET", "bind").toString());
            assertEquals("\"*2\\r\\n$2\\r\\nhz\\r\\n$2\\r\\n17\\r\\n\"", c.call("CONFIG", "GET", "hz").toString());
            assertEquals(redis.dir().toRealPath().toString(), c.call("CONFIG", "GET", "dir").elements().get(1).text());
        }
        assertTrue(redis.log().contains("Ready to accept connections"), redis.log());
    }

    @Test
    void closeStopsTheProcessAndDeletesTheDirectory() throws IOException {
        EmbeddedRedis redis = EmbeddedRedis.start();
        Path dir = redis.dir();
        int port = redis.port();
        try {
            assertNotEquals(REDIS.port(), port);
            assertNotEquals(REDIS.redis().dir(), dir);
            assertTrue(Files.isDirectory(dir));
            assertTrue(redis.isRunning());
        } finally {
            redis.close();
        }
        assertFalse(redis.isRunning());
        assertFalse(Files.exists(dir));
        assertThrows(IOException.class, () -> RawRespClient.connect(RespTarget.loopback("gone", port), Duration.ofSeconds(1)));
        redis.close(); // idempotent
    }

    @Test
    void badConfigFailsFastWithTheLog() {
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedRedis.start("no-such-directive yes"));
        assertTrue(e.getMessage().contains("Bad directive or wrong number of arguments"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }
}
