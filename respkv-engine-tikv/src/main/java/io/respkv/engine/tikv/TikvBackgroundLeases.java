package io.respkv.engine.tikv;

import io.respkv.api.KeyOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which background tasks this respkv instance runs, when several share one TiKV prefix: each task
 * has a lease record at metadata key {@code P 'm' "lease:" task}, holding its holder's random id
 * and an expiry in PD time (the physical part of a TSO timestamp, so every instance reads the same
 * clock). An instance takes the lease when it is absent, expired or its own, renewing it for
 * {@link #LEASE_MILLIS} every {@link #CHECK_NANOS}; taking and renewing are ordinary transactions
 * (read, then write back), so two instances racing for it conflict and only one wins.
 *
 * <p>The holder checks every second and gives the task up when a renewal fails; a holder that dies
 * keeps it for at most {@link #LEASE_MILLIS}. In the moment a lease changes hands two instances
 * may both run the task: the tasks run ordinary transactions, so that costs duplicate work only.
 */
final class TikvBackgroundLeases implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TikvBackgroundLeases.class.getName());
    static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long LEASE_MILLIS = 5_000;

    private final TikvEngine engine;
    private final byte[] me = new byte[16];
    private final Map<String, Lease> leases = new HashMap<>();
    private boolean closed;

    private static final class Lease {
        boolean held;
        boolean checked;
        long checkedAt;
    }

    TikvBackgroundLeases(TikvEngine engine) {
        this.engine = engine;
        new SecureRandom().nextBytes(me);
    }

    private byte[] key(String task) {
        return engine.keys.meta(("lease:" + task).getBytes(StandardCharsets.UTF_8));
    }

    synchronized boolean holds(String task) {
        if (closed) {
            return false;
        }
        Lease lease = leases.computeIfAbsent(task, t -> new Lease());
        long now = System.nanoTime();
        if (lease.checked && now - lease.checkedAt < CHECK_NANOS) {
            return lease.held;
        }
        lease.checked = true;
        lease.checkedAt = now;
        try {
            lease.held = tryTake(task);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "background lease " + task + " not renewed: " + e.getMessage(), e);
            lease.held = false;
        }
        return lease.held;
    }

    private boolean tryTake(String task) {
        long startTs = engine.timestamp();
        long pdMillis = startTs >>> 18;
        byte[] key = key(task);
        byte[] stored = engine.read(key, startTs);
        if (stored != null) {
            ByteBuffer record = ByteBuffer.wrap(TikvKeys.decodeValue(stored));
            byte[] holder = new byte[16];
            record.get(holder);
            long expiry = record.getLong();
            if (!Arrays.equals(holder, me) && expiry > pdMillis) {
                return false;
            }
        }
        write(startTs, key, pdMillis + LEASE_MILLIS);
        return true;
    }

    private void write(long startTs, byte[] key, long expiry) {
        ByteBuffer record = ByteBuffer.allocate(24).put(me).putLong(expiry);
        TreeMap<byte[], byte[]> m = new TreeMap<>(KeyOrder.UNSIGNED);
        m.put(key, TikvKeys.encodeValue(record.array()));
        engine.commit(startTs, m);
    }

    /** Gives up the leases held (expires them now), so another instance takes over at its next check. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Map.Entry<String, Lease> e : leases.entrySet()) {
            if (e.getValue().held) {
                try {
                    long startTs = engine.timestamp();
                    byte[] stored = engine.read(key(e.getKey()), startTs);
                    if (stored != null && Arrays.equals(Arrays.copyOfRange(TikvKeys.decodeValue(stored), 0, 16), me)) {
                        write(startTs, key(e.getKey()), 0);
                    }
                } catch (RuntimeException ex) {
                    LOG.log(Level.FINE, "lease " + e.getKey() + " left to expire", ex);
                }
                e.getValue().held = false;
            }
        }
    }
}
