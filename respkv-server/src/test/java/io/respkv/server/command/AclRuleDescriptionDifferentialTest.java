package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of command rules, applied to a user on redis-server 7.0.15 and on respkv:
 * the description of the resulting bitmap (ACL GETUSER's {@code commands}) must have the same
 * {@code +@all}/{@code -@all} and categories in the same order (Redis's greedy choice), and the
 * same single-command rules (which Redis prints in a per-process random order: compared as sets).
 */
class AclRuleDescriptionDifferentialTest extends RespkvDifferentialTest {

    private static final List<String> CATEGORIES = List.of("keyspace", "read", "write", "set", "sortedset", "list",
            "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
            "dangerous", "connection", "transaction", "scripting", "all");
    private static final List<String> COMMANDS = List.of("get", "set", "incr", "del", "config", "config|get",
            "client|list", "xadd", "eval", "flushall", "debug", "acl", "acl|whoami", "object|freq", "zadd", "hset",
            "publish", "subscribe", "multi", "keys", "scan", "lpush", "blpop", "geoadd", "pfadd", "bitcount");

    @Test
    void randomRuleSetsAreDescribedAsRedisDoes() {
        Random random = new Random(20261122);
        try (Differential d = open(ProtocolVersion.RESP2)) {
            for (int round = 0; round < 60; round++) {
                List<String> args = new ArrayList<>(List.of("ACL", "SETUSER", "eve", "reset"));
                int rules = 1 + random.nextInt(6);
                for (int i = 0; i < rules; i++) {
                    String sign = random.nextBoolean() ? "+" : "-";
                    args.add(random.nextInt(3) == 0 ? sign + COMMANDS.get(random.nextInt(COMMANDS.size()))
                            : sign + "@" + CATEGORIES.get(random.nextInt(CATEGORIES.size())));
                }
                d.check(args.toArray(new String[0]));
                Differential.Replies r = d.sendBoth("ACL", "GETUSER", "eve");
                String redis = commands(r.reference());
                String respkv = commands(r.candidate());
                assertEquals(categoryPart(redis), categoryPart(respkv), args + ": " + redis + " / " + respkv);
                TreeSet<String> respkvSingles = singles(respkv);
                // respkv's own commands (PDEL, RESPKV.DIGEST...) are in categories too: Redis has no bit for them
                respkvSingles.removeIf(rule -> !knownToRedis(d, rule.substring(1)));
                assertEquals(singles(redis), respkvSingles, args + ": " + redis + " / " + respkv);
            }
            d.sendBoth("ACL", "DELUSER", "eve");
        }
    }

    private final java.util.Map<String, Boolean> known = new java.util.HashMap<>();

    private boolean knownToRedis(Differential d, String command) {
        return known.computeIfAbsent(command, c -> !d.sendBoth("COMMAND", "INFO", c.replace('|', ' ').split(" ")[0])
                .reference().elements().get(0).isNull());
    }

    private static String commands(RespFrame getuser) {
        List<RespFrame> fields = getuser.elements();
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).text().equals("commands")) {
                return new String(fields.get(i + 1).payload(), StandardCharsets.ISO_8859_1);
            }
        }
        throw new AssertionError("no commands in " + getuser);
    }

    private static List<String> categoryPart(String rules) {
        return Arrays.stream(rules.split(" ")).filter(t -> t.startsWith("+@") || t.startsWith("-@")).toList();
    }

    private static TreeSet<String> singles(String rules) {
        TreeSet<String> out = new TreeSet<>();
        Arrays.stream(rules.split(" ")).filter(t -> !t.startsWith("+@") && !t.startsWith("-@")).forEach(out::add);
        return out;
    }
}
