package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * A real Jedis subscriber (SUBSCRIBE or PSUBSCRIBE, binary) on its own thread, collecting what it
 * receives as {@code [kind, (pattern,) channel, message]}.
 */
final class BusSubscriber extends BinaryJedisPubSub implements AutoCloseable {

    final BlockingQueue<List<byte[]>> received = new LinkedBlockingQueue<>();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final Jedis jedis;
    private final Thread thread;
    private final boolean pattern;

    private BusSubscriber(int port, boolean pattern, byte[]... names) {
        this.pattern = pattern;
        this.jedis = new Jedis("127.0.0.1", port, 10_000);
        this.thread = new Thread(() -> {
            if (pattern) {
                jedis.psubscribe(this, names);
            } else {
                jedis.subscribe(this, names);
            }
        }, "bus-subscriber");
        thread.setDaemon(true);
        thread.start();
    }

    /** SUBSCRIBE {@code channels} on the server at {@code port}; returns once confirmed. */
    static BusSubscriber channels(int port, byte[]... channels) throws InterruptedException {
        return started(new BusSubscriber(port, false, channels));
    }

    /** PSUBSCRIBE {@code patterns}; returns once confirmed. */
    static BusSubscriber patterns(int port, byte[]... patterns) throws InterruptedException {
        return started(new BusSubscriber(port, true, patterns));
    }

    private static BusSubscriber started(BusSubscriber s) throws InterruptedException {
        if (!s.subscribed.await(10, TimeUnit.SECONDS)) {
            s.close();
            throw new AssertionError("no subscribe confirmation");
        }
        return s;
    }

    @Override
    public void onMessage(byte[] channel, byte[] message) {
        received.add(List.of("message".getBytes(UTF_8), channel, message));
    }

    @Override
    public void onPMessage(byte[] pattern, byte[] channel, byte[] message) {
        received.add(List.of("pmessage".getBytes(UTF_8), pattern, channel, message));
    }

    @Override
    public void onSubscribe(byte[] channel, int subscribedChannels) {
        subscribed.countDown();
    }

    @Override
    public void onPSubscribe(byte[] pattern, int subscribedChannels) {
        subscribed.countDown();
    }

    /** The next message, waiting up to {@code seconds}; null if none came. */
    List<byte[]> next(int seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (isSubscribed()) {
                if (pattern) {
                    punsubscribe();
                } else {
                    unsubscribe();
                }
            }
        } catch (RuntimeException e) {
            // the connection is gone already
        }
        thread.join(5_000);
        jedis.close();
    }
}
