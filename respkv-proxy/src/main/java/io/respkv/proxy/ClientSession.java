package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.ProtocolVersion;
import io.respkv.codec.RespLimits;
import io.respkv.codec.RespProtocolException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import io.respkv.server.acl.Acl;
import io.respkv.server.acl.AclUser;
import io.respkv.server.command.meta.CommandEntry;
import io.respkv.server.command.meta.FoundKeys;
import io.respkv.server.command.meta.KeyFinder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: cuts its input into requests ({@link RespRequestDecoder}, argument
 * slices, no object per argument), answers the connection commands itself, and sends every other
 * request to the cluster ({@link Forward}, {@link Split}, {@link FanOut}). Requests are forwarded
 * as the client's own bytes (a retained slice of the receive buffer). Each request gets a place in
 * {@link #replies} when it arrives, so replies leave in request order whichever backend answers
 * first; they are written as they complete at the head and flushed as soon as the client waits
 * for no other reply, else once per batch.
 *
 * <p>Transactions: {@code WATCH} and {@code MULTI} pin the client to a backend connection of its
 * own on the node of the transaction's slot (chosen by the first key); every command until
 * {@code EXEC}/{@code DISCARD} goes there, and a key of another slot gets {@code CROSSSLOT} and
 * makes {@code EXEC} fail with {@code EXECABORT}, as in Redis Cluster. Pub/sub: after
 * {@code SUBSCRIBE} the client's requests and replies pass through a backend connection of its
 * own, unchanged, until it has unsubscribed from everything ({@link PubSubExit}).
 */
final class ClientSession extends ChannelInboundHandlerAdapter implements Flushable {

    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    /** Replies a client may have outstanding before the proxy stops reading its requests. */
    private static final int MAX_IN_FLIGHT = 8192;

    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    /** A request's place in the reply order. */
    final class Reply implements ReplyTarget {
        ByteBuf value;
        boolean closeAfter;

        @Override
        public void done(ByteBuf frame) {
            complete(this, frame);
        }
    }

    final LoopContext loop;
    private final ProxyConfig config;
    private final CommandTable commands = CommandTable.INSTANCE;
    private final RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
    private final RespRequest request = new RespRequest();
    private final RespReplyWriter writer = new RespReplyWriter();
    private final ArrayDeque<Reply> replies = new ArrayDeque<>();
    /** Replies written since the last flush, sent together at the flush. */
    private final FrameWriter output = new FrameWriter();
    private final long id = IDS.incrementAndGet();
    private final long createdMillis = System.currentTimeMillis();
    private Channel channel;
    private ByteBuf cumulation;
    private ProtocolVersion protocol = ProtocolVersion.RESP2;
    private boolean authenticated;
    /** The ACL user this client runs as ({@link ProxyUsers}). */
    private volatile AclUser user;
    private String name;
    private boolean closed;
    private boolean stopReading;
    private boolean flushQueued;
    private boolean pausedForInFlight;
    // keys of the current request
    private int[] keyIndexes = new int[16];
    private int keyCount;
    private int[] keySlots = new int[16];
    /** The client's own backend connections (transactions, blocking commands, pub/sub), by node. */
    private final Map<ClusterNode, BackendConnection> own = new HashMap<>();
    // transaction state
    private boolean inMulti;
    private boolean watching;
    private int txSlot = -1;
    private BackendConnection txConnection;
    private boolean txAborted;
    /** MULTI was answered but not yet sent: the transaction's node was not known. */
    private boolean multiUnsent;
    /** Transaction commands answered QUEUED before the node was known, sent with the first keyed one. */
    private final List<ByteBuf> txBuffered = new ArrayList<>();
    // pub/sub
    private BackendConnection passThrough;
    private PubSubExit pubSubExit;
    /** Requests wait in {@link #cumulation} until the pass-through connection has answered everything sent before. */
    private boolean inputHeld;
    // lanes (see laneOf)
    private static final Object SHARED = new Object();
    private static final Object OWN = new Object();
    /** The lane of the requests in flight, or null when none is. */
    private Object lane;
    /** Requests sent to the cluster and not answered yet. */
    private int outstanding;
    /** A request waits in {@link #cumulation} for the requests of the other lane to be answered. */
    private boolean laneHold;
    private boolean processing;

    ClientSession(LoopContext loop) {
        this.loop = loop;
        this.config = loop.config;
        this.user = loop.users.acl.defaultUser();
        this.authenticated = loop.users.acl.newConnectionAuthenticated();
        decoder.authenticated(authenticated);
    }

    /** The ACL user this client runs as. */
    AclUser user() {
        return user;
    }

    /**
     * Its user was removed ({@code ACL LOAD}): the client is the default user again, not
     * authenticated, and its connection is closed (from any thread).
     */
    void logOut() {
        channel.eventLoop().execute(() -> {
            user = loop.users.acl.defaultUser();
            authenticated(false);
            channel.close();
        });
    }

    long id() {
        return id;
    }

    ProtocolVersion protocol() {
        return protocol;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        loop.users.opened(this);
        ctx.fireChannelActive();
    }

    // ------------------------------------------------------------------ input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closed || stopReading) {
            in.release();
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        processInput();
    }

    /** Handles the complete requests buffered, unless input is held (see {@link PubSubExit}). */
    private void processInput() {
        if (cumulation == null || processing) {
            return;
        }
        processing = true;
        try {
            processRequests();
        } finally {
            processing = false;
        }
    }

    private void processRequests() {
        while (!stopReading && !inputHeld && !laneHold && cumulation.isReadable()) {
            int start = cumulation.readerIndex();
            try {
                if (!decoder.decode(cumulation, request)) {
                    break;
                }
            } catch (RespProtocolException e) {
                Reply r = newReply();
                r.closeAfter = true;
                stopReading = true;
                complete(r, Commands.error(alloc(), e.getMessage()));
                break;
            }
            int queued = replies.size();
            try {
                handle(start, cumulation.readerIndex());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "request failed: " + request, e);
                // the request's place in the reply order, if it got one, must still be answered
                Reply r = replies.size() > queued && replies.peekLast().value == null ? replies.peekLast() : newReply();
                complete(r, Commands.error(alloc(), "ERR respkv-proxy: " + e));
            }
        }
        if (cumulation != null && (!cumulation.isReadable() || stopReading)) {
            cumulation.release();
            cumulation = null;
        }
        if (!pausedForInFlight && replies.size() > MAX_IN_FLIGHT) {
            pausedForInFlight = true;
            channel.config().setAutoRead(false);
        }
    }

    /** The bytes of the request just decoded, as a multibulk (the client's own bytes when it sent one). */
    private ByteBuf requestBytes(int start, int end) {
        if (cumulation.getByte(start) == '*') {
            return cumulation.retainedSlice(start, end - start);
        }
        return Commands.encode(alloc(), request);
    }

    private Reply newReply() {
        Reply r = new Reply();
        replies.add(r);
        return r;
    }

    private void handle(int start, int end) {
        CommandTable.Entry entry = commands.lookup(request);
        ProxyCommand kind = entry == null ? ProxyCommand.ROUTE : entry.kind();
        if (passThrough != null && kind != ProxyCommand.QUIT) {
            passThrough.sendRaw(requestBytes(start, end));
            return;
        }
        Object needed = laneOf(kind, entry);
        if (needed != null && lane != null && needed != lane && outstanding > 0) {
            // the client's requests in flight went over other connections: wait for them, so the
            // cluster sees this client's requests in the order it sent them
            cumulation.readerIndex(start);
            laneHold = true;
            channel.config().setAutoRead(false);
            return;
        }
        if (needed != null) {
            lane = needed;
        }
        if (!authenticated && kind != ProxyCommand.AUTH && kind != ProxyCommand.HELLO && kind != ProxyCommand.QUIT) {
            reply(newReply(), w -> w.error("NOAUTH Authentication required."));
            return;
        }
        if (entry != null && !entry.command().spec().arityAccepts(request.count()) && kind != ProxyCommand.ROUTE) {
            // let a node give Redis's exact arity error; in a transaction Redis would then refuse EXEC
            txAborted |= inMulti;
            forwardAnywhere(start, end);
            return;
        }
        if (entry != null && !user.rules().unrestricted() && !permitted(entry)) {
            return;
        }
        if (inMulti && kind != ProxyCommand.EXEC && kind != ProxyCommand.DISCARD && kind != ProxyCommand.MULTI
                && kind != ProxyCommand.WATCH && kind != ProxyCommand.QUIT) {
            queueInTransaction(entry, start, end);
            return;
        }
        switch (kind) {
            case PING -> {
                if (request.count() > 2) {
                    forwardAnywhere(start, end); // Redis's arity error
                } else {
                    ping();
                }
            }
            case ECHO -> reply(newReply(), w -> w.bulk(request.buffer(), request.offset(1), request.length(1)));
            case HELLO -> hello();
            case AUTH -> auth();
            case ACL -> acl();
            case SELECT -> select();
            case CLIENT -> client(start, end);
            case QUIT -> {
                Reply r = newReply();
                r.closeAfter = true;
                stopReading = true;
                reply(r, RespReplyWriter::ok);
            }
            case READONLY, READWRITE -> reply(newReply(), RespReplyWriter::ok);
            case MGET, MSET, SUM_KEYS -> splitOrRoute(entry, start, end);
            case DBSIZE, KEYS, FLUSH, RANDOMKEY -> FanOut.start(this, kind, requestBytes(start, end), newReply());
            case SCAN -> scan();
            case MULTI -> multi(start, end);
            case EXEC, DISCARD -> execOrDiscard(kind, start, end);
            case WATCH -> watch(entry, start, end);
            case UNWATCH -> unwatch(start, end);
            case SUBSCRIBE -> subscribe(entry, start, end);
            case UNSUBSCRIBE -> unsubscribeNothing(entry);
            case UNSUPPORTED -> reply(newReply(), w -> w.error("ERR respkv-proxy does not support '"
                    + request.string(0) + "': it concerns one node, not the cluster behind the proxy"));
            case ROUTE -> route(entry, start, end);
        }
    }

    // ------------------------------------------------------------------ lanes

    /**
     * Which connections a request will use: {@code SHARED} (the loop's pooled connections, one per
     * node for this client), {@code OWN} (connections of the client's own: transactions, blocking
     * commands, pub/sub), or null for a request the proxy answers itself. Requests of one lane
     * keep their order per node; a request of the other lane waits until the client's requests in
     * flight are answered (e.g. {@code SET k 1} then {@code MULTI, GET k, EXEC}).
     */
    private Object laneOf(ProxyCommand kind, CommandTable.Entry entry) {
        if (inMulti) {
            return OWN;
        }
        return switch (kind) {
            case PING, ECHO, HELLO, AUTH, SELECT, CLIENT, QUIT, READONLY, READWRITE, UNSUPPORTED, UNSUBSCRIBE -> null;
            case MULTI, WATCH, SUBSCRIBE -> OWN;
            case EXEC, DISCARD, UNWATCH -> txConnection != null ? OWN : null;
            case ROUTE -> entry != null && entry.blocking() ? OWN : SHARED;
            default -> SHARED;
        };
    }

    void forwardStarted() {
        outstanding++;
    }

    /** A forwarded request got its answer; a request waiting for its lane may go now. */
    void forwardDone() {
        if (--outstanding > 0) {
            return;
        }
        lane = null;
        if (laneHold && !closed) {
            laneHold = false;
            if (channel.isWritable() && !pausedForInFlight && !inputHeld) {
                channel.config().setAutoRead(true);
            }
            processInput(); // if the input is being processed right now, its loop goes on by itself
        }
    }

    // ------------------------------------------------------------------ routing

    /**
     * Finds the keys of the current request into {@link #keyIndexes}/{@link #keySlots}; returns
     * the common slot, -1 if it has no keys, or -2 if they span several slots.
     */
    private int findKeys(CommandTable.Entry entry) {
        keyCount = 0;
        if (entry == null) {
            return -1;
        }
        CommandEntry command = entry.command();
        CommandSpec spec = command.spec();
        int argc = request.count();
        if (!command.subcommands().isEmpty()) {
            CommandEntry sub = commands.subcommand(entry, request);
            if (sub == null || !sub.hasKeys()) {
                return -1;
            }
            addKeys(KeyFinder.find(sub, request, 0));
        } else if (!spec.is(CommandFlag.MOVABLEKEYS)) {
            int first = spec.firstKey();
            if (first == 0 || first >= argc) {
                return -1;
            }
            int last = spec.lastKey() >= 0 ? Math.min(spec.lastKey(), argc - 1) : argc + spec.lastKey();
            for (int i = first; i <= last; i += spec.keyStep()) {
                addKey(i);
            }
        } else {
            addKeys(KeyFinder.find(command, request, 0));
        }
        if (keyCount == 0) {
            return -1;
        }
        int slot = keySlots[0];
        for (int i = 1; i < keyCount; i++) {
            if (keySlots[i] != slot) {
                return -2;
            }
        }
        return slot;
    }

    private void addKeys(FoundKeys found) {
        for (int i = 0; i < found.count(); i++) {
            addKey(found.index(i));
        }
    }

    private void addKey(int index) {
        if (keyCount == keyIndexes.length) {
            keyIndexes = java.util.Arrays.copyOf(keyIndexes, keyCount * 2);
            keySlots = java.util.Arrays.copyOf(keySlots, keyCount * 2);
        }
        keyIndexes[keyCount] = index;
        keySlots[keyCount] = HashSlots.slot(request.buffer(), request.offset(index), request.length(index));
        keyCount++;
    }

    int keyCount() {
        return keyCount;
    }

    int keyIndex(int i) {
        return keyIndexes[i];
    }

    int keySlot(int i) {
        return keySlots[i];
    }

    RespRequest request() {
        return request;
    }

    private void route(CommandTable.Entry entry, int start, int end) {
        int slot = findKeys(entry);
        if (slot == -2) {
            reply(newReply(), w -> w.error(CROSSSLOT));
            return;
        }
        if (slot == -1) {
            forwardAnywhere(start, end);
            return;
        }
        if (entry.blocking()) {
            // a blocking command would hold up every other client sharing the connection
            BackendConnection c = ownConnection(loop.topology.map().master(slot));
            if (c == null) {
                reply(newReply(), w -> w.error("CLUSTERDOWN Hash slot not served"));
                return;
            }
            Forward.onConnection(this, requestBytes(start, end), c, newReply());
            return;
        }
        boolean replica = entry.readOnly() && config.readPrefer() == ReadPrefer.REPLICA;
        Forward.toSlot(this, requestBytes(start, end), slot, replica, newReply());
    }

    private void forwardAnywhere(int start, int end) {
        ClusterNode node = anyMaster();
        if (node == null) {
            reply(newReply(), w -> w.error("CLUSTERDOWN Hash slot not served"));
            return;
        }
        Forward.toNode(this, requestBytes(start, end), node, newReply());
    }

    /** The master for keyless commands: the one serving slot 0's range first. */
    private ClusterNode anyMaster() {
        List<ClusterNode> masters = loop.topology.map().masters();
        return masters.isEmpty() ? null : masters.get(0);
    }

    private void splitOrRoute(CommandTable.Entry entry, int start, int end) {
        if (entry.kind() == ProxyCommand.MSET && request.count() % 2 == 0) {
            // a node would check the keys' slots before MSET counts its arguments
            reply(newReply(), w -> w.error("ERR wrong number of arguments for 'mset' command"));
            return;
        }
        int slot = findKeys(entry);
        if (slot != -2) {
            route(entry, start, end);
            return;
        }
        Split.start(this, entry, newReply());
    }

    private void scan() {
        Reply r = newReply();
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(request.string(1));
        } catch (NumberFormatException e) {
            reply(r, w -> w.error("ERR invalid cursor"));
            return;
        }
        List<ClusterNode> masters = loop.topology.map().masters();
        int node = (int) (cursor & ScanCursor.NODE_MASK);
        if (node >= masters.size()) {
            reply(r, w -> {
                w.array(2);
                w.bulk("0");
                w.array(0);
            });
            return;
        }
        ByteBuf out = alloc().ioBuffer(64 + request.buffer().readableBytes());
        Commands.header(out, '*', request.count());
        Commands.argument(out, request, 0);
        Commands.bulk(out, Long.toUnsignedString(ScanCursor.nodeCursor(cursor)).getBytes(StandardCharsets.US_ASCII));
        for (int i = 2; i < request.count(); i++) {
            Commands.argument(out, request, i);
        }
        Forward.toNode(this, out, masters.get(node), frame -> complete(r, ScanCursor.rewrite(alloc(), frame, node, masters.size())));
    }

    // ------------------------------------------------------------------ transactions

    private void multi(int start, int end) {
        if (inMulti) {
            reply(newReply(), w -> w.error("ERR MULTI calls can not be nested"));
            return;
        }
        inMulti = true;
        txAborted = false;
        if (txConnection != null) {
            Forward.onConnection(this, requestBytes(start, end), txConnection, newReply());
        } else {
            multiUnsent = true;
            reply(newReply(), RespReplyWriter::ok);
        }
    }

    private void queueInTransaction(CommandTable.Entry entry, int start, int end) {
        int slot = findKeys(entry);
        if (slot == -2 || (slot >= 0 && txSlot >= 0 && slot != txSlot)) {
            txAborted = true;
            reply(newReply(), w -> w.error(CROSSSLOT));
            return;
        }
        if (slot >= 0 && txConnection == null && !pinTransaction(slot)) {
            txAborted = true;
            reply(newReply(), w -> w.error("CLUSTERDOWN Hash slot not served"));
            return;
        }
        if (txConnection == null) {
            // no key seen yet: the node is not known; answer as Redis would and send it later
            txBuffered.add(requestBytes(start, end));
            reply(newReply(), w -> w.simple("QUEUED"));
            return;
        }
        Forward.onConnection(this, requestBytes(start, end), txConnection, newReply());
    }

    /** Pins the transaction to {@code slot}'s master; sends what waited for it. */
    private boolean pinTransaction(int slot) {
        ClusterNode node = loop.topology.map().master(slot);
        if (node == null) {
            return false;
        }
        txSlot = slot;
        txConnection = ownConnection(node);
        sendTxBuffered();
        return true;
    }

    private void sendTxBuffered() {
        if (multiUnsent) {
            multiUnsent = false;
            Forward.onConnection(this, Unpooled.wrappedBuffer(Commands.encode("MULTI")), txConnection, ByteBuf::release);
        }
        for (ByteBuf b : txBuffered) {
            Forward.onConnection(this, b, txConnection, ByteBuf::release);
        }
        txBuffered.clear();
    }

    private void execOrDiscard(ProxyCommand kind, int start, int end) {
        if (!inMulti) {
            reply(newReply(), w -> w.error(kind == ProxyCommand.EXEC ? "ERR EXEC without MULTI" : "ERR DISCARD without MULTI"));
            return;
        }
        Reply r = newReply();
        if (kind == ProxyCommand.EXEC && txAborted) {
            if (txConnection != null) {
                Forward.onConnection(this, Unpooled.wrappedBuffer(Commands.encode("DISCARD")), txConnection, ByteBuf::release);
            }
            releaseTxBuffered();
            reply(r, w -> w.error("EXECABORT Transaction discarded because of previous errors."));
        } else if (txConnection == null && kind == ProxyCommand.DISCARD) {
            releaseTxBuffered();
            reply(r, RespReplyWriter::ok);
        } else {
            if (txConnection == null) {
                ClusterNode node = anyMaster();
                if (node == null) {
                    releaseTxBuffered();
                    reply(r, w -> w.error("CLUSTERDOWN Hash slot not served"));
                    endTransaction();
                    return;
                }
                txConnection = ownConnection(node);
                sendTxBuffered();
            }
            Forward.onConnection(this, requestBytes(start, end), txConnection, r);
        }
        endTransaction();
    }

    private void releaseTxBuffered() {
        for (ByteBuf b : txBuffered) {
            b.release();
        }
        txBuffered.clear();
        multiUnsent = false;
    }

    private void endTransaction() {
        inMulti = false;
        watching = false;
        txSlot = -1;
        txConnection = null;
        txAborted = false;
        multiUnsent = false;
    }

    private void watch(CommandTable.Entry entry, int start, int end) {
        if (inMulti) {
            reply(newReply(), w -> w.error("ERR WATCH inside MULTI is not allowed"));
            return;
        }
        int slot = findKeys(entry);
        if (slot == -2 || (txSlot >= 0 && slot != txSlot)) {
            reply(newReply(), w -> w.error(CROSSSLOT));
            return;
        }
        if (txConnection == null && !pinTransaction(slot)) {
            reply(newReply(), w -> w.error("CLUSTERDOWN Hash slot not served"));
            return;
        }
        watching = true;
        Forward.onConnection(this, requestBytes(start, end), txConnection, newReply());
    }

    private void unwatch(int start, int end) {
        if (txConnection == null) {
            reply(newReply(), RespReplyWriter::ok);
            return;
        }
        Forward.onConnection(this, requestBytes(start, end), txConnection, newReply());
        endTransaction();
    }

    // ------------------------------------------------------------------ pub/sub

    private void subscribe(CommandTable.Entry entry, int start, int end) {
        int slot = findKeys(entry); // SSUBSCRIBE: the shard channel's slot
        if (slot == -2) {
            reply(newReply(), w -> w.error(CROSSSLOT));
            return;
        }
        ClusterNode node = slot >= 0 ? loop.topology.map().master(slot) : anyMaster();
        BackendConnection c = node == null ? null : ownConnection(node);
        if (c == null) {
            reply(newReply(), w -> w.error("CLUSTERDOWN Hash slot not served"));
            return;
        }
        passThrough = c;
        pubSubExit = new PubSubExit("respkv-proxy:unsubscribed:" + id);
        c.passThrough(new BackendConnection.Listener() {
            @Override
            public void onFrame(ByteBuf frame) {
                passThroughFrame(frame);
            }

            @Override
            public void onClosed(String reason) {
                if (!closed) {
                    complete(newReply(), Commands.error(alloc(), "ERR " + reason));
                    Reply r = newReply();
                    r.closeAfter = true;
                    complete(r, Unpooled.EMPTY_BUFFER);
                }
            }
        });
        c.sendRaw(requestBytes(start, end));
    }

    /**
     * A frame from the pass-through connection, in order. When the client has unsubscribed from
     * everything the proxy sends a marker {@code PING} and holds the client's further requests:
     * once the marker's reply comes back, every request sent before it has been answered, and
     * the client leaves pass-through (its connection is closed) unless it subscribed again.
     */
    private void passThroughFrame(ByteBuf frame) {
        PubSubExit exit = pubSubExit;
        if (exit.isMarkerReply(frame)) {
            frame.release();
            exit.markerSent = false;
            if (exit.unsubscribedFromAll()) {
                BackendConnection c = passThrough;
                passThrough = null;
                pubSubExit = null;
                own.values().remove(c);
                c.close();
            }
            inputHeld = false;
            if (channel.isWritable() && !pausedForInFlight) {
                channel.config().setAutoRead(true);
            }
            processInput();
            return;
        }
        boolean unsubscribe = exit.track(frame);
        complete(newReply(), frame);
        if (unsubscribe && exit.unsubscribedFromAll() && !exit.markerSent && !closed) {
            exit.markerSent = true;
            inputHeld = true;
            channel.config().setAutoRead(false);
            passThrough.sendRaw(Unpooled.wrappedBuffer(Commands.encode("PING", exit.token)));
        }
    }

    /**
     * UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE from a client that never subscribed (once it has,
     * they pass through): Redis's reply for no subscriptions, one message per channel named, or
     * one with a null channel when none is.
     */
    private void unsubscribeNothing(CommandTable.Entry entry) {
        String kind = entry.command().name();
        int channels = request.count() - 1;
        reply(newReply(), w -> {
            for (int i = 0; i < Math.max(1, channels); i++) {
                if (protocol == ProtocolVersion.RESP3) {
                    w.push(3);
                } else {
                    w.array(3);
                }
                w.bulk(kind);
                if (channels == 0) {
                    w.nullBulk();
                } else {
                    w.bulk(request.buffer(), request.offset(i + 1), request.length(i + 1));
                }
                w.integer(0);
            }
        });
    }

    /** A backend connection of this client's own to {@code node}, opened on first use. */
    private BackendConnection ownConnection(ClusterNode node) {
        if (node == null) {
            return null;
        }
        BackendConnection c = own.get(node);
        if (c == null || c.closed() || c.protocol != protocol) {
            if (c != null) {
                c.close();
            }
            c = BackendConnection.open(loop, node, protocol, false, null);
            own.put(node, c);
        }
        return c;
    }

    // ------------------------------------------------------------------ local commands

    private void ping() {
        if (request.count() == 2) {
            reply(newReply(), w -> w.bulk(request.buffer(), request.offset(1), request.length(1)));
        } else {
            reply(newReply(), w -> w.simple("PONG"));
        }
    }

    private void hello() {
        long version = 0;
        int next = 1;
        Reply r = newReply();
        if (request.count() >= 2) {
            try {
                version = request.parseLong(next++);
            } catch (NumberFormatException e) {
                reply(r, w -> w.error("ERR Protocol version is not an integer or out of range"));
                return;
            }
            if (version < 2 || version > 3) {
                reply(r, w -> w.error("NOPROTO unsupported protocol version"));
                return;
            }
        }
        for (int j = next; j < request.count(); j++) {
            int more = request.count() - 1 - j;
            if (request.is(j, "AUTH") && more >= 2) {
                if (!logIn(request.bytes(j + 1), request.bytes(j + 2))) {
                    reply(r, w -> w.error("WRONGPASS invalid username-password pair or user is disabled."));
                    return;
                }
                j += 2;
            } else if (request.is(j, "SETNAME") && more >= 1) {
                String error = validateName(j + 1);
                if (error != null) {
                    reply(r, w -> w.error(error));
                    return;
                }
                name = request.string(j + 1);
                j++;
            } else {
                String option = request.string(j);
                reply(r, w -> w.error("ERR Syntax error in HELLO option '" + option + "'"));
                return;
            }
        }
        if (!authenticated) {
            reply(r, w -> w.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
                    + "the RESP protocol version at the same time"));
            return;
        }
        if (version != 0) {
            protocol = version == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2;
        }
        reply(r, w -> {
            w.map(7);
            w.bulk("server");
            w.bulk("redis");
            w.bulk("version");
            w.bulk("7.0.15");
            w.bulk("proto");
            w.integer(protocol == ProtocolVersion.RESP3 ? 3 : 2);
            w.bulk("id");
            w.integer(id);
            w.bulk("mode");
            w.bulk("standalone");
            w.bulk("role");
            w.bulk("master");
            w.bulk("modules");
            w.array(0);
        });
    }

    private void auth() {
        Reply r = newReply();
        if (request.count() > 3) {
            reply(r, w -> w.error("ERR syntax error"));
            return;
        }
        byte[] userName;
        byte[] pass;
        if (request.count() == 2) {
            if (loop.users.acl.defaultUser().rules().nopass()) {
                reply(r, w -> w.error("ERR AUTH <password> called without any password configured for the default "
                        + "user. Are you sure your configuration is correct?"));
                return;
            }
            userName = DEFAULT_USER;
            pass = request.bytes(1);
        } else {
            userName = request.bytes(1);
            pass = request.bytes(2);
        }
        if (logIn(userName, pass)) {
            reply(r, RespReplyWriter::ok);
        } else {
            reply(r, w -> w.error("WRONGPASS invalid username-password pair or user is disabled."));
        }
    }

    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@code ACL WHOAMI | USERS | LIST | LOAD | SAVE}: the proxy's own users ({@link ProxyUsers}),
     * replies as a respkv server's. Users are managed in the ACL file; the subcommands that
     * change or inspect single users (SETUSER, DELUSER, GETUSER, LOG, DRYRUN...) are refused.
     */
    private void acl() {
        Reply r = newReply();
        Acl acl = loop.users.acl;
        String sub = request.string(1).toLowerCase(java.util.Locale.ROOT);
        boolean known = switch (sub) {
            case "whoami", "users", "list", "load", "save" -> true;
            default -> false;
        };
        if (!known) {
            String name = request.string(1);
            reply(r, w -> w.error("ERR respkv-proxy does not support 'ACL " + name + "': its users come from its ACL "
                    + "file (aclfile), which ACL LOAD reloads"));
            return;
        }
        if (request.count() != 2) {
            reply(r, w -> w.error(io.respkv.server.command.Errors.arity("acl|" + sub)));
            return;
        }
        switch (sub) {
            case "whoami" -> reply(r, w -> w.bulk(user.name().getBytes(StandardCharsets.ISO_8859_1)));
            case "users", "list" -> {
                List<AclUser> users = acl.users();
                reply(r, w -> {
                    w.array(users.size());
                    for (AclUser u : users) {
                        w.bulk((sub.equals("users") ? u.name() : Acl.describe(u)).getBytes(StandardCharsets.ISO_8859_1));
                    }
                });
            }
            case "load" -> {
                if (acl.file() == null) {
                    reply(r, w -> w.error(Acl.NO_FILE_ERROR));
                    return;
                }
                List<AclUser> replaced = new ArrayList<>();
                String errors = acl.load(replaced);
                if (errors != null) {
                    reply(r, w -> w.error("ERR " + errors.replace('\r', ' ').replace('\n', ' ')));
                    return;
                }
                if (replaced.contains(user)) { // this client's own user is gone: logged out after the reply
                    user = acl.defaultUser();
                    authenticated(false);
                    r.closeAfter = true;
                    stopReading = true;
                }
                loop.users.disconnect(replaced, this);
                reply(r, RespReplyWriter::ok);
            }
            default -> { // save
                if (acl.file() == null) {
                    reply(r, w -> w.error(Acl.NO_FILE_ERROR));
                    return;
                }
                try {
                    acl.save();
                    reply(r, RespReplyWriter::ok);
                } catch (java.io.IOException e) {
                    LOG.log(Level.WARNING, "ACL SAVE failed", e);
                    reply(r, w -> w.error("ERR There was an error trying to save the ACLs. Please check the server "
                            + "logs for more information"));
                }
            }
        }
    }

    /** Logs the client in as {@code name} if {@code pass} is right for that enabled user; false otherwise. */
    private boolean logIn(byte[] name, byte[] pass) {
        AclUser u = loop.users.acl.authenticate(new String(name, StandardCharsets.ISO_8859_1), pass);
        if (u == null) {
            return false;
        }
        user = u;
        authenticated(true);
        return true;
    }

    /**
     * Redis's ACL check before running a command (processCommand): false after replying
     * {@code NOPERM} (inside MULTI this dooms EXEC, as Redis's rejectCommand does). Subcommands
     * are checked by their own name ({@code config|get}).
     */
    private boolean permitted(CommandTable.Entry entry) {
        CommandEntry command = entry.command();
        if (!command.subcommands().isEmpty() && request.count() >= 2) {
            CommandEntry sub = commands.subcommand(entry, request);
            if (sub != null) {
                command = sub;
            }
        }
        int denial = loop.users.acl.check(user.rules(), command.name(), command.spec(), request, 0, new int[1]);
        if (denial == Acl.OK) {
            return true;
        }
        txAborted |= inMulti;
        String error = Acl.deniedError(denial, command.name());
        reply(newReply(), w -> w.error(error));
        return false;
    }

    private void authenticated(boolean yes) {
        authenticated = yes;
        decoder.authenticated(yes);
    }

    private void select() {
        long db;
        try {
            db = request.parseLong(1);
        } catch (NumberFormatException e) {
            reply(newReply(), w -> w.error("ERR value is not an integer or out of range"));
            return;
        }
        if (db == 0) {
            reply(newReply(), RespReplyWriter::ok);
        } else {
            reply(newReply(), w -> w.error("ERR SELECT is not allowed in cluster mode"));
        }
    }

    private void client(int start, int end) {
        Reply r = newReply();
        if (request.count() < 2) {
            reply(r, w -> w.error("ERR wrong number of arguments for 'client' command"));
            return;
        }
        if (request.is(1, "ID") && request.count() == 2) {
            reply(r, w -> w.integer(id));
        } else if (request.is(1, "GETNAME") && request.count() == 2) {
            reply(r, w -> {
                if (name == null || name.isEmpty()) {
                    w.nullBulk();
                } else {
                    w.bulk(name);
                }
            });
        } else if (request.is(1, "SETNAME") && request.count() == 3) {
            String error = validateName(2);
            if (error != null) {
                reply(r, w -> w.error(error));
            } else {
                name = request.string(2);
                reply(r, RespReplyWriter::ok);
            }
        } else if (request.is(1, "SETINFO") && request.count() == 4) {
            reply(r, RespReplyWriter::ok);
        } else if (request.is(1, "INFO") && request.count() == 2) {
            reply(r, w -> w.verbatim("txt", clientInfo().getBytes(StandardCharsets.UTF_8)));
        } else {
            String sub = request.string(1);
            reply(r, w -> w.error("ERR respkv-proxy does not support 'CLIENT " + sub + "'"));
        }
    }

    private String clientInfo() {
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        long age = (System.currentTimeMillis() - createdMillis) / 1000;
        return "id=" + id + " addr=" + remote.getAddress().getHostAddress() + ":" + remote.getPort()
                + " laddr=" + local.getAddress().getHostAddress() + ":" + local.getPort()
                + " name=" + (name == null ? "" : name) + " age=" + age + " db=0 multi=" + (inMulti ? 0 : -1)
                + " user=default resp=" + (protocol == ProtocolVersion.RESP3 ? 3 : 2) + "\n";
    }

    /** Redis's rule for client names: printable ASCII without spaces. */
    private String validateName(int index) {
        for (int i = 0; i < request.length(index); i++) {
            byte b = request.byteAt(index, i);
            if (b < '!' || b > '~') {
                return "ERR Client names cannot contain spaces, newlines or special characters.";
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ output

    /** A reply written by the proxy, in the client's current protocol. */
    void reply(Reply r, java.util.function.Consumer<RespReplyWriter> body) {
        ByteBuf out = alloc().ioBuffer(64);
        writer.target(out);
        writer.protocol(protocol);
        body.accept(writer);
        complete(r, out);
    }

    /** Completes {@code r} with {@code value} (ownership passes) and writes the replies now complete at the head. */
    void complete(Reply r, ByteBuf value) {
        if (closed) {
            value.release();
            return;
        }
        r.value = value;
        if (replies.peekFirst() != r) {
            return;
        }
        boolean wrote = false;
        Reply head;
        while ((head = replies.peekFirst()) != null && head.value != null) {
            replies.pollFirst();
            if (head.closeAfter) {
                output.flushLast(channel, head.value).addListener(ChannelFutureListener.CLOSE);
                closeSession();
                return;
            }
            output.write(channel, head.value);
            wrote = true;
        }
        if (wrote) {
            if (replies.isEmpty() && !processing) {
                // Every reply the client waits for is here (its whole pipeline, typically): send
                // them now, while this loop goes on with the rest of the node's replies, so the
                // client can send its next requests meanwhile; an unpipelined client costs one
                // write either way. Replies the proxy made itself while reading the client's
                // input wait for the batch's flush, with those of the requests after them.
                flushNow();
            } else if (!flushQueued) {
                flushQueued = true;
                loop.flushLater(this);
            }
        }
        if (pausedForInFlight && replies.size() < MAX_IN_FLIGHT / 2) {
            pausedForInFlight = false;
            if (channel.isWritable()) {
                channel.config().setAutoRead(true);
            }
        }
    }

    @Override
    public void flushNow() {
        flushQueued = false;
        if (!closed) {
            output.flush(channel);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // a client that does not read its replies stops being read from
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && !pausedForInFlight);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeSession();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "client connection failed", cause);
        ctx.close();
    }

    private void closeSession() {
        if (closed) {
            return;
        }
        closed = true;
        loop.users.closed(this);
        for (Reply r : replies) {
            if (r.value != null) {
                r.value.release();
                r.value = null;
            }
        }
        replies.clear();
        output.discard();
        releaseTxBuffered();
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        for (BackendConnection c : own.values()) {
            c.close();
        }
        own.clear();
    }
}
