package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.respkv.api.ProtocolVersion;
import io.respkv.server.command.TransactionState;
import io.respkv.server.pubsub.Subscriber;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;

/**
 * The state of one client connection: identity, selected database, protocol, authentication.
 * Mutated only on the connection's event loop; other threads (CLIENT LIST, CLIENT KILL) read the
 * volatile fields.
 */
public final class ClientConnection {

    private final long id;
    private final Channel channel;
    private final long createdAtMillis;
    volatile long lastInteractionMillis;
    volatile String name = "";
    volatile String libName = "";
    volatile String libVersion = "";
    volatile int db;
    volatile ProtocolVersion protocol = ProtocolVersion.RESP2;
    volatile boolean authenticated;
    /** The user this connection runs as (see {@link #aclUser()}). */
    private volatile io.respkv.server.acl.AclUser aclUser;
    volatile String lastCommand = "NULL";
    /** How fresh this connection's reads must be (RESPKV.CONSISTENCY, READONLY, READWRITE). */
    private volatile io.respkv.api.ConsistencyLevel consistency = io.respkv.api.ConsistencyLevel.LINEARIZABLE;

    volatile boolean closeRequested;

    /** Set while a blocking command waits (BLPOP...): the connection then runs no further requests. */
    private volatile boolean blocked;
    /** Redis's CLIENT_DENY_BLOCKING: blocking commands answer at once (MULTI, scripts). */
    private volatile boolean denyBlocking;
    /** Takes the reply of a blocked command on the connection's event loop and resumes it. */
    private UnblockHandler unblockHandler;
    /** MULTI/EXEC and WATCH state. */
    private final TransactionState transaction = new TransactionState();
    /** Its pub/sub subscriptions and the messages on their way to it. */
    private final Subscriber subscriber = new Subscriber(this);

    /** What the connection does with the reply of its blocked command (see {@link #unblock}). */
    @FunctionalInterface
    interface UnblockHandler {
        /** On the event loop: writes {@code reply} (owned), held for the group sync if {@code awaitSync}. */
        void unblocked(ByteBuf reply, boolean awaitSync);
    }

