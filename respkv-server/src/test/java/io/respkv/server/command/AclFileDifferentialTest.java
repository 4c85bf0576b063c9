package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import io.respkv.server.difftest.ProtocolTest;

/**
 * ACL SAVE and ACL LOAD with an ACL file ({@code aclfile}), against redis-server 7.0.15 with
 * its own file: the same file bytes after SAVE, the same users after LOAD, the same errors (with
 * each server's path replaced by FILE).
 */
class AclFileDifferentialTest extends RespkvDifferentialTest {

    private final Path dir;
    private final Path redisFile;
    private final Path respkvFile;

    AclFileDifferentialTest() throws IOException {
        dir = Files.createTempDirectory("respkv-aclfile");
        redisFile = dir.resolve("redis-users.acl");
        respkvFile = dir.resolve("respkv-users.acl");
        Files.writeString(redisFile, "user default on nopass ~* &* +@all\n");
        Files.writeString(respkvFile, "user default on nopass ~* &* +@all\n");
    }

    @Override
    protected List<String> redisConfig() {
        return List.of("aclfile " + redisFile);
    }

    @Override
    protected RespServer.Builder configure(RespServer.Builder builder) {
        return builder.aclFile(respkvFile);
    }

    @AfterAll
    void deleteFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private void writeBoth(String content) {
        try {
            Files.writeString(redisFile, content, StandardCharsets.ISO_8859_1);
            Files.writeString(respkvFile, content, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends to both and compares with each server's file path replaced by FILE. */
    private void checkWithPaths(Differential d, String... args) {
        Differential.Replies r = d.sendBoth(args);
        assertEquals(new String(r.reference().raw(), StandardCharsets.ISO_8859_1).replace(redisFile.toString(), "FILE"),
                new String(r.candidate().raw(), StandardCharsets.ISO_8859_1).replace(respkvFile.toString(), "FILE"),
                String.join(" ", args));
    }

    @ProtocolTest
    void saveWritesWhatRedisWrites(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            d.checkSequence("ACL SETUSER alice on >pw ~k* %R~r* &ch +@string -append",
                    "ACL SETUSER bob off nopass allkeys allchannels +@all -@dangerous",
                    "ACL SAVE");
            assertEquals(Files.readString(redisFile), Files.readString(respkvFile));
            assertTrue(Files.readString(respkvFile).contains("user alice on #"), Files.readString(respkvFile));
            d.checkSequence("ACL DELUSER alice bob", "ACL LOAD", "ACL LIST", "ACL USERS");
            d.checkSequence("ACL DELUSER alice bob", "ACL SAVE", "ACL LIST");
            assertEquals(Files.readString(redisFile), Files.readString(respkvFile));
        }
    }

    @ProtocolTest
    void loadReplacesUsersAndDisconnectsTheirClients(ProtocolVersion protocol) throws Exception {
        writeBoth("user default on nopass ~* &* +@all\nuser carl on >c1 ~* +@all\n");
        try (Differential d = open(protocol)) {
            d.checkSequence("ACL LOAD", "ACL LIST");
            for (RespTarget t : List.of(redis().target(), RespTarget.loopback("respkv", respkvPort()))) {
                try (RawRespClient carl = RawRespClient.connect(t)) {
                    assertEquals("OK", carl.call("AUTH", "carl", "c1").text());
                    writeBoth("  user default on nopass ~* &* +@all \r\n\n user dave on >d1 -@all +get ~k*\n");
                    try (RawRespClient admin = RawRespClient.connect(t)) {
                        assertEquals("OK", admin.call("ACL", "LOAD").text());
                    }
                    RawRespClient.Drained gone = carl.drain(Duration.ofMillis(300), Duration.ofSeconds(5), 1024);
                    assertTrue(gone.closed(), t + " kept the connection of a user the file no longer has");
                }
                writeBoth("user default on nopass ~* &* +@all\nuser carl on >c1 ~* +@all\n");
                try (RawRespClient admin = RawRespClient.connect(t)) {
                    assertEquals("OK", admin.call("ACL", "LOAD").text());
                }
            }
            writeBoth("user default on nopass ~* &* +@all\nuser dave on >d1 -@all +get ~k*\n");
            d.checkSequence("ACL LOAD", "ACL LIST", "AUTH dave d1", "GET k1", "GET x", "SET k1 v", "AUTH default x",
                    "ACL WHOAMI");
            // no default user in the file: a fresh default user (nopass, everything)
            writeBoth("user erin on nopass ~* +@all\n");
            d.checkSequence("ACL LOAD", "ACL LIST");
        }
    }

    @ProtocolTest
    void loadErrorsChangeNothing(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            writeBoth("user default on nopass ~* &* +@all\nuser keep on ~* +@all\n");
            d.checkSequence("ACL LOAD");
            for (String bad : List.of(
                    "user default on nopass ~* &* +@all\nuser x +nosuch\n",
                    "foo bar\n",
                    "user\n",
                    "user a on\nuser a off\n",
                    "user b #abc ~* allkeys ~x\n",
                    "USER c on\n",
                    "user e on <nope\n")) {
                writeBoth(bad);
                checkWithPaths(d, "ACL", "LOAD");
                d.checkSequence("ACL LIST");
            }
            writeBoth("user default on nopass ~* &* +@all\n");
            d.checkSequence("ACL LOAD", "ACL LIST");
        }
    }

    @ProtocolTest
    void missingFile(ProtocolVersion protocol) throws IOException {
        Files.deleteIfExists(redisFile);
        Files.deleteIfExists(respkvFile);
        try (Differential d = open(protocol)) {
            Differential.Replies r = d.sendBoth("ACL", "LOAD");
            RespFrame ref = r.reference();
            assertEquals(new String(ref.raw(), StandardCharsets.ISO_8859_1).replace(redisFile.toString(), "FILE"),
                    new String(r.candidate().raw(), StandardCharsets.ISO_8859_1).replace(respkvFile.toString(), "FILE"));
            d.checkSequence("ACL SAVE", "ACL LOAD");
        }
    }
}
