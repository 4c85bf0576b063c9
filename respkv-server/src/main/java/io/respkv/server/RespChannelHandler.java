package io.respkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respkv.codec.RespProtocolException;
import io.respkv.codec.RespReplyWriter;
import io.respkv.codec.RespRequest;
import io.respkv.codec.RespRequestDecoder;
import io.respkv.server.command.CommandDispatcher;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's pipeline stage: accumulates bytes, cuts them into requests (argument slices,
 * no object per argument), dispatches each, and writes all replies of one read batch with a
 * single flush. Malformed input gets Redis's protocol error and closes only this connection.
 * A client that does not read its replies stops being read from until its socket drains.
 *
 * <p>Blocking commands (BLPOP...): while {@link ClientConnection#blocked()} the handler keeps
 * reading (so a disconnect is seen and releases the waiter) but runs no request; the replies
 * written before the blocking command are flushed as usual. {@link ClientConnection#unblock}
 * brings the blocked command's reply back on this event loop ({@link #resume}): it is written
 * first, then the requests that arrived meanwhile run in order. Input buffered while blocked is
 * bounded: past {@link #BLOCKED_INPUT_LIMIT} bytes the handler stops reading until the client is
 * unblocked.
 *
 * <p>On an engine that takes key hints ({@link KeyPrefetcher}), input read on the event loop
 * runs once the loop's iteration has read all it will: the connection joins the loop's
 * {@link InputRound}, which hints the keys of every connection that read in the iteration together
 * and then runs each ({@link #runWaitingInput}), replies included; channelReadComplete leaves
 * them to it.
 *
 * <p>Engines with blocking I/O ({@link io.respkv.api.EngineFeature#BLOCKING_IO}: PostgreSQL,
 * TiKV) must not stall the event loop on the network, so their commands run on the server's
 * command threads: the event loop hands the buffered input to one task that decodes and runs
 * the complete requests, and the task hands back to the event loop, which writes the replies.
 * At most one such task per connection exists at a time ({@link #running}); input that arrives
 * meanwhile waits in {@link #pendingInput} (reading pauses past {@link #BLOCKED_INPUT_LIMIT}), so
 * a connection's requests run in order and its replies leave in order. While a task runs, it
 * alone touches the decoder, the input buffer, the dispatcher and the reply buffer; the event loop
 * touches them only when no task runs. The hand-offs (executor submission and
 * {@code EventLoop.execute}) order their memory effects.
 *
 * <p>Pub/Sub: messages for this client arrive from any thread through its
 * {@link io.respkv.server.pubsub.Subscriber} queue and are written here, on this loop, after
 * the replies sent or held before them ({@link #writePushes}); while a command task runs they
 * wait in that queue (the task may change the subscriptions they are checked against) and are
 * drained when it hands back.
 *
 * <p>Output: replies go to the socket at the end of each read batch, or early once
 * {@link #EARLY_WRITE_BYTES} are buffered. When an early write leaves the channel unwritable
 * (Netty's outbound buffer over its high water mark: a client that does not read), the handler
 * stops running requests ({@link #outputPaused}) and stops reading, until the socket drains; so
 * even with no output limit, what one connection holds for its replies is bounded by the high
 * water mark plus one early-write chunk plus one reply. On top of that, the
 * {@code client-output-buffer-limit} of the client's class (normal, or pubsub while subscribed)
 * is checked after every command on the bytes not yet taken by the socket, and a client over it
 * is closed without its pending replies, as Redis closes it.
 */
final class RespChannelHandler extends ChannelInboundHandlerAdapter implements InputRound.Waiting {

    private static final Logger LOG = Logger.getLogger(RespChannelHandler.class.getName());
    /** Replies beyond this many bytes are handed to the socket before the batch ends. */
    private static final int EARLY_WRITE_BYTES = 1 << 20;
    /**
     * Whether consecutive batchable requests of a pipeline (plain SETs on a blocking engine,
     * writes under replication) run together off the event loop
     * ({@link CommandDispatcher#dispatchBatch}); the system property
     * {@code respkv.batchPipelinedSets=false} turns it off, for A/B measurements.
     */
    private static final boolean BATCH_SETS = Boolean.parseBoolean(System.getProperty("respkv.batchPipelinedSets", "true"));
    /** Input a blocked client may queue before reading pauses until it is unblocked. */
    static final int BLOCKED_INPUT_LIMIT = 64 << 20;

    private final ServerState server;
    private final RespRequestDecoder decoder;
    private final RespRequest request = new RespRequest();
    private final RespReplyWriter reply = new RespReplyWriter();
    /** Hints the engine at the keys of the pipelined requests about to run; null if it takes none. */
    private final KeyPrefetcher prefetch;
    private ClientConnection client;
    private ReplyBarrier barrier;
    /** Where input read on the event loop waits to run with the loop's other connections'; null: it runs as it is read. */
    private InputRound round;
    /** This connection waits in {@link #round}. Event loop only. */
    private boolean inputWaiting;
    /** This connection's context (from activation on), for {@link #runWaitingInput}. */
    private ChannelHandlerContext context;
    private CommandDispatcher dispatcher;
    private ByteBuf cumulation;
    private ByteBuf out;
    private boolean closing;
    /** The reply of a served blocked command acknowledges a commit awaiting the group sync. */
    private boolean servedAwaitsSync;
    /** Where commands run when the engine blocks (see the class comment); null: on the event loop. */
    private final java.util.concurrent.Executor commandThreads;
    /** A command task owns the connection's input and replies now. Event loop only. */
    private boolean running;
    /** Input read while a command task runs. Event loop only. */
    private ByteBuf pendingInput;
    /** A blocked command's reply that came back while a command task ran: resumed after it. */
    private Runnable deferredResume;
    /** The channel went inactive while a command task ran: clean up when it hands back. */
    private boolean inactiveWhileRunning;
    /**
     * Requests wait because the client does not read its replies (the channel is not writable):
     * cleared when it becomes writable again. Owned like the input (see the class comment).
     */
    private boolean outputPaused;
    /**
     * The client's output bytes when {@link #outputPaused} was set. While paused, the limit check
     * counts at least these: the buffer stops growing only because respkv stopped running the
     * client's requests (Redis would have run them and grown it further), and how much of it the
     * kernel takes after the pause depends on the transport (io_uring hands a write to the kernel
     * after the buffer was counted, epoll before).
     */
    private long outputAtPause;
    /** A {@link #checkWhilePaused} is scheduled (at most one per connection). Event loop only. */
    private boolean pauseCheckScheduled;
    /** When this client was first seen over its soft output limit (Redis's obuf_soft_limit_reached_time). */
    private final java.util.concurrent.atomic.AtomicLong softLimitSince =
            new java.util.concurrent.atomic.AtomicLong(io.respkv.server.pubsub.OutputBufferLimits.NOT_OVER_SOFT);

    RespChannelHandler(ServerState server) {
        this.server = server;
        this.decoder = new RespRequestDecoder(server.config().limits());
        this.commandThreads = server.commandThreads();
        this.prefetch = server.keyPrefetcher;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ConnectionLimits limits = server.limits();
        String refusal = null;
        if (server.clients().size() >= limits.maxClients()) {
            refusal = ConnectionLimits.MAX_CLIENTS_ERROR;
        } else if (ConnectionLimits.refusedByProtectedMode(limits.protectedMode(),
                server.acl().defaultUser().rules().nopass(), ctx.channel().remoteAddress())) {
            refusal = ConnectionLimits.PROTECTED_MODE_ERROR;
        }
        if (refusal != null) {
            // as Redis: the error, then the connection closes without running anything it sent
            closing = true;
            server.rejectedConnections.increment();
            ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(refusal, java.nio.charset.StandardCharsets.US_ASCII))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            return;
        }
        client = server.register(ctx.channel(), System.currentTimeMillis());
        decoder.authenticated(client.authenticated() || !server.acl().authRequired());
        dispatcher = new CommandDispatcher(server, client, reply);
        client.unblockHandler((served, awaitSync) -> resume(ctx, served, awaitSync));
        client.subscriber().sink(new io.respkv.server.pubsub.Subscriber.Sink() {
            @Override
            public boolean accepting() {
                return !running; // a command task owns the reply buffer and the subscriptions
            }

            @Override
            public void write(ByteBuf pushes) {
                writePushes(ctx, pushes);
            }
        });
        if (server.groupCommit()) {
            barrier = server.barrier(ctx.executor());
        }
        if (commandThreads == null) {
            round = server.inputRound(ctx.executor()); // null if the engine takes no hints
        }
        context = ctx;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        server.netInputBytes.add(in.readableBytes());
        if (running) {
            pendingInput = pendingInput == null ? in
                    : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), pendingInput, in);
            // (the command thread owns the cumulation meanwhile: only what waits for it is counted)
            if (closedOverQueryBufferLimit(ctx, pendingInput)) {
                return;
            }
            if (pendingInput.readableBytes() > BLOCKED_INPUT_LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        if (closedOverQueryBufferLimit(ctx, cumulation)) {
            return;
        }
        client.queryBufferBytes = cumulation.readableBytes();
        client.queryBufferFree = cumulation.writableBytes();
        if (client.blocked()) {
            if (cumulation.readableBytes() > BLOCKED_INPUT_LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        if (commandThreads != null) {
            runOffLoop(ctx);
            return;
        }
        if (round != null) {
            if (!inputWaiting) {
                inputWaiting = true;
                round.add(this);
            }
            return;
        }
        processInput(ctx);
    }

    @Override
    public int firstKey(KeyPrefetcher prefetch, int[] hashes, int at) {
        return mayRunRequests() && cumulation != null && cumulation.isReadable()
                ? prefetch.firstKey(cumulation, client.db(), hashes, at) : 0;
    }

    /** Whether buffered requests may run now: the connection is not closing, blocked, or paused for output. */
    private boolean mayRunRequests() {
        return !closing && !client.blocked() && !outputPaused;
    }

    @Override
    public void runWaitingInput() {
        if (!inputWaiting) {
            return; // it ran already (channelInactive)
        }
        inputWaiting = false;
        ChannelHandlerContext ctx = context;
        try {
            processInput(ctx);
            writeReplies(ctx, closing);
        } catch (Throwable e) { // as Netty treats a failing channelRead: this connection closes, the round goes on
            exceptionCaught(ctx, e);
        }
    }

    /**
     * Redis's client-query-buffer-limit: a client whose unparsed input {@code input} grew over it
     * is closed, and nothing more of it runs. Returns whether it was. Event loop only.
     */
    private boolean closedOverQueryBufferLimit(ChannelHandlerContext ctx, ByteBuf input) {
        if (input.readableBytes() <= server.limits().queryBufferLimit()) {
            return false;
        }
        LOG.warning("closing client " + client.id() + ": query buffer of " + input.readableBytes()
                + " bytes over client-query-buffer-limit");
        closing = true;
        ctx.close();
        return true;
    }

    /** Hands the buffered input to a command task (engines with blocking I/O). Event loop only. */
    private void runOffLoop(ChannelHandlerContext ctx) {
        if (running || closing || outputPaused || cumulation == null || !cumulation.isReadable()) {
            return;
        }
        running = true;
        try {
            commandThreads.execute(() -> {
                try {
                    runRequests(ctx);
                } finally {
                    try {
                        ctx.executor().execute(() -> ranOffLoop(ctx));
                    } catch (java.util.concurrent.RejectedExecutionException loopStopped) {
                        // The server stopped while the command ran: its loop is gone, and with it
                        // every other user of this connection's state, so the buffers are freed here.
                        releaseBuffers();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            running = false;
            ctx.close();
        }
    }

    /** Back on the event loop after a command task: replies out, then whatever waited. */
    private void ranOffLoop(ChannelHandlerContext ctx) {
        running = false;
        if (inactiveWhileRunning) {
            releaseBuffers();
            server.pubsub().disconnected(client.subscriber());
            return;
        }
        writeReplies(ctx, closing);
        client.subscriber().resumeDrain(); // pub/sub messages that waited for the task
        if (closing) {
            return;
        }
        if (outputPaused && writable(ctx)) {
            outputPaused = false; // (it drained before the pause was recorded: no writability event will come)
        } else if (outputPaused) {
            schedulePauseCheck(ctx);
        }
        if (pendingInput != null) {
            ByteBuf in = pendingInput;
            pendingInput = null;
            cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
            if (closedOverQueryBufferLimit(ctx, cumulation)) {
                return; // (the replies of what ran were written above)
            }
            if (ctx.channel().isWritable() && !(client.blocked() && cumulation.readableBytes() > BLOCKED_INPUT_LIMIT)) {
                ctx.channel().config().setAutoRead(true);
            }
        }
        Runnable resume = deferredResume;
        if (resume != null) {
            deferredResume = null;
            resume.run();
            return;
        }
        if (!client.blocked()) {
            runOffLoop(ctx);
        }
    }

    /** Runs the complete requests buffered in {@link #cumulation}, until it runs out or the client blocks. */
    private void processInput(ChannelHandlerContext ctx) {
        runRequests(ctx);
        if (closing) {
            writeReplies(ctx, true);
        }
    }

    /**
     * Decodes and runs the complete requests in {@link #cumulation}, replies into {@link #out}
     * (large replies go to the socket early), until the input runs out, the client blocks or the
     * connection is to close. On the event loop, or on a command thread (see the class comment).
     */
    private void runRequests(ChannelHandlerContext ctx) {
        if (cumulation == null) {
            return;
        }
        // The clock is read once per read that completes a request (an incomplete one is no
        // activity: a trickling client still times out); once per pipelined command cost more.
        boolean interacted = false;
        // Off the event loop, consecutive batchable requests of the pipeline run together (dispatchBatch).
        java.util.List<RespRequest> sets = null;
        int untilPrefetch = 0;
        try {
            while (mayRunRequests() && decoder.decode(cumulation, request)) {
                if (prefetch != null && --untilPrefetch < 0 && cumulation.isReadable()) {
                    // More requests follow this one (a pipeline): hint their keys and its own together.
                    untilPrefetch = prefetch.ahead(request, cumulation, client.db());
                }
                if (!interacted) {
                    interacted = true;
                    client.lastInteractionMillis = System.currentTimeMillis();
                }
                if (out == null) {
                    out = ctx.alloc().ioBuffer(256);
                    reply.target(out);
                }
                reply.protocol(client.protocol());
                if (BATCH_SETS && commandThreads != null && dispatcher.batchable(request)) {
                    if (sets == null) {
                        sets = new java.util.ArrayList<>();
                    }
                    sets.add(request.copy());
                    if (sets.size() >= CommandDispatcher.MAX_BATCH) {
                        dispatcher.dispatchBatch(sets);
                        sets.clear();
                    }
                    continue;
                }
                if (sets != null && !sets.isEmpty()) {
                    dispatcher.dispatchBatch(sets);
                    sets.clear();
                }
                dispatcher.dispatch(request);
                decoder.authenticated(client.authenticated() || !server.acl().authRequired());
                if (client.closeRequested()) {
                    closing = true;
                } else if (overOutputLimit(ctx)) {
                    closeForOutputLimit(ctx);
                } else if (out.readableBytes() >= EARLY_WRITE_BYTES && (barrier == null || ctx.executor().inEventLoop())) {
                    writeReplies(ctx, false); // (the barrier is event-loop only; off it, replies wait for the hand-back)
                    if (!writable(ctx) && mayPause()) {
                        outputPaused = true; // the client does not read: run nothing more until it does
                        outputAtPause = outputBytes();
                        if (ctx.executor().inEventLoop()) {
                            schedulePauseCheck(ctx); // (off the loop, ranOffLoop schedules it)
                        }
                    }
                }
            }
            if (sets != null && !sets.isEmpty()) {
                dispatcher.dispatchBatch(sets);
                sets.clear();
            }
        } catch (RespProtocolException e) {
            if (sets != null && !sets.isEmpty()) {
                dispatcher.dispatchBatch(sets); // the requests before the malformed one still run and reply
            }
            if (out == null) {
                out = ctx.alloc().ioBuffer(128);
                reply.target(out);
            }
            reply.error(e.errorLine());
            closing = true;
        } finally {
            releaseConsumedInput();
        }
    }

    /**
     * Whether the bytes this client has not yet taken (the replies of this batch not handed to
     * the socket, Netty's outbound buffer, queued pub/sub messages) exceed the
     * {@code client-output-buffer-limit} of its class: pubsub while subscribed, else normal.
     */
    private boolean overOutputLimit(ChannelHandlerContext ctx) {
        io.respkv.server.pubsub.OutputBufferLimits.Limit limit = outputLimit();
        if (limit.unlimited()) {
            return false;
        }
        long used = outputPaused ? Math.max(outputBytes(), outputAtPause) : outputBytes();
        return limit.exceeded(used, softLimitSince, System.nanoTime());
    }

    /**
     * Whether a client that does not read its replies may be paused now. Not while its output is
     * under the {@code client-output-buffer-limit} set for its class: Redis never pauses, and
     * closes such a client once its replies pass the limit (at once for the hard one, after the
     * seconds for the soft one); a client paused below the limit would get no new replies, so it
     * would never pass it and be kept for good. So the client is served until its output reaches
     * the lowest limit set (bounded by that limit), then paused, and the pause check closes it
     * when the limit says so. With no limit (normal clients' default) it is paused at once, which
     * is what bounds its memory then.
     */
    private boolean mayPause() {
        io.respkv.server.pubsub.OutputBufferLimits.Limit limit = outputLimit();
        return limit.unlimited() || outputBytes() >= limit.lowestBytes();
    }

    /** The {@code client-output-buffer-limit} of this client's class: pubsub while subscribed, else normal. */
    private io.respkv.server.pubsub.OutputBufferLimits.Limit outputLimit() {
        io.respkv.server.pubsub.OutputBufferLimits limits = server.pubsub().limits();
        return client.subscriber().active() ? limits.pubsub() : limits.normal();
    }

    /** Bytes the client has not taken: this batch's replies not yet written, plus {@link ClientConnection#outputBufferBytes}. */
    private long outputBytes() {
        return (out == null ? 0 : out.readableBytes()) + client.outputBufferBytes();
    }

    private void schedulePauseCheck(ChannelHandlerContext ctx) {
        if (!pauseCheckScheduled) {
            pauseCheckScheduled = true;
            ctx.executor().schedule(() -> checkWhilePaused(ctx), 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * Every second while the client is paused for not reading: a paused client gets no new
     * replies, so this is where it is found over its soft limit for longer than its seconds
     * (Redis, which never pauses, finds it at its next reply). On the event loop.
     */
    private void checkWhilePaused(ChannelHandlerContext ctx) {
        if (!outputPaused || closing || !ctx.channel().isActive()) {
            pauseCheckScheduled = false;
            return;
        }
        if (!running && overOutputLimit(ctx)) {
            pauseCheckScheduled = false;
            closeForOutputLimit(ctx);
            return;
        }
        ctx.executor().schedule(() -> checkWhilePaused(ctx), 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * As Redis's {@code closeClientOnOutputBufferLimitReached}: the client is closed and its
     * replies not yet sent are dropped.
     */
    private void closeForOutputLimit(ChannelHandlerContext ctx) {
        LOG.warning(() -> "Client id=" + client.id() + " addr=" + client.remoteAddress()
                + " closed for overcoming of output buffer limits.");
        closing = true;
        if (out != null) {
            out.release();
            out = null;
        }
        server.outputLimitDisconnections.increment();
        ctx.close();
    }

    /**
     * On this event loop, after {@link ClientConnection#unblock}: writes the blocked command's
     * reply, then runs the requests that arrived while the client was blocked.
     */
    private void resume(ChannelHandlerContext ctx, ByteBuf served, boolean awaitSync) {
        if (!ctx.channel().isActive()) {
            served.release();
            return;
        }
        if (running) {
            deferredResume = () -> resume(ctx, served, awaitSync);
            return;
        }
        servedAwaitsSync |= awaitSync;
        if (out == null) {
            out = served;
            reply.target(out);
        } else {
            out.writeBytes(served);
            served.release();
        }
        if (commandThreads != null) {
            writeReplies(ctx, closing);
            runOffLoop(ctx);
        } else {
            processInput(ctx);
            writeReplies(ctx, closing);
        }
        if (!closing && !client.blocked() && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * On this event loop: writes pub/sub messages for this client after everything it was sent
     * before, including replies the group-commit barrier still holds.
     */
    private void writePushes(ChannelHandlerContext ctx, ByteBuf pushes) {
        if (!ctx.channel().isActive()) {
            pushes.release();
            return;
        }
        if (out != null) {
            out.writeBytes(pushes); // counted with the batch's replies
            pushes.release();
            return;
        }
        server.netOutputBytes.add(pushes.readableBytes());
        if (barrier != null && barrier.holding()) {
            holdForSync(ctx, pushes, false, 0);
        } else {
            ctx.writeAndFlush(pushes);
        }
    }

    private void releaseConsumedInput() {
        if (cumulation == null) {
            return;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
            decoder.reset();
            client.queryBufferBytes = 0;
            client.queryBufferFree = 0;
        } else {
            cumulation.discardSomeReadBytes();
            client.queryBufferBytes = cumulation.readableBytes();
            client.queryBufferFree = cumulation.writableBytes();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!running && !inputWaiting) { // (waiting input sends its replies when it runs)
            writeReplies(ctx, closing);
        }
        ctx.fireChannelReadComplete();
    }

    private void writeReplies(ChannelHandlerContext ctx, boolean thenClose) {
        ByteBuf pending = out;
        if (pending != null) {
            out = null;
            if (pending.isReadable()) {
                server.netOutputBytes.add(pending.readableBytes());
                boolean served = servedAwaitsSync;
                servedAwaitsSync = false;
                int keysChanged = dispatcher.takeKeysChangedForSync();
                if (barrier != null && (dispatcher.takeSyncPending() | served || barrier.holding())) {
                    holdForSync(ctx, pending, thenClose, keysChanged);
                    return;
                }
                if (thenClose) {
                    ctx.writeAndFlush(pending).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.writeAndFlush(pending);
                if (!ctx.channel().isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
                return;
            }
            pending.release();
        }
        if (thenClose) {
            ctx.close();
        }
    }

    /**
     * Whether the client takes its replies: Netty's outbound buffer plus the replies held for it
     * by the group sync are under the channel's high water mark (held replies reach Netty only
     * after the sync, so a client that does not read would otherwise never make its channel
     * unwritable while it is held).
     */
    private boolean writable(ChannelHandlerContext ctx) {
        return ctx.channel().isWritable() && client.heldReplyBytes() < ctx.channel().bytesBeforeUnwritable();
    }

    /**
     * Gives {@code replies} to the group sync to send once the commits before them are durable;
     * their commits changed {@code keysChanged} keys.
     */
    private void holdForSync(ChannelHandlerContext ctx, ByteBuf replies, boolean thenClose, int keysChanged) {
        client.heldReplies(replies.readableBytes()); // (part of the client's output buffer until written)
        barrier.hold(ctx, replies, thenClose, keysChanged);
    }

    /** The group sync wrote {@code bytes} of replies it held for this client to the socket: it may run again. */
    void heldRepliesWritten(ChannelHandlerContext ctx, int bytes) {
        client.heldReplies(-bytes);
        resumeIfWritable(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        resumeIfWritable(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void resumeIfWritable(ChannelHandlerContext ctx) {
        if (client != null && writable(ctx) && outputPaused && !running && !closing) {
            outputPaused = false; // the client read its replies: run the requests that waited
            if (commandThreads != null) {
                runOffLoop(ctx);
            } else {
                processInput(ctx);
                writeReplies(ctx, closing);
            }
        }
        if (client != null && ctx.channel().isWritable() && !outputPaused && !(client.blocked() && cumulation != null
                && cumulation.readableBytes() > BLOCKED_INPUT_LIMIT)) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (inputWaiting) {
            runWaitingInput(); // what the client sent before it went runs, as it would have on arrival
        }
        if (running) {
            inactiveWhileRunning = true; // the command task still uses the buffers: ranOffLoop frees them
        } else {
            releaseBuffers();
        }
        if (client != null) {
            if (client.blocked()) {
                server.blocking().disconnected(client);
            }
            if (!running) {
                server.pubsub().disconnected(client.subscriber()); // else when the command task hands back
            }
            server.unregister(client);
        }
        ctx.fireChannelInactive();
    }

    private void releaseBuffers() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
        if (pendingInput != null) {
            pendingInput.release();
            pendingInput = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.log(Level.WARNING, "closing connection after unexpected error", cause);
        }
        ctx.close();
    }
}
