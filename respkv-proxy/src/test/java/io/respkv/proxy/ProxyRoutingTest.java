package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing through the proxy over a real 3-master cluster, checked on the wire and on the nodes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyRoutingTest {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    private RespProxy proxy;

    @BeforeAll
    void startProxy() {
        proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0).start().join();
    }

    @AfterAll
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void flush() throws IOException {
        try (RawRespClient c = client()) {
            assertEquals("OK", c.call("FLUSHALL").text());
        }
    }

    private RawRespClient client() throws IOException {
        return RawRespClient.connect(RespTarget.loopback("proxy", proxy.activePort()));
    }

    @Test
    void keysLandOnTheNodeOfTheirSlot() throws IOException {
        try (RawRespClient c = client()) {
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", c.call("SET", "key:" + i, "v" + i).text());
            }
            for (int i = 0; i < 300; i++) {
                assertEquals("v" + i, c.call("GET", "key:" + i).text());
            }
            assertEquals(300, c.call("DBSIZE").integer());
        }
        Set<Integer> nodesUsed = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String key = "key:" + i;
            int slot = HashSlots.slot(key.getBytes(StandardCharsets.UTF_8));
            int port = proxy.masterOf(slot).port();
            nodesUsed.add(port);
            assertEquals("v" + i, RedisClusterFixture.call(port, "GET", key).text());
        }
        assertEquals(3, nodesUsed.size());
    }

    @Test
    void pipelinedRepliesKeepRequestOrder() throws IOException {
        try (RawRespClient c = client()) {
            StringBuilder pipeline = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                String k = "p" + i;
                pipeline.append(resp("SET", k, Integer.toString(i))).append(resp("GET", k)).append(resp("PING"));
                expected.append("+OK\r\n$").append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n+PONG\r\n");
            }
            c.sendRaw(pipeline.toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 6000; i++) {
                got.append(new String(c.readReply().raw(), StandardCharsets.UTF_8));
            }
            assertEquals(expected.toString(), got.toString());
        }
    }

    @Test
    void crossSlotCommandsSplitOrRefuse() throws IOException {
        try (RawRespClient c = client()) {
            assertEquals("OK", c.call("MSET", "a", "1", "b", "2", "c", "3", "d", "4").text());
            RespFrame values = c.call("MGET", "d", "a", "missing", "c", "b");
            assertEquals("*5\r\n$1\r\n4\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n$1\r\n2\r\n",
                    new String(values.raw(), StandardCharsets.UTF_8));
            assertEquals(4, c.call("EXISTS", "a", "b", "c", "d", "nope").integer());
            assertEquals(2, c.call("DEL", "a", "b", "nope").integer());
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n",
                    new String(c.call("MSETNX", "x", "1", "y", "2").raw(), StandardCharsets.UTF_8));
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n",
                    new String(c.call("RENAME", "c", "d2").raw(), StandardCharsets.UTF_8));
            assertEquals(1, c.call("MSETNX", "{t}x", "1", "{t}y", "2").integer());
        }
    }

    @Test
    void blockingCommandsDoNotHoldUpOtherClients() throws Exception {
        try (RawRespClient blocked = client(); RawRespClient other = client(); RawRespClient pusher = client()) {
            blocked.send(io.respkv.server.difftest.RespCommand.of("BLPOP", "queue", "10"));
            Thread.sleep(100);
            // the other clients share the proxy's connections to that node: they must not wait for the BLPOP
            for (int i = 0; i < 20; i++) {
                assertEquals("OK", other.call("SET", "queue:" + i, "x").text());
                assertEquals("x", other.call("GET", "queue:" + i).text());
            }
            assertEquals(1, pusher.call("RPUSH", "queue", "job").integer());
            assertEquals("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", new String(blocked.readReply().raw(), StandardCharsets.UTF_8));
            assertEquals("PONG", blocked.call("PING").text());
        }
    }

    /**
     * A pipeline mixing plain commands (pooled connections) and transactions (the client's own
     * connection) on one key: each sees the writes sent before it, as on a single Redis.
     */
    @Test
    void pipelinedTransactionsSeeEarlierWritesOfTheSameClient() throws IOException {
        try (RawRespClient c = client()) {
            StringBuilder pipeline = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 300; i++) {
                String v = Integer.toString(i);
                pipeline.append(resp("SET", "{o}k", v)).append(resp("MULTI")).append(resp("GET", "{o}k"))
                        .append(resp("INCR", "{o}n")).append(resp("EXEC")).append(resp("GET", "{o}n"));
                expected.append("+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n")
                        .append("*2\r\n$").append(v.length()).append("\r\n").append(v).append("\r\n:").append(i).append("\r\n")
                        .append("$").append(v.length()).append("\r\n").append(v).append("\r\n");
            }
            c.sendRaw(pipeline.toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 300 * 6; i++) {
                got.append(new String(c.readReply().raw(), StandardCharsets.UTF_8));
            }
            assertEquals(expected.toString(), got.toString());
        }
    }

    static String resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }
}
