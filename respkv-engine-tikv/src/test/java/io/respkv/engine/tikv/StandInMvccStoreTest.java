package io.respkv.engine.tikv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.shade.com.google.protobuf.ByteString;

/** The stand-in's Percolator semantics, which the engine tests rely on to catch client-side bugs. */
class StandInMvccStoreTest {

    private final StandInMvccStore store = new StandInMvccStore();

    private static ByteString k(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static Kvrpcpb.Mutation put(String key, String value) {
        return Kvrpcpb.Mutation.newBuilder().setOp(Kvrpcpb.Op.Put).setKey(k(key)).setValue(k(value)).build();
    }

    private void commitPut(String key, String value, long start, long commit) {
        assertEquals(List.of(), store.prewrite(List.of(put(key, value)), k(key), start, 3000));
        assertNull(store.commit(List.of(k(key)), start, commit));
    }

    @Test
    void timestampsStrictlyIncrease() {
        long last = 0;
        for (int i = 0; i < 10_000; i++) {
            long ts = store.nextTimestamp();
            assertTrue(ts > last);
            last = ts;
        }
    }

    @Test
    void readsSeeTheNewestCommitAtOrBeforeTheirTimestamp() throws Exception {
        commitPut("a", "1", 10, 20);
        commitPut("a", "2", 30, 40);
        assertNull(store.get(k("a"), 19, List.of()));
        assertEquals(k("1"), store.get(k("a"), 20, List.of()));
        assertEquals(k("1"), store.get(k("a"), 39, List.of()));
        assertEquals(k("2"), store.get(k("a"), 41, List.of()));
    }

    @Test
    void aCommitAfterTheStartTimestampIsAWriteConflict() {
        commitPut("a", "1", 10, 20);
        List<Kvrpcpb.KeyError> errors = store.prewrite(List.of(put("a", "x")), k("a"), 15, 3000);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).hasConflict());
        assertEquals(20, errors.get(0).getConflict().getConflictCommitTs());
    }

    @Test
    void locksBlockReadersAfterThemAndOtherWriters() {
        assertEquals(List.of(), store.prewrite(List.of(put("a", "1")), k("a"), 10, 3000));
        StandInMvccStore.KeyErrorException e = assertThrows(StandInMvccStore.KeyErrorException.class,
                () -> store.get(k("a"), 11, List.of()));
        assertEquals(10, e.error.getLocked().getLockVersion());
        assertTrue(store.prewrite(List.of(put("a", "2")), k("a"), 12, 3000).get(0).hasLocked());
    }

    @Test
    void aRolledBackTransactionCannotCommitOrPrewriteAgain() throws Exception {
        assertEquals(List.of(), store.prewrite(List.of(put("a", "1")), k("a"), 10, 3000));
        assertNull(store.batchRollback(List.of(k("a")), 10));
        assertNotNull(store.commit(List.of(k("a")), 10, 20));
        assertTrue(store.prewrite(List.of(put("a", "1")), k("a"), 10, 3000).get(0).hasConflict());
        assertNull(store.get(k("a"), 100, List.of()));
    }

    @Test
    void checkTxnStatusRollsBackExpiredLocksAndReportsCommits() {
        long start = store.nextTimestamp();
        assertEquals(List.of(), store.prewrite(List.of(put("a", "1")), k("a"), start, 1));
        long later = (StandInMvccStore.physical(start) + 100) << 18;
        var status = store.checkTxnStatus(k("a"), start, later, false);
        assertEquals(Kvrpcpb.Action.TTLExpireRollback, status.getAction());
        assertEquals(0, store.lockCount());

        long start2 = store.nextTimestamp();
        commitPut("b", "1", start2, start2 + 5);
        assertEquals(start2 + 5, store.checkTxnStatus(k("b"), start2, later, false).getCommitVersion());
    }

    @Test
    void resolveLockCommitsOrRollsBackEveryLockOfTheTransaction() throws Exception {
        assertEquals(List.of(), store.prewrite(List.of(put("a", "1"), put("b", "2")), k("a"), 10, 3000));
        store.resolveLocks(ByteString.EMPTY, ByteString.EMPTY, List.of(), Map.of(10L, 20L));
        assertEquals(k("2"), store.get(k("b"), 25, List.of()));
        assertEquals(0, store.lockCount());
    }
}
