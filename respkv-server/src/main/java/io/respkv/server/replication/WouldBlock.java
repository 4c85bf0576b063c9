package io.respkv.server.replication;

import java.nio.ByteBuffer;

/**
 * The reply a replica's application of a blocking command (BLPOP, BLMOVE, BZPOPMIN...) gives
 * when there was nothing to take and the command would block: the keys it would wait on, its
 * timeout and the type it takes from. It goes back to the node the client is connected to,
 * which blocks the client there and submits the command again when one of the keys is written
 * (see docs/replication.md). Never sent to a client: it starts with a byte no RESP reply starts
 * with.
 *
 * <pre>
 * 0x00 'B' | timeout ms:u64 | type code:u8 | key count:u32 | (length:u32 | key)*
 * </pre>
 */
public record WouldBlock(long timeoutMillis, int typeCode, byte[][] keys) {

    /** Whether {@code reply} is a {@link WouldBlock} rather than a RESP reply. */
    public static boolean is(byte[] reply) {
        return reply.length >= 2 && reply[0] == 0 && reply[1] == 'B';
    }

    public byte[] encode() {
        int size = 2 + 8 + 1 + 4;
        for (byte[] k : keys) {
            size += 4 + k.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put((byte) 0).put((byte) 'B').putLong(timeoutMillis)
                .put((byte) typeCode).putInt(keys.length);
        for (byte[] k : keys) {
            out.putInt(k.length).put(k);
        }
        return out.array();
    }

    public static WouldBlock decode(byte[] reply) {
        ByteBuffer in = ByteBuffer.wrap(reply, 2, reply.length - 2);
        long timeout = in.getLong();
        int type = in.get();
        byte[][] keys = new byte[in.getInt()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new byte[in.getInt()];
            in.get(keys[i]);
        }
        return new WouldBlock(timeout, type, keys);
    }
}
