package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.RespServer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

/**
 * Jedis 8's pub/sub against an embedded respkv, RESP2 and RESP3: SUBSCRIBE and PSUBSCRIBE with
 * a blocking listener, PUBSUB counts, keyspace notifications, and the connection back to normal
 * commands after the last unsubscribe (no stray message is read as a reply).
 */
@Timeout(60)
class JedisPubSubTest {

    private static RespServer server;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).start().join();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.activePort()),
                DefaultJedisClientConfig.builder().protocol(protocol).timeoutMillis(10_000).build());
    }

    /** Records what a listener receives and counts subscriptions. */
    private static final class Recorder extends JedisPubSub {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final BlockingQueue<String> confirmed = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(String channel, String message) {
            received.add(channel + "=" + message);
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            received.add(pattern + ":" + channel + "=" + message);
        }

        @Override
        public void onSubscribe(String channel, int count) {
            confirmed.add("subscribe " + channel + " " + count);
        }

        @Override
        public void onPSubscribe(String pattern, int count) {
            confirmed.add("psubscribe " + pattern + " " + count);
        }

        String next() throws InterruptedException {
            return take(received);
        }

        String nextConfirmation() throws InterruptedException {
            return take(confirmed);
        }

        private static String take(BlockingQueue<String> q) throws InterruptedException {
            String m = q.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("nothing within 10 s");
            }
            return m;
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void subscribePublishAndLeave(RedisProtocol protocol) throws Exception {
        String p = "jedis-" + protocol + ":";
        Recorder listener = new Recorder();
        try (Jedis sub = connect(protocol); Jedis pub = connect(protocol)) {
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> sub.subscribe(listener, p + "a", p + "b"));
            assertEquals("subscribe " + p + "a 1", listener.nextConfirmation());
            assertEquals("subscribe " + p + "b 2", listener.nextConfirmation());
            listener.psubscribe(p + "pat*");
            assertEquals("psubscribe " + p + "pat* 3", listener.nextConfirmation());
            assertEquals(List.of(p + "a", p + "b"), pub.pubsubChannels(p + "*").stream().sorted().toList());
            assertEquals(1L, pub.pubsubNumSub(p + "a").get(p + "a"));
            assertEquals(1L, pub.publish(p + "a", "one"));
            assertEquals(1L, pub.publish(p + "b", "two"));
            assertEquals(0L, pub.publish(p + "c", "nobody"));
            assertEquals(1L, pub.publish(p + "pattern", "three"));
            assertEquals(p + "a=one", listener.next());
            assertEquals(p + "b=two", listener.next());
            assertEquals(p + "pat*:" + p + "pattern=three", listener.next());
            listener.unsubscribe();
            listener.punsubscribe();
            loop.get(10, TimeUnit.SECONDS); // the listener returns once nothing is subscribed
            assertEquals(0L, pub.publish(p + "a", "after"));
            // the connection serves ordinary commands again
            assertEquals("PONG", sub.ping());
            assertEquals("OK", sub.set(p + "k", "v"));
            assertEquals("v", sub.get(p + "k"));
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void keyspaceNotifications(RedisProtocol protocol) throws Exception {
        String p = "jedis-ks-" + protocol + ":";
        Recorder listener = new Recorder();
        try (Jedis sub = connect(protocol); Jedis cmd = connect(protocol)) {
            assertEquals("OK", cmd.configSet("notify-keyspace-events", "E$gl"));
            try {
                CompletableFuture<Void> loop = CompletableFuture.runAsync(
                        () -> sub.psubscribe(listener, "__keyevent@0__:*"));
                assertEquals("psubscribe __keyevent@0__:* 1", listener.nextConfirmation());
                cmd.set(p + "s", "v");
                cmd.rpush(p + "l", "x", "y");
                cmd.lpop(p + "l");
                cmd.del(p + "s");
                assertEquals("__keyevent@0__:*:__keyevent@0__:set=" + p + "s", listener.next());
                assertEquals("__keyevent@0__:*:__keyevent@0__:rpush=" + p + "l", listener.next());
                assertEquals("__keyevent@0__:*:__keyevent@0__:lpop=" + p + "l", listener.next());
                assertEquals("__keyevent@0__:*:__keyevent@0__:del=" + p + "s", listener.next());
                listener.punsubscribe();
                loop.get(10, TimeUnit.SECONDS);
            } finally {
                cmd.configSet("notify-keyspace-events", "");
            }
        }
    }
}
