package io.respkv.engine.postgres;

import io.respkv.api.MessageBus;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link MessageBus} over PostgreSQL's LISTEN/NOTIFY, for the respkv instances sharing one schema.
 *
 * <h2>Wire format</h2>
 * A message is framed as {@code <channel length: 4 bytes big-endian><channel><message>}, the frame
 * is Base64-encoded (NOTIFY payloads are text) and cut into pieces of at most {@value #PIECE_CHARS}
 * characters (a payload must stay under 8000 bytes); each piece is one notification on the schema's
 * bus channel, with the payload {@code <instance> <seq> <index> <count> <piece>}. All pieces of a
 * message are sent in one transaction, so they arrive all together and in order, or not at all;
 * a 1 MB message is about 180 notifications. No table is involved: nothing to clean up.
 *
 * <h2>Guarantees, and how</h2>
 * <ul>
 *   <li><em>Order</em>: one sender thread, one connection, sends this instance's messages in the
 *       order they were published, many per statement ({@code pg_notify} over an array);
 *       PostgreSQL delivers a transaction's notifications in the order they were sent, and
 *       transactions' in commit order.</li>
 *   <li><em>Exactly once</em>: every message carries this instance's sequence number. A batch
 *       whose statement failed (the database went away) is sent again once the sender has
 *       reconnected; if it had committed after all, receivers drop the copy (a sequence number not
 *       above the last one they delivered from that instance). PostgreSQL folds identical
 *       notifications of one transaction into one: the sequence numbers also keep them distinct.
 *       An instance ignores its own messages (the server delivered them locally already).</li>
 *   <li><em>Not lost while the listener is connected</em>: LISTEN delivers every notification
 *       committed while the session listens. While the database is unreachable the sender keeps
 *       up to {@value #MAX_QUEUED_CHARS} characters of messages (about 48 MB of payload), dropping
 *       the oldest beyond that (logged); the listener reconnects every second and misses what was
 *       sent meanwhile.</li>
 * </ul>
 *
 * <h2>Who listens</h2>
 * The listening session's {@code application_name} is the bus channel's name and the instance
 * ({@code <channel> <instance>}), so an instance knows whether another one is connected from
 * {@code pg_stat_activity} (looked at every {@value #PRESENCE_CHECK_MILLIS} ms), and at once from
 * the {@code hello} notification a listener sends when it connects. {@link #othersListening()} is
 * that knowledge: with a single instance on a schema, PUBLISH costs no database work at all.
 *
 * <p>Because PUBLISH skips the bus while this instance believes nobody else listens, a listener
 * that (re)connects counts as connected ({@link #listenerConnects()}, and the constructor's
 * return) only once every other listener it found in {@code pg_stat_activity} has shown it knows
 * somebody listens: a {@code here} notification (the answer to any {@code hello}, sent after the
 * answering instance set {@link #othersListening()}), or a {@code hello} saying so (a listener that
 * connected after this one's {@code hello} and found it in {@code pg_stat_activity}). Without that
 * handshake, a message published on another instance right after this one reconnected was dropped
 * there, unsent, while its listener thread had not read the {@code hello} yet. The wait is bounded
 * ({@value #ANSWER_WAIT_MILLIS} ms: an instance that does not answer is counted as not there).
 *
 * <p>The sender's session runs with {@code synchronous_commit = off}: a NOTIFY transaction has
 * nothing to make durable, and so it costs no WAL flush.
 */
final class PostgresMessageBus implements MessageBus, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresMessageBus.class.getName());
    /** Base64 characters of a frame per notification (payloads must be shorter than 8000 bytes). */
    static final int PIECE_CHARS = 7_800;
    /** Characters of pieces sent in one statement at most (the statement's array parameter). */
    static final int BATCH_CHARS = 4 << 20;
    /** Characters of pieces kept while the database cannot be reached; the oldest go beyond it. */
    static final long MAX_QUEUED_CHARS = 64L << 20;
    /** How often the listener looks whether other instances are connected. */
    static final long PRESENCE_CHECK_MILLIS = 1_000;
    /** How long the listener waits for notifications before looking at anything else. */
    private static final int LISTEN_POLL_MILLIS = 200;
    /** How long a (re)connected listener waits for the other listeners to answer its hello. */
    static final long ANSWER_WAIT_MILLIS = 5_000;
    private static final String HELLO = "hello";
    /** The answer to a hello: the sender knows another instance listens. */
    private static final String HERE = "here";

    private final String url;
    private final Properties properties;
    private final String channel;
    /** This instance's id in payloads: random, 16 hex digits. */
    private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    /** The last sequence number given to a message; guarded by {@link #outbox}. */
    private long lastSeq;

    /** Messages waiting to be sent, in publish order; guarded by itself. */
    private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
    private long queuedChars;
    private long dropped;
    private volatile boolean othersListening;
    private volatile Listener listener = (channel, message) -> { };
    private final LongAdder published = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicLong listenerConnects = new AtomicLong();
    private final Thread sender;
    private final Thread receiver;
    private final CountDownLatch firstListen = new CountDownLatch(1);
    private volatile boolean closed;

    /** One message, encoded: its pieces (the payloads of its notifications). */
    private record Outgoing(long seq, String[] pieces, long chars) {
    }

    /** A message being reassembled from the pieces of one instance. */
    private static final class Partial {
        long seq = -1;
        int count;
        int next;
        final StringBuilder base64 = new StringBuilder();
    }

    PostgresMessageBus(String url, String user, String password, PostgresSql sql, long connectTimeoutMillis) {
        this.url = url;
        this.properties = ConnectionPool.sessionProperties(user, password, connectTimeoutMillis);
        properties.setProperty("tcpKeepAlive", "true");
        this.channel = "respkv_" + Integer.toHexString(sql.schema.hashCode()) + "_bus";
        this.sender = new Thread(this::sendLoop, "respkv-postgres-bus-sender");
        sender.setDaemon(true);
        this.receiver = new Thread(this::receiveLoop, "respkv-postgres-bus-listener");
        receiver.setDaemon(true);
        receiver.start();
        sender.start();
        try {
            // A server started over this engine listens before it accepts clients (unless the database is down),
            // and the other instances know it does.
            firstListen.await(Math.max(1_000, connectTimeoutMillis) + ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean othersListening() {
        return othersListening;
    }

    @Override
    public void publish(byte[] channelBytes, byte[] message) {
        if (closed || !othersListening) {
            return;
        }
        String base64 = frame(channelBytes, message);
        synchronized (outbox) {
            // numbered in queue order: receivers drop a number not above the last they delivered
            Outgoing out = pieces(++lastSeq, base64);
            outbox.addLast(out);
            queuedChars += out.chars();
            while (queuedChars > MAX_QUEUED_CHARS && outbox.size() > 1) {
                Outgoing old = outbox.pollFirst();
                queuedChars -= old.chars();
                if (dropped++ % 1000 == 0) {
                    LOG.warning("postgres message bus: cannot send, dropping the oldest queued messages ("
                            + dropped + " so far)");
                }
            }
            outbox.notifyAll();
        }
        published.increment();
    }

    @Override
    public void listener(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Messages this instance handed to the bus. */
    long published() {
        return published.sum();
    }

    /** NOTIFY statements the sender ran (each one round trip, carrying one or more messages). */
    long statements() {
        return statements.sum();
    }

    /** Messages of other instances handed to the listener. */
    long received() {
        return received.sum();
    }

    /** Copies of messages dropped because they had been delivered already. */
    long duplicates() {
        return duplicates.sum();
    }

    /**
     * How many times the listener (re)connected: listened, and was answered by the other listeners
     * (or waited {@value #ANSWER_WAIT_MILLIS} ms for them).
     */
    long listenerConnects() {
        return listenerConnects.get();
    }

    /** The NOTIFY channel of this schema's bus. */
    String channel() {
        return channel;
    }

    /** The message framed and Base64-encoded. */
    private static String frame(byte[] channelBytes, byte[] message) {
        ByteBuffer frame = ByteBuffer.allocate(4 + channelBytes.length + message.length);
        frame.putInt(channelBytes.length).put(channelBytes).put(message);
        return Base64.getEncoder().encodeToString(frame.array());
    }

    /** The notifications of message {@code seq}. */
    private Outgoing pieces(long seq, String base64) {
        int count = Math.max(1, (base64.length() + PIECE_CHARS - 1) / PIECE_CHARS);
        String[] pieces = new String[count];
        String head = instance + " " + seq + " ";
        for (int i = 0; i < count; i++) {
            int from = i * PIECE_CHARS;
            pieces[i] = head + i + " " + count + " " + base64.substring(from, Math.min(base64.length(), from + PIECE_CHARS));
        }
        return new Outgoing(seq, pieces, base64.length() + (long) count * head.length());
    }

    // ---- sending ----

    private void sendLoop() {
        Connection conn = null;
        List<Outgoing> batch = new ArrayList<>();
        long backoffUntil = 0;
        while (true) {
            if (batch.isEmpty()) {
                synchronized (outbox) {
                    while (outbox.isEmpty() && !closed) {
                        try {
                            outbox.wait(500);
                        } catch (InterruptedException e) {
                            // closing
                        }
                    }
                    if (outbox.isEmpty()) {
                        break; // closed and everything sent
                    }
                    long chars = 0;
                    while (!outbox.isEmpty() && (batch.isEmpty() || chars + outbox.peekFirst().chars() <= BATCH_CHARS)) {
                        Outgoing o = outbox.pollFirst();
                        queuedChars -= o.chars();
                        chars += o.chars();
                        batch.add(o);
                    }
                }
            }
            if (System.nanoTime() < backoffUntil) {
                if (closed) {
                    break;
                }
                sleepMillis(50);
                continue;
            }
            try {
                if (conn == null) {
                    conn = connect("respkv bus sender");
                    try (Statement st = conn.createStatement()) {
                        st.execute("SET synchronous_commit = off");
                    }
                }
                send(conn, batch);
                batch.clear();
            } catch (SQLException | RuntimeException e) {
                boolean broken = conn == null || isBroken(conn);
                close(conn);
                conn = null;
                if (closed) {
                    break;
                }
                if (broken) {
                    // keep the batch: it goes again once connected (receivers drop a copy that did commit)
                    LOG.log(Level.FINE, "postgres message bus: sending failed, retrying: " + e.getMessage(), e);
                    backoffUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                } else {
                    LOG.log(Level.WARNING, "postgres message bus: dropping " + batch.size() + " messages PostgreSQL"
                            + " refused: " + e.getMessage(), e);
                    batch.clear();
                }
            }
        }
        close(conn);
    }

    private void send(Connection conn, List<Outgoing> batch) throws SQLException {
        int n = 0;
        for (Outgoing o : batch) {
            n += o.pieces().length;
        }
        String[] payloads = new String[n];
        int i = 0;
        for (Outgoing o : batch) {
            for (String p : o.pieces()) {
                payloads[i++] = p;
            }
        }
        // unnest yields the array in order, and the notifications are queued in that order
        try (PreparedStatement ps = conn.prepareStatement("SELECT count(pg_notify(?, p)) FROM unnest(?::text[]) p")) {
            ps.setString(1, channel);
            ps.setArray(2, conn.createArrayOf("text", payloads));
            ps.execute();
        }
        statements.increment();
    }

    private static boolean isBroken(Connection conn) {
        try {
            return conn.isClosed() || !conn.isValid(1);
        } catch (SQLException e) {
            return true;
        }
    }

    // ---- receiving ----

    private void receiveLoop() {
        Connection conn = null;
        Map<String, Long> lastSeq = new HashMap<>();
        Map<String, Partial> partials = new HashMap<>();
        // the other listeners found when this one connected that have not shown yet that they know it listens
        Set<String> unanswered = new HashSet<>();
        boolean counted = true;
        long answerDeadline = 0;
        long checkedAt = 0;
        while (!closed) {
            try {
                if (conn == null) {
                    partials.clear();
                    conn = connect(channel + " " + instance);
                    try (Statement st = conn.createStatement()) {
                        st.execute("LISTEN " + channel);
                    }
                    // Listening first, then looking: a listener that connects later either is seen
                    // here or receives the hello below (and answers it).
                    Set<String> others = otherListeners(conn);
                    othersListening = !others.isEmpty();
                    checkedAt = System.nanoTime();
                    // "hello 1": this instance knows another one listens (which is the answer a
                    // listener waiting for its own hello's answers needs from it)
                    notify(conn, instance + " " + HELLO + (others.isEmpty() ? " 0" : " 1"));
                    unanswered.clear();
                    unanswered.addAll(others);
                    counted = false;
                    answerDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_WAIT_MILLIS);
                }
                PGNotification[] notes = conn.unwrap(PGConnection.class).getNotifications(LISTEN_POLL_MILLIS);
                boolean answer = false;
                if (notes != null) {
                    for (PGNotification n : notes) {
                        if (channel.equals(n.getName())) {
                            answer |= onPayload(n.getParameter(), lastSeq, partials, unanswered);
                        }
                    }
                }
                if (answer) {
                    notify(conn, instance + " " + HERE); // one answer serves every hello just read
                }
                if (!counted && (unanswered.isEmpty() || System.nanoTime() - answerDeadline > 0)) {
                    if (!unanswered.isEmpty()) {
                        LOG.fine("postgres message bus: no answer to hello from " + unanswered + " within "
                                + ANSWER_WAIT_MILLIS + " ms");
                        unanswered.clear();
                    }
                    counted = true;
                    listenerConnects.incrementAndGet();
                    firstListen.countDown();
                }
                if (System.nanoTime() - checkedAt > TimeUnit.MILLISECONDS.toNanos(PRESENCE_CHECK_MILLIS)) {
                    // A listener that sent a hello was connected before this query: it cannot turn the flag back off.
                    othersListening = !otherListeners(conn).isEmpty();
                    checkedAt = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.log(Level.FINE, "postgres message bus: listener: " + e.getMessage(), e);
                close(conn);
                conn = null;
                sleepMillis(1_000);
            }
        }
        close(conn);
    }

    /** One notification on the bus channel, sent from the listener's session. */
    private void notify(Connection conn, String payload) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    /** The instances of the other listener sessions connected to this schema's bus. */
    private Set<String> otherListeners(Connection conn) throws SQLException {
        // application_name is "<channel> <instance>"; not this session, nor an old one of this instance
        // (a session whose connection broke can linger a while)
        try (PreparedStatement ps = conn.prepareStatement("SELECT split_part(application_name, ' ', 2)"
                + " FROM pg_stat_activity WHERE split_part(application_name, ' ', 1) = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, channel);
            Set<String> others = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String other = rs.getString(1);
                    if (!other.isEmpty() && !other.equals(instance)) {
                        others.add(other);
                    }
                }
            }
            return others;
        }
    }

    /**
     * Handles one notification's payload; true if it was another instance's hello, which this one
     * answers. {@code unanswered} loses an instance that shows it knows another one listens.
     */
    private boolean onPayload(String payload, Map<String, Long> lastSeq, Map<String, Partial> partials,
            Set<String> unanswered) {
        if (payload == null) {
            return false;
        }
        String[] parts = payload.split(" ", 5);
        if (parts.length < 2 || parts[0].equals(instance)) {
            return false;
        }
        String from = parts[0];
        if (parts.length == 2 && HERE.equals(parts[1])) {
            unanswered.remove(from);
            return false;
        }
        if (parts.length <= 3 && HELLO.equals(parts[1])) {
            othersListening = true; // a new instance: the next publish goes to the bus
            if (parts.length == 3 && "1".equals(parts[2])) {
                unanswered.remove(from);
            }
            return true;
        }
        if (parts.length != 5) {
            return false;
        }
        long seq;
        int index;
        int count;
        try {
            seq = Long.parseLong(parts[1]);
            index = Integer.parseInt(parts[2]);
            count = Integer.parseInt(parts[3]);
        } catch (NumberFormatException e) {
            return false;
        }
        Long last = lastSeq.get(from);
        if (last != null && seq <= last) {
            if (index == 0) {
                duplicates.increment();
            }
            return false;
        }
        Partial p = partials.computeIfAbsent(from, f -> new Partial());
        if (index == 0) {
            p.seq = seq;
            p.count = count;
            p.next = 0;
            p.base64.setLength(0);
        } else if (p.seq != seq || p.next != index || p.count != count) {
            p.seq = -1; // a piece out of place: cannot happen within one transaction; drop what was gathered
            return false;
        }
        p.base64.append(parts[4]);
        p.next++;
        if (p.next < p.count) {
            return false;
        }
        lastSeq.put(from, seq);
        p.seq = -1;
        byte[] frame;
        try {
            frame = Base64.getDecoder().decode(p.base64.toString());
        } catch (IllegalArgumentException e) {
            return false;
        } finally {
            p.base64.setLength(0);
            if (p.base64.capacity() > 1 << 16) {
                partials.remove(from); // do not keep a megabyte buffer around
            }
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        int channelLength = b.getInt();
        byte[] channelBytes = new byte[channelLength];
        b.get(channelBytes);
        byte[] message = new byte[b.remaining()];
        b.get(message);
        received.increment();
        try {
            listener.message(channelBytes, message);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "postgres message bus: the listener failed", e);
        }
        return false;
    }

    // ---- connections ----

    private Connection connect(String applicationName) throws SQLException {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("ApplicationName", applicationName);
        Connection conn = DriverManager.getConnection(url, p);
        conn.setAutoCommit(true);
        return conn;
    }

    private static void close(Connection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                // gone already
            }
        }
    }

    private void sleepMillis(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closed && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(50, millis));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends what is queued (while the database answers), then stops both threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (outbox) {
            outbox.notifyAll();
        }
        try {
            sender.join(TimeUnit.SECONDS.toMillis(5));
            receiver.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
