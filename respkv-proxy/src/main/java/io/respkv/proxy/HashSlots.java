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

    /** One byte: {@code crc' = (crc << 8) ^ TABLE[(crc >>> 8) ^ b]} (16 bits). */
    private static final int[] TABLE = new int[256];
    /**
     * Two bytes at a time: {@code crc' = PAIR_HIGH[(crc >>> 8) ^ b0] ^ TABLE[(crc & 0xFF) ^ b1]}.
     * The CRC is linear, so the second byte's table lookup splits into the part from the low
     * register byte and the second input byte ({@code TABLE}) and the part from the first byte's
     * lookup ({@code PAIR_HIGH}); the two lookups are independent, which halves the chain of
     * dependent lookups a key costs (most of the slot's time).
     */
    private static final int[] PAIR_HIGH = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
        for (int i = 0; i < 256; i++) {
            PAIR_HIGH[i] = ((TABLE[i] & 0xFF) << 8) ^ TABLE[TABLE[i] >>> 8];
        }
    }

    private static int crcPair(int crc, int b0, int b1) {
        return PAIR_HIGH[((crc >>> 8) ^ b0) & 0xFF] ^ TABLE[(crc ^ b1) & 0xFF];
    }

    private static int crcByte(int crc, int b) {
        return ((crc << 8) ^ TABLE[((crc >>> 8) ^ b) & 0xFF]) & 0xFFFF;
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
        int i = start;
        for (; i + 1 < end; i += 2) {
            crc = crcPair(crc, key[i], key[i + 1]);
        }
        if (i < end) {
            crc = crcByte(crc, key[i]);
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
        return crc.finish() & (SLOTS - 1);
    }

    /** CRC-16/XMODEM over the bytes it is shown, two at a time. */
    private static final class Crc16 implements ByteProcessor {
        private int value;
        /** The first byte of a pair, or -1. */
        private int first = -1;

        @Override
        public boolean process(byte b) {
            if (first < 0) {
                first = b & 0xFF;
            } else {
                value = crcPair(value, first, b);
                first = -1;
            }
            return true;
        }

        int finish() {
            return first < 0 ? value : crcByte(value, first);
        }
    }
}
