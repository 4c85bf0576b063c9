package io.respkv.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * STALE connections read a real PostgreSQL streaming replica; the others read the primary.
 *
 * <p>Two PostgreSQL servers of their own: the primary, and a hot standby made from it by a base
 * backup taken with the low-level API ({@code pg_backup_start} / copying the data directory /
 * {@code pg_backup_stop}: zonky ships no {@code pg_basebackup}) and streaming from it. Pausing the
 * standby's replay makes the difference visible: a write through respkv is read back by a default
 * connection and not (yet) by a READONLY one; and while the standby has not replayed respkv's
 * table at all, STALE reads go to the primary.
 */
@Timeout(180)
class PostgresReplicaReadTest {

    /** Directories a base backup leaves out (their contents are recreated at startup). */
    private static final Set<String> SKIPPED_CONTENTS = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts");
    private static final ProtocolCommand CONSISTENCY = () -> "RESPKV.CONSISTENCY".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path primaryDir;
    @TempDir
    Path replicaDir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // a server the test stopped already
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static EmbeddedPostgres start(Path dir, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_keep_size", "256MB")
                .start();
    }

    /** A base backup of the running primary into {@code target}, set up as a standby streaming from it. */
    private static void baseBackup(EmbeddedPostgres primary, Path source, Path target, int primaryPort) throws Exception {
        try (Connection c = DriverManager.getConnection(primary.getJdbcUrl("postgres", "postgres"));
             Statement st = c.createStatement()) {
            st.execute("SELECT pg_backup_start('respkv-replica-test', true)");
            copyDataDirectory(source, target);
            try (ResultSet rs = st.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
                rs.next();
                Files.writeString(target.resolve("backup_label"), rs.getString(1));
            }
        }
        Files.createFile(target.resolve("standby.signal"));
        Files.writeString(target.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=127.0.0.1 port="
                + primaryPort + " user=postgres'\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void copyDataDirectory(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                if (!dir.equals(source) && SKIPPED_CONTENTS.contains(dir.getFileName().toString())
                        && dir.getParent().equals(source)) {
                    if (dir.getFileName().toString().equals("pg_wal")) {
                        Files.createDirectories(target.resolve("pg_wal/archive_status"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getParent().equals(source) && SKIPPED_FILES.contains(file.getFileName().toString())) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException gone) {
                    // a temporary file removed while copying: the WAL replay covers it
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void sql(EmbeddedPostgres pg, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
             Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static String consistency(Jedis jedis, String... level) {
        Object reply = jedis.sendCommand(CONSISTENCY, level);
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    /** The primary's current WAL position. */
    private static String walPosition(EmbeddedPostgres primary) throws Exception {
        try (Connection c = DriverManager.getConnection(primary.getJdbcUrl("postgres", "postgres"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Whether the standby itself has replayed the WAL up to {@code lsn}. */
    private static boolean replayed(EmbeddedPostgres replica, String lsn) {
        try (Connection c = DriverManager.getConnection(replica.getJdbcUrl("postgres", "postgres"));
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
            ps.setString(1, lsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void staleConnectionsReadTheReplicaOthersThePrimaryAndTheReplicaGoingAwayIsNoError() throws Exception {
        int primaryPort = freePort();
        EmbeddedPostgres primary = closing(start(primaryDir, primaryPort));
        baseBackup(primary, primaryDir, replicaDir, primaryPort);
        int replicaPort = freePort();
        EmbeddedPostgres replica = closing(start(replicaDir, replicaPort));
        try (Connection c = DriverManager.getConnection(replica.getJdbcUrl("postgres", "postgres"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the second server is a standby");
        }

        // The standby replays nothing until told: respkv's schema, created by the engine below, is not there.
        sql(replica, "SELECT pg_wal_replay_pause()");
        PostgresEngine engine = PostgresEngine.builder().url(primary.getJdbcUrl("postgres", "postgres")).user("postgres")
                .replicaUrl(replica.getJdbcUrl("postgres", "postgres")).poolSize(2).build();
        RespServer server = closing(RespServer.builder().port(0).ownedEngine(engine).start().join());
        Jedis linear = closing(new Jedis("127.0.0.1", server.activePort(), 10_000));
        Jedis stale = closing(new Jedis("127.0.0.1", server.activePort(), 10_000));

        assertEquals("LINEARIZABLE", consistency(linear));
        assertEquals("OK", linear.set("k", "v1"));
        assertEquals("OK", stale.readonly());
        assertEquals("STALE", consistency(stale));
        // The standby lacks respkv's table: STALE reads go to the primary (before: ERR internal error
        // ... relation "respkv.respkv_kv" does not exist [SQLSTATE 42P01]).
        long fallbacksBefore = engine.replicaFallbacks();
        assertEquals("v1", stale.get("k"), "the primary's value");
        assertEquals(List.of("v1"), stale.mget("k"));
        assertTrue(engine.replicaFallbacks() >= fallbacksBefore + 2);
        String lsn = walPosition(primary);
        sql(replica, "SELECT pg_wal_replay_resume()");
        await(() -> replayed(replica, lsn), "the replica has replayed respkv's table and v1");
        await(() -> {
            long fallbacks = engine.replicaFallbacks();
            return "v1".equals(stale.get("k")) && engine.replicaFallbacks() == fallbacks;
        }, "STALE reads go to the replica");

        sql(replica, "SELECT pg_wal_replay_pause()");
        assertEquals("OK", linear.set("k", "v2"));
        assertEquals("v2", linear.get("k"), "a default connection reads the primary");
        long replicaReads = engine.replicaReads();
        assertEquals("v1", stale.get("k"), "a STALE connection reads the paused replica");
        assertEquals(List.of("v1"), stale.mget("k"));
        assertTrue(engine.replicaReads() >= replicaReads + 2);
        assertEquals("OK", stale.set("written", "by-stale"), "writes of a STALE connection go to the primary");
        assertEquals("by-stale", linear.get("written"));
        assertEquals(null, stale.get("written"), "and its reads do not see them until the replica replays");

        sql(replica, "SELECT pg_wal_replay_resume()");
        await(() -> "v2".equals(stale.get("k")) && "by-stale".equals(stale.get("written")), "the replica caught up");

        assertEquals("OK", stale.readwrite());
        assertEquals("LINEARIZABLE", consistency(stale));
        sql(replica, "SELECT pg_wal_replay_pause()");
        assertEquals("OK", linear.set("k", "v3"));
        long before = engine.replicaReads();
        assertEquals("v3", stale.get("k"), "after READWRITE: the primary");
        assertEquals(before, engine.replicaReads());

        // The replica goes away: STALE reads go to the primary, without an error.
        assertEquals("OK", consistency(stale, "stale"));
        replica.close();
        assertEquals("OK", linear.set("k", "v4"));
        for (int i = 0; i < 5; i++) {
            assertEquals("v4", stale.get("k"), "read " + i + " with the replica down");
        }
        assertTrue(engine.replicaFallbacks() > 0);
    }
}
