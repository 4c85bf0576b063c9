package io.respkv.engine.tikv;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.tikv.common.exception.GrpcException;
import org.tikv.common.log.SlowLog;
import org.tikv.common.util.BackOffFunction.BackOffFuncType;
import org.tikv.common.util.BackOffer;
import org.tikv.common.util.ConcreteBackOffer;

/**
 * The client's back-off for one respkv read or prewrite, with short waits on other transactions'
 * locks. tikv-client-java waits at least ~100 ms (growing to seconds) each time it meets a live
 * lock, a pace made for long analytical transactions; a respkv command's transaction holds its
 * locks for about one round trip, so waiting 1 ms, then 2, 4 ... up to 16 ms (jittered) ends the
 * wait as soon as the holder commits. After {@code lockWaitMillis} of lock waits it gives up
 * ({@link LockWaitExceeded} carrying the lock error), which the engine answers as a transaction
 * conflict. Every other kind of back-off (region errors, RPC failures, PD) is the client's own.
 */
final class LockWaitBackOffer implements BackOffer {

    /** The lock-wait budget is spent (or a final key error met): the transaction conflicts. */
    static final class LockWaitExceeded extends GrpcException {
        LockWaitExceeded(String message, Exception cause) {
            super(message, cause);
        }
    }

    private final ConcreteBackOffer delegate;
    private final long deadlineNanos;
    private int lockWaits;

    LockWaitBackOffer(int maxBackOffMillis, long lockWaitMillis) {
        this.delegate = ConcreteBackOffer.newCustomBackOff(maxBackOffMillis);
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lockWaitMillis);
    }

    private static boolean isLockWait(BackOffFuncType type) {
        return type == BackOffFuncType.BoTxnLock || type == BackOffFuncType.BoTxnLockFast
                || type == BackOffFuncType.BoTxnNotFound;
    }

    /** Sleeps for the next short lock wait; false once the lock-wait budget is spent. */
    private boolean lockWait() {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        long capMicros = 1_000L << Math.min(lockWaits++, 4);
        long micros = ThreadLocalRandom.current().nextLong(capMicros / 2, capMicros + 1);
        LockSupport.parkNanos(Math.min(left, TimeUnit.MICROSECONDS.toNanos(micros)));
        return true;
    }

    /** A key error other than a lock (a write conflict, a rolled-back transaction) is final: no retry helps. */
    private static void failOnKeyError(Exception err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof org.tikv.common.exception.KeyException) {
                throw new LockWaitExceeded("key error", err);
            }
        }
    }

    @Override
    public void doBackOff(BackOffFuncType type, Exception err) {
        failOnKeyError(err);
        if (!isLockWait(type)) {
            delegate.doBackOff(type, err);
        } else if (!lockWait()) {
            throw new LockWaitExceeded("lock wait exceeded", err);
        }
    }

    @Override
    public void doBackOffWithMaxSleep(BackOffFuncType type, long maxSleepMs, Exception err) {
        if (!isLockWait(type)) {
            delegate.doBackOffWithMaxSleep(type, maxSleepMs, err);
        } else if (!lockWait()) {
            throw new LockWaitExceeded("lock wait exceeded", err);
        }
    }

    @Override
    public boolean canRetryAfterSleep(BackOffFuncType type) {
        return isLockWait(type) ? lockWait() : delegate.canRetryAfterSleep(type);
    }

    @Override
    public void checkTimeout() {
        delegate.checkTimeout();
    }

    @Override
    public SlowLog getSlowLog() {
        return delegate.getSlowLog();
    }

    @Override
    public Long getClusterId() {
        return delegate.getClusterId();
    }
}
