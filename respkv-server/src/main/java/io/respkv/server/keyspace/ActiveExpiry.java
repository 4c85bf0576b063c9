package io.respkv.server.keyspace;

import io.respkv.api.KeyspaceEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Removes expired keys that nobody reads, like Redis's {@code activeExpireCycle} (expire.c):
 * a daemon thread runs a cycle every 100 ms (Redis's default {@code hz 10}).
 *
 * <p>A cycle visits up to 16 databases (all of them after a cycle that ran out of time), going
 * on from the database after the last one the previous cycle visited. In each it
 * runs loops of one transaction each: take up to 20 entries of the expiry index due at the
 * cycle's time (the index is ordered by deadline, so these are exactly the overdue keys, no
 * live key is scanned) and remove those keys with {@link Keyspace#expireDue}, which re-checks
 * each key's current deadline in the transaction (a key re-set without expiry or with a new
 * deadline is left alone). It repeats while the batch was full and more than 25% of it
 * expired, and stops the whole cycle once it has used 25% of the cycle period (25 ms), so a
 * flood of expiring keys costs a bounded share of the machine; the rest go in later cycles.
 * Expired keys are counted in the {@code expired_keys} counter given to the constructor.
 *
 * <p>Commands do not depend on it: reads already treat an expired key as absent.
 *
 * <p>The background thread runs a cycle only while the engine grants this instance the
 * {@value #LEASE} lease ({@link KeyspaceEngine#holdsBackgroundLease}): on a store shared by
 * several respkv instances one of them expires keys, not all.
 *
 * <p>Under Raft (later), replicas will not run this on their own clock: active expiry becomes a
 * replicated delete issued by the leader, so every replica removes the same keys.
 */
public final class ActiveExpiry {

    /** The background task name this asks the engine a lease for. */
    public static final String LEASE = "active-expiry";
    /** Index entries one loop takes (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
    public static final int KEYS_PER_LOOP = 20;
    /** The cycle period: Redis's default {@code hz 10}. */
    public static final long CYCLE_MILLIS = 100;
    /** Share of the period a cycle may use (Redis: ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
    public static final int CYCLE_TIME_PERCENT = 25;
    /** Databases visited per cycle (Redis: CRON_DBS_PER_CALL). */
    public static final int DATABASES_PER_CYCLE = 16;
    /** A loop is repeated while more than this share of its sample expired. */
    public static final int REPEAT_EXPIRED_PERCENT = 25;

    private final KeyspaceEngine engine;
    private final int databases;
    private final LongAdder expiredKeys;
    private final int keysPerLoop;
    private final long cycleBudgetNanos;
    private final LongSupplier wallClockMillis;
    private final LongSupplier nanoClock;
    private final BackgroundLoop loop;
    /** Told which keys each batch expires, before it commits (WATCH). */
    private volatile KeyChangeListener changeListener = KeyChangeListener.NONE;
    /** The database the next cycle starts with; only the cycle's thread touches it. */
    private int nextDb;
    /** Whether the previous cycle ran out of time (then the next one visits every database). */
    private boolean timeLimitHit;
    private volatile Listener listener;

    /** Told of the keys active expiry removed (keyspace notifications), after each commit. */
    public interface Listener {
        /** Whether to collect expired keys at all (cheap; asked once per transaction). */
        boolean wanted();

        /** {@code keys} of {@code db} expired and are gone: their transaction has committed. */
        void expired(int db, List<byte[]> keys);
    }

    /** Sets the listener; null for none. */
    public void listener(Listener listener) {
        this.listener = listener;
    }

    /** Redis's defaults on the system clocks. */
    public ActiveExpiry(KeyspaceEngine engine, int databases, LongAdder expiredKeys) {
        this(engine, databases, expiredKeys, KEYS_PER_LOOP,
                TimeUnit.MILLISECONDS.toNanos(CYCLE_MILLIS) * CYCLE_TIME_PERCENT / 100,
                System::currentTimeMillis, System::nanoTime);
    }

    /**
     * @param keysPerLoop      index entries per loop (one transaction)
     * @param cycleBudgetNanos time after which a cycle stops (checked after each loop)
     * @param wallClockMillis  the time keys expire against (Unix ms)
     * @param nanoClock        measures the cycle's budget
     */
    public ActiveExpiry(KeyspaceEngine engine, int databases, LongAdder expiredKeys, int keysPerLoop,
                        long cycleBudgetNanos, LongSupplier wallClockMillis, LongSupplier nanoClock) {
        if (databases < 1 || keysPerLoop < 1 || cycleBudgetNanos < 0) {
            throw new IllegalArgumentException("invalid active expiry limits");
        }
        this.engine = engine;
        this.databases = databases;
        this.expiredKeys = expiredKeys;
        this.keysPerLoop = keysPerLoop;
        this.cycleBudgetNanos = cycleBudgetNanos;
        this.wallClockMillis = wallClockMillis;
        this.nanoClock = nanoClock;
        long period = TimeUnit.MILLISECONDS.toNanos(CYCLE_MILLIS);
        this.loop = new BackgroundLoop("respkv-active-expiry", keepGoing -> {
            if (!engine.holdsBackgroundLease(LEASE)) {
                return period; // another instance over the same store expires keys
            }
            long start = System.nanoTime();
            runCycle(keepGoing);
            return Math.max(0, period - (System.nanoTime() - start));
        });
    }

    /**
     * Sets what hears the keys each batch expires, just before the batch commits (the server's
     * WATCH registry: an expired watched key makes the watcher's EXEC fail, as Redis's
     * {@code deleteExpiredKeyAndPropagate} touches the key).
     */
    public void changeListener(KeyChangeListener listener) {
        this.changeListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Starts the background thread (idempotent). */
    public void start() {
        loop.start();
    }

    /** Stops the background thread, waiting for its current transaction (at most 10 s). Idempotent. */
    public boolean stop() {
        return loop.stop(10_000);
    }

    /** What one cycle did. */
    public record Cycle(int loops, long sampled, long expired, boolean timeLimitHit) {
    }

    /** Runs one cycle now, in the calling thread. */
    public Cycle runCycle() {
        return runCycle(() -> true);
    }

    /**
     * Removes up to {@code limit} keys of database {@code db} due at {@code now}, in one engine
     * transaction (retried on a conflict), telling the change and expiry listeners; counts them
     * in {@code expired_keys}. {@code beforeCommit}, if not null, adds to the transaction just
     * before it commits (a replica records the log entry it applies). One step of a cycle, and
     * what a replicated expiry entry runs on every replica with the leader's time.
     */
    public Keyspace.ExpiryBatch expireBatch(int db, long now, int limit,
                                            java.util.function.Consumer<io.respkv.api.Transaction> beforeCommit) {
        KeyChangeListener changeListener = this.changeListener;
        Listener l = listener;
        List<byte[]> removed = l != null && l.wanted() ? new ArrayList<>() : null;
        Keyspace.ExpiryBatch batch = engine.transact(txn -> {
            KeyChanges changes = changeListener == KeyChangeListener.NONE ? null : new KeyChanges();
            Keyspace ks = changes == null ? new Keyspace(txn, db, now) : new Keyspace(txn, db, now, changes);
            if (removed != null) {
                removed.clear(); // the body runs again after a conflict
                ks.listener(new Keyspace.Listener() {
                    @Override
                    public void created(int d, byte[] key) {
                    }

                    @Override
                    public void expired(int d, byte[] key) {
                        removed.add(key.clone());
                    }
                });
            }
            Keyspace.ExpiryBatch b = ks.expireDue(limit);
            if (changes != null && !changes.isEmpty()) {
                changeListener.beforeCommit(txn, changes);
            }
            if (beforeCommit != null) {
                beforeCommit.accept(txn);
            }
            return b;
        });
        if (removed != null && !removed.isEmpty()) {
            l.expired(db, removed);
        }
        expiredKeys.add(batch.expired());
        return batch;
    }

    /** Whether database {@code db} has a key due at {@code now}, by one read of the expiry index. */
    public boolean anyDue(int db, long now) {
        try (io.respkv.api.Snapshot s = engine.snapshot();
             io.respkv.api.KvCursor c = s.scan(KeyCodec.expiryPrefix(db), KeyCodec.expiryDueBound(db, now), false)) {
            return c.next();
        }
    }

    /** The number of databases it looks after. */
    public int databases() {
        return databases;
    }

    private synchronized Cycle runCycle(BooleanSupplier keepGoing) {
        long start = nanoClock.getAsLong();
        long now = wallClockMillis.getAsLong();
        int dbsThisCycle = timeLimitHit ? databases : Math.min(DATABASES_PER_CYCLE, databases);
        timeLimitHit = false;
        int loops = 0;
        long sampled = 0;
        long expired = 0;
        for (int i = 0; i < dbsThisCycle && keepGoing.getAsBoolean(); i++) {
            int db = nextDb;
            nextDb = (nextDb + 1) % databases;
            Keyspace.ExpiryBatch batch;
            do {
                batch = expireBatch(db, now, keysPerLoop, null);
                loops++;
                sampled += batch.sampled();
                expired += batch.expired();
                if (nanoClock.getAsLong() - start >= cycleBudgetNanos) {
                    // The next cycle starts with the next database (as Redis does), so one
                    // database flooded with expiring keys cannot starve the others.
                    timeLimitHit = true;
                    return new Cycle(loops, sampled, expired, true);
                }
            } while (batch.sampled() == keysPerLoop
                    && batch.expired() * 100L > (long) batch.sampled() * REPEAT_EXPIRED_PERCENT
                    && keepGoing.getAsBoolean());
        }
        return new Cycle(loops, sampled, expired, false);
    }
}
