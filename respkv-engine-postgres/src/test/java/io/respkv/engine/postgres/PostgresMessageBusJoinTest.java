package io.respkv.engine.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bus that (re)connects counts as listening only once every other listening instance knows it
 * does: from then on, what they publish reaches it. The other instance's listener thread is held
 * busy (delivering a message) while the newcomer connects, which is what a loaded machine does to
 * it at random; before the handshake the newcomer counted itself connected at once and the first
 * message published on the other instance was dropped there (it still believed nobody listened).
 */
@Timeout(60)
class PostgresMessageBusJoinTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private PostgresMessageBus bus(PostgresSql sql) {
        PostgresMessageBus bus = new PostgresMessageBus(EmbeddedPostgresServer.jdbcUrl(), "postgres", null, sql, 5_000);
        toClose.add(bus);
        return bus;
    }

    /** A bus message of instance {@code from} as its one notification's payload. */
    private static String payload(String from, long seq, String channel, String message) {
        byte[] c = channel.getBytes(UTF_8);
        byte[] m = message.getBytes(UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(4 + c.length + m.length).putInt(c.length).put(c).put(m);
        return from + " " + seq + " 0 1 " + Base64.getEncoder().encodeToString(frame.array());
    }

    @Test
    void theFirstMessageAfterANewcomerConnectsReachesItWhileTheOtherListenerIsBusy() throws Exception {
        PostgresSql sql = new PostgresSql(EmbeddedPostgresServer.newSchema("join"));
        PostgresMessageBus a = bus(sql);
        assertFalse(a.othersListening(), "alone on the schema");

        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        a.listener((channel, message) -> {
            if (new String(message, UTF_8).equals("hold")) {
                busy.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        // A message from a plain session (not a bus listener, so A's presence check does not count
        // it): A's listener thread delivers it and is held there.
        try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl(), "postgres", null);
                PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, a.channel());
            ps.setString(2, payload("0123456789abcdef", 1, "news", "hold"));
            ps.execute();
        }
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        assertFalse(a.othersListening());

        // A's listener stays busy until A has published (the old behaviour: B counted itself
        // connected at once), or for 1 s (B waits for A to answer its hello: A must get to it).
        CountDownLatch published = new CountDownLatch(1);
        Thread releaser = new Thread(() -> {
            try {
                published.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        }, "releaser");
        releaser.start();
        BlockingQueue<byte[]> onB = new LinkedBlockingQueue<>();
        PostgresMessageBus b = bus(sql);
        b.listener((channel, message) -> onB.add(message));
        assertEquals(1, b.listenerConnects(), "B is connected");
        boolean known = a.othersListening();
        a.publish("news".getBytes(UTF_8), "first".getBytes(UTF_8));
        published.countDown();
        releaser.join(5_000);
        byte[] got = onB.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "the first message A published once B was connected reached B");
        assertArrayEquals("first".getBytes(UTF_8), got);
        assertTrue(known, "B counted as connected only once A knew it listens");
        assertEquals(1, a.published());
    }
}
