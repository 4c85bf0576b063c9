package io.respkv.server.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.server.ClientConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages one publishing step produced (a PUBLISH, or the keyspace notifications of one
 * committed command), encoded per receiver and not yet handed over. The publisher decides when
 * they go: at once, or after the engine's group sync when they reveal a commit
 * ({@link PubSubRegistry#deliver}). Messages for the publishing client itself (a RESP3 client
 * subscribed to what it publishes) are kept apart ({@link #takeOwn()}): they go into its reply
 * stream before the command's reply, as Redis writes them.
 *
 * <p>Used by one thread; owns its frames until delivered or {@link #release() released}.
 */
public final class Publication {

    record Delivery(Subscriber target, ByteBuf frame, Subscriber.Kind kind, ChannelName name) {
    }

    private final ClientConnection self;
    private final List<Delivery> deliveries = new ArrayList<>(2);
    private ByteBuf own;

    Publication(ClientConnection self) {
        this.self = self;
    }

    void add(Subscriber target, ByteBuf frame, Subscriber.Kind kind, ChannelName name) {
        if (target.client() == self) {
            if (own == null) {
                own = Unpooled.buffer(frame.readableBytes());
            }
            own.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            frame.release();
            return;
        }
        deliveries.add(new Delivery(target, frame, kind, name));
    }

    /** Whether any message goes to another client. */
    public boolean hasDeliveries() {
        return !deliveries.isEmpty();
    }

    /** The encoded messages for the publishing client itself (the caller owns them), or null. */
    public ByteBuf takeOwn() {
        ByteBuf b = own;
        own = null;
        return b;
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    /** Drops everything not yet handed over. */
    public void release() {
        for (Delivery d : deliveries) {
            d.frame().release();
        }
        deliveries.clear();
        if (own != null) {
            own.release();
            own = null;
        }
    }
}
