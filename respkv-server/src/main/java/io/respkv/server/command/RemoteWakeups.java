package io.respkv.server.command;

import io.respkv.api.KeySignals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Wakes clients blocked on a key (BLPOP, BLMOVE, BZPOPMIN...) when another respkv instance
 * sharing the store writes that key, through the engine's {@link KeySignals}:
 * <ul>
 *   <li>when a key gets its first blocked client on this instance, and when it loses its last,
 *       the engine is told ({@link KeySignals#waiting}), so the other instances know to signal
 *       it;</li>
 *   <li>after a write commits here, the keys it touched are signalled to the instances waiting on
 *       them (nothing is sent for keys nobody else waits on);</li>
 *   <li>a key another instance signalled is served here as a local write would have served it:
 *       its waiters are tried in order, on a command thread.</li>
 * </ul>
 * Signals are best effort (one may be lost, for instance when a push commits on another instance
 * before it has learnt that this one waits on the key), so while clients are blocked the keys
 * they wait on are also looked at every {@link #RECHECK_MILLIS}: a client is woken at once in
 * the usual case, and within that period in the worst.
 *
 * <p>Tokens are the database (2 bytes, big-endian) followed by the key.
 */
public final class RemoteWakeups implements BlockingKeys.Observer {

    private static final Logger LOG = Logger.getLogger(RemoteWakeups.class.getName());
    /** How often the keys blocked clients wait on are looked at even without a signal. */
    public static final long RECHECK_MILLIS = 1_000;

    private final KeySignals signals;
    private final BlockingKeys blocking;
    private final Executor executor;
    private final Thread recheck;
    private volatile boolean stopped;

    /**
     * @param executor where signalled keys are served (engine transactions): the server's command
     *                 threads
     */
    public RemoteWakeups(KeySignals signals, BlockingKeys blocking, Executor executor) {
        this.signals = signals;
        this.blocking = blocking;
        this.executor = executor;
        signals.listener(token -> serve(List.of(waitKey(token))));
        blocking.observer(this);
        this.recheck = new Thread(this::recheckLoop, "respkv-blocked-recheck");
        recheck.setDaemon(true);
    }

    /** Starts the periodic look at blocked keys. */
    public void start() {
        recheck.start();
    }

    /** Stops it. Idempotent. */
    public void stop() {
        stopped = true;
        LockSupport.unpark(recheck);
    }

    /** Whether another instance waits on some key: only then are written keys worth signalling. */
    boolean othersWaiting() {
        return signals.othersWaiting();
    }

    /** A write committed here touched {@code keys}: wake the other instances' clients blocked on them. */
    void signal(Collection<BlockingKeys.WaitKey> keys) {
        List<byte[]> tokens = new ArrayList<>(keys.size());
        for (BlockingKeys.WaitKey k : keys) {
            tokens.add(token(k));
        }
        signals.signal(tokens);
    }

    @Override
    public void waited(BlockingKeys.WaitKey key, boolean waited) {
        signals.waiting(token(key), waited);
    }

    @Override
    public void filled(List<BlockingKeys.WaitKey> keys) {
        if (signals.othersWaiting()) {
            signal(keys);
        }
    }

    private void serve(List<BlockingKeys.WaitKey> keys) {
        try {
            executor.execute(() -> {
                try {
                    blocking.serve(keys);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "serving keys another instance signalled failed", e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            // the server is stopping
        }
    }

    private void recheckLoop() {
        while (!stopped) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS));
            if (!stopped && blocking.hasWaiters()) {
                serve(blocking.waitedKeys());
            }
        }
    }

    static byte[] token(BlockingKeys.WaitKey k) {
        byte[] token = new byte[2 + k.key.length];
        token[0] = (byte) (k.db >>> 8);
        token[1] = (byte) k.db;
        System.arraycopy(k.key, 0, token, 2, k.key.length);
        return token;
    }

    static BlockingKeys.WaitKey waitKey(byte[] token) {
        int db = ((token[0] & 0xff) << 8) | (token[1] & 0xff);
        return new BlockingKeys.WaitKey(db, Arrays.copyOfRange(token, 2, token.length));
    }
}
