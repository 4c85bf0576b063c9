package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Redis Cluster's key-to-slot function: {@code CRC16(key) mod 16384} (CRC-16/XMODEM, as in
 * Redis's {@code src/crc16.c}), where only the hash tag is hashed when the key has one: the bytes
 * between the first {@code {} and the first {@code }} after it, if that span is not empty
 * ({@code keyHashSlot} in {@code src/cluster.c}).
 */
public final class HashSlots {

    /** The number of hash slots of a Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private HashSlots() {
    }

    /** The slot of {@code key}. */
    public static int slot(byte[] key) {
        int start = 0;
        int end = key.length;
        int open = -1;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < key.length; i++) {
                if (key[i] == '}') {
                    if (i > open + 1) {
                        start = open + 1;
                        end = i;
                    }
                    break;
                }
            }
        }
        int crc = 0;
        for (int i = start; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xFF]) & 0xFFFF;
        }
        return crc & (SLOTS - 1);
    }

    /** The slot of the key stored in {@code buf} at {@code [index, index + length)}; no copy. */
    public static int slot(ByteBuf buf, int index, int length) {
        int start = index;
        int end = index + length;
        int open = buf.indexOf(index, end, (byte) '{');
        if (open >= 0) {
            int close = buf.indexOf(open + 1, end, (byte) '}');
            if (close > open + 1) {
                start = open + 1;
                end = close;
            }
        }
        // forEachByte checks the range once; getByte per byte checked it (and the buffer's
        // reference count) for every byte, 7% of the proxy's own CPU on GET.
        Crc16 crc = new Crc16();
        buf.forEachByte(start, end - start, crc);
        return crc.value & (SLOTS - 1);
    }

    /** CRC-16/XMODEM over the bytes it is shown. */
    private static final class Crc16 implements ByteProcessor {
        int value;

        @Override
        public boolean process(byte b) {
            value = ((value << 8) ^ TABLE[((value >>> 8) ^ b) & 0xFF]) & 0xFFFF;
            return true;
        }
    }
}
