package io.respkv.engine.support;

import io.respkv.api.KeyHash;
import io.respkv.api.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive per-key locks for the transactions of an engine built on a plain ordered KV store
 * (RocksDB, LevelDB), held until the transaction ends (two-phase locking): what makes a
 * read-modify-write of one key atomic against every other transaction, while transactions on
 * different keys share nothing.
 *
 * <p>A lock is a map entry that exists only while held or waited for: taking a free lock is one
 * {@code putIfAbsent}, releasing it one {@code remove}; no JNI, no native object (RocksDB's
 * {@code TransactionDB} lock manager cost several JNI crossings per key: see the RocksDB engine).
 *
 * <p>A transaction that finds a key locked waits for it, at most the lock timeout. Before waiting
 * it follows the waits-for chain (each transaction waits for at most one lock): if the chain leads
 * back to itself the wait would be a deadlock, and it fails at once with a
 * {@link TransactionConflictException} (which the caller retries) instead of stalling for the
 * timeout. Checks run one at a time, so exactly one side of a cycle fails. A chain whose holder
 * commits meanwhile may report a cycle that just dissolved: a retry, never a hang; the timeout
 * ends any wait the walk misses.
 */
public final class KeyLockTable {

    /** A key held by {@link #owner}; waiters wait on the object's monitor. */
    private static final class Lock {
        final Key key;
        /** Guarded by {@code this}; volatile for the deadlock walk, which reads it unlocked. */
        volatile Owner owner;
        /** Guarded by {@code this}. */
        int waiters;
        /** Guarded by {@code this}: removed from the table; whoever sees it retries the lookup. */
        boolean retired;

        Lock(Key key, Owner owner) {
            this.key = key;
            this.owner = owner;
        }
    }

    /** A lock holder: one per transaction, used by one thread at a time. */
    public static final class Owner {
        /** Locks held, released together. */
        private final List<Lock> held = new ArrayList<>(4);
        /** The lock this owner waits for, or null; read unlocked by other owners' deadlock walks. */
        private volatile Lock waitingFor;

        /** How many keys this owner holds. */
        public int heldCount() {
            return held.size();
        }
    }

    /** A key with its hash computed once; compares contents. The array must not change afterwards. */
    public static final class Key {
        private final byte[] bytes;
        private final int hash;

        public Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = KeyHash.of(bytes);
        }

        public byte[] bytes() {
            return bytes;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }

    private final ConcurrentHashMap<Key, Lock> locks = new ConcurrentHashMap<>();
    /** Serializes deadlock checks (taken only by transactions about to wait, after the key's monitor). */
    private final Object deadlockCheck = new Object();
    private final long timeoutNanos;

    /** @param timeoutMillis how long a transaction waits for a locked key before it fails */
    public KeyLockTable(long timeoutMillis) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
    }

    /**
     * Locks {@code key} for {@code owner} (a no-op if it holds it already).
     *
     * @throws TransactionConflictException on a deadlock or when the lock timeout passes
     */
    public void lock(Owner owner, Key key) {
        while (true) {
            Lock lock = locks.get(key);
            if (lock == null) {
                Lock mine = new Lock(key, owner);
                lock = locks.putIfAbsent(key, mine);
                if (lock == null) {
                    owner.held.add(mine);
                    return;
                }
            }
            if (lock.owner == owner) {
                return;
            }
            if (acquire(owner, lock)) {
                return;
            }
            // the lock was retired while we looked: look again
        }
    }

    /** Waits for {@code lock}; false if it was retired meanwhile (the caller retries the lookup). */
    private boolean acquire(Owner owner, Lock lock) {
        synchronized (lock) {
            if (lock.retired) {
                return false;
            }
            if (lock.owner == null) {
                lock.owner = owner;
                owner.held.add(lock);
                return true;
            }
            if (lock.owner == owner) {
                return true;
            }
            lock.waiters++;
            try {
                synchronized (deadlockCheck) {
                    // Checks and wait registrations in one order: of two transactions closing a
                    // cycle, the second sees the first waiting and fails; the first waits.
                    if (wouldDeadlock(owner, lock)) {
                        throw new TransactionConflictException("deadlock waiting for a key lock");
                    }
                    owner.waitingFor = lock;
                }
                long deadline = System.nanoTime() + timeoutNanos;
                while (lock.owner != null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TransactionConflictException("timed out waiting for a key lock");
                    }
                    try {
                        lock.wait(left / 1_000_000L, (int) (left % 1_000_000L));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TransactionConflictException("interrupted waiting for a key lock", e);
                    }
                }
                lock.owner = owner;
                owner.held.add(lock);
                return true;
            } finally {
                lock.waiters--;
                owner.waitingFor = null;
            }
        }
    }

    /** Whether the waits-for chain from {@code lock}'s holder leads back to {@code owner}. */
    private static boolean wouldDeadlock(Owner owner, Lock lock) {
        Owner holder = lock.owner;
        for (int hops = 0; holder != null && hops < 64; hops++) {
            if (holder == owner) {
                return true;
            }
            Lock next = holder.waitingFor;
            holder = next == null ? null : next.owner;
        }
        return false;
    }

    /** Releases every lock {@code owner} holds, waking a waiter of each. */
    public void releaseAll(Owner owner) {
        List<Lock> held = owner.held;
        for (int i = 0, n = held.size(); i < n; i++) {
            Lock lock = held.get(i);
            synchronized (lock) {
                lock.owner = null;
                if (lock.waiters == 0) {
                    lock.retired = true;
                    locks.remove(lock.key, lock);
                } else {
                    lock.notify();
                }
            }
        }
        held.clear();
    }

    /** Keys locked or waited for now. */
    public int size() {
        return locks.size();
    }
}
