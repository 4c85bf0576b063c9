package io.respkv.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.engine.rocksdb.RocksDbEngine;
import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * ACL changes go through the Raft log: a user created, changed or deleted on any node, or
 * loaded from one node's ACL file, is the same on every node, and survives restarts and
 * snapshot installation.
 */
@Timeout(180)
class RaftAclTest {

    @TempDir
    Path dir;

    private static Jedis client(RaftTestCluster c, int node) {
        return new Jedis("127.0.0.1", c.port(node), 15_000);
    }

    private static List<String> aclList(RaftTestCluster c, int node) {
        try (Jedis j = client(c, node)) {
            return j.aclList();
        }
    }

    /** Waits until every running node lists the same users as {@code node}; returns them. */
    private static List<String> awaitSameUsers(RaftTestCluster c, int node) throws InterruptedException {
        c.awaitConverged();
        List<String> expected = aclList(c, node);
        for (int i = 0; i < c.size; i++) {
            if (c.servers[i] != null) {
                assertEquals(expected, aclList(c, i), "ACL LIST of n" + i + " vs n" + node);
            }
        }
        return expected;
    }

    @Test
    void usersSetOnOneNodeAuthenticateOnEveryNodeAndDeletionClosesTheirConnectionsEverywhere() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, dir,
                p -> RocksDbEngine.builder().path(p).durability(io.respkv.api.Durability.ASYNC).build())) {
            c.start();
            int follower = (c.leader() + 1) % 3;
            try (Jedis j = client(c, follower)) {
                assertEquals("OK", j.aclSetUser("alice", "on", ">secret", "~app:*", "+get", "+set"));
                // the same error lines as alone: every replica refuses alike
                JedisDataException bad = assertThrows(JedisDataException.class, () -> j.aclSetUser("bob", "+nosuchcommand"));
                assertEquals("ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL",
                        bad.getMessage());
            }
            List<String> users = awaitSameUsers(c, follower);
            assertEquals(2, users.size(), users.toString()); // default and alice: bob's rules failed, no user
            assertTrue(users.get(0).startsWith("user alice on #"), users.get(0));

            Jedis[] alices = new Jedis[3];
            try {
                for (int n = 0; n < 3; n++) {
                    alices[n] = client(c, n);
                    assertEquals("OK", alices[n].auth("alice", "secret"), "AUTH alice on n" + n);
                    assertEquals("OK", alices[n].set("app:" + n, "v"));
                    int node = n;
                    JedisDataException denied = assertThrows(JedisDataException.class, () -> alices[node].set("other", "v"));
                    assertTrue(denied.getMessage().startsWith("NOPERM"), denied.getMessage());
                }
                try (Jedis j = client(c, c.leader())) {
                    assertEquals(1L, j.aclDelUser("alice"));
                }
                c.awaitConverged();
                for (int n = 0; n < 3; n++) {
                    int node = n;
                    assertThrows(JedisConnectionException.class, () -> alices[node].get("app:0"),
                            "alice's connection to n" + n + " was closed");
                    try (Jedis j = client(c, n)) {
                        assertThrows(JedisAccessControlException.class, () -> j.auth("alice", "secret"));
                    }
                }
            } finally {
                for (Jedis a : alices) {
                    if (a != null) {
                        a.close();
                    }
                }
            }
        }
    }

    @Test
    void usersSurviveARestartAndReachAMemberThatCatchesUpFromASnapshot() throws Exception {
        try (RaftTestCluster c = new RaftTestCluster(3, 4, dir, p -> new MemoryEngine())) {
            c.options = b -> b.snapshotEvery(0).purgeGap(1);
            c.start();
            try (Jedis j = client(c, 0)) {
                j.aclSetUser("carol", "on", ">pw1", "allkeys", "+@all");
                j.aclSetUser("dave", "on", ">pw2", "~d:*", "+@read");
                for (int i = 0; i < 50; i++) {
                    j.set("k" + i, "v");
                }
            }
            for (int n = 0; n < 3; n++) {
                try (Jedis j = client(c, n)) {
                    j.sendCommand(() -> "RAFT.SNAPSHOT".getBytes(UTF_8));
                }
            }
            try (Jedis j = client(c, 1)) {
                j.aclSetUser("dave", "+set"); // after the snapshot: in the log only
            }
            List<String> users = awaitSameUsers(c, 1);

            // a memory engine restarts empty: the snapshot brings carol and dave, the log dave's +set
            int restarted = (c.leader() + 2) % 3;
            c.stop(restarted);
            c.restart(restarted);
            awaitSameUsers(c, 1);
            try (Jedis j = client(c, restarted)) {
                assertEquals("OK", j.auth("dave", "pw2"));
                assertEquals("OK", j.set("d:1", "x"));
            }

            // a new member installs the snapshot (the log before it was purged) and replays the rest
            c.join(3);
            try (Jedis j = client(c, 0)) {
                assertEquals("OK", new String((byte[]) j.sendCommand(() -> "RAFT.ADD".getBytes(UTF_8),
                        "n3".getBytes(UTF_8), c.addresses[3].getBytes(UTF_8)), UTF_8));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!aclList(c, 3).equals(users) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(users, aclList(c, 3), "n3's users");
            try (Jedis j = client(c, 3)) {
                assertEquals("OK", j.auth("carol", "pw1"));
            }
        }
    }

    @Test
    void aclLoadOnOneNodeGivesEveryNodeThatFilesUsers() throws Exception {
        Path[] files = new Path[3];
        for (int n = 0; n < 3; n++) {
            files[n] = dir.resolve("users-" + n + ".acl");
            Files.writeString(files[n], "user default on nopass ~* &* +@all\n");
        }
        try (RaftTestCluster c = new RaftTestCluster(3, dir,
                p -> RocksDbEngine.builder().path(p).durability(io.respkv.api.Durability.ASYNC).build())) {
            c.serverOptions = (i, b) -> b.aclFile(files[i]);
            c.start();
            try (Jedis j = client(c, 2)) {
                j.aclSetUser("old", "on", ">x", "+ping");
            }
            Files.writeString(files[2], "user default on nopass ~* &* +@all\nuser erin on >pw ~e:* +get +set\n");
            try (Jedis j = client(c, 2)) {
                assertEquals("OK", j.aclLoad());
            }
            List<String> users = awaitSameUsers(c, 0);
            assertEquals(List.of("user default on nopass ~* &* +@all",
                    "user erin on #" + sha256("pw") + " ~e:* resetchannels -@all +get +set"), users);

            // a file with an error changes nothing anywhere, and says why as Redis does
            Files.writeString(files[2], "user frank on >pw +nosuchcommand\n");
            try (Jedis j = client(c, 2)) {
                JedisDataException error = assertThrows(JedisDataException.class, j::aclLoad);
                assertEquals("ERR " + files[2] + ":1: Error in applying operation '+nosuchcommand': Unknown command or category name in ACL. "
                        + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
                        error.getMessage());
            }
            try (Jedis j = client(c, 2)) {
                j.set("e:last", "1"); // the last entry changes data: the engine is not behind the snapshot taken at stop
            }
            assertEquals(users, awaitSameUsers(c, 1));

            // a restarted node (its engine kept) has the loaded users, not its own file's
            c.stop(0);
            c.restart(0);
            assertEquals(users, aclList(c, 0));
        }
    }

    private static String sha256(String password) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(password.getBytes(UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }
}
