package io.respkv.engine.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RangeDeleteLogTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void aRangeCommittedAfterAnEpochCoversItsKeysOnly() {
        RangeDeleteLog log = new RangeDeleteLog();
        long start = log.epoch();
        long stamp = log.lockExclusive();
        log.record(List.<byte[][]>of(new byte[][] {b("b"), b("d")}, new byte[][] {b("x"), null}));
        log.unlock(stamp);
        assertEquals(start + 1, log.epoch());
        stamp = log.lockShared();
        try {
            assertTrue(log.deletedSince(start, List.of(b("c"))));
            assertTrue(log.deletedSince(start, List.of(b("a"), b("zzz"))));
            assertFalse(log.deletedSince(start, List.of(b("a"), b("d"), b("w"))));
            assertFalse(log.deletedSince(log.epoch(), List.of(b("c"))), "nothing committed since now");
        } finally {
            log.unlock(stamp);
        }
        assertTrue(log.deletedSinceLocking(start, b("b")));
    }

    @Test
    void aTransactionOlderThanTheLogIsToldItWasHit() {
        RangeDeleteLog log = new RangeDeleteLog(2);
        long start = log.epoch();
        for (int i = 0; i < 3; i++) {
            log.record(List.<byte[][]>of(new byte[][] {b("r" + i), b("r" + i + "\0")}));
        }
        assertTrue(log.deletedSinceLocking(start, b("unrelated")), "the log no longer reaches back to its start");
        assertFalse(log.deletedSinceLocking(start + 1, b("unrelated")));
    }

    @Test
    void rangeOfFindsTheCoveringRange() {
        byte[][] r1 = {b("a"), b("c")};
        byte[][] r2 = {b("m"), null};
        List<byte[][]> ranges = List.of(r1, r2);
        assertArrayEquals(r1, RangeDeleteLog.rangeOf(b("b"), ranges));
        assertArrayEquals(r2, RangeDeleteLog.rangeOf(new byte[] {(byte) 0xff}, ranges));
        assertNull(RangeDeleteLog.rangeOf(b("c"), ranges));
        assertNull(RangeDeleteLog.rangeOf(b(""), ranges));
    }
}
