package io.respkv.engine.postgres;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Combines the same kind of one-statement work of concurrent transactions (commands of different
 * connections, on different command threads) into one statement: one round trip, and for writes
 * one database transaction and one WAL flush, for all of them.
 *
 * <p>A caller queues its item and waits. While fewer than {@code maxInFlight} combined statements
 * run, the caller runs one itself ("leader"): its own item first, then the oldest queued items,
 * in order, up to {@code maxBatch} and up to the first that cannot join (see
 * {@link Batch#accepts}); the others wait for a leader to take theirs. So with one caller at a
 * time every item is its own statement, as without combining, and under load the items that
 * queued while a statement ran go together in the next one.
 *
 * @param <I> an item
 * @param <O> its outcome
 */
final class StatementCombiner<I, O> {

    /** Runs one combined statement. */
    interface Batch<I, O> {
        /** Whether {@code item} may join {@code batch} (e.g. no key twice in one statement). */
        boolean accepts(List<I> batch, I item);

        /** Runs the statement for {@code items}; returns one outcome per item, in order. */
        List<O> run(List<I> items) throws SQLException;
    }

    private static final class Pending<I, O> {
        final I item;
        final Thread thread = Thread.currentThread();
        /** Guarded by the combiner. */
        boolean taken;
        boolean done;
        O outcome;
        SQLException sqlFailure;
        RuntimeException failure;

        Pending(I item) {
            this.item = item;
        }
    }

    private final Batch<I, O> batch;
    private final int maxInFlight;
    private final int maxBatch;
    /** Items not yet taken, oldest first. Guarded by this. */
    private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
    private int inFlight;

    StatementCombiner(Batch<I, O> batch, int maxInFlight, int maxBatch) {
        this.batch = batch;
        this.maxInFlight = Math.max(1, maxInFlight);
        this.maxBatch = Math.max(1, maxBatch);
    }

    /**
     * Runs {@code item}'s work, alone or combined with others'; returns its outcome. A waiting
     * caller is woken only for its own sake (its statement ran, or it is the oldest waiting when
     * a statement slot frees): one wake-up per item, not one per statement per waiter.
     */
    O run(I item) throws SQLException {
        Pending<I, O> me = new Pending<>(item);
        List<Pending<I, O>> taken = null;
        synchronized (this) {
            queue.addLast(me);
            if (inFlight < maxInFlight) {
                inFlight++;
                taken = take(me);
            }
        }
        while (taken == null) {
            LockSupport.park(this);
            synchronized (this) {
                if (me.done) {
                    return outcome(me);
                }
                if (!me.taken && inFlight < maxInFlight) {
                    inFlight++;
                    taken = take(me);
                }
            }
        }
        List<I> items = new ArrayList<>(taken.size());
        for (Pending<I, O> p : taken) {
            items.add(p.item);
        }
        List<O> outcomes = null;
        SQLException sqlFailure = null;
        RuntimeException failure = null;
        try {
            outcomes = batch.run(items);
        } catch (SQLException e) {
            sqlFailure = e;
        } catch (RuntimeException e) {
            failure = e;
        }
        Pending<I, O> next;
        synchronized (this) {
            for (int i = 0; i < taken.size(); i++) {
                Pending<I, O> p = taken.get(i);
                p.outcome = outcomes == null ? null : outcomes.get(i);
                p.sqlFailure = sqlFailure;
                p.failure = failure;
                p.done = true;
            }
            inFlight--;
            next = queue.peekFirst(); // leads the next statement
        }
        for (Pending<I, O> p : taken) {
            if (p != me) {
                LockSupport.unpark(p.thread);
            }
        }
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
        return outcome(me);
    }

    /** Takes {@code leader}'s item and those queued before it that may join. Under the lock. */
    private List<Pending<I, O>> take(Pending<I, O> leader) {
        List<Pending<I, O>> taken = new ArrayList<>();
        List<I> items = new ArrayList<>();
        queue.remove(leader);
        leader.taken = true;
        taken.add(leader);
        items.add(leader.item);
        var it = queue.iterator();
        while (it.hasNext() && taken.size() < maxBatch) {
            Pending<I, O> p = it.next();
            if (!batch.accepts(items, p.item)) {
                break; // keep the queue's order: the rest go in a later statement
            }
            it.remove();
            p.taken = true;
            taken.add(p);
            items.add(p.item);
        }
        return taken;
    }

    private O outcome(Pending<I, O> p) throws SQLException {
        if (p.sqlFailure != null) {
            throw p.sqlFailure;
        }
        if (p.failure != null) {
            throw p.failure;
        }
        return p.outcome;
    }
}
