package io.respkv.proxy;

import io.netty.buffer.ByteBuf;

/**
 * One client reply made of several backend replies (the parts of a {@link Split} or a
 * {@link FanOut}): collects the parts as they come, in any order, and once all are there answers
 * the client with the first part's error if any failed, else with what {@link #merge()} makes of
 * them. The parts are released after merging.
 */
abstract class PartedReply {

    final ClientSession session;
    final ProxyCommand kind;
    private final ClientSession.Reply reply;
    final ByteBuf[] parts;
    private int remaining;

    PartedReply(ClientSession session, ProxyCommand kind, ClientSession.Reply reply, int partCount) {
        this.session = session;
        this.kind = kind;
        this.reply = reply;
        this.parts = new ByteBuf[partCount];
        this.remaining = partCount;
    }

    /** Part {@code part}'s reply frame arrived (ownership passes). */
    final void partDone(int part, ByteBuf frame) {
        parts[part] = frame;
        if (--remaining == 0) {
            session.complete(reply, mergeOrError());
        }
    }

    private ByteBuf mergeOrError() {
        try {
            for (ByteBuf p : parts) {
                if (Frames.isError(p)) {
                    return p.retain();
                }
            }
            return merge();
        } finally {
            for (ByteBuf p : parts) {
                p.release();
            }
        }
    }

    /** The client's reply from parts that all succeeded (a new buffer, or a part retained). */
    abstract ByteBuf merge();

    /** The sum of the parts' integer replies, as an integer reply. */
    final ByteBuf sumOfIntegers() {
        long sum = 0;
        for (ByteBuf p : parts) {
            sum += Frames.integer(p);
        }
        ByteBuf out = session.alloc().ioBuffer(24);
        Commands.header(out, ':', sum);
        return out;
    }
}
