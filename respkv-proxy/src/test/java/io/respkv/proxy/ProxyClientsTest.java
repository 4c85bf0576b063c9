package io.respkv.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** Jedis and Lettuce (clients that know nothing of clusters) through the proxy, RESP2 and RESP3, pipelined. */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyClientsTest {

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster();

    private RespProxy proxy;
    private RedisClient lettuce;

    @BeforeAll
    void start() {
        proxy = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0).start().join();
        lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.activePort())
                .withTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterAll
    void stop() {
        if (lettuce != null) {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private Jedis jedis(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", proxy.activePort()),
                DefaultJedisClientConfig.builder().protocol(protocol).clientName("jedis-proxy").build());
    }

    /** Each transport this machine runs carries a pipeline spread over every master, client side and node side. */
    @ParameterizedTest
    @EnumSource(value = io.respkv.server.NetTransport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void eachAvailableTransportRoutesAPipeline(io.respkv.server.NetTransport transport) {
        org.junit.jupiter.api.Assumptions.assumeTrue(transport.isAvailable(),
                () -> transport + " not available here: " + transport.unavailabilityCause());
        try (RespProxy p = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0)
                .transport(transport).start().join();
             Jedis j = new Jedis(new HostAndPort("127.0.0.1", p.activePort()), DefaultJedisClientConfig.builder().build())) {
            String prefix = "transport:" + transport.configName() + ":";
            Pipeline pipe = j.pipelined();
            for (int i = 0; i < 300; i++) {
                pipe.set(prefix + i, Integer.toString(i));
                pipe.get(prefix + i);
            }
            List<Object> replies = pipe.syncAndReturnAll();
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", replies.get(2 * i));
                assertEquals(Integer.toString(i), replies.get(2 * i + 1));
            }
            assertEquals(List.of("0", "299"), j.mget(prefix + 0, prefix + 299));
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void jedisCommandsAndPipeline(RedisProtocol protocol) {
        String p = "jedis:" + protocol + ":";
        try (Jedis j = jedis(protocol)) {
            assertEquals("PONG", j.ping());
            assertEquals("jedis-proxy", j.clientGetname());
            assertEquals("OK", j.set(p + "k", "v"));
            assertEquals("v", j.get(p + "k"));
            assertNull(j.get(p + "missing"));
            assertEquals(11L, j.incrBy(p + "n", 11));
            assertEquals(List.of("v", "11"), j.mget(p + "k", p + "n"));
            assertEquals(2L, j.del(p + "k", p + "n", p + "missing"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.rename(p + "a", p + "b"));
            assertEquals("CROSSSLOT Keys in request don't hash to the same slot", e.getMessage());

            Pipeline pipe = j.pipelined();
            for (int i = 0; i < 2000; i++) {
                pipe.set(p + i, Integer.toString(i));
                pipe.get(p + i);
                pipe.mget(p + i, p + (i + 1));
            }
            List<Object> replies = pipe.syncAndReturnAll();
            assertEquals(6000, replies.size());
            for (int i = 0; i < 2000; i++) {
                assertEquals("OK", replies.get(3 * i));
                assertEquals(Integer.toString(i), replies.get(3 * i + 1));
                assertEquals(Integer.toString(i), ((List<?>) replies.get(3 * i + 2)).get(0));
            }

            Transaction tx = j.multi();
            tx.set("{" + p + "}a", "1");
            tx.incr("{" + p + "}b");
            assertEquals(List.of("OK", 1L), tx.exec());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettuceSyncAsyncAndTransactions(ProtocolVersion version) throws Exception {
        lettuce.setOptions(ClientOptions.builder().protocolVersion(version).build());
        String p = "lettuce:" + version + ":";
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("PONG", sync.ping());
            assertEquals("OK", sync.set(p + "k", "v"));
            assertEquals("v", sync.get(p + "k"));
            assertEquals(3L, sync.hset(p + "h", java.util.Map.of("a", "1", "b", "2", "c", "3")));
            assertEquals(java.util.Map.of("a", "1", "b", "2", "c", "3"), sync.hgetall(p + "h"));
            assertEquals(List.of(KeyValue.just(p + "k", "v"), KeyValue.empty(p + "none")), sync.mget(p + "k", p + "none"));

            RedisAsyncCommands<String, String> async = conn.async();
            conn.setAutoFlushCommands(false);
            List<RedisFuture<String>> sets = new ArrayList<>();
            List<RedisFuture<String>> gets = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                sets.add(async.set(p + i, "value-" + i));
                gets.add(async.get(p + i));
            }
            conn.flushCommands();
            conn.setAutoFlushCommands(true);
            for (int i = 0; i < 3000; i++) {
                assertEquals("OK", sets.get(i).get(10, TimeUnit.SECONDS));
                assertEquals("value-" + i, gets.get(i).get(10, TimeUnit.SECONDS));
            }

            String a = "{" + p + "tx}a";
            assertEquals("OK", sync.watch(a));
            assertEquals("OK", sync.multi());
            sync.set(a, "1");
            sync.incr(a);
            TransactionResult result = sync.exec();
            assertEquals(List.of("OK", 2L), result.stream().toList());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void lettucePubSub(ProtocolVersion version) throws Exception {
        lettuce.setOptions(ClientOptions.builder().protocolVersion(version).build());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub();
                StatefulRedisConnection<String, String> pub = lettuce.connect()) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(channel + "=" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    received.add(pattern + ":" + channel + "=" + message);
                }
            });
            sub.sync().subscribe("news");
            sub.sync().psubscribe("n*");
            // PUBLISH goes to some master; the cluster bus carries it to every node
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            pub.sync().publish("news", "hello");
            List<String> got = new ArrayList<>();
            while (got.size() < 2 && System.nanoTime() < deadline) {
                String m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null) {
                    got.add(m);
                }
            }
            assertTrue(got.contains("news=hello"), got.toString());
            assertTrue(got.contains("n*:news=hello"), got.toString());
        }
    }

    /** GET calls counted by the replicas (INFO commandstats). */
    private long replicaGets() throws java.io.IOException {
        long total = 0;
        List<RedisClusterFixture.Node> nodes = CLUSTER.cluster().nodes();
        for (RedisClusterFixture.Node n : nodes.subList(CLUSTER.cluster().masters().size(), nodes.size())) {
            String stats = RedisClusterFixture.call(n.port(), "INFO", "commandstats").text();
            int at = stats.indexOf("cmdstat_get:calls=");
            if (at >= 0) {
                int from = at + "cmdstat_get:calls=".length();
                total += Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
            }
        }
        return total;
    }

    @Test
    void rawSubscriberGetsMessagesThenQuits() throws Exception {
        try (io.respkv.server.difftest.RawRespClient sub = io.respkv.server.difftest.RawRespClient.connect(
                io.respkv.server.difftest.RespTarget.loopback("proxy", proxy.activePort()));
                Jedis pub = new Jedis("127.0.0.1", proxy.activePort())) {
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", new String(sub.call("SUBSCRIBE", "ch").raw()));
            assertEquals(1L, pub.publish("ch", "hi"));
            assertEquals("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", new String(sub.readReply().raw()));
            // a subscribed RESP2 connection answers PING the pub/sub way: the node's reply, passed through
            assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", new String(sub.call("PING").raw()));
            sub.sendRaw(ProxyRoutingTest.resp("QUIT").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            io.respkv.server.difftest.RawRespClient.Drained rest = sub.drain(Duration.ofMillis(300), Duration.ofSeconds(5), 1 << 16);
            assertEquals("+OK\r\n", new String(rest.bytes()));
            assertTrue(rest.closed());
        }
    }

    /** Jedis gives a connection back to its pool after a subscription ends: it must route again. */
    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void connectionRoutesAgainAfterUnsubscribing(RedisProtocol protocol) throws Exception {
        try (Jedis j = jedis(protocol); Jedis pub = jedis(protocol)) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            redis.clients.jedis.JedisPubSub listener = new redis.clients.jedis.JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    received.add("subscribed");
                }

                @Override
                public void onMessage(String channel, String message) {
                    received.add(message);
                    unsubscribe();
                }
            };
            Thread t = new Thread(() -> j.subscribe(listener, "events"));
            t.start();
            assertEquals("subscribed", received.poll(10, TimeUnit.SECONDS));
            assertEquals(1L, pub.publish("events", "done"));
            assertEquals("done", received.poll(10, TimeUnit.SECONDS));
            t.join(10_000);
            // back to normal: keys of every master, on the same connection
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", j.set("after-sub:" + i, "v" + i));
                assertEquals("v" + i, j.get("after-sub:" + i));
            }
            assertEquals(List.of("v1", "v2", "v3"), j.mget("after-sub:1", "after-sub:2", "after-sub:3"));
        }
    }

    @Test
    void readsFromReplicasWhenAsked() throws java.io.IOException {
        long before = replicaGets();
        try (RespProxy replicas = RespProxy.builder().startupNodes(CLUSTER.cluster().startupNodes()).port(0)
                .readPrefer(ReadPrefer.REPLICA).start().join();
                Jedis j = new Jedis("127.0.0.1", replicas.activePort())) {
            assertEquals("OK", j.set("replica:k", "v"));
            // replication is asynchronous: poll until the replica has it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String v;
            do {
                v = j.get("replica:k");
            } while (v == null && System.nanoTime() < deadline);
            assertEquals("v", v);
            assertEquals(1L, j.del("replica:k"));
        }
        assertTrue(replicaGets() > before, "the GETs went to replicas");
    }
}
