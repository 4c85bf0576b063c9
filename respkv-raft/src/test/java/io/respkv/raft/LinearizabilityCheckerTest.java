package io.respkv.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.raft.LinearizabilityChecker.Kind;
import io.respkv.raft.LinearizabilityChecker.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it accepts linearizable histories and rejects stale reads and lost updates. */
class LinearizabilityCheckerTest {

    private static Op set(long v, long call, long ret) {
        return new Op(Kind.SET, v, null, true, call, ret);
    }

    private static Op get(Long out, long call, long ret) {
        return new Op(Kind.GET, null, out, true, call, ret);
    }

    private static Op incr(long out, long call, long ret) {
        return new Op(Kind.INCR, null, out, true, call, ret);
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        assertTrue(LinearizabilityChecker.check(List.of(get(null, 0, 1), set(5, 2, 3), get(5L, 4, 5), incr(6, 6, 7), get(6L, 8, 9))));
    }

    @Test
    void aReadAfterACompletedWriteMustSeeIt() {
        assertFalse(LinearizabilityChecker.check(List.of(set(1, 0, 1), set(2, 2, 3), get(1L, 4, 5))));
    }

    @Test
    void overlappingOperationsMayGoEitherWay() {
        assertFalse(LinearizabilityChecker.check(List.of(set(1, 0, 10), get(1L, 1, 2), get(null, 3, 4))));
        assertTrue(LinearizabilityChecker.check(List.of(set(1, 0, 10), get(null, 1, 2), get(1L, 3, 4))));
    }

    @Test
    void lostIncrementIsCaught() {
        assertFalse(LinearizabilityChecker.check(List.of(incr(1, 0, 5), incr(1, 1, 6))));
        assertTrue(LinearizabilityChecker.check(List.of(incr(1, 0, 5), incr(2, 1, 6))));
    }

    @Test
    void unknownOutcomesMayOrMayNotHaveHappened() {
        Op maybe = new Op(Kind.SET, 7L, null, false, 0, 0);
        assertTrue(LinearizabilityChecker.check(List.of(maybe, get(7L, 5, 6))));
        assertTrue(LinearizabilityChecker.check(List.of(maybe, get(null, 5, 6))));
        assertFalse(LinearizabilityChecker.check(List.of(maybe, get(7L, 5, 6), get(null, 7, 8))));
    }
}
