package io.respkv.examples.acl;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Access control as in Redis 7: a server whose default user has a password (requirepass), an
 * administrator creating a restricted user with ACL SETUSER ({@code reports} may only read the
 * keys {@code report:*}), and that user, through Jedis, reading what it may and refused
 * (NOPERM) what it may not; then the ACL LOG of the refusals.
 *
 * <pre>
 * usage: AclExample [admin-password]     (default "admin-secret")
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.acl.AclExample
 * </pre>
 */
public final class AclExample {

    /** What the restricted user saw: the value it may read, and the errors of what it may not do. */
    public record Outcome(String allowedRead, List<String> refusals, List<String> loggedDenials) {
    }

    private AclExample() {
    }

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && args[0].isEmpty())) {
            System.err.println("usage: AclExample [admin-password]");
            System.exit(2);
        }
        Outcome o = run(args.length == 1 ? args[0] : "admin-secret");
        System.out.println("reports read report:2026: " + o.allowedRead());
        o.refusals().forEach(r -> System.out.println("refused: " + r));
        System.out.println("ACL LOG (reason:object, newest first): " + o.loggedDenials());
    }

    /** Starts a server with {@code adminPassword} as requirepass, creates the user, uses it, stops. */
    public static Outcome run(String adminPassword) {
        try (RespServer server = RespServer.builder().port(0).requirePass(adminPassword).start().join()) {
            HostAndPort address = new HostAndPort("127.0.0.1", server.activePort());
            try (Jedis admin = new Jedis(address, DefaultJedisClientConfig.builder().password(adminPassword).build())) {
                admin.set("report:2026", "revenue up");
                admin.set("payroll", "secret");
                // on, password "r3ad", keys report:* only, no commands but the read ones (and AUTH/HELLO)
                admin.aclSetUser("reports", "on", ">r3ad", "~report:*", "-@all", "+@read");
            }
            List<String> refusals = new ArrayList<>();
            String read;
            try (Jedis reports = new Jedis(address,
                    DefaultJedisClientConfig.builder().user("reports").password("r3ad").build())) {
                read = reports.get("report:2026");
                try {
                    reports.get("payroll"); // a key outside report:*
                } catch (JedisDataException e) {
                    refusals.add(e.getMessage());
                }
                try {
                    reports.set("report:2026", "changed"); // SET is not a read command
                } catch (JedisDataException e) {
                    refusals.add(e.getMessage());
                }
            }
            List<String> logged = new ArrayList<>();
            try (Jedis admin = new Jedis(address, DefaultJedisClientConfig.builder().password(adminPassword).build())) {
                admin.aclLog().forEach(e -> logged.add(e.getReason() + ":" + e.getObject()));
            }
            return new Outcome(read, refusals, logged);
        }
    }
}
