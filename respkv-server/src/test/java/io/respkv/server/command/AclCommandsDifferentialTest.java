package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * ACL users, rules, permission checks, AUTH and the ACL log, byte for byte against
 * redis-server 7.0.15, RESP2 and RESP3. Rules that would print more than one single-command
 * rule are compared sorted or avoided: Redis prints those in its hash table's random order.
 */
class AclCommandsDifferentialTest extends RespkvDifferentialTest {

    /** The reference Redis lives for the whole class: every test leaves its users and log behind it. */
    @BeforeEach
    void createRoot() throws Exception {
        for (RespTarget target : List.of(redis().target(), RespTarget.loopback("respkv", respkvPort()))) {
            try (RawRespClient c = RawRespClient.connect(target)) {
                c.call("ACL", "SETUSER", "root", "on", ">rootpw", "+@all", "~*", "&*");
            }
        }
    }

    @AfterEach
    void resetUsers() throws Exception {
        for (RespTarget target : List.of(redis().target(), RespTarget.loopback("respkv", respkvPort()))) {
            try (RawRespClient c = RawRespClient.connect(target)) {
                assertEquals("OK", c.call("AUTH", "root", "rootpw").text());
                c.call("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all");
                c.call("CONFIG", "SET", "requirepass", "");
                c.call("ACL", "DELUSER", "alice", "bob", "carl", "dan", "eve");
                c.call("ACL", "LOG", "RESET");
            }
        }
    }

