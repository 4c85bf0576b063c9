package io.respkv.server;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;

/**
 * The connections of one event loop that received input in the loop's current iteration, whose
 * requests then run together once the iteration's reads are done (a task queued on the loop
 * behind them), after one {@link KeyPrefetcher} hint of the keys of those that sent one request
 * (a pipeline hints its own as it runs). A
 * client that sends one request at a time has nothing buffered behind it to look ahead at, so
 * each of fifty such clients' SETs waited for its key's read-cache entry to come from memory in
 * turn; hinted together, the misses of the iteration's connections overlap.
 *
 * <p>Order is kept: connections run in the order their input arrived, each connection's requests
 * in order, and replies still leave through the connection's handler (and the group-commit
 * barrier, whose sync is queued behind this round). Event loop only.
 */
final class InputRound {

    /** A connection waiting in the round. */
    interface Waiting {
        /** Puts the hash of its lone buffered request's key ({@link KeyPrefetcher#firstKey}) at {@code hashes[at]}; returns how many it put (0 or 1). */
        int firstKey(KeyPrefetcher prefetch, int[] hashes, int at);

        /** Runs its buffered requests and sends their replies (as at the end of a read); throws nothing. */
        void runWaitingInput();
    }

    private final EventExecutor loop;
    private final KeyPrefetcher prefetch;
    private final ArrayList<Waiting> waiting = new ArrayList<>();
    private int[] hashes = new int[64];
    private boolean queued;

    InputRound(EventExecutor loop, KeyPrefetcher prefetch) {
        this.loop = loop;
        this.prefetch = prefetch;
    }

    /** Adds a connection whose input arrived (once per round: the caller remembers it waits). */
    void add(Waiting connection) {
        waiting.add(connection);
        if (!queued) {
            queued = true;
            loop.execute(this::run);
        }
    }

    private void run() {
        queued = false;
        int n = waiting.size();
        hint(n);
        for (int i = 0; i < n; i++) {
            waiting.get(i).runWaitingInput(); // (handles its own failures: the others still run)
        }
        waiting.subList(0, n).clear();
        // a connection that joined while this round ran (none does today) waits for the next
        if (!waiting.isEmpty()) {
            queued = true;
            loop.execute(this::run);
        }
    }

    /** Hints the engine at the first keys of the first {@code n} waiting connections. */
    private void hint(int n) {
        if (hashes.length < n) {
            hashes = new int[Math.max(n, hashes.length * 2)];
        }
        int keys = 0;
        for (int i = 0; i < n; i++) {
            keys += waiting.get(i).firstKey(prefetch, hashes, keys);
        }
        prefetch.hint(hashes, keys);
    }
}
