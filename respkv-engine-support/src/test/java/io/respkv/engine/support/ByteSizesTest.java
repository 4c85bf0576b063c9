package io.respkv.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteSizesTest {

    @Test
    void unitsFollowRedisConf() {
        assertEquals(0, ByteSizes.parse("x", "0"));
        assertEquals(67108864, ByteSizes.parse("x", "67108864"));
        assertEquals(12, ByteSizes.parse("x", "12b"));
        assertEquals(1000, ByteSizes.parse("x", "1k"));
        assertEquals(1024, ByteSizes.parse("x", "1kb"));
        assertEquals(64_000_000, ByteSizes.parse("x", "64m"));
        assertEquals(64L << 20, ByteSizes.parse("x", "64MB"));
        assertEquals(2_000_000_000L, ByteSizes.parse("x", "2g"));
        assertEquals(2L << 30, ByteSizes.parse("x", "2Gb"));
    }

    @Test
    void badSizesNameTheOption() {
        for (String bad : new String[] {"", "mb", "-1", "1.5mb", "1 tb", "12x", "0x10"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ByteSizes.parse("block-cache-size", bad), bad);
            assertTrue(e.getMessage().startsWith("block-cache-size needs a size"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ByteSizes.parse("write-buffer-size", "9999999999gb"));
        assertEquals("write-buffer-size is too large: '9999999999gb'", e.getMessage());
    }
}
