package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/** Jedis authenticating as an ACL user (HELLO AUTH in RESP3, AUTH in RESP2) on a server with requirepass. */
@Timeout(60)
class JedisAclTest {

    private static RespServer server;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).requirePass("adminpw").start().join();
        try (Jedis admin = connect("default", "adminpw", RedisProtocol.RESP2)) {
            assertEquals("OK", admin.aclSetUser("reader", "on", ">readpw", "~app:*", "-@all", "+@read", "+@connection", "+acl|whoami"));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Jedis connect(String user, String password, RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(protocol).user(user).password(password).build());
    }

    @Test
    void aRestrictedUserReadsItsKeysOnly() {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP2, RedisProtocol.RESP3)) {
            try (Jedis admin = connect("default", "adminpw", protocol)) {
                admin.set("app:1", "one");
                admin.set("other", "x");
            }
            try (Jedis reader = connect("reader", "readpw", protocol)) {
                assertEquals("reader", reader.aclWhoAmI());
                assertEquals("one", reader.get("app:1"));
                JedisDataException key = assertThrows(JedisDataException.class, () -> reader.get("other"));
                assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                        key.getMessage());
                JedisDataException cmd = assertThrows(JedisDataException.class, () -> reader.set("app:1", "two"));
                assertEquals("NOPERM this user has no permissions to run the 'set' command", cmd.getMessage());
                assertTrue(reader.clientList().contains("user=reader"));
            }
        }
    }

    @Test
    void wrongPasswordsAreRefused() {
        JedisAccessControlException e = assertThrows(JedisAccessControlException.class,
                () -> connect("reader", "nope", RedisProtocol.RESP2).ping());
        assertEquals("WRONGPASS invalid username-password pair or user is disabled.", e.getMessage());
        assertThrows(JedisAccessControlException.class, () -> connect("reader", "nope", RedisProtocol.RESP3).ping());
        try (Jedis admin = connect("default", "adminpw", RedisProtocol.RESP2)) {
            assertTrue(admin.aclLog().stream().anyMatch(entry -> entry.getReason().equals("auth")));
        }
    }
}
