package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.script.LuaScripting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * respkv-only behaviour of scripts: atomicity under concurrent clients (one engine transaction,
 * rerun on conflict), BUSY and SCRIPT KILL, compile errors, and the script cache.
 */
@Timeout(120)
class ScriptCommandsTest {

    private RespServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @BeforeEach
    void start() {
        server = RespServer.builder().port(0).eventLoopThreads(4).start().join();
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        server.close();
    }

    private RawRespClient connect() throws Exception {
        return RawRespClient.connect(RespTarget.loopback("respkv", server.activePort()), Duration.ofSeconds(30));
    }

    private static String text(RespFrame f) {
        return new String(f.raw(), StandardCharsets.UTF_8);
    }

    @Test
    void concurrentScriptsAreAtomic() throws Exception {
        // each script reads two counters and writes both: without atomicity, increments get lost
        // and the two counters drift apart
        String script = "local a = tonumber(redis.call('get', KEYS[1]) or '0') "
                + "local b = tonumber(redis.call('get', KEYS[2]) or '0') "
                + "redis.call('set', KEYS[1], a + 1) redis.call('set', KEYS[2], b + 1) return a + 1";
        int clients = 4;
        int each = 200;
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                try (RawRespClient client = connect()) {
                    for (int i = 0; i < each; i++) {
                        RespFrame r = client.call("EVAL", script, "2", "a", "b");
                        assertTrue(text(r).startsWith(":"), text(r));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        try (RawRespClient client = connect()) {
            assertEquals("$3\r\n800\r\n", text(client.call("GET", "a")));
            assertEquals("$3\r\n800\r\n", text(client.call("GET", "b")));
        }
    }

    @Test
    void aFailingScriptKeepsTheWritesBeforeTheError() throws Exception {
        // as in Redis: a script is not rolled back by its own runtime error
        try (RawRespClient client = connect()) {
            RespFrame r = client.call("EVAL", "redis.call('set', 'k', 'v') error('late')", "0");
            assertTrue(text(r).startsWith("-ERR user_script:1: late script: "), text(r));
            assertEquals("$1\r\nv\r\n", text(client.call("GET", "k")));
        }
    }

    @Test
    void busyAndScriptKill() throws Exception {
        try (RawRespClient other = connect()) {
            assertEquals("-NOTBUSY No scripts in execution right now.\r\n", text(other.call("SCRIPT", "KILL")));
            assertEquals("+OK\r\n", text(other.call("CONFIG", "SET", "busy-reply-threshold", "100")));
            assertEquals("*2\r\n$14\r\nlua-time-limit\r\n$3\r\n100\r\n", text(other.call("CONFIG", "GET", "lua-time-limit")));
            String loop = "local i = 0 while true do i = i + 1 end";
            Future<String> looping = pool.submit(() -> {
                try (RawRespClient runner = connect()) {
                    return text(runner.call("EVAL", loop, "0"));
                }
            });
            String busy = awaitBusy(other);
            assertEquals("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", busy);
            assertEquals("+OK\r\n", text(other.call("SCRIPT", "KILL")));
            String sha = LuaScripting.sha1hex(loop.getBytes(StandardCharsets.UTF_8));
            assertEquals("-ERR Script killed by user with SCRIPT KILL... script: " + sha + ", on @user_script:1.\r\n",
                    looping.get(30, TimeUnit.SECONDS));
            assertEquals("+PONG\r\n", text(other.call("PING")));

            // a looping function: FUNCTION KILL's wording, and SCRIPT KILL may not kill it
            assertEquals("$4\r\nspin\r\n", text(other.call("FUNCTION", "LOAD",
                    "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)")));
            Future<String> spinning = pool.submit(() -> {
                try (RawRespClient runner = connect()) {
                    return text(runner.call("FCALL", "spin", "0"));
                }
            });
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n",
                    awaitBusy(other));
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n",
                    text(other.call("SCRIPT", "KILL")));
            assertEquals("+OK\r\n", text(other.call("FUNCTION", "KILL")));
            assertEquals("-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n",
                    spinning.get(30, TimeUnit.SECONDS));

            // a script that wrote cannot be killed: it runs to its end
            String writer = "redis.call('set', 'w', '1') local i = 0 while i < 3e7 do i = i + 1 end return i";
            Future<String> writing = pool.submit(() -> {
                try (RawRespClient runner = connect()) {
                    return text(runner.call("EVAL", writer, "0"));
                }
            });
            awaitBusy(other);
            assertEquals("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
                    + "either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE "
                    + "command.\r\n", text(other.call("SCRIPT", "KILL")));
            assertEquals(":30000000\r\n", writing.get(60, TimeUnit.SECONDS));
            assertEquals("$1\r\n1\r\n", text(other.call("GET", "w")));
        }
    }

    /** Sends PING until it is refused with BUSY (bounded: 20 s). */
    private static String awaitBusy(RawRespClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String reply = text(client.call("PING"));
            if (reply.startsWith("-BUSY")) {
                return reply;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no BUSY reply within 20 s");
    }

    @Test
    void compileErrorsKeepLuaStylePrefix() throws Exception {
        try (RawRespClient client = connect()) {
            String r = text(client.call("EVAL", "return (", "0"));
            assertTrue(r.startsWith("-ERR Error compiling script (new function): user_script:1: "), r);
            String load = text(client.call("SCRIPT", "LOAD", "return ("));
            assertTrue(load.startsWith("-ERR Error compiling script (new function): user_script:1: "), load);
        }
    }

    @Test
    void evalshaRunsTheCompiledScriptWithFreshState() throws Exception {
        try (RawRespClient client = connect()) {
            String sha = new String(client.call("SCRIPT", "LOAD", "redis.setresp(3) return {KEYS[1], ARGV[1]}").payload(),
                    StandardCharsets.US_ASCII);
            assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", text(client.call("EVALSHA", sha, "1", "a", "b")));
            assertEquals("*2\r\n$1\r\nc\r\n$1\r\nd\r\n", text(client.call("EVALSHA", sha, "1", "c", "d")));
            // setresp of a run does not leak into the next run
            assertEquals(":1\r\n", text(client.call("EVAL", "return true", "0")));
        }
    }

    @Test
    void functionLibrariesLiveInTheEngine() throws Exception {
        io.respkv.server.engine.MemoryEngine engine = new io.respkv.server.engine.MemoryEngine();
        String lib = "#!lua name=kept\nredis.register_function('twice', function(keys, args) return args[1] * 2 end)";
        try (RespServer first = RespServer.builder().port(0).engine(engine).start().join();
             RawRespClient c = RawRespClient.connect(RespTarget.loopback("first", first.activePort()))) {
            assertEquals("$4\r\nkept\r\n", text(c.call("FUNCTION", "LOAD", lib)));
            assertEquals(":42\r\n", text(c.call("FCALL", "twice", "0", "21")));
            assertEquals("+OK\r\n", text(c.call("FLUSHALL")));
        }
        // another server over the same engine (a restart of a durable one) finds the library
        try (RespServer second = RespServer.builder().port(0).engine(engine).start().join();
             RawRespClient c = RawRespClient.connect(RespTarget.loopback("second", second.activePort()))) {
            assertEquals(":8\r\n", text(c.call("FCALL", "twice", "0", "4")));
            assertEquals("+OK\r\n", text(c.call("FUNCTION", "DELETE", "kept")));
            assertEquals("-ERR Function not found\r\n", text(c.call("FCALL", "twice", "0", "4")));
        }
    }
}
