package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A keyless command sent to every master and answered as one: DBSIZE sums the counts, KEYS
 * concatenates the key lists (in master order), FLUSHDB/FLUSHALL answer the first master's reply
 * once all have answered (or the first error), RANDOMKEY the first key found starting from a
 * random master (the node's own null reply if every master is empty). Replies come from backends
 * speaking the client's protocol, so the bytes reused are already right for it.
 */
final class FanOut extends PartedReply {

    private FanOut(ClientSession session, ProxyCommand kind, ClientSession.Reply reply, int n) {
        super(session, kind, reply, n);
    }

    /** Sends {@code request} (ownership passes) to every master of the current map. */
    static void start(ClientSession session, ProxyCommand kind, ByteBuf request, ClientSession.Reply reply) {
        List<ClusterNode> masters = session.loop.topology.map().masters();
        if (masters.isEmpty()) {
            request.release();
            session.complete(reply, Commands.error(session.alloc(), "CLUSTERDOWN Hash slot not served"));
            return;
        }
        FanOut f = new FanOut(session, kind, reply, masters.size());
        for (int i = 0; i < masters.size(); i++) {
            int part = i;
            ByteBuf copy = i == masters.size() - 1 ? request : request.retainedDuplicate();
            Forward.toNode(session, copy, masters.get(i), frame -> f.partDone(part, frame));
        }
    }

    @Override
    ByteBuf merge() {
        switch (kind) {
            case DBSIZE -> {
                return sumOfIntegers();
            }
            case KEYS -> {
                long count = 0;
                int size = 24;
                for (ByteBuf p : parts) {
                    count += Frames.count(p);
                    size += p.readableBytes();
                }
                ByteBuf out = session.alloc().ioBuffer(size);
                Commands.header(out, '*', count);
                for (ByteBuf p : parts) {
                    int at = Frames.firstElement(p);
                    out.writeBytes(p, at, p.writerIndex() - at);
                }
                return out;
            }
            case RANDOMKEY -> {
                int start = ThreadLocalRandom.current().nextInt(parts.length);
                for (int i = 0; i < parts.length; i++) {
                    ByteBuf p = parts[(start + i) % parts.length];
                    byte type = p.getByte(p.readerIndex());
                    if (type == '$' && p.getByte(p.readerIndex() + 1) != '-') {
                        return p.retain();
                    }
                }
                return parts[0].retain();
            }
            default -> {
                return parts[0].retain();
            }
        }
    }
}
