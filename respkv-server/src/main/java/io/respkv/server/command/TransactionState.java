package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's MULTI/EXEC and WATCH state (Redis's {@code c->mstate}, {@code
 * c->watched_keys} and the CLIENT_MULTI, CLIENT_DIRTY_EXEC, CLIENT_DIRTY_CAS flags).
 *
 * <p>Changed only on the connection's own thread (by {@link TransactionCommands} and the
 * dispatcher); other threads mark its watched keys touched ({@link WatchRegistry}) and read it
 * for CLIENT LIST, which is why the fields they read are volatile and the watch list is replaced,
 * never changed in place.
 */
public final class TransactionState {

    /** A command queued between MULTI and EXEC, with its own copy of the arguments. */
    record Queued(CommandEntry entry, RespRequest request) {
    }

    /** CLIENT_MULTI: requests are queued. */
    private volatile boolean multi;
    /** CLIENT_DIRTY_EXEC: a request was refused while queuing, EXEC will abort. */
    private boolean aborted;
    private final List<Queued> queue = new ArrayList<>();
    /** The queue's length, for CLIENT LIST ({@code multi=}). */
    private volatile int queued;
    /** The watched keys (immutable list, replaced on change). */
    private volatile List<WatchRegistry.Watched> watched = List.of();

    /**
     * Set from the start of an EXEC that runs its queue until the commit that ends it: the
     * commits of that EXEC do not touch this client's own watched keys (Redis unwatches before
     * running the queue), and an EXEC that finds it set is a retry of the same EXEC.
     */
    volatile boolean executing;
    /**
     * Under replication: the log index this node had applied when the first of the watched keys
     * was watched (after a read index, so every write acknowledged before WATCH is in it); EXEC's
     * entry carries it, and every replica fails EXEC if the log modified a watched key after it
     * ({@link ModificationLog}). -1 when nothing is watched.
     */
    long replicatedWatchIndex = -1;
    /** The database and protocol the running EXEC started with, restored when it is retried. */
    int execDb;
    ProtocolVersion execProtocol;

    /** Whether the connection is between MULTI and EXEC/DISCARD (CLIENT LIST flag {@code x}). */
    public boolean inMulti() {
        return multi;
    }

    /** The number of queued commands, -1 outside MULTI (CLIENT LIST's {@code multi=}). */
    public int multiCount() {
        return multi ? queued : -1;
    }

    /**
     * Whether a watched key was modified since it was watched (CLIENT LIST flag {@code d}). The
     * keys found expired at EXEC are not counted here.
     */
    public boolean dirty() {
        for (WatchRegistry.Watched w : watched) {
            if (w.touched) {
                return true;
            }
        }
        return false;
    }

    void beginMulti() {
        multi = true;
    }

    /** Flags the transaction so that EXEC aborts (Redis's flagTransaction); only inside MULTI. */
    void flagError() {
        if (multi) {
            aborted = true;
        }
    }

    boolean aborted() {
        return aborted;
    }

    void enqueue(CommandEntry entry, RespRequest request) {
        if (aborted || dirty()) {
            return; // as Redis: no sense keeping commands of a transaction already doomed
        }
        queue.add(new Queued(entry, request));
        queued = queue.size();
    }

    List<Queued> queue() {
        return queue;
    }

    List<WatchRegistry.Watched> watched() {
        return watched;
    }

    boolean watching(int db, byte[] key) {
        for (WatchRegistry.Watched w : watched) {
            if (w.is(db, key)) {
                return true;
            }
        }
        return false;
    }

    void addWatched(WatchRegistry.Watched w) {
        List<WatchRegistry.Watched> next = new ArrayList<>(watched.size() + 1);
        next.addAll(watched);
        next.add(w);
        watched = List.copyOf(next);
    }

    /** Unwatches every key (Redis's unwatchAllKeys). */
    void unwatchAll(WatchRegistry registry) {
        List<WatchRegistry.Watched> current = watched;
        if (current.isEmpty()) {
            return;
        }
        watched = List.of();
        replicatedWatchIndex = -1;
        for (WatchRegistry.Watched w : current) {
            registry.unregister(w);
        }
    }

    /** The connection closed: drops the queue and every watch. */
    public void disconnected(WatchRegistry registry) {
        discard(registry);
    }

    /** Leaves MULTI, drops the queue and every watch (Redis's discardTransaction). */
    void discard(WatchRegistry registry) {
        queue.clear();
        queued = 0;
        multi = false;
        aborted = false;
        executing = false;
        unwatchAll(registry);
    }
}
