package io.respkv.server.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.respkv.api.MessageBus;
import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespReplyWriter;
import io.respkv.server.ClientConnection;
import io.respkv.server.util.GlobMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is subscribed to what, server-wide, and publishing: Redis's {@code pubsub.c} and the
 * publishing half of {@code notify.c}.
 *
 * <p>Subscriptions change on the subscriber's event loop; publishing runs on any thread and reads
 * an immutable snapshot of each channel's subscribers (copy-on-write arrays), so a publish takes
 * no lock. Delivery order: the subscribers of the channel in the order they subscribed, then,
 * for every pattern that matches (in the order the patterns were first subscribed; Redis uses its
 * hash order), that pattern's subscribers. Shard channels (SSUBSCRIBE/SPUBLISH) behave as plain
 * channels of their own namespace, as on a single Redis node, and ignore patterns.
 *
 * <p>Publishing builds a {@link Publication}; {@link #deliver} hands it to the subscribers'
 * queues ({@link Subscriber#offer}), which enforce the output-buffer limit.
 *
 * <p>Other instances: when the engine's store is shared ({@link #bus(MessageBus)}), what is
 * published here (PUBLISH, SPUBLISH and keyspace notifications) also goes to the engine's
 * {@link MessageBus} while another instance listens ({@link #forward}), and what the other
 * instances publish arrives from it and is delivered to this instance's subscribers like a local
 * publish (never twice: the bus does not hand an instance its own messages). On the bus a channel
 * is one byte of namespace ({@code 'c'} channel, {@code 's'} shard channel) and the channel name.
 */
public final class PubSubRegistry {

    /**
     * A keyspace event recorded by a command, published once the command's transaction commits.
     * {@code replyAt}: how many bytes of the command's reply were written when it happened, so a
     * RESP3 client subscribed to its own events gets each where Redis writes it in its reply
     * stream (-1 for events not raised by a client's command).
     */
    public record KeyspaceEvent(int type, String event, byte[] key, int db, int replyAt) {
    }

    private static final byte[] MESSAGE = ascii("message");
    private static final byte[] PMESSAGE = ascii("pmessage");
    private static final byte[] SMESSAGE = ascii("smessage");
    private static final byte[] KEYSPACE_PREFIX = ascii("__keyspace@");
    private static final byte[] KEYEVENT_PREFIX = ascii("__keyevent@");
    private static final byte[] DB_SUFFIX = ascii("__:");

    private record PatternEntry(ChannelName pattern, GlobMatcher matcher, Subscriber[] subscribers) {
    }

    private static final Subscriber[] NONE = new Subscriber[0];
    private static final PatternEntry[] NO_PATTERNS = new PatternEntry[0];

    private final ConcurrentHashMap<ChannelName, Subscriber[]> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ChannelName, Subscriber[]> shardChannels = new ConcurrentHashMap<>();
    /** Copy-on-write, replaced under {@link #patternLock}. */
    private volatile PatternEntry[] patterns = NO_PATTERNS;
    private final Object patternLock = new Object();

    private static final byte BUS_CHANNEL = 'c';
    private static final byte BUS_SHARD = 's';

    /** The engine's bus to the other instances sharing the store; null if none. */
    private volatile MessageBus bus;
    private volatile int notifyFlags;
    private volatile OutputBufferLimits limits = OutputBufferLimits.DEFAULT;

    // ---- configuration ----

    /** The {@code notify-keyspace-events} flags ({@link KeyspaceEvents}); 0: none. */
    public int notifyFlags() {
        return notifyFlags;
    }

    public void notifyFlags(int flags) {
        this.notifyFlags = flags;
    }

    /** The {@code client-output-buffer-limit} in force. */
    public OutputBufferLimits limits() {
        return limits;
    }

    public void limits(OutputBufferLimits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /**
     * Connects this registry to the other instances sharing the store: publications are
     * {@linkplain #forward forwarded} to {@code bus}, and the bus's messages are delivered here.
     */
    public void bus(MessageBus bus) {
        this.bus = bus;
        bus.listener(this::received);
    }

    /** A message another instance published: delivered to this instance's subscribers (on the bus's thread). */
    private void received(byte[] busChannel, byte[] message) {
        if (busChannel.length == 0) {
            return;
        }
        boolean shard = busChannel[0] == BUS_SHARD;
        byte[] channel = Arrays.copyOfRange(busChannel, 1, busChannel.length);
        Publication p = publication(null);
        publish(channel, message, shard, p);
        deliver(p);
    }

    /**
     * Sends a publication of this instance to the other instances' subscribers, if another
     * instance listens. The arrays must not change afterwards.
     */
    public void forward(byte[] channel, byte[] message, boolean shard) {
        MessageBus b = bus;
        if (b == null || !b.othersListening()) {
            return;
        }
        byte[] busChannel = new byte[channel.length + 1];
        busChannel[0] = shard ? BUS_SHARD : BUS_CHANNEL;
        System.arraycopy(channel, 0, busChannel, 1, channel.length);
        b.publish(busChannel, message);
    }

    // ---- subscriptions (on the subscriber's event loop) ----

    /** Subscribes; false if it already was (Redis replies the confirmation either way). */
    public boolean subscribe(Subscriber s, Subscriber.Kind kind, byte[] name) {
        ChannelName n = new ChannelName(name.clone());
        if (!s.add(kind, n)) {
            return false;
        }
        if (kind == Subscriber.Kind.PATTERN) {
            synchronized (patternLock) {
                PatternEntry[] current = patterns;
                for (int i = 0; i < current.length; i++) {
                    if (current[i].pattern().equals(n)) {
                        PatternEntry[] next = current.clone();
                        next[i] = new PatternEntry(current[i].pattern(), current[i].matcher(),
                                append(current[i].subscribers(), s));
                        patterns = next;
                        return true;
                    }
                }
                PatternEntry[] next = Arrays.copyOf(current, current.length + 1);
                next[current.length] = new PatternEntry(n, GlobMatcher.compile(n.bytes), new Subscriber[] {s});
                patterns = next;
            }
        } else {
            index(kind).compute(n, (k, subs) -> append(subs == null ? NONE : subs, s));
        }
        return true;
    }

    /** Unsubscribes; false if it was not subscribed. */
    public boolean unsubscribe(Subscriber s, Subscriber.Kind kind, byte[] name) {
        return unsubscribe(s, kind, new ChannelName(name));
    }

    private boolean unsubscribe(Subscriber s, Subscriber.Kind kind, ChannelName n) {
        if (!s.remove(kind, n)) {
            return false;
        }
        if (kind == Subscriber.Kind.PATTERN) {
            synchronized (patternLock) {
                PatternEntry[] current = patterns;
                for (int i = 0; i < current.length; i++) {
                    if (current[i].pattern().equals(n)) {
                        Subscriber[] rest = without(current[i].subscribers(), s);
                        PatternEntry[] next;
                        if (rest.length == 0) {
                            next = new PatternEntry[current.length - 1];
                            System.arraycopy(current, 0, next, 0, i);
                            System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                        } else {
                            next = current.clone();
                            next[i] = new PatternEntry(current[i].pattern(), current[i].matcher(), rest);
                        }
                        patterns = next;
                        break;
                    }
                }
            }
        } else {
            index(kind).computeIfPresent(n, (k, subs) -> {
                Subscriber[] rest = without(subs, s);
                return rest.length == 0 ? null : rest; // an unused channel leaves the index
            });
        }
        return true;
    }

    /** Unsubscribes from every name of {@code kind}; returns them in the order they were left. */
    public List<byte[]> unsubscribeAll(Subscriber s, Subscriber.Kind kind) {
        List<byte[]> left = new ArrayList<>();
        for (ChannelName n : s.names(kind)) {
            if (unsubscribe(s, kind, n)) {
                left.add(n.bytes);
            }
        }
        return left;
    }

    /** The client's connection closed: every subscription goes, and its pending messages. */
    public void disconnected(Subscriber s) {
        s.close();
        if (s.active()) {
            for (Subscriber.Kind kind : Subscriber.Kind.values()) {
                unsubscribeAll(s, kind);
            }
        }
    }

    private ConcurrentHashMap<ChannelName, Subscriber[]> index(Subscriber.Kind kind) {
        return kind == Subscriber.Kind.SHARD ? shardChannels : channels;
    }

    // ---- introspection (PUBSUB) ----

    /** PUBSUB CHANNELS / SHARDCHANNELS: the channels with subscribers matching {@code pattern} (null: all). */
    public List<byte[]> channels(boolean shard, byte[] pattern) {
        GlobMatcher m = pattern == null ? null : GlobMatcher.compile(pattern);
        List<byte[]> out = new ArrayList<>();
        for (ChannelName n : (shard ? shardChannels : channels).keySet()) {
            if (m == null || m.matches(n.bytes)) {
                out.add(n.bytes.clone());
            }
        }
        return out;
    }

    /** PUBSUB NUMSUB / SHARDNUMSUB: the subscribers of one channel (patterns not counted). */
    public int subscribers(boolean shard, byte[] channel) {
        Subscriber[] subs = (shard ? shardChannels : channels).get(new ChannelName(channel));
        return subs == null ? 0 : subs.length;
    }

    /** The number of channels (or shard channels) with subscribers (INFO {@code pubsub_channels}). */
    public int channelCount(boolean shard) {
        return (shard ? shardChannels : channels).size();
    }

    /** PUBSUB NUMPAT: the number of distinct patterns subscribed to. */
    public int patternCount() {
        return patterns.length;
    }

    // ---- publishing ----

    /** A publication from {@code self} (null for the server itself: active expiry). */
    public Publication publication(ClientConnection self) {
        return new Publication(self);
    }

    /**
     * PUBLISH (or SPUBLISH when {@code shard}): encodes the message for every subscriber of
     * {@code channel} and every subscriber of a matching pattern into {@code p}; returns how
     * many messages that is (Redis's reply to PUBLISH).
     */
    public int publish(byte[] channel, byte[] message, boolean shard, Publication p) {
        int receivers = 0;
        ChannelName name = new ChannelName(channel);
        Subscriber[] subs = (shard ? shardChannels : channels).get(name);
        if (subs != null) {
            Frames frames = new Frames(shard ? SMESSAGE : MESSAGE, null, channel, message);
            Subscriber.Kind kind = shard ? Subscriber.Kind.SHARD : Subscriber.Kind.CHANNEL;
            for (Subscriber s : subs) {
                p.add(s, frames.forClient(s), kind, name);
                receivers++;
            }
            frames.release();
        }
        if (shard) {
            return receivers; // shard channels ignore patterns, as in Redis
        }
        for (PatternEntry e : patterns) {
            if (!e.matcher().matches(channel)) {
                continue;
            }
            Frames frames = new Frames(PMESSAGE, e.pattern().bytes, channel, message);
            for (Subscriber s : e.subscribers()) {
                p.add(s, frames.forClient(s), Subscriber.Kind.PATTERN, e.pattern());
                receivers++;
            }
            frames.release();
        }
        return receivers;
    }

    /** Whether anyone on this instance is subscribed to anything (shard channels aside). */
    public boolean hasSubscribers() {
        return !channels.isEmpty() || patterns.length != 0;
    }

    /**
     * Whether keyspace notifications are worth building: someone here is subscribed, or another
     * instance sharing the store listens.
     */
    public boolean wanted() {
        MessageBus b = bus;
        return hasSubscribers() || b != null && b.othersListening();
    }

    /**
     * Publishes keyspace notifications as Redis's {@code notifyKeyspaceEvent} does, for each event
     * in order: {@code <event>} on {@code __keyspace@<db>__:<key>} if K is on, then {@code <key>}
     * on {@code __keyevent@<db>__:<event>} if E is on.
     */
    public void publishKeyspaceEvents(List<KeyspaceEvent> events, Publication p) {
        if (!wanted()) {
            return;
        }
        for (KeyspaceEvent e : events) {
            publishKeyspaceEvent(e, p);
        }
    }

    /**
     * One event of {@link #publishKeyspaceEvents}, also {@linkplain #forward forwarded} to the
     * other instances (at once: the engines that share a store make a commit durable before it
     * returns, so the event reveals nothing not yet durable).
     */
    public void publishKeyspaceEvent(KeyspaceEvent e, Publication p) {
        int flags = notifyFlags;
        byte[] event = e.event().getBytes(StandardCharsets.US_ASCII);
        byte[] db = ascii(Integer.toString(e.db()));
        if ((flags & KeyspaceEvents.KEYSPACE) != 0) {
            byte[] channel = concat(KEYSPACE_PREFIX, db, DB_SUFFIX, e.key());
            publish(channel, event, false, p);
            forward(channel, event, false);
        }
        if ((flags & KeyspaceEvents.KEYEVENT) != 0) {
            byte[] channel = concat(KEYEVENT_PREFIX, db, DB_SUFFIX, event);
            publish(channel, e.key(), false, p);
            forward(channel, e.key(), false);
        }
    }

    /** Hands the messages of {@code p} to their subscribers' queues now. */
    public void deliver(Publication p) {
        OutputBufferLimits.Limit limit = limits.pubsub();
        for (Publication.Delivery d : p.deliveries()) {
            d.target().offer(d.frame(), d.kind(), d.name(), limit);
        }
        p.deliveries().clear();
    }

    /** One message encoded once per protocol, shared by every receiver (retained duplicates). */
    private static final class Frames {
        private final byte[] type;
        private final byte[] pattern;
        private final byte[] channel;
        private final byte[] message;
        private final ByteBuf[] byProtocol = new ByteBuf[2];

        Frames(byte[] type, byte[] pattern, byte[] channel, byte[] message) {
            this.type = type;
            this.pattern = pattern;
            this.channel = channel;
            this.message = message;
        }

        ByteBuf forClient(Subscriber s) {
            ProtocolVersion protocol = s.client().protocol();
            int i = protocol == ProtocolVersion.RESP3 ? 1 : 0;
            if (byProtocol[i] == null) {
                byProtocol[i] = encode(protocol);
            }
            return byProtocol[i].retainedDuplicate();
        }

        private ByteBuf encode(ProtocolVersion protocol) {
            int size = 16 + type.length + channel.length + message.length + (pattern == null ? 0 : pattern.length + 16) + 32;
            ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(size);
            RespReplyWriter w = new RespReplyWriter();
            w.target(buf);
            w.protocol(protocol);
            w.push(pattern == null ? 3 : 4);
            w.bulk(type);
            if (pattern != null) {
                w.bulk(pattern);
            }
            w.bulk(channel);
            w.bulk(message);
            return buf;
        }

        void release() {
            for (ByteBuf b : byProtocol) {
                if (b != null) {
                    b.release();
                }
            }
        }
    }

    private static Subscriber[] append(Subscriber[] subs, Subscriber s) {
        Subscriber[] next = Arrays.copyOf(subs, subs.length + 1);
        next[subs.length] = s;
        return next;
    }

    private static Subscriber[] without(Subscriber[] subs, Subscriber s) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i] == s) {
                Subscriber[] next = new Subscriber[subs.length - 1];
                System.arraycopy(subs, 0, next, 0, i);
                System.arraycopy(subs, i + 1, next, i, subs.length - i - 1);
                return next;
            }
        }
        return subs;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