    @ProtocolTest
    void setuserListAndGetuser(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "ACL LIST", "ACL USERS", "ACL SETUSER alice", "ACL LIST", "ACL GETUSER alice",
                    "ACL SETUSER alice on >p1 >p2 ~k* %R~r* %W~w* &ch* +@string -append", "ACL LIST",
                    "ACL GETUSER alice",
                    "ACL SETUSER bob +@all -@dangerous allkeys allchannels", "ACL GETUSER bob",
                    "ACL SETUSER carl +@read +@write -get", "ACL GETUSER carl",
                    "ACL SETUSER carl reset", "ACL LIST",
                    "ACL SETUSER dan %R~a %W~a %RW~b %WR~c ~d", "ACL GETUSER dan",
                    "ACL SETUSER dan resetkeys allkeys", "ACL GETUSER dan",
                    "ACL SETUSER alice <p2", "ACL GETUSER alice", "ACL SETUSER alice nopass", "ACL GETUSER alice",
                    "ACL SETUSER alice resetpass", "ACL GETUSER alice",
                    "ACL SETUSER alice #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
                    "ACL GETUSER alice",
                    "ACL SETUSER alice !30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
                    "ACL SETUSER alice skip-sanitize-payload", "ACL GETUSER alice",
                    "ACL SETUSER alice sanitize-payload off", "ACL GETUSER alice",
                    "ACL SETUSER eve nocommands +config|get", "ACL GETUSER eve",
                    "ACL SETUSER eve allcommands -config|set", "ACL GETUSER eve",
                    "ACL SETUSER eve -@all +client", "ACL LIST",
                    "ACL SETUSER eve -@all +select|0", "ACL GETUSER eve",
                    "ACL SETUSER eve +@all -@keyspace", "ACL GETUSER eve",
                    "ACL SETUSER eve -@all +@hash +@list +@set +@sortedset", "ACL GETUSER eve",
                    "ACL SETUSER eve resetchannels &a &b &a allchannels", "ACL GETUSER eve",
                    "ACL USERS", "ACL GETUSER nosuch");
        }
    }

    @ProtocolTest
    void setuserErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "ACL SETUSER alice #abc", "ACL SETUSER alice #30C952FAB122C3F9759F02A6D95C3758B246B4FEE239957B2D4FEE46E26170C4",
                    "ACL SETUSER alice <nope", "ACL SETUSER alice !30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
                    "ACL SETUSER alice +nosuch", "ACL SETUSER alice -nosuch", "ACL SETUSER alice +@nosuch",
                    "ACL SETUSER alice -@nosuch", "ACL SETUSER alice foo", "ACL SETUSER alice allkeys ~x",
                    "ACL SETUSER alice allchannels &x", "ACL SETUSER alice +config|get|x", "ACL SETUSER alice +config|nosuch",
                    "ACL SETUSER alice +get|", "ACL SETUSER alice -get|x", "ACL SETUSER alice %X~k",
                    "ACL SETUSER \"a b\"", "ACL SETUSER \"a\\x00b\"", "ACL SETUSER alice \"~a b\"", "ACL SETUSER alice +",
                    "ACL SETUSER alice on >x +nosuch", "ACL USERS", "ACL SETUSER", "ACL GETUSER", "ACL GETUSER a b",
                    "ACL DELUSER", "ACL DELUSER default", "ACL DELUSER nosuch", "ACL SETUSER alice", "ACL SETUSER bob",
                    "ACL DELUSER alice nosuch bob", "ACL DELUSER alice default", "ACL USERS",
                    "ACL", "ACL NOSUCH", "ACL LIST x", "ACL USERS x", "ACL WHOAMI x", "ACL HELP", "ACL HELP x",
                    "ACL SAVE", "ACL LOAD", "ACL SAVE x");
        }
    }

    @ProtocolTest
    void catWhoamiGenpass(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ACL CAT", "ACL CAT nosuch", "ACL CAT a b", "ACL WHOAMI",
                    "ACL GENPASS 0", "ACL GENPASS 4097", "ACL GENPASS x", "ACL GENPASS -1", "ACL GENPASS 1 2");
            for (String category : List.of("string", "STRING", "keyspace", "dangerous", "fast", "pubsub", "transaction",
                    "write", "slow", "admin")) {
                Differential.Replies r = d.sendBoth("ACL", "CAT", category);
                java.util.Set<String> redis = names(r.reference());
                java.util.Set<String> respkv = names(r.candidate());
                assertTrue(respkv.containsAll(redis), "respkv's ACL CAT " + category + " lacks some of " + redis);
                respkv.removeAll(redis);
                for (String extension : respkv) {
                    // only respkv's own commands may be added: Redis does not know them
                    assertTrue(d.sendBoth("COMMAND", "INFO", extension).reference().elements().get(0).isNull(), extension);
                }
            }
            d.checkShape("ACL", "GENPASS");
            d.checkShape("ACL", "GENPASS", "5");
            d.checkShape("ACL", "GENPASS", "4096");
            RespFrame p = d.check("STRLEN", "x"); // keeps the session aligned
            assertEquals(0, p.integer());
        }
    }

    @ProtocolTest
    void permissionsOfARestrictedUser(ProtocolVersion protocol) {
        try (Differential admin = open(protocol)) {
            admin.checkSequence(
                    "ACL SETUSER alice on >pw ~k* %R~r* %W~w* &ch* -@all +get +set +publish +subscribe +psubscribe "
                            + "+multi +exec +discard +mset +copy +ping +acl|whoami");
            try (Differential d = admin.openPeer()) {
                d.checkSequence(
                        "AUTH alice wrong", "AUTH nosuch pw", "AUTH alice pw", "ACL WHOAMI", "PING",
                        "SET k1 v", "GET k1", "GET x", "SET x v", "INCR k1", "ACL LIST", "CONFIG GET maxmemory",
                        "GET r1", "SET r1 v", "SET w1 v", "GET w1", "COPY w1 r1", "COPY r1 w1", "COPY k1 k2",
                        "MSET k2 a k3 b", "MSET k2 a x b", "PUBLISH ch1 m", "PUBLISH other m",
                        "MULTI", "GET k1", "INCR k1", "GET x", "EXEC",
                        "MULTI", "GET k1", "SET k2 v", "EXEC",
                        "SUBSCRIBE other", "PSUBSCRIBE ch*", "PSUBSCRIBE ch1*",
                        "ACL DRYRUN alice get k1");
                d.checkSequence("SUBSCRIBE ch1 ch2", "UNSUBSCRIBE");
                admin.checkSequence(
                        "ACL DRYRUN alice get k1", "ACL DRYRUN alice get x", "ACL DRYRUN alice incr k1",
                        "ACL DRYRUN alice publish ch1 m", "ACL DRYRUN alice publish other m",
                        "ACL DRYRUN alice subscribe ch1 other", "ACL DRYRUN alice set r1 v",
                        "ACL DRYRUN alice get", "ACL DRYRUN nosuch get k", "ACL DRYRUN alice nosuch",
                        "ACL DRYRUN alice config get x", "ACL DRYRUN alice acl whoami", "ACL DRYRUN alice",
                        "ACL DRYRUN default flushall", "CLIENT KILL USER nosuch");
                // a change applies to the connection at its next command
                admin.checkSequence("ACL SETUSER alice +incr allkeys");
                d.checkSequence("INCR x", "GET anything");
                admin.checkSequence("ACL SETUSER alice off");
                d.checkSequence("GET k1", "AUTH alice pw", "HELLO 2 AUTH alice pw");
                admin.checkSequence("ACL SETUSER alice on");
                try (Differential e = admin.openPeer()) {
                    // rules changed between MULTI and EXEC: EXEC checks again
                    e.checkSequence("AUTH alice pw", "MULTI", "GET k1", "INCR x", "PUBLISH ch1 m", "SET k1 v");
                    admin.checkSequence("ACL SETUSER alice -get -incr resetkeys ~k2");
                    e.checkSequence("EXEC", "ACL WHOAMI");
                    // d is still subscribed to the pattern ch*: losing &ch* closes it, e (no subscriptions) stays
                    admin.checkSequence("ACL SETUSER alice resetchannels &other");
                    d.checkRaw("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    e.checkSequence("PING");
                }
                admin.checkSequence("ACL SETUSER alice on", "ACL DELUSER alice", "CLIENT KILL USER alice");
            }
        }
    }

    @ProtocolTest
    void helloAuthAndDefaultUser(ProtocolVersion protocol) {
        try (Differential admin = open(protocol)) {
            admin.checkSequence("ACL SETUSER bob on >secret +@all ~*");
            try (Differential d = admin.openPeer()) {
                d.checkSequence("HELLO 3 AUTH bob nope", "HELLO 2 AUTH nosuch x");
                d.checkShape("HELLO", "3", "AUTH", "bob", "secret");
                d.checkSequence("ACL WHOAMI", "AUTH default x", "ACL WHOAMI");
                d.checkShape("HELLO", protocol == ProtocolVersion.RESP3 ? "3" : "2", "AUTH", "default", "any");
                d.checkSequence("ACL WHOAMI", "AUTH bob secret", "CLIENT KILL USER bob SKIPME yes", "ACL WHOAMI");
            }
            // requirepass is the default user's password; connections already in stay in
            try (Differential d = admin.openPeer()) {
                d.checkSequence("PING"); // connected (and authenticated) before requirepass is set
                admin.checkSequence("AUTH onlypassword", "CONFIG SET requirepass s3cret", "ACL LIST",
                        "ACL GETUSER default");
                d.checkSequence("GET k", "RESET", "GET k", "HELLO 2", "HELLO 3 SETNAME x", "CLIENT SETNAME y", "AUTH wrong", "AUTH s3cret", "CLIENT GETNAME", "GET k", "RESET", "GET k",
                        "AUTH default s3cret", "ACL WHOAMI", "HELLO 2 AUTH default nope", "CLIENT KILL USER bob");
            }
            admin.checkSequence("CONFIG SET requirepass \"\"", "ACL LIST", "AUTH x");
        }
    }

    @ProtocolTest
    void defaultUserTurnedOff(ProtocolVersion protocol) {
        try (Differential admin = open(protocol)) {
            try (Differential d = admin.openPeer()) {
                d.checkSequence("PING");
                admin.checkSequence("ACL SETUSER bob on nopass +@all ~* &*", "AUTH bob any", "ACL SETUSER default off",
                        "ACL LIST");
                d.checkSequence("PING", "RESET", "PING", "AUTH default x", "AUTH bob y", "PING");
            }
            admin.checkSequence("ACL SETUSER default on");
            try (Differential d = admin.openPeer()) {
                d.checkSequence("PING");
                admin.checkSequence("ACL SETUSER default -@all +ping");
                d.checkSequence("RESET", "PING", "GET k", "ACL WHOAMI", "AUTH bob z", "GET k");
            }
        }
    }

    @ProtocolTest
    void logRecordsDenials(ProtocolVersion protocol) {
        try (Differential admin = open(protocol)) {
            admin.checkSequence("ACL LOG RESET", "ACL LOG", "ACL SETUSER alice on >pw ~k* &c -@all +get +publish");
            try (Differential d = admin.openPeer()) {
                d.checkSequence("AUTH alice nope", "auth alice nope", "AUTH alice pw", "GET x", "GET x", "SET k v",
                        "PUBLISH d m", "MULTI", "GET y", "DISCARD");
            }
            admin.checkSequence("ACL LOG x", "ACL LOG 1 2");
            for (String count : List.of("10", "0", "-1", "2", "100")) {
                RespFrame ref = admin.sendBoth("ACL", "LOG", count).reference();
                RespFrame cand = admin.sendBoth("ACL", "LOG", count).candidate();
                assertEquals(ref.elements().size(), cand.elements().size(), "ACL LOG " + count);
                for (int i = 0; i < ref.elements().size(); i++) {
                    List<RespFrame> a = fields(ref.elements().get(i));
                    List<RespFrame> b = fields(cand.elements().get(i));
                    assertEquals(a.size(), b.size());
                    for (int f = 0; f < a.size(); f += 2) {
                        String field = a.get(f).text();
                        assertEquals(field, b.get(f).text());
                        if (field.equals("age-seconds")) {
                            double age = Double.parseDouble(b.get(f + 1).text());
                            assertTrue(age >= 0 && age < 30, "age " + age);
                        } else if (field.equals("client-info")) {
                            assertTrue(b.get(f + 1).text().contains(" user="), b.get(f + 1).text());
                            assertTrue(b.get(f + 1).text().startsWith("id="), b.get(f + 1).text());
                        } else {
                            assertEquals(a.get(f + 1).toString(), b.get(f + 1).toString(), field + " of entry " + i);
                        }
                    }
                }
            }
            admin.checkSequence("ACL LOG RESET", "ACL LOG", "ACL LOG reset");
        }
    }

    private static java.util.Set<String> names(RespFrame array) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        array.elements().forEach(e -> out.add(e.text()));
        return out;
    }

    /** A map entry's fields: the map's elements in RESP3, the flat array's in RESP2. */
    private static List<RespFrame> fields(RespFrame entry) {
        return entry.elements();
    }
}
