package io.respkv.server.command;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of FUNCTION DUMP / FUNCTION RESTORE, in Redis 7.0's format: per library the
 * RDB opcode FUNCTION2 (245) and the library code as an RDB string, then the RDB version (10)
 * as two little-endian bytes and the CRC-64 (Jones, as Redis's crc64.c) of everything before, as
 * eight little-endian bytes. respkv writes the code uncompressed; Redis LZF-compresses strings
 * longer than 20 bytes, so the bytes differ but each side restores the other's payloads.
 */
final class FunctionPayload {

    static final int RDB_VERSION = 10;
    static final int OPCODE_FUNCTION2 = 245;

    /** A payload that does not restore; the message is Redis's error without the code. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private FunctionPayload() {
    }

    static byte[] dump(List<byte[]> codes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] code : codes) {
            out.write(OPCODE_FUNCTION2);
            writeLength(out, code.length);
            out.writeBytes(code);
        }
        out.write(RDB_VERSION & 0xff);
        out.write(RDB_VERSION >>> 8);
        byte[] body = out.toByteArray();
        long crc = crc64(0, body, 0, body.length);
        for (int i = 0; i < 8; i++) {
            out.write((int) (crc >>> (8 * i)) & 0xff);
        }
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, long len) {
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) ((len >>> 8) | 0x40));
            out.write((int) len & 0xff);
        } else if (len <= 0xFFFFFFFFL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)) & 0xff);
            }
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)) & 0xff);
            }
        }
    }

    /** The library codes of a payload (Redis's verifyDumpPayload and rdbFunctionLoad). */
    static List<byte[]> parse(byte[] p) throws Invalid {
        if (p.length < 10) {
            throw new Invalid("DUMP payload version or checksum are wrong");
        }
        int footer = p.length - 10;
        int rdbver = (p[footer] & 0xff) | (p[footer + 1] & 0xff) << 8;
        long crc = 0;
        for (int i = 7; i >= 0; i--) {
            crc = (crc << 8) | (p[footer + 2 + i] & 0xff);
        }
        if (rdbver > RDB_VERSION || crc64(0, p, 0, p.length - 8) != crc) {
            throw new Invalid("DUMP payload version or checksum are wrong");
        }
        List<byte[]> codes = new ArrayList<>();
        int[] pos = {0};
        while (p.length - pos[0] > 10) {
            int type = p[pos[0]++] & 0xff;
            if (type != OPCODE_FUNCTION2) {
                throw new Invalid("given type is not a function");
            }
            byte[] code = readString(p, pos, footer);
            if (code == null) {
                throw new Invalid("Failed loading library payload");
            }
            codes.add(code);
        }
        return codes;
    }

    private static long readLength(byte[] p, int[] pos, int end, boolean[] encoded) {
        if (pos[0] >= end) {
            return -1;
        }
        int b = p[pos[0]++] & 0xff;
        int kind = b >>> 6;
        switch (kind) {
            case 0:
                return b & 0x3f;
            case 1:
                if (pos[0] >= end) {
                    return -1;
                }
                return ((b & 0x3f) << 8) | (p[pos[0]++] & 0xff);
            case 2: {
                int n = b == 0x80 ? 4 : b == 0x81 ? 8 : -1;
                if (n < 0 || pos[0] + n > end) {
                    return -1;
                }
                long v = 0;
                for (int i = 0; i < n; i++) {
                    v = (v << 8) | (p[pos[0]++] & 0xff);
                }
                return v;
            }
            default:
                encoded[0] = true;
                return b & 0x3f;
        }
    }

    /** An RDB string: plain, integer-encoded, or LZF-compressed; null if malformed. */
    private static byte[] readString(byte[] p, int[] pos, int end) {
        boolean[] encoded = {false};
        long len = readLength(p, pos, end, encoded);
        if (len < 0) {
            return null;
        }
        if (encoded[0]) {
            switch ((int) len) {
                case 0, 1, 2 -> {
                    int n = 1 << len;
                    if (pos[0] + n > end) {
                        return null;
                    }
                    long v = 0;
                    for (int i = n - 1; i >= 0; i--) {
                        v = (v << 8) | (p[pos[0] + i] & 0xff);
                    }
                    pos[0] += n;
                    v = n == 1 ? (byte) v : n == 2 ? (short) v : (int) v;
                    return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                case 3 -> {
                    boolean[] unused = {false};
                    long clen = readLength(p, pos, end, unused);
                    long ulen = readLength(p, pos, end, unused);
                    if (clen < 0 || ulen < 0 || pos[0] + clen > end || ulen > Integer.MAX_VALUE) {
                        return null;
                    }
                    byte[] out = lzfDecompress(p, pos[0], (int) clen, (int) ulen);
                    pos[0] += (int) clen;
                    return out;
                }
                default -> {
                    return null;
                }
            }
        }
        if (pos[0] + len > end) {
            return null;
        }
        byte[] s = java.util.Arrays.copyOfRange(p, pos[0], pos[0] + (int) len);
        pos[0] += (int) len;
        return s;
    }

    /** liblzf's lzf_decompress; null if the data does not decompress to exactly {@code outLen} bytes. */
    static byte[] lzfDecompress(byte[] in, int from, int len, int outLen) {
        byte[] out = new byte[outLen];
        int ip = from;
        int end = from + len;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < (1 << 5)) {
                ctrl++;
                if (op + ctrl > outLen || ip + ctrl > end) {
                    return null;
                }
                System.arraycopy(in, ip, out, op, ctrl);
                op += ctrl;
                ip += ctrl;
            } else {
                int l = ctrl >>> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (ip >= end) {
                    return null;
                }
                if (l == 7) {
                    l += in[ip++] & 0xff;
                    if (ip >= end) {
                        return null;
                    }
                }
                ref -= in[ip++] & 0xff;
                l += 2;
                if (op + l > outLen || ref < 0) {
                    return null;
                }
                for (int i = 0; i < l; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == outLen ? out : null;
    }

    private static final long POLY = 0xad93d23594c935a9L;

    /** Redis's crc64 (Jones coefficients, reflected), bit by bit as its _crc64. */
    static long crc64(long crc, byte[] data, int off, int len) {
        for (int k = off; k < off + len; k++) {
            int c = data[k] & 0xff;
            for (int i = 0x01; (i & 0xff) != 0; i <<= 1) {
                boolean bit = (crc & 0x8000000000000000L) != 0;
                if ((c & i) != 0) {
                    bit = !bit;
                }
                crc <<= 1;
                if (bit) {
                    crc ^= POLY;
                }
            }
        }
        return Long.reverse(crc);
    }
}
