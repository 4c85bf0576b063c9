package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.DifferentialTestBase;
import io.respkv.server.difftest.EmbeddedRedis;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's own ACL users ({@code aclFile}) against a real redis-server 7.0.15 loaded with the
 * same ACL file: the same AUTH, NOAUTH, WRONGPASS and NOPERM replies (commands, subcommands, keys,
 * channels, inside MULTI), ACL WHOAMI / USERS / LIST, and ACL LOAD of a changed file, byte for
 * byte in RESP2 and RESP3. The cluster behind the proxy has no users of its own.
 */
class ProxyAclDifferentialTest extends DifferentialTestBase {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    /** The default user may only run what the harness needs (PING, HELLO, FLUSHALL). */
    private static final String USERS = "user default on nopass ~* &* -@all +ping +hello +flushall\n"
            + "user admin on >adminpw ~* &* +@all\n"
            + "user alice on >pw ~acltest:* &news +get +set +mget +publish +multi +exec +ping +acl|whoami +config|get "
            + "-config|get\n"
            + "user bob on >pw2 %R~acltest:* resetchannels +@read +@connection\n";

    private final Path dir;
    private final Path redisFile;
    private final Path proxyFile;
    private RespProxy proxy;

    ProxyAclDifferentialTest() throws IOException {
        dir = Files.createTempDirectory("respkv-proxy-acl");
        redisFile = dir.resolve("redis-users.acl");
        proxyFile = dir.resolve("proxy-users.acl");
        writeBoth(USERS);
    }

    @Override
    protected List<String> redisConfig() {
        return List.of("aclfile " + redisFile);
    }

    @Override
    protected void startRespkv() {
        proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0).aclFile(proxyFile)
                .start().join();
    }

    @Override
    protected void stopRespkv() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Override
    protected int respkvPort() {
        return proxy.activePort();
    }

    @Override
    protected String respkvName() {
        return "proxy";
    }

    @AfterAll
    void deleteFiles() {
        EmbeddedRedis.deleteRecursively(dir);
    }

    /** Every test starts from {@link #USERS}, loaded on both sides. */
    @BeforeEach
    void loadUsers() throws IOException {
        writeBoth(USERS);
        loadBoth();
    }

    /** ACL LOAD as admin on both sides, each on a connection of its own (Redis closes it after the reply). */
    private void loadBoth() throws IOException {
        for (RespTarget t : List.of(redis().target(), RespTarget.loopback("proxy", respkvPort()))) {
            try (RawRespClient admin = RawRespClient.connect(t)) {
                assertEquals("OK", admin.call("AUTH", "admin", "adminpw").text());
                assertEquals("OK", admin.call("ACL", "LOAD").text(), t.toString());
            }
        }
    }

    /**
     * ACL LIST on both: the same users and rules, with single-command rules compared as a set
     * (Redis prints them in a per-process random order; see AclRuleDescriptionDifferentialTest).
     */
    private static void assertSameList(Differential d) {
        Differential.Replies r = d.sendBoth("ACL", "LIST");
        assertEquals(normalized(r.reference()), normalized(r.candidate()));
    }

    private static List<List<String>> normalized(io.respkv.server.difftest.RespFrame list) {
        List<List<String>> users = new java.util.ArrayList<>();
        for (io.respkv.server.difftest.RespFrame line : list.elements()) {
            List<String> tokens = new java.util.ArrayList<>(List.of(line.text().split(" ")));
            List<String> singles = tokens.stream().filter(t -> t.matches("[+-][a-z|]+")).sorted().toList();
            tokens.removeIf(t -> t.matches("[+-][a-z|]+"));
            tokens.addAll(singles);
            users.add(tokens);
        }
        return users;
    }

    private void writeBoth(String content) {
        try {
            Files.writeString(redisFile, content, StandardCharsets.ISO_8859_1);
            Files.writeString(proxyFile, content, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ProtocolTest
    void authenticationAndPermissionsAsRedis(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("GET acltest:1", "AUTH nobody x", "AUTH alice wrong", "AUTH onlypassword",
                    "AUTH alice pw", "ACL WHOAMI",
                    "SET acltest:1 v", "GET acltest:1", "MGET acltest:1 acltest:2", "SET other v", "GET other",
                    "MGET acltest:1 other", "DEL acltest:1", "CONFIG GET maxmemory", "CLUSTER INFO",
                    "PUBLISH news hi", "PUBLISH sports hi",
                    "MULTI", "SET acltest:2 x", "SET other x", "EXEC", "GET acltest:2",
                    "AUTH bob pw2", "ACL WHOAMI", "GET acltest:1", "SET acltest:1 w", "GET other",
                    "AUTH admin adminpw", "ACL WHOAMI", "ACL USERS", "DEL acltest:1 acltest:2");
            assertSameList(d);
        }
    }

    @ProtocolTest
    void aclLoadReplacesTheUsersAndLogsOutTheClientThatRanIt(ProtocolVersion protocol) {
        writeBoth(USERS + "user carol on >c ~acltest:* +get\n");
        try (Differential d = open(protocol)) {
            // every user is a new one after a load: Redis closes the connection that ran it after the reply
            d.checkSequence("AUTH admin adminpw", "ACL LOAD");
        }
        try (Differential d = open(protocol)) {
            d.checkSequence("AUTH carol c", "ACL WHOAMI", "GET acltest:1", "SET acltest:1 v", "AUTH admin adminpw",
                    "ACL USERS");
            assertSameList(d);
        }
    }

    @Test
    void clientsOfAUserTheFileNoLongerHasAreDisconnected() throws Exception {
        writeBoth(USERS + "user dave on >d ~* +@all\n");
        loadBoth();
        for (RespTarget t : List.of(redis().target(), RespTarget.loopback("proxy", respkvPort()))) {
            try (RawRespClient dave = RawRespClient.connect(t)) {
                assertEquals("OK", dave.call("AUTH", "dave", "d").text());
                writeBoth(USERS);
                try (RawRespClient admin = RawRespClient.connect(t)) {
                    assertEquals("OK", admin.call("AUTH", "admin", "adminpw").text());
                    assertEquals("OK", admin.call("ACL", "LOAD").text());
                }
                RawRespClient.Drained gone = dave.drain(Duration.ofMillis(300), Duration.ofSeconds(5), 1024);
                assertTrue(gone.closed(), t + " kept the connection of a user the file no longer has");
            }
            writeBoth(USERS + "user dave on >d ~* +@all\n");
            loadBoth();
        }
    }

    @Test
    void subcommandsThatChangeSingleUsersAreRefusedByTheProxy() throws IOException {
        try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("proxy", respkvPort()))) {
            assertEquals("OK", c.call("AUTH", "admin", "adminpw").text());
            assertEquals("-ERR respkv-proxy does not support 'ACL SETUSER': its users come from its ACL file (aclfile), "
                    + "which ACL LOAD reloads\r\n",
                    new String(c.call("ACL", "SETUSER", "x", "on").raw(), StandardCharsets.UTF_8));
            assertEquals("-ERR wrong number of arguments for 'acl|whoami' command\r\n",
                    new String(c.call("ACL", "WHOAMI", "extra").raw(), StandardCharsets.UTF_8));
        }
    }
}
