package io.respkv.server.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.api.CommandContext;
import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.api.EngineCommand;
import io.respkv.api.EngineFeature;
import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.api.Transaction;
import io.respkv.server.RespServer;
import io.respkv.server.engine.MemoryEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands an engine contributes ({@link KeyspaceEngine#commands()}) are registered by the server
 * and run like built-in ones: arity checked, replies written, and {@link CommandContext#setString}
 * writing a Redis string other commands read.
 */
@Timeout(30)
class EngineCommandsTest {

    /** A memory engine contributing TEST.ECHO (replies its arguments) and TEST.SETUPPER key value. */
    private static final class EngineWithCommands implements KeyspaceEngine {
        private final MemoryEngine memory = new MemoryEngine();

        @Override
        public String name() {
            return "memory-with-commands";
        }

        @Override
        public Set<EngineFeature> features() {
            return memory.features();
        }

        @Override
        public Transaction begin() {
            return memory.begin();
        }

        @Override
        public Snapshot snapshot() {
            return memory.snapshot();
        }

        @Override
        public List<EngineCommand> commands() {
            return List.of(
                    new EngineCommand(new CommandSpec("test.echo", -1, Set.of(CommandFlag.READONLY), 0, 0, 0,
                            Set.of("read")), ctx -> {
                                ctx.reply().array(ctx.args().count() - 1);
                                for (int i = 1; i < ctx.args().count(); i++) {
                                    ctx.reply().bulk(ctx.args().bytes(i));
                                }
                            }),
                    new EngineCommand(new CommandSpec("test.setupper", 3, Set.of(CommandFlag.WRITE), 1, 1, 1,
                            Set.of("write")), ctx -> {
                                ctx.setString(ctx.args().bytes(1), ctx.args().string(2).toUpperCase().getBytes(UTF_8));
                                ctx.reply().ok();
                            }));
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    private RespServer server;

    @BeforeEach
    void start() {
        server = RespServer.builder().port(0).ownedEngine(new EngineWithCommands()).start().join();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String call(Socket s, String request, int replyLength) throws IOException {
        s.getOutputStream().write(request.getBytes(UTF_8));
        InputStream in = s.getInputStream();
        byte[] reply = in.readNBytes(replyLength);
        return new String(reply, UTF_8);
    }

    @Test
    void contributedCommandsRunWithExactReplies() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.activePort())) {
            s.setSoTimeout(10_000);
            assertEquals("*2\r\n$1\r\na\r\n$2\r\nbc\r\n",
                    call(s, "*3\r\n$9\r\nTEST.ECHO\r\n$1\r\na\r\n$2\r\nbc\r\n", 19));
            assertEquals("+OK\r\n", call(s, "*3\r\n$13\r\ntest.setupper\r\n$1\r\nk\r\n$3\r\nabc\r\n", 5));
            assertEquals("$3\r\nABC\r\n", call(s, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 9));
            assertEquals("+string\r\n", call(s, "*2\r\n$4\r\nTYPE\r\n$1\r\nk\r\n", 9));
            String arity = "-ERR wrong number of arguments for 'test.setupper' command\r\n";
            assertEquals(arity, call(s, "*2\r\n$13\r\ntest.setupper\r\n$1\r\nk\r\n", arity.length()));
        }
    }
}
