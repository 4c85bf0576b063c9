package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The size limits of the string commands at their boundaries, against a real redis-server
 * 7.0.15, with proto-max-bulk-len lowered to its minimum (1 MB) on both servers so the
 * boundaries are cheap to reach: APPEND and SETRANGE refuse a string longer than the limit, and
 * LCS refuses when its (len1+1) x (len2+1) table of 4-byte cells would exceed it.
 */
class StringCommandsLimitsDifferentialTest extends RespkvDifferentialTest {

    private static final int LIMIT = 1024 * 1024;

    @Override
    protected List<String> redisConfig() {
        return List.of("proto-max-bulk-len " + LIMIT);
    }

    @Override
    protected RespServer.Builder configure(RespServer.Builder builder) {
        return builder.maxBulkLength(LIMIT);
    }

    @ProtocolTest
    void appendStopsAtTheLimit(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check(bytes("SET"), bytes("k"), filled(LIMIT / 2, 'a'));
            d.check(bytes("APPEND"), bytes("k"), filled(LIMIT / 2, 'b'));
            d.checkSequence("STRLEN k", "APPEND k x", "APPEND k \"\"", "STRLEN k", "GETRANGE k 524286 524289");
            d.check(bytes("SET"), bytes("j"), filled(LIMIT / 2, 'a'));
            d.check(bytes("APPEND"), bytes("j"), filled(LIMIT / 2 + 1, 'b'));
            d.checkSequence("STRLEN j");
        }
    }

    @ProtocolTest
    void setrangeStopsAtTheLimit(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "SETRANGE k " + LIMIT + " x",
                    "SETRANGE k " + (LIMIT - 1) + " xy",
                    "STRLEN k",
                    "SETRANGE k " + (LIMIT - 1) + " x",
                    "STRLEN k",
                    "GETRANGE k -2 -1",
                    "SETRANGE k " + LIMIT + " x",
                    "SETRANGE k " + (LIMIT - 2) + " yz",
                    "GETRANGE k -3 -1",
                    "SETRANGE k " + LIMIT + " \"\"",
                    "SETRANGE k 9223372036854775807 x",
                    "STRLEN k");
        }
    }

    @ProtocolTest
    void lcsTableLimit(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            // 512 x 512 cells of 4 bytes is exactly the limit: allowed. One more byte: refused.
            d.check(bytes("SET"), bytes("a511"), pattern(511, 3));
            d.check(bytes("SET"), bytes("b511"), pattern(511, 5));
            d.check(bytes("SET"), bytes("a512"), pattern(512, 3));
            d.checkSequence(
                    "LCS a511 b511 LEN",
                    "LCS a511 b511",
                    "LCS a511 b511 IDX MINMATCHLEN 2 WITHMATCHLEN",
                    "LCS a512 b511 LEN",
                    "LCS a512 b511 IDX",
                    "LCS a512 a512",
                    "LCS a512 missing LEN");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int n, char c) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) c);
        return out;
    }

    /** A deterministic string over a small alphabet, so the LCS has many short matches. */
    private static byte[] pattern(int n, int step) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ('a' + (i * step + i / 7) % 4);
        }
        return out;
    }
}
