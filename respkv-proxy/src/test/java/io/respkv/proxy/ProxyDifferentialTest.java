package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.DifferentialTestBase;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The differential harness through the proxy: the same commands to one real redis-server and to
 * the proxy over a real 3-master cluster must give the same bytes, in RESP2 and RESP3. Keys are
 * spread over every master (multi-key atomic commands use hash tags, as cluster users must).
 */
class ProxyDifferentialTest extends DifferentialTestBase {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    private RespProxy proxy;

    @Override
    protected void startRespkv() {
        proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0).start().join();
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

    /** Keys whose slots cover every master. */
    private static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("k" + i);
        }
        return keys;
    }

    @ProtocolTest
    void strings(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (String k : keys(40)) {
                d.check("SET", k, "v-" + k);
                d.check("APPEND", k, "!");
                d.check("GET", k);
                d.check("STRLEN", k);
                d.check("GETRANGE", k, "1", "3");
                d.check("INCR", k + ":n");
                d.check("INCRBYFLOAT", k + ":f", "1.5");
                d.check("SET", k + ":x", "1", "NX", "GET");
                d.check("GETDEL", k + ":x");
            }
            d.check("GET", "missing");
            d.check("INCR", "k1");
            d.check("SET", "k1");
            d.check("NOSUCHCOMMAND", "a", "b");
        }
    }

    @ProtocolTest
    void collections(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (String k : keys(20)) {
                d.check("HSET", "h" + k, "f1", "1", "f2", "2");
                d.check("HGET", "h" + k, "f1");
                d.check("HINCRBY", "h" + k, "f1", "5");
                d.checkSorted("HGETALL", "h" + k);
                d.check("RPUSH", "l" + k, "a", "b", "c");
                d.check("LRANGE", "l" + k, "0", "-1");
                d.check("LPOP", "l" + k);
                d.check("SADD", "s" + k, "x", "y", "z");
                d.check("SISMEMBER", "s" + k, "y");
                d.checkSorted("SMEMBERS", "s" + k);
                d.check("ZADD", "z" + k, "1", "a", "2.5", "b");
                d.check("ZRANGE", "z" + k, "0", "-1", "WITHSCORES");
                d.check("ZSCORE", "z" + k, "b");
                d.check("TYPE", "z" + k);
                d.check("GET", "h" + k);
                d.check("EXPIRE", "s" + k, "100");
                d.checkIntegerWithin(1, "TTL", "s" + k);
                d.check("OBJECT", "ENCODING", "s" + k);
            }
        }
    }

    @ProtocolTest
    void multiKeyCommandsAcrossSlots(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            List<String> mset = new ArrayList<>(List.of("MSET"));
            List<String> mget = new ArrayList<>(List.of("MGET"));
            for (String k : keys(30)) {
                mset.add(k);
                mset.add("value of " + k);
                mget.add(k);
                mget.add(k + ":missing");
            }
            d.check(mset.toArray(String[]::new));
            d.check(mget.toArray(String[]::new));
            d.check("HSET", "k3", "f", "v");
            d.check("MGET", "k3", "k4", "k5", "k3");
            d.check("EXISTS", "k1", "k2", "k1", "nope", "k7");
            d.check("TOUCH", "k1", "k2", "nope");
            d.check("DEL", "k1", "k2", "k2", "nope");
            d.check("UNLINK", "k3", "k4", "nope");
            d.check("DBSIZE");
            d.checkSorted("KEYS", "*");
            d.checkSorted("KEYS", "k1*");
            d.check("MSET", "k1", "1", "k2");
            d.check("MGET");
            d.check("MSETNX", "{tag}a", "1", "{tag}b", "2");
            d.check("MGET", "{tag}a", "{tag}b");
            d.check("RENAME", "{tag}a", "{tag}c");
            d.check("SUNIONSTORE", "{tag}s", "{tag}x", "{tag}y");
            d.check("FLUSHDB");
            d.check("DBSIZE");
            d.check("RANDOMKEY");
            d.check("SET", "only", "1");
            d.check("RANDOMKEY");
        }
    }

    @ProtocolTest
    void connectionCommands(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("PING");
            d.check("PING", "hello");
            d.check("PING", "a", "b");
            d.check("ECHO", "bytes\r\nwith crlf");
            d.check("SELECT", "0");
            d.check("CLIENT", "SETNAME", "my-client");
            d.check("CLIENT", "GETNAME");
            d.check("CLIENT", "SETNAME", "bad name");
            d.checkShape("CLIENT", "ID");
            d.checkShape("TIME");
            d.check("AUTH", "secret");
            d.check("HELLO", "4");
            d.checkShape("HELLO");
            d.check("UNSUBSCRIBE");
            d.check("UNSUBSCRIBE", "a");
            d.checkRaw("*3\r\n$11\r\nUNSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n$12\r\nPUNSUBSCRIBE\r\n".getBytes(StandardCharsets.UTF_8));
            d.check("COMMAND", "COUNT");
            d.check("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2");
        }
    }

    @ProtocolTest
    void transactionsInOneSlot(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("MULTI", "SET {u}a 1", "INCR {u}b", "GET {u}a", "EXEC");
            d.checkSequence("WATCH {u}a", "MULTI", "INCR {u}a", "EXEC");
            d.checkSequence("MULTI", "PING", "DISCARD");
            d.checkSequence("EXEC", "DISCARD", "MULTI", "MULTI", "INCR {u}n", "EXEC");
            try (Differential peer = d.openPeer()) {
                d.check("WATCH", "{u}w");
                peer.check("SET", "{u}w", "changed");
                d.checkSequence("MULTI", "SET {u}w mine", "EXEC", "GET {u}w");
            }
        }
    }

    @ProtocolTest
    void pipelinesOverEveryMaster(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            StringBuilder pipeline = new StringBuilder();
            for (String k : keys(200)) {
                pipeline.append(ProxyRoutingTest.resp("SET", k, k + k));
                pipeline.append(ProxyRoutingTest.resp("GET", k));
                pipeline.append(ProxyRoutingTest.resp("INCR", k));
                pipeline.append(ProxyRoutingTest.resp("MGET", k, "x" + k, k));
                pipeline.append("PING\r\n");
            }
            d.checkRaw(pipeline.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @ProtocolTest
    void scanVisitsEveryKeyOfEveryMaster(ProtocolVersion protocol) throws IOException {
        try (Differential d = open(protocol)) {
            Set<String> expected = new TreeSet<>();
            for (String k : keys(500)) {
                d.check("SET", k, "1");
                expected.add(k);
            }
            d.check("SET", "other", "1");
            try (RawRespClient c = RawRespClient.connect(RespTarget.loopback("proxy", proxy.activePort()))) {
                if (protocol == ProtocolVersion.RESP3) {
                    c.call("HELLO", "3");
                }
                Set<String> seen = new HashSet<>();
                String cursor = "0";
                int calls = 0;
                do {
                    RespFrame reply = c.call("SCAN", cursor, "MATCH", "k*", "COUNT", "50");
                    cursor = reply.elements().get(0).text();
                    for (RespFrame key : reply.elements().get(1).elements()) {
                        seen.add(key.text());
                    }
                } while (!cursor.equals("0") && ++calls < 10_000);
                assertEquals(expected, new TreeSet<>(seen));
                assertEquals("-ERR invalid cursor\r\n",
                        new String(c.call("SCAN", "abc").raw(), StandardCharsets.UTF_8));
            }
        }
    }
}
