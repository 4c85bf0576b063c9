package io.respkv.server.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Redis's {@code client-output-buffer-limit} parsing: classes, units, all or nothing. */
class OutputBufferLimitsTest {

    @Test
    void defaultsAreRedis70s() {
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                OutputBufferLimits.DEFAULT.format());
        assertEquals(new OutputBufferLimits.Limit(32L << 20, 8L << 20, 60), OutputBufferLimits.DEFAULT.pubsub());
    }

    @Test
    void unitsAndClasses() {
        OutputBufferLimits l = OutputBufferLimits.DEFAULT.with("PubSub 1mb 2k 3 replica 1gb 1g 0 normal 1b 2kb 4");
        assertEquals("normal 1 2048 4 slave 1073741824 1000000000 0 pubsub 1048576 2000 3", l.format());
        assertEquals(l.format(), l.with("").format());
        assertEquals(0, OutputBufferLimits.memory("mb"));
        assertEquals(-1, OutputBufferLimits.memory("1.5mb"));
        assertEquals(-1, OutputBufferLimits.memory("-1"));
        assertEquals(-1, OutputBufferLimits.memory("99999999999999999999"));
        assertEquals(-1, OutputBufferLimits.memory("9999999999gb"));
    }

    @Test
    void refusesWithRedisMessages() {
        assertEquals("Wrong number of arguments in buffer limit configuration.",
                assertThrows(IllegalArgumentException.class, () -> OutputBufferLimits.DEFAULT.with("pubsub 1 1"))
                        .getMessage());
        assertEquals("Invalid client class specified in buffer limit configuration.",
                assertThrows(IllegalArgumentException.class, () -> OutputBufferLimits.DEFAULT.with("master 1 1 1"))
                        .getMessage());
        assertEquals("Error in hard, soft or soft_seconds setting in buffer limit configuration.",
                assertThrows(IllegalArgumentException.class, () -> OutputBufferLimits.DEFAULT.with("pubsub 1 1 -1"))
                        .getMessage());
    }
}
