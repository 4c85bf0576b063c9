package io.respkv.examples.pubsub;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.params.SetParams;

/**
 * Starts respkv inside this JVM, turns keyspace notifications on, and listens to them with
 * Jedis while another connection writes: every change to a key arrives as a pub/sub message
 * on {@code __keyevent@0__:<event>}, the expiry of a key too.
 *
 * <pre>
 * usage: KeyspaceNotificationsExample [port]     (default 0: any free port)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.pubsub.KeyspaceNotificationsExample
 * </pre>
 */
public final class KeyspaceNotificationsExample {

    private KeyspaceNotificationsExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("\\d+"))) {
            System.err.println("usage: KeyspaceNotificationsExample [port]");
            System.exit(2);
        }
        int port = args.length == 1 ? Integer.parseInt(args[0]) : 0;
        for (String event : run(port)) {
            System.out.println(event);
        }
    }

    /** Starts a server, writes a few keys while a subscriber listens, and returns the events it saw ("event key"). */
    static List<String> run(int port) throws Exception {
        try (RespServer server = RespServer.builder().port(port).start().join();
             Jedis listener = connect(server);
             Jedis writer = connect(server)) {
            // K: __keyspace@<db>__:<key> channels, E: __keyevent@<db>__:<event> channels, A: every class
            writer.configSet("notify-keyspace-events", "EA");

            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            JedisPubSub subscriber = new JedisPubSub() {
                @Override
                public void onPSubscribe(String pattern, int count) {
                    subscribed.complete(null);
                }

                @Override
                public void onPMessage(String pattern, String channel, String key) {
                    events.add(channel.substring(channel.indexOf(':') + 1) + " " + key);
                }
            };
            // psubscribe blocks its connection's thread until the last punsubscribe
            CompletableFuture<Void> loop = CompletableFuture.runAsync(
                    () -> listener.psubscribe(subscriber, "__keyevent@0__:*"));
            subscribed.get(10, TimeUnit.SECONDS);

            writer.set("greeting", "hello");
            writer.expire("greeting", 3600);
            writer.rpush("queue", "job-1", "job-2");
            writer.lpop("queue");
            writer.hset("user:1", "name", "Ada");
            writer.del("greeting");
            writer.set("session", "s1", SetParams.setParams().px(50)); // expires by itself shortly

            List<String> seen = new ArrayList<>();
            while (!seen.contains("expired session")) {
                String e = events.poll(10, TimeUnit.SECONDS);
                if (e == null) {
                    throw new IllegalStateException("no keyspace event within 10 s; got " + seen);
                }
                seen.add(e);
            }
            subscriber.punsubscribe();
            loop.get(10, TimeUnit.SECONDS);
            return seen;
        }
    }

    private static Jedis connect(RespServer server) {
        return new Jedis(new HostAndPort(server.bindAddress(), server.activePort()),
                DefaultJedisClientConfig.builder().timeoutMillis(10_000).build());
    }
}
