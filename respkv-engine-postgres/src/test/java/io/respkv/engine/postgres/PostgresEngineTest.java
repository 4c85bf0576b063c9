package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.Durability;
import io.respkv.api.EngineFeature;
import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.api.TransactionConflictException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the contract suite does not cover: PostgreSQL-specific behaviour of {@link PostgresEngine}. */
@Timeout(60)
class PostgresEngineTest {

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

    private PostgresEngine open(String schema) {
        return closing(PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres").schema(schema)
                .poolSize(6).lockTimeout(Duration.ofMillis(300)).build());
    }

    private PostgresEngine open() {
        return open(EmbeddedPostgresServer.newSchema("eng"));
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl());
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    private static void put(PostgresEngine engine, byte[] key, byte[] value) {
        engine.transact(txn -> {
            txn.put(key, value);
            return null;
        });
    }

    private static List<byte[]> keys(ReadView view, byte[] low, byte[] high, boolean reverse) {
        List<byte[]> out = new ArrayList<>();
        try (KvCursor c = view.scan(low, high, reverse)) {
            while (c.next()) {
                out.add(c.key());
            }
        }
        return out;
    }

    private static void assertSameKeys(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "number of keys");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "key #" + i);
        }
    }

    // ---- ordering ----

    @Test
    void byteaOrderIsUnsignedByteOrderInPostgresItself() throws Exception {
        // memcmp, then shorter first: what Arrays.compareUnsigned does, with no collation involved
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT encode(k, 'hex') FROM (VALUES ('\\xff'::bytea), ('\\x00'),"
                     + " ('\\x0000'), (''), ('\\x7f'), ('\\x80'), ('\\xffff'), ('\\x00ff'), ('\\x01')) t(k) ORDER BY k")) {
            List<String> order = new ArrayList<>();
            while (rs.next()) {
                order.add(rs.getString(1));
            }
            assertEquals(List.of("", "00", "0000", "00ff", "01", "7f", "80", "ff", "ffff"), order);
        }
    }

    @Test
    void scansFollowUnsignedOrderOverRandomKeysNearTheByteEdges() {
        PostgresEngine engine = open();
        Random random = new Random(42);
        int[] alphabet = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
        List<byte[]> all = new ArrayList<>();
        engine.transact(txn -> {
            for (int i = 0; i < 300; i++) {
                byte[] key = new byte[random.nextInt(5)];
                for (int j = 0; j < key.length; j++) {
                    key[j] = (byte) alphabet[random.nextInt(alphabet.length)];
                }
                txn.put(key, key);
            }
            return null;
        });
        try (Snapshot s = engine.snapshot()) {
            all.addAll(keys(s, null, null, false));
        }
        List<byte[]> sorted = new ArrayList<>(all);
        sorted.sort(Arrays::compareUnsigned);
        assertSameKeys(sorted, all);
        assertTrue(all.size() > 100, "distinct keys: " + all.size());
        assertEquals(0, all.get(0).length, "the empty key sorts first");
        List<byte[]> reversed = new ArrayList<>(sorted);
        java.util.Collections.reverse(reversed);
        // in a transaction (first page, then the server-side cursor) and in a snapshot, both ways
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertSameKeys(sorted, keys(txn, null, null, false));
            assertSameKeys(reversed, keys(txn, null, null, true));
            byte[] low = b(0x7f);
            byte[] high = b(0xff, 0x00);
            List<byte[]> expected = sorted.stream()
                    .filter(k -> Arrays.compareUnsigned(k, low) >= 0 && Arrays.compareUnsigned(k, high) < 0).toList();
            assertSameKeys(expected, keys(txn, low, high, false));
        }
        try (Snapshot s = engine.snapshot()) {
            assertSameKeys(reversed, keys(s, null, null, true));
        }
    }

    // ---- schema ----

    @Test
    void firstConnectCreatesTheSchemaAtTheCurrentLayoutVersion() throws Exception {
        PostgresEngine engine = open();
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM \"" + engine.schema() + "\".respkv_schema_version"
                     + " ORDER BY version")) {
            for (int version = 1; version <= PostgresSchema.VERSION; version++) {
                assertTrue(rs.next());
                assertEquals(version, rs.getInt(1), "every layout version, in order");
            }
            assertFalse(rs.next());
        }
        put(engine, b("k"), b("v"));
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT k, v FROM \"" + engine.schema() + "\".respkv_kv")) {
            assertTrue(rs.next());
            assertArrayEquals(b("k"), rs.getBytes(1));
            assertArrayEquals(b("v"), rs.getBytes(2));
        }
    }

    @Test
    void aSchemaWrittenByANewerRespkvIsRefused() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("newer");
        open(schema).close();
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".respkv_schema_version (version) VALUES ("
                    + (PostgresSchema.VERSION + 1) + ")");
        }
        PostgresEngineException e = assertThrows(PostgresEngineException.class, () -> open(schema));
        assertTrue(e.getMessage().contains("layout version " + (PostgresSchema.VERSION + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("upgrade respkv"), e.getMessage());
    }

    @Test
    void instancesStartingTogetherMigrateOnce() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("race");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PostgresEngine>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(pool.submit(() -> {
                    go.await();
                    return PostgresEngine.builder().url(EmbeddedPostgresServer.jdbcUrl()).user("postgres")
                            .schema(schema).poolSize(2).build();
                }));
            }
            go.countDown();
            for (Future<PostgresEngine> f : starts) {
                closing(f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".respkv_schema_version")) {
            rs.next();
            assertEquals(PostgresSchema.VERSION, rs.getInt(1));
        }
    }

    @Test
    void schemasSeparateDeploymentsAndOneSchemaIsShared() {
        String schemaA = EmbeddedPostgresServer.newSchema("deployA");
        PostgresEngine a1 = open(schemaA);
        PostgresEngine a2 = open(schemaA);
        PostgresEngine other = open(EmbeddedPostgresServer.newSchema("deployB"));
        put(a1, b("k"), b("from a1"));
        try (Snapshot s = a2.snapshot()) {
            assertArrayEquals(b("from a1"), s.get(b("k")));
        }
        try (Snapshot s = other.snapshot()) {
            assertNull(s.get(b("k")));
        }
    }

    @Test
    void schemaNamesMustBePlainIdentifiers() {
        assertThrows(IllegalArgumentException.class, () -> PostgresEngine.builder().schema("a\"; DROP TABLE x; --"));
        assertThrows(IllegalArgumentException.class, () -> PostgresEngine.builder().schema("1abc"));
        assertThrows(IllegalArgumentException.class, () -> PostgresEngine.builder().url("jdbc:mysql://x/y"));
        assertThrows(IllegalStateException.class, () -> PostgresEngine.builder().build());
    }

    // ---- sessions ----

    @Test
    void sessionsUseReadCommittedTheDurabilityAndTheTimeouts() {
        PostgresEngine sync = open();
        assertEquals("read committed", sync.sessionSetting("default_transaction_isolation"));
        assertEquals("on", sync.sessionSetting("synchronous_commit"));
        assertEquals("300ms", sync.sessionSetting("lock_timeout"));
        assertEquals("0", sync.sessionSetting("statement_timeout"));
        PostgresEngine async = closing(EmbeddedPostgresServer.engine().durability(Durability.ASYNC)
                .statementTimeout(Duration.ofSeconds(30)).build());
        assertEquals("off", async.sessionSetting("synchronous_commit"));
        assertEquals("30s", async.sessionSetting("statement_timeout"));
        assertEquals(Set.of(EngineFeature.PERSISTENT, EngineFeature.NATIVE_RANGE_DELETE, EngineFeature.SHARED_STORE,
                EngineFeature.BLOCKING_IO, EngineFeature.UNREAD_WRITES), sync.features());
    }

    @Test
    void anUnreachableDatabaseFailsTheBuildWithinTheConnectionTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        long start = System.nanoTime();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        PostgresEngineException e = assertThrows(PostgresEngineException.class, () -> PostgresEngine.builder()
                .url(url).user("postgres").connectionTimeout(Duration.ofSeconds(1)).build());
        assertTrue(e.getMessage().contains(url), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "took too long");
    }

    // ---- round trips: the cheap paths ----

    @Test
    void aSingleReadTransactionCostsOneRoundTripAndAReadModifyWriteTwo() {
        PostgresEngine engine = open();
        put(engine, b("counter"), b("1"));
        long before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(b("1"), txn.get(b("counter")));
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "GET: one point read, nothing to commit");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.put(b("counter"), b(new String(txn.get(b("counter")), UTF_8) + "1"));
            txn.commit();
        }
        assertEquals(2, engine.roundTrips() - before, "INCR: the read, then the commit statement");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.put(b("blind"), b("x"));
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "a blind write: the commit statement only");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertNull(txn.get(b("absent")));
            assertArrayEquals(b("11"), txn.get(b("counter")));
            assertArrayEquals(b("11"), txn.get(b("counter")), "a key read twice is read once");
            txn.commit();
        }
        assertEquals(3, engine.roundTrips() - before, "two reads, then one statement re-validating both");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.get(b("x"));
            // closed without commit: nothing was open on the database, nothing to roll back
        }
        assertEquals(1, engine.roundTrips() - before);
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.commit(); // an empty transaction touches nothing
        }
        assertEquals(1, engine.roundTrips() - before);
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("11"), s.get(b("counter")));
        }
        assertEquals(4, engine.roundTrips() - before, "snapshot: begin, read, end");
    }

    @Test
    void aScanIsOneStatementPlusOneFetchPerBatchAndItsCommitRidesWithTheLastStatement() {
        PostgresEngine engine = open();
        engine.transact(txn -> {
            for (int i = 0; i < 300; i++) {
                txn.put(b(String.format("k%03d", i)), b("v"));
            }
            return null;
        });
        long before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertEquals(PortalRows.FIRST_FETCH - 1, keys(txn, b("k"), b(String.format("k%03d",
                    PortalRows.FIRST_FETCH - 1)), false).size());
            assertTrue(txn.inDbTransaction(), "the scan's server-side cursor lives in a database transaction");
            txn.commit();
        }
        assertEquals(2, engine.roundTrips() - before, "KEYS-like: the scan, then COMMIT");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(b("v"), txn.get(b("k000")));
            assertEquals(300, keys(txn, b("k"), null, true).size());
            txn.commit();
        }
        assertEquals(4, engine.roundTrips() - before,
                "HGETALL-like: the read, the scan and one more fetch, then validation and COMMIT together");

        before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            try (KvCursor c = txn.scan(b("k"), null, false)) {
                for (int i = 0; i < 10; i++) {
                    assertTrue(c.next());
                }
            }
            txn.put(b("k000"), b("changed"));
            txn.commit();
            assertFalse(txn.inDbTransaction());
        }
        assertEquals(2, engine.roundTrips() - before, "the scan, then the commit statement with COMMIT");
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("changed"), s.get(b("k000")));
        }
    }

    @Test
    void aRangeDeleteIsOneStatementWhateverItCovers() throws Exception {
        PostgresEngine engine = open();
        engine.transact(txn -> {
            for (int i = 0; i < 5_000; i++) {
                txn.put(b(String.format("r%05d", i)), b("v"));
            }
            txn.put(b("s"), b("kept"));
            return null;
        });
        long before = engine.roundTrips();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.deleteRange(b("r"), b("s"));
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before);
        try (Snapshot s = engine.snapshot()) {
            assertEquals(List.of("s"), keys(s, null, null, false).stream().map(k -> new String(k, UTF_8)).toList());
        }
    }

    // ---- keys written unread (putExpecting) ----

    private static byte[] committed(PostgresEngine engine, byte[] key) {
        try (Snapshot s = engine.snapshot()) {
            return s.get(key);
        }
    }

    @Test
    void aKeyWrittenUnreadCostsTheCommitStatementAloneWhenItHoldsWhatWasExpected() {
        PostgresEngine engine = open();
        long before = engine.roundTrips();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P1"), b("P")), "absent: expected");
            assertArrayEquals(b("P1"), txn.get(b("k")), "an own write");
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "one statement: the conditional upsert");
        before = engine.roundTrips();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P2"), b("P")));
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "P1 starts with P: replaced in one statement");
        assertArrayEquals(b("P2"), committed(engine, b("k")));
        before = engine.roundTrips();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("x"), b("1"), b("P")));
            assertTrue(txn.putExpecting(b("y"), b("2"), b("")));
            txn.put(b("z"), b("3"));
            txn.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "several keys: still the one commit statement");
        assertArrayEquals(b("1"), committed(engine, b("x")));
        assertArrayEquals(b("2"), committed(engine, b("y")));
        assertArrayEquals(b("3"), committed(engine, b("z")));
    }

    @Test
    void aKeyHoldingSomethingElseFailsTheCommitWritesNothingAndTheRetryReadsWhatWasFound() {
        PostgresEngine engine = open();
        put(engine, b("k"), b("Q-other"));
        long before = engine.roundTrips();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P-new"), b("P")));
            txn.put(b("side"), b("effect"));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        assertEquals(1, engine.roundTrips() - before);
        assertArrayEquals(b("Q-other"), committed(engine, b("k")), "nothing written");
        assertNull(committed(engine, b("side")), "nothing written");
        before = engine.roundTrips();
        try (Transaction retry = engine.begin()) {
            assertFalse(retry.putExpecting(b("k"), b("P-new"), b("P")), "the retry reads the key");
            assertArrayEquals(b("Q-other"), retry.get(b("k")), "what the failed commit found");
            retry.put(b("k"), b("replaced"));
            retry.commit();
        }
        assertEquals(1, engine.roundTrips() - before, "the retry: the commit alone, its read came with the failure");
        assertArrayEquals(b("replaced"), committed(engine, b("k")));
        try (Transaction next = engine.begin()) {
            assertTrue(next.putExpecting(b("k"), b("P"), b("")), "the hint is for the retry only");
        }

        // The key as the only write (a plain SET): one plain upsert, not the commit function; it
        // does not return what it found, so the retry reads the key
        put(engine, b("one"), b("Q-other"));
        before = engine.roundTrips();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("one"), b("P-new"), b("P")));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        assertEquals(1, engine.roundTrips() - before);
        assertArrayEquals(b("Q-other"), committed(engine, b("one")), "nothing written");
        before = engine.roundTrips();
        try (Transaction retry = engine.begin()) {
            assertFalse(retry.putExpecting(b("one"), b("P-new"), b("P")));
            assertArrayEquals(b("Q-other"), retry.get(b("one")));
            retry.put(b("one"), b("replaced"));
            retry.commit();
        }
        assertEquals(2, engine.roundTrips() - before, "the plain upsert returns nothing: the retry reads, then commits");
        assertArrayEquals(b("replaced"), committed(engine, b("one")));
    }

    @Test
    void aHintedReadIsValidatedLikeAnyRead() {
        PostgresEngine engine = open();
        put(engine, b("k"), b("Q1"));
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P"), b("P")));
            txn.put(b("side"), b("1")); // two writes: the commit function, which returns what it found
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        PostgresEngine other = open(engine.schema());
        put(other, b("k"), b("Q2")); // another instance changes the key before the retry commits
        try (Transaction retry = engine.begin()) {
            assertArrayEquals(b("Q1"), retry.get(b("k")));
            retry.put(b("k"), b("from Q1"));
            assertThrows(TransactionConflictException.class, retry::commit);
        }
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P"), b("P")));
            txn.put(b("side"), b("1")); // two writes: the commit function, which returns what it found
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        put(other, b("k"), b("Q3"));
        try (Transaction readOnly = engine.begin()) {
            assertArrayEquals(b("Q2"), readOnly.get(b("k")));
            assertThrows(TransactionConflictException.class, readOnly::commit, "a hinted read-only read is re-checked");
        }
        assertArrayEquals(b("Q3"), committed(engine, b("k")));
    }

    @Test
    void severalKeysWrittenUnreadOfWhichOneFailsWriteNothingAndTheRetryReadsThemAll() {
        PostgresEngine engine = open();
        put(engine, b("b"), b("Q"));
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("a"), b("P1"), b("P")));
            assertTrue(txn.putExpecting(b("b"), b("P2"), b("P")));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        assertNull(committed(engine, b("a")), "a was upserted, then rolled back with the rest");
        assertArrayEquals(b("Q"), committed(engine, b("b")));
        try (Transaction retry = engine.begin()) {
            assertFalse(retry.putExpecting(b("a"), b("P1"), b("P")));
            assertFalse(retry.putExpecting(b("b"), b("P2"), b("P")));
        }
    }

    @Test
    void theExpectationIsCheckedAtCommitAgainstConcurrentCommits() {
        PostgresEngine engine = open();
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P-ours"), b("P")));
            put(engine, b("k"), b("Q-theirs")); // created meanwhile, not as expected
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        assertArrayEquals(b("Q-theirs"), committed(engine, b("k")));
        put(engine, b("k"), b("P-theirs"));
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("P-ours"), b("P")));
            put(engine, b("k"), b("P-again")); // changed meanwhile, still as expected: no read to invalidate
            txn.commit();
        }
        assertArrayEquals(b("P-ours"), committed(engine, b("k")));
    }

    @Test
    void aKeyThisTransactionKnowsIsNotWrittenUnread() {
        PostgresEngine engine = open();
        put(engine, b("r"), b("1"));
        try (Transaction txn = engine.begin()) {
            txn.get(b("r"));
            assertFalse(txn.putExpecting(b("r"), b("2"), b("")), "read already");
            txn.put(b("w"), b("1"));
            assertFalse(txn.putExpecting(b("w"), b("2"), b("")), "written already");
            txn.deleteRange(b("m"), b("n"));
            assertFalse(txn.putExpecting(b("m1"), b("2"), b("")), "deleted with its range: known absent");
            assertTrue(txn.putExpecting(b("u"), b("1"), b("")));
            assertFalse(txn.putExpecting(b("u"), b("2"), b("")), "its own unread write is a write");
        }
    }

    @Test
    void aKeyWrittenUnreadThenDeletedOrRangeDeletedStillHadToHoldWhatWasExpected() {
        PostgresEngine engine = open();
        put(engine, b("gone"), b("P0"));
        put(engine, b("kept"), b("Q"));
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("gone"), b("P1"), b("P")));
            txn.delete(b("gone"));
            assertTrue(txn.putExpecting(b("r1"), b("P1"), b("P")));
            txn.deleteRange(b("r"), b("s"));
            assertTrue(txn.putExpecting(b("s1"), b("P2"), b("P")), "past the range");
            txn.commit();
        }
        assertNull(committed(engine, b("gone")));
        assertNull(committed(engine, b("r1")));
        assertArrayEquals(b("P2"), committed(engine, b("s1")));
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("kept"), b("P1"), b("P")));
            txn.delete(b("kept"));
            assertThrows(TransactionConflictException.class, txn::commit, "kept held Q, not P...");
        }
        assertArrayEquals(b("Q"), committed(engine, b("kept")));
    }

    @Test
    void aLayoutVersionOneSchemaIsMigratedAndKeepsItsCommitFunctionForInstancesNotYetUpgraded() throws Exception {
        String schema = EmbeddedPostgresServer.newSchema("v1");
        open(schema).close();
        String s = "\"" + schema + "\"";
        try (Connection c = admin(); Statement st = c.createStatement()) {
            // as a version-1 respkv left it
            st.execute("DROP FUNCTION " + s + ".respkv_commit(bytea[], bigint[], bytea[], bytea[], bytea[], bytea[],"
                    + " bytea[], bytea[], bytea[], bytea[], bytea[], bytea[])");
            st.execute("DROP TABLE " + s + ".respkv_waiting");
            st.execute("DELETE FROM " + s + ".respkv_schema_version WHERE version > 1");
        }
        PostgresEngine engine = open(schema);
        try (Transaction txn = engine.begin()) {
            assertTrue(txn.putExpecting(b("k"), b("v"), b("")));
            txn.commit();
        }
        try (Connection c = admin(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT max(version) FROM " + s + ".respkv_schema_version")) {
                rs.next();
                assertEquals(PostgresSchema.VERSION, rs.getInt(1));
            }
            st.execute("SELECT " + s + ".respkv_commit('{}', '{}', '{}', '{}', '{}', '{}', '{}',"
                    + " ARRAY[convert_to('old', 'UTF8')], ARRAY[convert_to('v1', 'UTF8')])"); // a version-1 call
        }
        assertArrayEquals(b("v1"), committed(engine, b("old")));
        assertArrayEquals(b("v"), committed(engine, b("k")));
    }

    // ---- conflicts ----

    @Test
    void aCommitAfterAConcurrentChangeOfAKeyReadConflicts() {
        PostgresEngine engine = open();
        put(engine, b("k"), b("1"));
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(b("1"), txn.get(b("k")));
            put(engine, b("k"), b("2"));
            txn.put(b("k"), b("from-stale-read"));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("2"), s.get(b("k")));
        }
        assertTrue(engine.hotKeys.isHot(b("k")), "a conflicting key is read under a row lock next time");
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(b("2"), txn.get(b("k")));
            assertTrue(txn.inDbTransaction(), "hot key: SELECT ... FOR UPDATE in a database transaction");
            txn.put(b("k"), b("3"));
            txn.commit();
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("3"), s.get(b("k")));
        }
    }

    @Test
    void aKeyReadAsAbsentThatAnotherCommitCreatesConflicts() {
        PostgresEngine engine = open();
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertNull(txn.get(b("new")));
            put(engine, b("new"), b("theirs"));
            txn.put(b("new"), b("ours"));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
        // Write skew over absent keys: each reads as absent the key the other creates.
        try (Transaction t1 = engine.begin(); Transaction t2 = engine.begin()) {
            assertNull(t1.get(b("a")));
            assertNull(t2.get(b("b")));
            t1.put(b("b"), b("t1"));
            t2.put(b("a"), b("t2"));
            t1.commit();
            assertThrows(TransactionConflictException.class, t2::commit, "t2 read b as absent, t1 created it");
        }
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("t1"), s.get(b("b")));
            assertNull(s.get(b("a")));
        }
    }

    @Test
    void aReadOnlyTransactionWhoseReadsDoNotHoldTogetherConflicts() {
        PostgresEngine engine = open();
        put(engine, b("a"), b("1"));
        put(engine, b("b"), b("1"));
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            txn.get(b("a"));
            engine.transact(other -> {
                other.put(b("a"), b("2"));
                other.put(b("b"), b("2"));
                return null;
            });
            assertArrayEquals(b("2"), txn.get(b("b")));
            assertThrows(TransactionConflictException.class, txn::commit, "saw old a with new b");
        }
    }

    @Test
    void aRangeDeleteOfAKeyReadConflicts() {
        PostgresEngine engine = open();
        put(engine, b("m1"), b("1"));
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(b("1"), txn.get(b("m1")));
            engine.transact(other -> {
                other.deleteRange(b("m"), b("n"));
                return null;
            });
            txn.put(b("elsewhere"), b("x"));
            assertThrows(TransactionConflictException.class, txn::commit);
        }
    }

    @Test
    void aLongScanReadsOneSnapshotWhileTheRangeChangesUnderIt() {
        PostgresEngine engine = open();
        engine.transact(txn -> {
            for (int i = 0; i < 2_000; i++) {
                txn.put(b(String.format("s%04d", i)), b("v"));
            }
            return null;
        });
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(b("s"), b("t"))) {
            for (int i = 0; i < 100; i++) {
                assertTrue(c.next());
            }
            // far beyond what the cursor has fetched so far (64 + 512 rows)
            engine.transact(other -> {
                other.put(b("s1900"), b("changed"));
                other.delete(b("s1999"));
                other.put(b("s1000a"), b("new"));
                return null;
            });
            int n = 100;
            while (c.next()) {
                n++;
                String key = new String(c.key(), UTF_8);
                assertFalse(key.equals("s1000a"), "a row committed after the scan began");
                assertArrayEquals(b("v"), c.value(), key);
            }
            assertEquals(2_000, n, "s1999, deleted after the scan began, is still in it");
        }
    }

    @Test
    void aLockHeldLongerThanTheLockTimeoutFailsTheWaiterAsAConflict() throws Exception {
        PostgresEngine engine = open();
        put(engine, b("hot"), b("0"));
        engine.hotKeys.mark(b("hot"));
        try (Transaction holder = engine.begin()) {
            holder.get(b("hot")); // FOR UPDATE: held until the holder ends
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<Throwable> waiter = other.submit(() -> {
                    try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
                        txn.get(b("hot"));
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
                Throwable t = waiter.get(30, TimeUnit.SECONDS);
                assertTrue(t instanceof TransactionConflictException, String.valueOf(t));
                assertTrue(t.getMessage().contains("lock"), t.getMessage());
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Test
    void conflictSqlStatesAreRetryableAndOthersAreNot() {
        for (String state : List.of("40001", "40P01", "23505", "55P03")) {
            assertTrue(PostgresEngine.isConflict(new SQLException("x", state)), state);
        }
        for (String state : List.of("57014", "08006", "42P01", "54000")) {
            assertFalse(PostgresEngine.isConflict(new SQLException("x", state)), state);
        }
    }

    // ---- limits and lifecycle ----

    @Test
    void aKeyTooLongForTheBtreeIndexFailsClearly() {
        PostgresEngine engine = open();
        byte[] key = new byte[10_000];
        new Random(1).nextBytes(key); // incompressible
        PostgresEngineException e = assertThrows(PostgresEngineException.class, () -> put(engine, key, b("v")));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        byte[] fine = new byte[2_000];
        new Random(2).nextBytes(fine);
        put(engine, fine, b("v"));
        try (Snapshot s = engine.snapshot()) {
            assertArrayEquals(b("v"), s.get(fine));
        }
    }

    @Test
    void afterCloseEverythingFailsAsClosed() {
        PostgresEngine engine = open();
        Transaction txn = engine.begin();
        txn.put(b("k"), b("v"));
        engine.close();
        engine.close(); // idempotent
        assertThrows(IllegalStateException.class, engine::begin);
        assertThrows(IllegalStateException.class, engine::snapshot);
        assertThrows(IllegalStateException.class, txn::commit);
        txn.close();
    }

    @Test
    void valuesAreStoredVerbatimIncludingEmptyAndLarge() {
        PostgresEngine engine = open();
        byte[] large = new byte[3 << 20];
        new Random(3).nextBytes(large);
        put(engine, b("empty"), new byte[0]);
        put(engine, b("large"), large);
        try (PostgresTransaction txn = (PostgresTransaction) engine.begin()) {
            assertArrayEquals(new byte[0], txn.get(b("empty")));
            assertArrayEquals(large, txn.get(b("large")));
            txn.commit();
        }
    }

    @Test
    void rowsAreReadableWithPlainSql() throws Exception {
        // The table is plain SQL: operators can inspect it (and back it up) with ordinary tools.
        PostgresEngine engine = open();
        put(engine, b(0x00, 0xff), b("x"));
        try (Connection c = admin();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM \"" + engine.schema() + "\".respkv_kv WHERE k = ?")) {
            ps.setBytes(1, b(0x00, 0xff));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(b("x"), rs.getBytes(1));
            }
        }
    }
}
