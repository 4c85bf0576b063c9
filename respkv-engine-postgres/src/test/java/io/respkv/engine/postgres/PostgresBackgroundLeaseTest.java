package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.keyspace.ActiveExpiry;
import io.respkv.server.keyspace.VersionSweeper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Background work (active expiry, the version sweeper) on a schema shared by several respkv
 * instances runs on one of them at a time: {@link PostgresEngine#holdsBackgroundLease}, a
 * PostgreSQL advisory lock per task, held by a session of its own.
 */
@Timeout(120)
class PostgresBackgroundLeaseTest {

    private static final Pattern EXPIRED_KEYS = Pattern.compile("\r\nexpired_keys:(\\d+)\r\n");

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.add(resource);
        return resource;
    }

    private PostgresEngine engine(String schema) {
        return closing(PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(4).build());
    }

    /** Polls {@code condition} until it holds or {@code seconds} pass; returns whether it held. */
    private static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void oneEngineOfASchemaHoldsEachLeaseAndAnotherTakesOverWhenItCloses() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("lease");
        PostgresEngine a = engine(schema);
        PostgresEngine b = engine(schema);
        PostgresEngine elsewhere = engine(EmbeddedPostgresServer.newSchema("lease_other"));
        assertTrue(a.holdsBackgroundLease("task"), "the first to ask");
        assertFalse(b.holdsBackgroundLease("task"));
        assertTrue(b.holdsBackgroundLease("other task"), "each task is its own lease");
        assertFalse(a.holdsBackgroundLease("other task"));
        assertTrue(elsewhere.holdsBackgroundLease("task"), "another schema is another deployment");
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(BackgroundLeases.CHECK_NANOS) + 100);
        assertTrue(a.holdsBackgroundLease("task"), "still held after a check");
        assertFalse(b.holdsBackgroundLease("task"), "still not");

        a.close();
        assertFalse(a.holdsBackgroundLease("other task"), "a closed engine holds nothing");
        long start = System.nanoTime();
        assertTrue(await(() -> b.holdsBackgroundLease("task"), 5), "b takes over once a released the lock");
        assertTrue(System.nanoTime() - start < BackgroundLeases.CHECK_NANOS + TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aLeaseHeldByAnotherSessionIsNotGrantedUntilThatSessionEnds() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("lease_ext");
        PostgresEngine engine = engine(schema);
        try (Connection other = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl())) {
            holdLease(other, schema, "task");
            assertFalse(engine.holdsBackgroundLease("task"));
        }
        assertTrue(await(() -> engine.holdsBackgroundLease("task"), 5));
    }

    /** Takes {@code task}'s lease of {@code schema} on {@code session}, as an engine of that schema would. */
    static void holdLease(Connection session, String schema, String task) throws Exception {
        try (PreparedStatement ps = session.prepareStatement(BackgroundLeases.TRY_LOCK)) {
            ps.setString(1, BackgroundLeases.lockSpace(schema));
            ps.setString(2, task);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1), "lease " + task + " taken");
            }
        }
    }

    /**
     * INFO's expired_keys once it reached {@code expected} or 5 s passed: the counter goes up just
     * after the expiry step's transaction commits, so the rows can be gone a moment before it.
     */
    private static long settledExpiredKeys(RawRespClient client, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long n = expiredKeys(client);
        while (n < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = expiredKeys(client);
        }
        return n;
    }

    private static long expiredKeys(RawRespClient client) throws Exception {
        Matcher m = EXPIRED_KEYS.matcher(new String(client.call("INFO", "stats").raw(), UTF_8));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    private static long rows(String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".respkv_kv")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean noRowsLeft(String schema) {
        try {
            return rows(schema) == 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoInstancesOnOneSchemaExpireKeysOnOneOfThemAndTheOtherTakesOver() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("expiry2");
        PostgresEngine engineA = engine(schema);
        PostgresEngine engineB = engine(schema);
        RespServer a = closing(RespServer.builder().port(0).ownedEngine(engineA).start().join());
        RespServer b = closing(RespServer.builder().port(0).ownedEngine(engineB).start().join());
        RawRespClient clientA = closing(RawRespClient.connect(new RespTarget("a", "127.0.0.1", a.activePort())));
        RawRespClient clientB = closing(RawRespClient.connect(new RespTarget("b", "127.0.0.1", b.activePort())));
        // Both servers' loops ask at once; whichever engine won holds both leases' first round.
        assertTrue(await(() -> engineA.holdsBackgroundLease(ActiveExpiry.LEASE)
                || engineB.holdsBackgroundLease(ActiveExpiry.LEASE), 5));
        boolean aHolds = engineA.holdsBackgroundLease(ActiveExpiry.LEASE);
        assertFalse(aHolds && engineB.holdsBackgroundLease(ActiveExpiry.LEASE), "exactly one holds it");
        RawRespClient holder = aHolds ? clientA : clientB;
        RawRespClient other = aHolds ? clientB : clientA;

        int keys = 100;
        for (int i = 0; i < keys; i++) {
            assertEquals("+OK", new String(other.call("SET", "k" + i, "v", "PX", "1").raw(), UTF_8).trim());
        }
        assertTrue(await(() -> noRowsLeft(schema), 20), "active expiry removed every key (nobody read them)");
        assertEquals(keys, settledExpiredKeys(holder, keys), "the lease holder expired them all");
        assertEquals(0, expiredKeys(other), "the other instance expired none");

        // The holder stops: its engine closes, its session ends, its locks go; the other takes over.
        (aHolds ? a : b).close();
        RawRespClient survivor = other;
        PostgresEngine survivorEngine = aHolds ? engineB : engineA;
        assertTrue(await(() -> survivorEngine.holdsBackgroundLease(ActiveExpiry.LEASE)
                && survivorEngine.holdsBackgroundLease(VersionSweeper.LEASE), 5));
        for (int i = 0; i < keys; i++) {
            assertEquals("+OK", new String(survivor.call("SET", "k" + i, "v", "PX", "1").raw(), UTF_8).trim());
        }
        assertTrue(await(() -> noRowsLeft(schema), 20), "expired by the instance that took over");
        assertEquals(keys, settledExpiredKeys(survivor, keys));
    }
}
