package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class HashSlotsTest {

    @Test
    void knownSlots() {
        assertEquals(12182, HashSlots.slot(bytes("foo")));
        assertEquals(12182, HashSlots.slot(bytes("{foo}bar")));
        assertEquals(12182, HashSlots.slot(bytes("x{foo}")));
        assertEquals(5061, HashSlots.slot(bytes("bar")));
        assertEquals(HashSlots.slot(bytes("{}foo")), HashSlots.slot(bytes("{}foo")));
        assertEquals(0, HashSlots.slot(new byte[0]));
    }

    @Test
    void hashTags() {
        // an empty tag hashes the whole key; only the first {...} counts
        assertEquals(slotOfWhole("{}foo"), HashSlots.slot(bytes("{}foo")));
        assertEquals(HashSlots.slot(bytes("a")), HashSlots.slot(bytes("{a}{b}")));
        assertEquals(slotOfWhole("{b"), HashSlots.slot(bytes("x{{b}")));
        assertEquals(slotOfWhole("foo{"), HashSlots.slot(bytes("foo{")));
        assertEquals(slotOfWhole("foo}{"), HashSlots.slot(bytes("foo}{")));
    }

    @Test
    void sameAsJedisOnManyKeys() {
        Random random = new Random(42);
        String alphabet = "ab{}xyz0123456789";
        for (int i = 0; i < 100_000; i++) {
            int len = random.nextInt(12);
            byte[] key = new byte[len];
            for (int j = 0; j < len; j++) {
                key[j] = i % 3 == 0 ? (byte) random.nextInt(256) : (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            int expected = JedisClusterCRC16.getSlot(key);
            assertEquals(expected, HashSlots.slot(key), () -> "key " + java.util.Arrays.toString(key));
            byte[] framed = new byte[len + 4];
            System.arraycopy(key, 0, framed, 2, len);
            assertEquals(expected, HashSlots.slot(Unpooled.wrappedBuffer(framed), 2, len));
        }
    }

    private static int slotOfWhole(String key) {
        return JedisClusterCRC16.getCRC16(bytes(key)) & 16383;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
