package io.respkv.proxy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The proxy's current {@link SlotMap}, shared by every event loop (read without locking), and the
 * one thread that re-reads it: every {@code slotsReloadInterval}, and soon after an event loop
 * reports a MOVED redirection or a lost backend ({@link #requestRefresh()}). Refreshes use
 * blocking sockets on that thread, never on an event loop.
 */
final class Topology implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Topology.class.getName());
    /** Requested refreshes closer together than this are merged into one. */
    private static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ProxyConfig config;
    private final AtomicReference<SlotMap> map = new AtomicReference<>(SlotMap.empty());
    private final ScheduledExecutorService thread;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile long lastRefreshNanos;
    final ProxyStats stats = new ProxyStats();

    Topology(ProxyConfig config) {
        this.config = config;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "respkv-proxy-topology");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads the first map, then refreshes it periodically; fails if no startup node answers. */
    CompletableFuture<Void> start() {
        CompletableFuture<Void> first = refreshNow();
        return first.thenRun(() -> {
            long every = config.slotsReloadInterval().toNanos();
            thread.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.NANOSECONDS);
        });
    }

    /** The current map. */
    SlotMap map() {
        return map.get();
    }

    /** Re-reads the map on the topology thread; completes when done, exceptionally if no node answered. */
    CompletableFuture<Void> refreshNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    refresh();
                    done.complete(null);
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Asks for a refresh soon (merged with other requests); from any thread, never blocks. */
    void requestRefresh() {
        if (!refreshQueued.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastRefreshNanos + MIN_GAP_NANOS - System.nanoTime());
        try {
            thread.schedule(() -> {
                refreshQueued.set(false);
                refreshQuietly();
            }, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            refreshQueued.set(false);
        }
    }

    /** Records a MOVED redirection at once (the next commands for the slot go there) and asks for a refresh. */
    void moved(int slot, ClusterNode node) {
        map.updateAndGet(m -> m.withMaster(slot, node));
        requestRefresh();
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "slot map refresh failed", e);
        }
    }

    private void refresh() throws IOException {
        lastRefreshNanos = System.nanoTime();
        Set<ClusterNode> candidates = new LinkedHashSet<>(map.get().nodes());
        candidates.addAll(config.startupNodes());
        List<String> failures = new ArrayList<>();
        for (ClusterNode node : candidates) {
            try {
                SlotMap fresh = TopologyClient.fetch(node, config.user(), config.password(), config.connectTimeout(),
                        config.tls());
                if (fresh.masters().isEmpty()) {
                    failures.add(node + ": no slot assigned");
                    continue;
                }
                map.set(fresh);
                return;
            } catch (IOException | RuntimeException e) {
                failures.add(node + ": " + e.getMessage());
            }
        }
        throw new IOException("no cluster node answered CLUSTER SLOTS: " + failures);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