    ClientConnection(long id, Channel channel, long nowMillis, boolean authenticated, io.respkv.server.acl.AclUser user) {
        this.aclUser = user;
        this.id = id;
        this.channel = channel;
        this.createdAtMillis = nowMillis;
        this.lastInteractionMillis = nowMillis;
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    /**
     * The consistency this connection's read-only commands ask of the engine
     * ({@link io.respkv.api.KeyspaceEngine#beginRead}); starts as the server's default.
     */
    public io.respkv.api.ConsistencyLevel consistency() {
        return consistency;
    }

    /** Sets this connection's read consistency. */
    public void consistency(io.respkv.api.ConsistencyLevel level) {
        this.consistency = java.util.Objects.requireNonNull(level, "level");
    }

    public Channel channel() {
        return channel;
    }

    public String name() {
        return name;
    }

    public void name(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    public void libName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public void libVersion(String libVersion) {
        this.libVersion = libVersion;
    }

    public int db() {
        return db;
    }

    public void db(int db) {
        this.db = db;
    }

    public ProtocolVersion protocol() {
        return protocol;
    }

    public void protocol(ProtocolVersion protocol) {
        this.protocol = protocol;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** The name of the user this connection runs as (Redis's {@code c->user}). */
    public String user() {
        return aclUser.name();
    }

    /** The user this connection runs as: {@code default} until AUTH says otherwise. */
    public io.respkv.server.acl.AclUser aclUser() {
        return aclUser;
    }

    /** Runs this connection as {@code user} from its next command on. */
    public void aclUser(io.respkv.server.acl.AclUser user) {
        this.aclUser = user;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    /** Bytes received and not yet run (CLIENT LIST {@code qbuf=}), as of the connection's last read. */
    volatile int queryBufferBytes;
    /** Room left in the receive buffer without growing it (CLIENT LIST {@code qbuf-free=}). */
    volatile int queryBufferFree;

    /** Bytes received and not yet run, as of the connection's last read (CLIENT LIST {@code qbuf=}). */
    public int queryBufferBytes() {
        return queryBufferBytes;
    }

    /** Room left in the connection's receive buffer (CLIENT LIST {@code qbuf-free=}). */
    public int queryBufferFree() {
        return queryBufferFree;
    }

    /**
     * Bytes on their way to the client that the socket has not taken yet: replies and messages in
     * Netty's outbound buffer, pub/sub messages still queued, and replies held for the engine's
     * group sync (CLIENT LIST {@code omem=}).
     */
    public long outputBufferBytes() {
        return subscriber.pendingBytes() + heldReplyBytes;
    }

    /** Replies held for the engine's group sync ({@link ReplyBarrier}), not yet given to the socket. */
    private volatile long heldReplyBytes;

    /** Replies the group sync holds for this client (part of {@link #outputBufferBytes}). */
    long heldReplyBytes() {
        return heldReplyBytes;
    }

    /** {@code delta} bytes of replies more (or, negative, fewer) held for the group sync; on the event loop. */
    void heldReplies(long delta) {
        heldReplyBytes += delta;
    }

    /** The name of the last command run, as CLIENT LIST shows it ({@code cmd=}). */
    public String lastCommand() {
        return lastCommand;
    }

    public void lastCommandName(String name) {
        this.lastCommand = name;
    }

    /** Asks the connection to close once the replies written so far are flushed (QUIT, CLIENT KILL). */
    public void closeAfterReply() {
        closeRequested = true;
    }

    public boolean closeRequested() {
        return closeRequested;
    }

    /** Whether a blocking command of this client is waiting (CLIENT LIST flag {@code b}). */
    public boolean blocked() {
        return blocked;
    }

    /**
     * Marks the client blocked; from now on its connection reads requests but runs none until
     * {@link #unblock} hands it the blocked command's reply. Called on the connection's thread.
     */
    public void block() {
        blocked = true;
    }

    /**
     * Ends the wait of a blocked client: on the connection's event loop, {@code reply} (the
     * blocked command's reply, owned by the callee) is written and the requests that arrived
     * meanwhile run. {@code awaitSync}: the reply acknowledges a commit that, under group commit,
     * must be synced before the reply goes out. Callable from any thread.
     */
    public void unblock(ByteBuf reply, boolean awaitSync) {
        UnblockHandler handler = unblockHandler;
        try {
            channel.eventLoop().execute(() -> {
                blocked = false;
                if (handler != null) {
                    handler.unblocked(reply, awaitSync);
                } else {
                    reply.release();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            reply.release(); // the server is closing: the connection is going away with its loop
        }
    }

    /** Sets what {@link #unblock} does on the event loop (the connection's channel handler). */
    void unblockHandler(UnblockHandler handler) {
        this.unblockHandler = handler;
    }

    /** Whether blocking commands must answer at once instead of blocking (MULTI, scripts). */
    public boolean denyBlocking() {
        return denyBlocking;
    }

    /**
     * Sets Redis's {@code CLIENT_DENY_BLOCKING}: while set, BLPOP and the other blocking commands
     * answer as on a timeout instead of blocking. For MULTI/EXEC and scripts (not built yet).
     */
    public void denyBlocking(boolean deny) {
        this.denyBlocking = deny;
    }

    /** This connection's MULTI/EXEC and WATCH state. */
    public TransactionState transaction() {
        return transaction;
    }

    /** The pub/sub side of this connection: subscriptions, pending messages. */
    public Subscriber subscriber() {
        return subscriber;
    }

    /** {@code ip:port} of the client. */
    public String remoteAddress() {
        return format(channel.remoteAddress());
    }

    /** {@code ip:port} the client connected to. */
    public String localAddress() {
        return format(channel.localAddress());
    }

    private static String format(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
