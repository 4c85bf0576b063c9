package io.respkv.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HeapAdviceTest {

    @Test
    void aFixedPreTouchedHeapNeedsNoHint() {
        assertNull(HeapAdvice.advice(1L << 30, 1L << 30, true));
    }

    @Test
    void aGrowingHeapIsNamedWithItsSizes() {
        assertEquals("respkv: hint: the heap starts at 378 MB and may grow to 6028 MB; for steady throughput from the"
                        + " start run java with -Xms equal to -Xmx and -XX:+AlwaysPreTouch (README, Tuning)",
                HeapAdvice.advice(378L << 20, 6028L << 20, true));
    }

    @Test
    void aFixedHeapThatIsNotPreTouchedSaysSo() {
        assertEquals("respkv: hint: the heap is not pre-touched; for steady throughput from the start run java with"
                        + " -Xms equal to -Xmx and -XX:+AlwaysPreTouch (README, Tuning)",
                HeapAdvice.advice(1L << 30, 1L << 30, false));
    }
}
