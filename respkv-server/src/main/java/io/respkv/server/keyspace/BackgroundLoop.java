package io.respkv.server.keyspace;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A daemon thread that runs one step of background work after another, pausing between steps
 * as the step asks, until {@link #stop()}.
 *
 * <p>Stopping does not interrupt the thread while it works: an engine may use interruptible
 * channels, which an interrupt would close under it. Instead the step is given a
 * {@link BooleanSupplier} to check between transactions, and a pause is cut short at once. An
 * interrupt from elsewhere also ends the loop.
 */
final class BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class.getName());
    private static final long ERROR_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One step of work; returns how long to pause before the next, in nanoseconds (0: none). */
    interface Step {
        long run(BooleanSupplier keepGoing);
    }

    private final String threadName;
    private final Step step;
    private volatile boolean running;
    private Thread thread;

    BackgroundLoop(String threadName, Step step) {
        this.threadName = threadName;
        this.step = step;
    }

    /** Starts the thread; does nothing if it is running. */
    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        Thread t = new Thread(this::loop, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Asks the thread to stop and waits for it to finish its current transaction (up to
     * {@code timeoutMillis}). Returns whether it has ended. Idempotent.
     */
    boolean stop(long timeoutMillis) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) {
            return true;
        }
        LockSupport.unpark(t);
        try {
            t.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /** Whether the loop should go on: not stopped and its thread not interrupted. */
    boolean keepGoing() {
        return running && !Thread.currentThread().isInterrupted();
    }

    private void loop() {
        while (keepGoing()) {
            long pause;
            try {
                pause = step.run(this::keepGoing);
            } catch (RuntimeException e) {
                if (!keepGoing()) {
                    break; // the engine closing under a stopping server
                }
                LOG.log(Level.WARNING, threadName + " failed; retrying in 1 s", e);
                pause = ERROR_PAUSE_NANOS;
            }
            pause(pause);
        }
    }

    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left = nanos;
        while (left > 0 && keepGoing()) {
            LockSupport.parkNanos(this, left);
            left = deadline - System.nanoTime();
        }
    }
}
