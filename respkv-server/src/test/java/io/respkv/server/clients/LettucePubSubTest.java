package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.respkv.server.RespServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lettuce 7's pub/sub connection against an embedded respkv, RESP3 (Lettuce's default, pushes)
 * and RESP2: channel and pattern subscriptions, keyspace notifications, and, in RESP3, ordinary
 * commands on the subscribed connection.
 */
@Timeout(60)
class LettucePubSubTest {

    private static RespServer server;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.activePort())
                .withTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        server.close();
    }

    /** Collects messages ("channel=message", "pattern:channel=message"). */
    private static final class Collector extends RedisPubSubAdapter<String, String> {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @Override
        public void message(String channel, String message) {
            received.add(channel + "=" + message);
        }

        @Override
        public void message(String pattern, String channel, String message) {
            received.add(pattern + ":" + channel + "=" + message);
        }

        String next() throws InterruptedException {
            String m = received.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 10 s");
            }
            return m;
        }
    }

    private static void protocol(ProtocolVersion version) {
        client.setOptions(ClientOptions.builder().protocolVersion(version).build());
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void channelsAndPatterns(ProtocolVersion version) throws Exception {
        protocol(version);
        String p = "lettuce-" + version + ":";
        Collector collector = new Collector();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                StatefulRedisConnection<String, String> conn = client.connect()) {
            sub.addListener(collector);
            sub.sync().subscribe(p + "news", p + "sport");
            sub.sync().psubscribe(p + "n*");
            RedisCommands<String, String> r = conn.sync();
            assertEquals(Map.of(p + "news", 1L), r.pubsubNumsub(p + "news"));
            assertEquals(1L, r.pubsubNumpat());
            assertEquals(2L, r.publish(p + "news", "hello"));
            assertEquals(1L, r.publish(p + "sport", "goal"));
            assertEquals(p + "news=hello", collector.next());
            assertEquals(p + "n*:" + p + "news=hello", collector.next());
            assertEquals(p + "sport=goal", collector.next());
            sub.sync().unsubscribe(p + "news");
            assertEquals(1L, r.publish(p + "news", "pattern only"));
            assertEquals(p + "n*:" + p + "news=pattern only", collector.next());
            if (version == ProtocolVersion.RESP3) {
                // RESP3: a subscribed connection runs ordinary commands too
                assertEquals("PONG", sub.sync().ping());
                assertEquals("OK", sub.sync().set(p + "k", "v"));
                assertEquals("v", sub.sync().get(p + "k"));
            }
            sub.sync().unsubscribe();
            sub.sync().punsubscribe();
            assertEquals(0L, r.publish(p + "sport", "nobody"));
            assertEquals(List.of(), r.pubsubChannels(p + "*"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void keyspaceNotifications(ProtocolVersion version) throws Exception {
        protocol(version);
        String p = "lettuce-ks-" + version + ":";
        Collector collector = new Collector();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.configSet("notify-keyspace-events", "Kgh$z");
            try {
                sub.addListener(collector);
                sub.sync().psubscribe("__keyspace@0__:" + p + "*");
                String pattern = "__keyspace@0__:" + p + "*:__keyspace@0__:" + p;
                r.hset(p + "h", "f", "v");
                r.hdel(p + "h", "f");
                r.zadd(p + "z", 1.0, "m");
                r.set(p + "s", "v");
                r.expire(p + "s", 100);
                r.persist(p + "s");
                assertEquals(pattern + "h=hset", collector.next());
                assertEquals(pattern + "h=hdel", collector.next());
                assertEquals(pattern + "h=del", collector.next());
                assertEquals(pattern + "z=zadd", collector.next());
                assertEquals(pattern + "s=set", collector.next());
                assertEquals(pattern + "s=expire", collector.next());
                assertEquals(pattern + "s=persist", collector.next());
            } finally {
                r.configSet("notify-keyspace-events", "");
            }
        }
    }
}
