package io.respkv.server.command;

import static io.respkv.server.difftest.Differential.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol as clients and telnet users meet it: inline commands, pipelines, malformed
 * input (Redis's exact error, then only that connection closes), and COMMAND metadata served by
 * a live server — all byte for byte against redis-server 7.0.15.
 */
class ProtocolDifferentialTest extends RespkvDifferentialTest {

    @ProtocolTest
    void inlineCommandsAndPipelines(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkRaw(bytes("PING\r\n"));
            d.checkRaw(bytes("ECHO \"a b\\x41\" 'c d'\r\nPING x\nPING\r\n\r\n"));
            d.checkRaw(bytes("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n*0\r\n*-1\r\nPING\r\n"));
            d.checkRaw(bytes("ECHO \"unbalanced\r\n"));
        }
    }

    @ProtocolTest
    void malformedMultibulkGetsRedisErrorAndClose(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkRaw(bytes("*1\r\n$4\r\nPING\r\n*x\r\n"));
            d.checkRaw(bytes("*2\r\n+PING\r\n"));
            d.checkRaw(bytes("*1\r\n$-5\r\n"));
            d.checkRaw(bytes("*1\r\n$abc\r\n"));
            d.checkRaw(bytes("*1\r\n$4\r\nPINGXX\r\n"));
            d.checkRaw(bytes("*3000000000\r\n"));
            d.checkRaw(bytes("*1\r\n$600000000\r\n"));
        }
    }

    @Test
    void aProtocolErrorClosesOnlyItsOwnConnection() throws Exception {
        RespTarget target = new RespTarget("respkv", "127.0.0.1", respkvPort());
        try (RawRespClient good = RawRespClient.connect(target);
             RawRespClient bad = RawRespClient.connect(target)) {
            bad.sendRaw(bytes("*1\r\n$x\r\n"));
            RawRespClient.Drained drained = bad.drain(java.time.Duration.ofMillis(300), java.time.Duration.ofSeconds(5), 1 << 16);
            assertEquals("-ERR Protocol error: invalid bulk length\r\n",
                    new String(drained.bytes(), StandardCharsets.UTF_8));
            assertEquals(true, drained.closed());
            assertEquals("+PONG\r\n", new String(good.call("PING").raw(), StandardCharsets.UTF_8));
        }
    }

    @ProtocolTest
    void commandMetadata(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "COMMAND INFO ping echo select", "COMMAND INFO nosuch ping", "COMMAND INFO config|get",
                    "COMMAND DOCS ping", "COMMAND DOCS nosuch", "COMMAND DOCS client|id",
                    "COMMAND GETKEYS ping", "COMMAND GETKEYS nosuch", "COMMAND GETKEYS", "COMMAND NOSUCH",
                    "COMMAND LIST FILTERBY", "COMMAND LIST FILTERBY NOSUCH x", "COMMAND HELP");
        }
    }
}
