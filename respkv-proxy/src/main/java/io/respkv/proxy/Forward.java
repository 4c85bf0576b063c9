package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request on its way to the cluster: sent to the node serving its slot (or a fixed node),
 * and sent again when the node answers {@code MOVED} (to the new owner, whose slot the map then
 * records), {@code ASK} (once, preceded by {@code ASKING}, to the importing node) or
 * {@code TRYAGAIN} (after a short, growing pause). Only when the redirections run out does the
 * redirection itself reach the {@link ReplyTarget}. Holds the request bytes until it is done.
 */
final class Forward implements BackendConnection.Callback {

    /** Pauses before the retries of a {@code TRYAGAIN}, in milliseconds. */
    private static final int[] TRYAGAIN_BACKOFF_MS = {2, 5, 10, 20, 40, 80, 160, 250};

    private static final BackendConnection.Callback IGNORE = new BackendConnection.Callback() {
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String reason) {
        }
    };

    private final ClientSession session;
    private final ByteBuf request;
    private final int slot;
    private final boolean replicaRead;
    private final ReplyTarget target;
    /** A node to use instead of the slot's owner: fixed for keyless fan-outs, or a redirection's target. */
    private ClusterNode node;
    /** The connection to use (a client's pinned or dedicated one), or null for the shared pools. */
    private final BackendConnection pinned;
    private boolean asking;
    private int redirects;
    private int tryAgains;

    private Forward(ClientSession session, ByteBuf request, int slot, ClusterNode node, boolean replicaRead,
                    BackendConnection pinned, ReplyTarget target) {
        this.session = session;
        this.request = request;
        this.slot = slot;
        this.node = node;
        this.replicaRead = replicaRead;
        this.pinned = pinned;
        this.target = target;
        session.forwardStarted();
    }

    /** Sends {@code request} (ownership passes) to the owner of {@code slot}. */
    static void toSlot(ClientSession session, ByteBuf request, int slot, boolean replicaRead, ReplyTarget target) {
        new Forward(session, request, slot, null, replicaRead, null, target).send();
    }

    /** Sends {@code request} (ownership passes) to {@code node}, not following redirections. */
    static void toNode(ClientSession session, ByteBuf request, ClusterNode node, ReplyTarget target) {
        new Forward(session, request, -1, node, false, null, target).send();
    }

    /** Sends {@code request} (ownership passes) on {@code connection}, a connection of the client's own. */
    static void onConnection(ClientSession session, ByteBuf request, BackendConnection connection, ReplyTarget target) {
        new Forward(session, request, -1, connection.node, false, connection, target).send();
    }

    private void send() {
        if (pinned != null) {
            pinned.send(request.retainedDuplicate(), this);
            return;
        }
        LoopContext loop = session.loop;
        ClusterNode to = node;
        BackendConnection c = null;
        String downReason = null;
        if (to == null) {
            SlotMap map = loop.topology.map();
            to = map.master(slot);
            if (to == null) {
                finish(Commands.error(session.alloc(), "CLUSTERDOWN Hash slot not served"));
                return;
            }
            if (replicaRead) {
                ClusterNode[] replicas = map.replicas(slot);
                if (replicas.length > 0) {
                    ClusterNode r = replicas[replicas.length == 1 ? 0 : ThreadLocalRandom.current().nextInt(replicas.length)];
                    c = loop.pool(r, session.protocol(), true).connection(session.id());
                }
            }
        }
        if (c == null) {
            BackendPool pool = loop.pool(to, session.protocol(), false);
            c = pool.connection(session.id());
            if (c == null) {
                downReason = pool.downReason();
            }
        }
        if (c == null) {
            finish(Commands.error(session.alloc(), downReason != null ? "ERR " + downReason
                    : "ERR respkv-proxy: no connection to " + to));
            return;
        }
        if (asking) {
            asking = false;
            c.send(Commands.ASKING.duplicate(), IGNORE);
        }
        c.send(request.retainedDuplicate(), this);
    }

    @Override
    public void onReply(ByteBuf frame) {
        if (pinned == null && frame.getByte(frame.readerIndex()) == '-' && redirect(frame)) {
            return;
        }
        finish(frame);
    }

    /** Handles MOVED, ASK and TRYAGAIN while retries last; true if the frame was consumed. */
    private boolean redirect(ByteBuf frame) {
        int at = frame.readerIndex() + 1;
        if (startsWith(frame, at, "MOVED ") || startsWith(frame, at, "ASK ")) {
            if (redirects >= session.loop.config.maxRedirects()) {
                return false;
            }
            boolean moved = frame.getByte(at) == 'M';
            String line = frame.toString(at, frame.readableBytes() - 3, StandardCharsets.UTF_8);
            String[] parts = line.split(" ");
            if (parts.length != 3) {
                return false;
            }
            ClusterNode to;
            int movedSlot;
            try {
                movedSlot = Integer.parseInt(parts[1]);
                String addr = parts[2];
                to = addr.startsWith(":") ? new ClusterNode(current().host(), Integer.parseInt(addr.substring(1)))
                        : ClusterNode.parse(addr);
            } catch (IllegalArgumentException e) {
                return false;
            }
            redirects++;
            frame.release();
            if (moved) {
                session.loop.topology.stats.moved.increment();
                session.loop.topology.moved(movedSlot, to);
            } else {
                session.loop.topology.stats.asked.increment();
                asking = true;
            }
            node = to;
            send();
            return true;
        }
        if (startsWith(frame, at, "TRYAGAIN")) {
            if (tryAgains >= TRYAGAIN_BACKOFF_MS.length) {
                return false;
            }
            int pause = TRYAGAIN_BACKOFF_MS[tryAgains++];
            session.loop.topology.stats.tryAgain.increment();
            frame.release();
            node = null; // the slot may have finished moving: ask the map again
            session.loop.loop.schedule(this::send, pause, TimeUnit.MILLISECONDS);
            return true;
        }
        return false;
    }

    private ClusterNode current() {
        return node != null ? node : session.loop.topology.map().master(slot);
    }

    @Override
    public void onFailure(String reason) {
        finish(Commands.error(session.alloc(), reason.startsWith("respkv-proxy") ? "ERR " + reason : reason));
    }

    private void finish(ByteBuf reply) {
        ReferenceCountUtil.release(request);
        target.done(reply);
        session.forwardDone();
    }

    private static boolean startsWith(ByteBuf buf, int at, String prefix) {
        if (buf.writerIndex() - at < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf.getByte(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
