package io.respkv.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.EngineFeature;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Group commit ({@link ReplyBarrier}): replies wait for the sync that covers their commits. */
@Timeout(60)
class ReplyBarrierTest {

    private static final long SYNC_MILLIS = 500;

    @Test
    void aReplyLeavesOnlyAfterTheSyncThatCoversItsWrite() throws Exception {
        SlowSyncEngine engine = new SlowSyncEngine(EngineFeature.GROUP_COMMIT, SYNC_MILLIS);
        try (RespServer server = RespServer.builder().port(0).ownedEngine(engine).start().join();
                RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            long start = System.nanoTime();
            assertEquals("+OK\r\n", new String(c.call("SET", "k", "v").raw(), UTF_8));
            assertTrue(System.nanoTime() - start >= SYNC_MILLIS * 1_000_000, "replied before the sync");
            assertEquals(1, engine.synced.get());
        }
    }

    @Test
    void aServerStoppedDuringASyncLeavesTheSyncThreadNothingToTrip() throws Exception {
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        SlowSyncEngine engine = new SlowSyncEngine(EngineFeature.GROUP_COMMIT, SYNC_MILLIS);
        try (RespServer server = RespServer.builder().port(0).ownedEngine(engine).start().join();
                RawRespClient c = RawRespClient.connect(new RespTarget("respkv", "127.0.0.1", server.activePort()))) {
            c.send(RespCommand.of("SET", "k", "v"));
            while (engine.commits.get() == 0) {
                Thread.sleep(5);
            }
            server.close(); // the sync (on the sync thread) ends after the event loop is gone
            Thread.sleep(SYNC_MILLIS + 500);
            // it used to hand the held replies to the stopped loop: RejectedExecutionException, buffers unfreed
            assertEquals(List.of(), uncaught);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
