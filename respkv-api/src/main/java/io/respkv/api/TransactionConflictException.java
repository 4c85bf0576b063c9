package io.respkv.api;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A transaction lost a race with a concurrent commit and must be retried from the start.
 * Retrying is always safe: nothing of the failed transaction became visible.
 */
public class TransactionConflictException extends RuntimeException {

    public TransactionConflictException(String message) {
        super(message, null, false, false);
    }

    public TransactionConflictException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Sleeps before retry number {@code attempt} (0-based): nothing for the first retries, then a
     * randomized, exponentially growing pause capped at about 10 ms so contending transactions
     * spread out.
     */
    public static void backoff(int attempt) {
        if (attempt < 2) {
            Thread.onSpinWait();
            return;
        }
        long capMicros = Math.min(10_000L, 10L << Math.min(attempt, 10));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(capMicros / 2, capMicros + 1) * 1_000L);
    }
}
