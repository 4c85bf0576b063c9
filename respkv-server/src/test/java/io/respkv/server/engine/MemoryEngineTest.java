package io.respkv.server.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The memory engine's optimistic validation where it goes through the slot a read found (see
 * {@link MemoryEngine.ReadSet}): a slot that left the maps (its key deleted) must not vouch for
 * a key that was written again under a new slot.
 */
class MemoryEngineTest {

    private final MemoryEngine engine = new MemoryEngine();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void commitPut(String key, String value) {
        Transaction t = engine.begin();
        t.put(b(key), b(value));
        t.commit();
    }

    private void commitDelete(String key) {
        Transaction t = engine.begin();
        t.delete(b(key));
        t.commit();
    }

    private byte[] committed(String key) {
        Transaction t = engine.begin();
        try {
            return t.get(b(key));
        } finally {
            t.close();
        }
    }

    @Test
    void aReadOfAKeyDeletedAndWrittenAgainSinceConflicts() {
        commitPut("k", "1");
        Transaction reader = engine.begin();
        byte[] key = b("k");
        assertArrayEquals(b("1"), reader.get(key));
        commitDelete("k"); // the slot leaves both maps
        commitPut("k", "2"); // a new slot
        reader.put(key, b("stale"));
        assertThrows(TransactionConflictException.class, reader::commit);
        assertArrayEquals(b("2"), committed("k"));
    }

    @Test
    void aDeletionReadWhileASnapshotKeptItDoesNotVouchForTheKeyWrittenAgain() {
        commitPut("k", "1");
        var snapshot = engine.snapshot(); // keeps the deleted key's slot in the maps
        commitDelete("k");
        Transaction reader = engine.begin();
        byte[] key = b("k");
        assertNull(reader.get(key)); // read through the slot whose head is the deletion
        snapshot.close(); // the slot leaves the maps now
        commitPut("k", "2"); // under a new slot
        reader.put(key, b("stale"));
        assertThrows(TransactionConflictException.class, reader::commit);
        assertArrayEquals(b("2"), committed("k"));
    }

    @Test
    void eachSnapshotReadsItsOwnVersionAndTheKeyGoesWhenTheLastSnapshotCloses() {
        commitPut("k", "1");
        var first = engine.snapshot();
        commitPut("k", "2");
        var second = engine.snapshot();
        commitPut("k", "3");
        commitDelete("k");
        byte[] key = b("k");
        assertArrayEquals(b("1"), first.get(key));
        assertArrayEquals(b("2"), second.get(key));
        assertNull(committed("k"));
        first.close();
        assertArrayEquals(b("2"), second.get(key));
        assertTrue(engine.map.containsKey(key), "the deletion is kept while a snapshot reads an older version");
        second.close();
        assertFalse(engine.map.containsKey(key), "no snapshot needs the key any more");
    }

    @Test
    void aSnapshotOpenedBeforeAKeyExistedDoesNotSeeIt() {
        var before = engine.snapshot();
        commitPut("k", "1");
        commitPut("k", "2");
        assertNull(before.get(b("k")));
        try (var cursor = before.scan(null, null, false)) {
            assertFalse(cursor.next());
        }
        before.close();
        assertArrayEquals(b("2"), committed("k"));
    }

    /**
     * Lock-free readers against a writer rewriting one slot: a plain read never goes back in
     * time and never sees a value torn from its sequence number (a read-modify-write built on it
     * would then commit over a newer value: counted below), and a snapshot keeps reading the
     * value it first saw however many writes follow.
     */
    @Test
    void readersRacingAWriterSeeWholeVersionsInOrder() throws Exception {
        commitPut("c", "0");
        int writes = 20_000;
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 1; i <= writes; i++) {
                commitPut("c", Integer.toString(i));
            }
            done.set(true);
        });
        Thread[] readers = new Thread[3];
        for (int r = 0; r < readers.length; r++) {
            boolean snapshots = r == 0;
            readers[r] = new Thread(() -> {
                long deadline = System.nanoTime() + 20_000_000_000L;
                int last = 0;
                while (!done.get() && System.nanoTime() < deadline) {
                    if (snapshots) {
                        var snapshot = engine.snapshot();
                        try {
                            byte[] first = snapshot.get(b("c"));
                            for (int k = 0; k < 20; k++) {
                                if (!java.util.Arrays.equals(first, snapshot.get(b("c")))) {
                                    failures.add("a snapshot's value changed");
                                }
                            }
                        } finally {
                            snapshot.close();
                        }
                        continue;
                    }
                    int seen = Integer.parseInt(new String(committed("c"), StandardCharsets.UTF_8));
                    if (seen < last) {
                        failures.add("read " + seen + " after " + last);
                    }
                    last = seen;
                    // A stale value read with a newer sequence number would let this commit.
                    Transaction t = engine.begin();
                    byte[] v = t.get(b("c"));
                    t.put(b("c"), v);
                    try {
                        t.commit();
                    } catch (TransactionConflictException expected) {
                        // the writer moved on: fine
                    }
                }
            });
        }
        writer.start();
        for (Thread t : readers) {
            t.start();
        }
        writer.join(30_000);
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertTrue(done.get(), "the writer finished");
        assertTrue(failures.isEmpty(), () -> failures.peek());
        assertArrayEquals(b(Integer.toString(writes)), committed("c"));
    }

    @Test
    void aReadOfAKeyDeletedSinceConflicts() {
        commitPut("k", "1");
        Transaction reader = engine.begin();
        byte[] key = b("k");
        reader.get(key);
        commitDelete("k");
        reader.put(key, b("stale"));
        assertThrows(TransactionConflictException.class, reader::commit);
        assertNull(committed("k"));
    }

    @Test
    void aReadOfAnAbsentKeyCreatedSinceConflicts() {
        Transaction reader = engine.begin();
        byte[] key = b("k");
        assertNull(reader.get(key));
        commitPut("k", "1");
        reader.put(key, b("stale"));
        assertThrows(TransactionConflictException.class, reader::commit);
        assertArrayEquals(b("1"), committed("k"));
    }

    @Test
    void aWriteThroughTheReadSlotLandsAndLaterReadsSeeIt() {
        commitPut("k", "1");
        Transaction t = engine.begin();
        byte[] key = b("k");
        t.get(key);
        t.put(key, b("2"));
        t.commit();
        assertArrayEquals(b("2"), committed("k"));
        // Deleting through the read slot removes the key; writing it again makes a new slot.
        Transaction d = engine.begin();
        d.get(key);
        d.delete(key);
        d.commit();
        assertNull(committed("k"));
        Transaction again = engine.begin();
        assertNull(again.get(key));
        again.put(key, b("3"));
        again.commit();
        assertArrayEquals(b("3"), committed("k"));
    }

    @Test
    void aKeyReadThenDeletedByARangeDeleteAndWrittenInTheSameTransactionLands() {
        commitPut("a", "1");
        commitPut("b", "1");
        Transaction t = engine.begin();
        byte[] key = b("a");
        t.get(key);
        t.deleteRange(b("a"), b("c"));
        t.put(key, b("2"));
        t.commit();
        assertArrayEquals(b("2"), committed("a"));
        assertNull(committed("b"));
    }
}
