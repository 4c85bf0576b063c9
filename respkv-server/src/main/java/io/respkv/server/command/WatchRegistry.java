package io.respkv.server.command;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.ReadView;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.keyspace.KeyChangeListener;
import io.respkv.server.keyspace.KeyChanges;
import io.respkv.server.keyspace.KeyCodec;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The keys clients WATCH, server-wide (Redis's {@code db->watched_keys}), and the commit path
 * that marks watchers when a commit modifies their keys (Redis's {@code touchWatchedKey} and
 * {@code touchAllWatchedKeysInDb}, multi.c of 7.0).
 *
 * <p><b>Marking.</b> Every engine transaction of a command records the keys it writes or deletes
 * ({@link KeyChanges}, filled by {@link io.respkv.server.keyspace.Keyspace}). Just before it
 * commits, {@link #commit} marks each watcher of those keys <em>touched</em>; a FLUSHDB or
 * FLUSHALL marks the watchers of every key that existed in the flushed database. A key that was
 * already expired (stored past its deadline) when it was watched is Redis's special case: its
 * removal is no change (the mark is cleared instead), only a write that leaves the key stored
 * touches it. Active expiry reports the keys it removes the same way
 * ({@link #beforeCommit}). With nobody watching, marking costs one volatile read.
 *
 * <p><b>Why before the commit.</b> EXEC reads the watched keys in its own transaction first and
 * looks at the marks after: a writer that marked after that look committed after EXEC's read,
 * so EXEC's commit conflicts with it (optimistic engines) or the writer waited for EXEC's key
 * lock (pessimistic ones), and a retried EXEC sees the mark. A writer whose commit then fails
 * leaves a mark that nothing committed: EXEC fails where Redis would not have, which is the safe
 * side.
 *
 * <p><b>Why the gates.</b> A writer decides whether anybody watches just before it commits; a
 * WATCH registered between that look and the commit would miss the write although it happened
 * after the WATCH. So each writer holds a gate (one lock per thread, striped) from its look to
 * the end of its commit, and WATCH, once its keys are registered, passes through every gate:
 * a write that did not see the registration has committed before WATCH returns, and counts as
 * before it. A writer only ever takes its own gate, uncontended unless a WATCH is passing.
 */
public final class WatchRegistry implements KeyChangeListener {

    /** Gates: more than the event loops of a server, so threads rarely share one. */
    private static final int GATES = 64;

    /** One key one client watches (Redis's {@code watchedKey}). */
    static final class Watched {
        final TransactionState owner;
        final int db;
        final byte[] key;
        /** The key was stored but past its deadline when watched (Redis's {@code expired} bit). */
        volatile boolean expired;
        /** A commit modified the key since it was watched (Redis: the owner's CLIENT_DIRTY_CAS). */
        volatile boolean touched;

        Watched(TransactionState owner, int db, byte[] key, boolean expired) {
            this.owner = owner;
            this.db = db;
            this.key = key;
            this.expired = expired;
        }

        boolean is(int otherDb, byte[] otherKey) {
            return db == otherDb && Arrays.equals(key, otherKey);
        }
    }

    /** A (database, key) pair as a map key. */
    private record Key(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.db == db && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(key);
        }
    }

    private final KeyspaceEngine engine;
    private final ConcurrentHashMap<Key, Set<Watched>> byKey = new ConcurrentHashMap<>();
    /** Registered {@link Watched} entries; zero means nobody watches. */
    private final AtomicInteger count = new AtomicInteger();
    private final ReentrantLock[] gates = new ReentrantLock[GATES];
    private final AtomicInteger nextGate = new AtomicInteger();
    private final ThreadLocal<ReentrantLock> threadGate =
            ThreadLocal.withInitial(() -> gates[Math.floorMod(nextGate.getAndIncrement(), GATES)]);

    public WatchRegistry(KeyspaceEngine engine) {
        this.engine = engine;
        for (int i = 0; i < GATES; i++) {
            gates[i] = new ReentrantLock();
        }
    }

    /** Whether any client watches a key. */
    public boolean active() {
        return count.get() > 0;
    }

    /**
     * Commits {@code txn}, which changed {@code changes}: first marks the watchers of the changed
     * keys (except {@code self}'s: an EXEC's own writes do not fail it), then commits, both
     * under this thread's gate (see the class comment). A transaction that changed nothing just
     * commits.
     */
    public void commit(Transaction txn, KeyChanges changes, TransactionState self) {
        if (changes.isEmpty()) {
            txn.commit();
            return;
        }
        ReentrantLock gate = threadGate.get();
        gate.lock();
        try {
            if (count.get() > 0) {
                touch(txn, changes, self);
            }
            txn.commit();
        } finally {
            gate.unlock();
        }
    }

    /** Active expiry's report of the keys a batch removes (see {@link KeyChangeListener}). */
    @Override
    public void beforeCommit(ReadView txn, KeyChanges changes) {
        // No gate needed: only keys already past their deadline are removed, so a WATCH that
        // misses the mark found the key expired, and for such a key the removal is no change.
        if (count.get() > 0) {
            touch(txn, changes, null);
        }
    }

    private void touch(ReadView txn, KeyChanges changes, TransactionState self) {
        for (int i = 0; i < changes.size(); i++) {
            byte[] key = changes.key(i);
            if (key == null) {
                touchFlushed(changes.db(i), self);
                continue;
            }
            Set<Watched> watchers = byKey.get(new Key(changes.db(i), key));
            if (watchers == null) {
                continue;
            }
            Boolean storedAfter = null;
            for (Watched w : watchers) {
                if (w.owner == self) {
                    continue;
                }
                if (w.expired) {
                    if (storedAfter == null) {
                        storedAfter = txn.get(KeyCodec.metaKey(w.db, key)) != null;
                    }
                    if (!storedAfter) {
                        // The already expired key was removed: logically no change (Redis
                        // clears the bit; deleted keys are not flagged as expired).
                        w.expired = false;
                        continue;
                    }
                }
                w.touched = true;
            }
        }
    }

    /** FLUSHDB/FLUSHALL of {@code db}: touches the watched keys that existed there. */
    private void touchFlushed(int db, TransactionState self) {
        Snapshot before = null;
        try {
            for (Map.Entry<Key, Set<Watched>> e : byKey.entrySet()) {
                if (e.getKey().db() != db) {
                    continue;
                }
                if (before == null) {
                    before = engine.snapshot(); // the committed state the flush is about to empty
                }
                if (before.get(KeyCodec.metaKey(db, e.getKey().key())) == null) {
                    continue;
                }
                for (Watched w : e.getValue()) {
                    if (w.owner == self) {
                        continue;
                    }
                    if (w.expired) {
                        w.expired = false; // an expired key now deleted: no logical change
                        continue;
                    }
                    w.touched = true;
                }
            }
        } finally {
            if (before != null) {
                before.close();
            }
        }
    }

    /**
     * Registers {@code w}; the caller then calls {@link #awaitCommitsInFlight} before it reads
     * anything the watch protects.
     */
    void register(Watched w) {
        count.incrementAndGet();
        // Added inside compute: a set an unregister empties is dropped from the map atomically,
        // so an add outside could land in a set the map no longer holds.
        byKey.compute(new Key(w.db, w.key), (k, set) -> {
            Set<Watched> watchers = set != null ? set : ConcurrentHashMap.newKeySet();
            watchers.add(w);
            return watchers;
        });
    }

    /** Unregisters {@code w}. */
    void unregister(Watched w) {
        byKey.computeIfPresent(new Key(w.db, w.key), (k, set) -> {
            set.remove(w);
            return set.isEmpty() ? null : set;
        });
        count.decrementAndGet();
    }

    /**
     * Waits until every commit that may have missed a registration made before this call has
     * finished (passes through every writer's gate).
     */
    void awaitCommitsInFlight() {
        for (ReentrantLock gate : gates) {
            gate.lock();
            gate.unlock();
        }
    }
}
