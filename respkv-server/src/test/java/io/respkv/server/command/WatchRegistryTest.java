package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Transaction;
import io.respkv.server.engine.MemoryEngine;
import io.respkv.server.keyspace.KeyChanges;
import io.respkv.server.keyspace.Keyspace;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The WATCH registry over a memory engine: which commits mark which watchers. */
class WatchRegistryTest {

    private static final long NOW = 1_000_000;

    private final MemoryEngine engine = new MemoryEngine();
    private final WatchRegistry registry = new WatchRegistry(engine);

    @AfterEach
    void close() {
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** Runs {@code body} on database 0 at {@link #NOW} and commits it through the registry. */
    private void write(TransactionState self, Consumer<Keyspace> body) {
        KeyChanges changes = new KeyChanges();
        try (Transaction t = engine.begin()) {
            body.accept(new Keyspace(t, 0, NOW, changes));
            registry.commit(t, changes, self);
        }
    }

    private WatchRegistry.Watched watch(TransactionState tx, int db, String key, boolean expired) {
        WatchRegistry.Watched w = new WatchRegistry.Watched(tx, db, b(key), expired);
        registry.register(w);
        tx.addWatched(w);
        return w;
    }

    @Test
    void aWriteMarksEveryWatcherOfTheKeyButItsOwnExec() {
        TransactionState a = new TransactionState();
        TransactionState b = new TransactionState();
        WatchRegistry.Watched wa = watch(a, 0, "k", false);
        WatchRegistry.Watched wb = watch(b, 0, "k", false);
        WatchRegistry.Watched other = watch(b, 0, "other", false);
        WatchRegistry.Watched otherDb = watch(b, 1, "k", false);
        write(a, ks -> ks.putString(b("k"), b("v"), 0));
        assertFalse(wa.touched, "the committing EXEC's own watch");
        assertTrue(wb.touched);
        assertFalse(other.touched);
        assertFalse(otherDb.touched);
        assertTrue(b.dirty());
        assertFalse(a.dirty());
    }

    @Test
    void deletingAMissingKeyIsNoChange() {
        TransactionState a = new TransactionState();
        WatchRegistry.Watched w = watch(a, 0, "k", false);
        write(null, ks -> ks.delete(b("k")));
        assertFalse(w.touched);
    }

    @Test
    void keyExpiredAtWatchTime() {
        write(null, ks -> ks.putString(b("k"), b("v"), NOW - 1)); // stored, already past its deadline
        TransactionState a = new TransactionState();
        WatchRegistry.Watched w = watch(a, 0, "k", true);
        // its removal is no change, and clears the flag...
        write(null, ks -> assertFalse(ks.delete(b("k"))));
        assertFalse(w.touched);
        assertFalse(w.expired);
        // ...so a later write counts
        write(null, ks -> ks.putString(b("k"), b("v2"), 0));
        assertTrue(w.touched);

        // written over while still flagged (removal and write in one): a change
        write(null, ks -> ks.putString(b("j"), b("v"), NOW - 1));
        WatchRegistry.Watched wj = watch(a, 0, "j", true);
        write(null, ks -> ks.putString(b("j"), b("v2"), 0));
        assertTrue(wj.touched);
    }

    @Test
    void flushMarksWatchersOfKeysThatExisted() {
        write(null, ks -> {
            ks.putString(b("live"), b("v"), 0);
            ks.putString(b("stale"), b("v"), NOW - 1);
        });
        TransactionState a = new TransactionState();
        WatchRegistry.Watched live = watch(a, 0, "live", false);
        WatchRegistry.Watched stale = watch(a, 0, "stale", true);
        WatchRegistry.Watched missing = watch(a, 0, "missing", false);
        WatchRegistry.Watched elsewhere = watch(a, 1, "live", false);
        write(null, Keyspace::flush);
        assertTrue(live.touched);
        assertFalse(stale.touched);
        assertFalse(stale.expired, "an expired key deleted by the flush is no longer flagged");
        assertFalse(missing.touched);
        assertFalse(elsewhere.touched);
    }

    @Test
    void activeExpiryReportsLikeAWrite() {
        write(null, ks -> ks.putString(b("k"), b("v"), NOW + 10));
        TransactionState a = new TransactionState();
        WatchRegistry.Watched w = watch(a, 0, "k", false);
        KeyChanges changes = new KeyChanges();
        try (Transaction t = engine.begin()) {
            assertEquals(1, new Keyspace(t, 0, NOW + 20, changes).expireDue(10).expired());
            registry.beforeCommit(t, changes);
            t.commit();
        }
        assertTrue(w.touched);
    }

    @Test
    void unwatchAndDisconnectEmptyTheRegistry() {
        TransactionState a = new TransactionState();
        TransactionState b = new TransactionState();
        watch(a, 0, "k", false);
        watch(b, 0, "k", false);
        watch(b, 2, "x", false);
        assertTrue(registry.active());
        a.unwatchAll(registry);
        assertTrue(registry.active());
        b.disconnected(registry);
        assertFalse(registry.active());
        // nobody watches: a write marks nothing and still commits
        write(null, ks -> ks.putString(b("k"), b("v"), 0));
        try (Transaction t = engine.begin()) {
            assertEquals("v", new String(new Keyspace(t, 0, NOW).getString(b("k")), UTF_8));
        }
    }
}
