package io.respkv.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.TransactionConflictException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KeyLockTableTest {

    private static KeyLockTable.Key key(String s) {
        return new KeyLockTable.Key(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void locksAreReentrantAndTheTableEmptiesOnRelease() {
        KeyLockTable table = new KeyLockTable(1000);
        KeyLockTable.Owner owner = new KeyLockTable.Owner();
        table.lock(owner, key("a"));
        table.lock(owner, key("a"));
        table.lock(owner, key("b"));
        assertEquals(2, owner.heldCount());
        assertEquals(2, table.size());
        table.releaseAll(owner);
        assertEquals(0, table.size());
        assertEquals(0, owner.heldCount());
    }

    @Test
    void aSecondOwnerWaitsUntilTheFirstReleases() throws Exception {
        KeyLockTable table = new KeyLockTable(10_000);
        KeyLockTable.Owner first = new KeyLockTable.Owner();
        KeyLockTable.Owner second = new KeyLockTable.Owner();
        table.lock(first, key("k"));
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> table.lock(second, key("k")));
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "the second owner must wait");
        table.releaseAll(first);
        waiting.get(5, TimeUnit.SECONDS);
        assertEquals(1, second.heldCount());
        table.releaseAll(second);
        assertEquals(0, table.size());
    }

    @Test
    void aWaitEndsInAConflictAfterTheTimeout() {
        KeyLockTable table = new KeyLockTable(50);
        KeyLockTable.Owner first = new KeyLockTable.Owner();
        table.lock(first, key("k"));
        long start = System.nanoTime();
        assertThrows(TransactionConflictException.class, () -> table.lock(new KeyLockTable.Owner(), key("k")));
        assertTrue(System.nanoTime() - start >= 40_000_000L);
        table.releaseAll(first);
        assertEquals(0, table.size());
    }

    @Test
    void exactlyOneSideOfACycleFailsAtOnce() throws Exception {
        KeyLockTable table = new KeyLockTable(20_000);
        for (int round = 0; round < 50; round++) {
            KeyLockTable.Owner one = new KeyLockTable.Owner();
            KeyLockTable.Owner two = new KeyLockTable.Owner();
            table.lock(one, key("a"));
            table.lock(two, key("b"));
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Boolean> oneGotB = CompletableFuture.supplyAsync(() -> attempt(table, one, "b", go));
            CompletableFuture<Boolean> twoGotA = CompletableFuture.supplyAsync(() -> attempt(table, two, "a", go));
            go.countDown();
            long start = System.nanoTime();
            boolean a = oneGotB.get(10, TimeUnit.SECONDS);
            boolean b = twoGotA.get(10, TimeUnit.SECONDS);
            assertTrue(a ^ b, "exactly one side must fail (round " + round + ")");
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "a deadlock must not wait for the timeout");
            assertEquals(0, table.size());
        }
    }

    /** Locks {@code k} for {@code owner}, then releases all; false on a conflict (after releasing). */
    private static boolean attempt(KeyLockTable table, KeyLockTable.Owner owner, String k, CountDownLatch go) {
        try {
            go.await();
            table.lock(owner, key(k));
            return true;
        } catch (TransactionConflictException e) {
            return false;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            table.releaseAll(owner);
        }
    }

    @Test
    void elementKeysWithBinarySuffixesHashApart() {
        // A list's element keys: a fixed prefix and an 8-byte big-endian index. Arrays.hashCode
        // gives (..., a, b) and (..., a + 1, b - 31) the same hash; Key must not.
        byte[] prefix = "E\0\0\0\6mylist01234567".getBytes(StandardCharsets.ISO_8859_1);
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            byte[] k = java.util.Arrays.copyOf(prefix, prefix.length + 8);
            java.nio.ByteBuffer.wrap(k, prefix.length, 8).putLong(Long.MIN_VALUE / 2 - i);
            hashes.add(new KeyLockTable.Key(k).hashCode());
        }
        assertTrue(hashes.size() > n - 10, "distinct hashes: " + hashes.size());
        byte[] a = {1, 2, 3, 40};
        byte[] b = {1, 2, 4, 9};
        assertEquals(java.util.Arrays.hashCode(a), java.util.Arrays.hashCode(b));
        assertFalse(new KeyLockTable.Key(a).hashCode() == new KeyLockTable.Key(b).hashCode());
        assertEquals(new KeyLockTable.Key(a.clone()), new KeyLockTable.Key(a));
    }
}
