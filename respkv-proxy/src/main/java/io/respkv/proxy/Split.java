package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.respkv.codec.RespRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-key command whose keys span several slots (MGET, MSET, DEL, UNLINK, EXISTS, TOUCH),
 * sent as one request per slot and answered as one: MGET's values in the order of its keys, MSET's
 * {@code OK}, the sum of the others' counts. If a part fails, the client gets the first part's
 * error (by slot order of first appearance). The parts run concurrently: like Redis Cluster
 * clients that split them, the whole is not atomic.
 */
final class Split extends PartedReply {

    private final int[] partOfKey;
    private final int[] posInPart;

    private Split(ClientSession session, ProxyCommand kind, ClientSession.Reply reply, int partCount,
                  int[] partOfKey, int[] posInPart) {
        super(session, kind, reply, partCount);
        this.partOfKey = partOfKey;
        this.posInPart = posInPart;
    }

    /** Splits the session's current request, whose keys {@link ClientSession} has found. */
    static void start(ClientSession session, CommandTable.Entry entry, ClientSession.Reply reply) {
        RespRequest request = session.request();
        ProxyCommand kind = entry.kind();
        int step = kind == ProxyCommand.MSET ? 2 : 1;
        int keys = session.keyCount();
        Map<Integer, Integer> partOfSlot = new HashMap<>();
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        int[] partOfKey = new int[keys];
        int[] posInPart = new int[keys];
        for (int i = 0; i < keys; i++) {
            int slot = session.keySlot(i);
            Integer part = partOfSlot.get(slot);
            if (part == null) {
                part = groups.size();
                partOfSlot.put(slot, part);
                groups.add(new ArrayList<>());
                slots.add(slot);
            }
            partOfKey[i] = part;
            posInPart[i] = groups.get(part).size();
            groups.get(part).add(i);
        }
        Split split = new Split(session, kind, reply, groups.size(), partOfKey, posInPart);
        boolean replica = entry.readOnly() && session.loop.config.readPrefer() == ReadPrefer.REPLICA;
        for (int p = 0; p < groups.size(); p++) {
            List<Integer> group = groups.get(p);
            int size = 32 + request.length(0);
            for (int k : group) {
                int at = session.keyIndex(k);
                size += request.length(at) + 16 + (step == 2 ? request.length(at + 1) + 16 : 0);
            }
            ByteBuf out = session.alloc().ioBuffer(size);
            Commands.header(out, '*', 1 + (long) group.size() * step);
            Commands.argument(out, request, 0);
            for (int k : group) {
                int at = session.keyIndex(k);
                Commands.argument(out, request, at);
                if (step == 2) {
                    Commands.argument(out, request, at + 1);
                }
            }
            int part = p;
            Forward.toSlot(session, out, slots.get(p), replica, frame -> split.partDone(part, frame));
        }
    }

    @Override
    ByteBuf merge() {
        switch (kind) {
            case MSET -> {
                return parts[0].retain();
            }
            case SUM_KEYS -> {
                return sumOfIntegers();
            }
            default -> {
                return mget();
            }
        }
    }

    /** The parts' values put back in the order of the keys. */
    private ByteBuf mget() {
        int[][] offsets = new int[parts.length][];
        int[][] lengths = new int[parts.length][];
        int total = 16;
        for (int p = 0; p < parts.length; p++) {
            ByteBuf frame = parts[p];
            int n = (int) Frames.count(frame);
            offsets[p] = new int[n];
            lengths[p] = new int[n];
            int at = Frames.firstElement(frame);
            for (int i = 0; i < n; i++) {
                int len = Frames.elementLength(frame, at);
                offsets[p][i] = at;
                lengths[p][i] = len;
                at += len;
            }
            total += frame.readableBytes();
        }
        ByteBuf out = session.alloc().ioBuffer(total);
        Commands.header(out, '*', partOfKey.length);
        for (int k = 0; k < partOfKey.length; k++) {
            int p = partOfKey[k];
            int i = posInPart[k];
            out.writeBytes(parts[p], offsets[p][i], lengths[p][i]);
        }
        return out;
    }
}
