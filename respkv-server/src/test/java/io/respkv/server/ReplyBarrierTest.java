package io.respkv.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A channel whose event loop runs queued tasks only when told, and its first handler's context. */
    private static final class Loop {
        final io.netty.channel.embedded.EmbeddedChannel channel =
                new io.netty.channel.embedded.EmbeddedChannel(new io.netty.channel.ChannelInboundHandlerAdapter());
        final io.netty.channel.ChannelHandlerContext ctx = channel.pipeline().firstContext();
        /** The sync thread's queue: tasks run only when the test runs them. */
        final java.util.ArrayDeque<Runnable> syncThread = new java.util.ArrayDeque<>();

        /** A barrier whose every sync takes {@code syncNanos} by its clock. */
        ReplyBarrier barrier(long syncNanos) {
            long[] now = {0};
            return new ReplyBarrier(new SlowSyncEngine(EngineFeature.GROUP_COMMIT, 0), channel.eventLoop(), syncThread::add,
                    () -> now[0] += syncNanos); // each sync: two readings, syncNanos apart
        }

        /** A barrier whose syncs take the given times by its clock, in turn. */
        ReplyBarrier barrierTiming(long... syncNanos) {
            long[] now = {0};
            int[] readings = {0};
            return new ReplyBarrier(new SlowSyncEngine(EngineFeature.GROUP_COMMIT, 0), channel.eventLoop(), syncThread::add,
                    () -> now[0] += readings[0]++ % 2 == 0 ? 0 : syncNanos[readings[0] / 2 - 1]);
        }

        void hold(ReplyBarrier barrier, String reply, int keysChanged) {
            barrier.hold(ctx, io.netty.buffer.Unpooled.copiedBuffer(reply, UTF_8), false, keysChanged);
        }

        /** What the barrier has sent to the socket so far. */
        String sent() {
            StringBuilder out = new StringBuilder();
            for (io.netty.buffer.ByteBuf b; (b = channel.readOutbound()) != null; ) {
                out.append(b.toString(UTF_8));
                b.release();
            }
            return out.toString();
        }
    }

    @Test
    void aSyncExpectedToBeSlowStartsAtOnceAndCoversTheHoldsMadeBeforeItRuns() {
        Loop loop = new Loop();
        ReplyBarrier barrier = loop.barrier(2_000_000);
        // Nothing measured yet: a sync is taken as slow (it could be an fsync).
        loop.hold(barrier, "a", 1);
        assertEquals(1, loop.syncThread.size(), "the sync should start while the loop still serves other connections");
        loop.hold(barrier, "b", 1);
        assertEquals(1, loop.syncThread.size(), "one sync at a time");
        loop.channel.runPendingTasks();
        assertEquals("", loop.sent(), "no reply before its sync");
        loop.syncThread.poll().run(); // covers b too: held before it ran
        assertEquals("", loop.sent(), "the loop sends the replies, not the sync thread");
        loop.channel.runPendingTasks();
        assertEquals("ab", loop.sent());
        assertFalse(barrier.holding());

        // 2 ms for one key: the next written key goes to the sync thread at once as well ...
        loop.hold(barrier, "c", 1);
        assertEquals(1, loop.syncThread.size());
        loop.syncThread.poll().run();
        loop.channel.runPendingTasks();
        assertEquals("c", loop.sent());
        // ... but replies of reads alone (no key changed) wait for an inline sync after the reads.
        loop.hold(barrier, "d", 0);
        loop.hold(barrier, "e", 0);
        assertEquals(0, loop.syncThread.size());
        assertEquals("", loop.sent());
        loop.channel.runPendingTasks();
        assertEquals("de", loop.sent());
        loop.channel.finishAndReleaseAll();
    }

    @Test
    void quickSyncsRunInlineOnceAfterTheReadsAndRepliesKeepTheirOrder() {
        Loop loop = new Loop();
        ReplyBarrier barrier = loop.barrier(1_000); // 1 µs
        loop.hold(barrier, "1", 1); // the first sync, taken as slow, measures a quick one
        loop.syncThread.poll().run();
        loop.hold(barrier, "2", 1); // while the first is being released: after the reads
        loop.channel.runPendingTasks();
        assertEquals("12", loop.sent());
        for (int i = 3; i <= 9; i++) {
            loop.hold(barrier, Integer.toString(i), 1);
        }
        assertEquals(0, loop.syncThread.size(), "a quick sync is not worth a thread hand-off");
        assertEquals("", loop.sent());
        loop.channel.runPendingTasks();
        assertEquals("3456789", loop.sent());
        assertFalse(barrier.holding());
        loop.channel.finishAndReleaseAll();
    }

    @Test
    void syncsGoToTheThreadByTheirAveragedCostInAllAndPerConnection() {
        Loop loop = new Loop();
        // The first sync (taken as slow) and then ten inline ones of 12 keys, 2 µs a key; then
        // one of a single key that took 20 µs (its system call), then another dozen keys.
        long[] syncs = new long[15];
        java.util.Arrays.fill(syncs, 24_000);
        syncs[11] = 20_000;
        syncs[13] = 110_000; // the fifty keys below
        ReplyBarrier barrier = loop.barrierTiming(syncs);
        loop.hold(barrier, "first;", 12);
        loop.syncThread.poll().run();
        loop.channel.runPendingTasks();
        assertEquals("first;", loop.sent());
        for (int sync = 0; sync < 10; sync++) {
            for (int i = 0; i < 12; i++) {
                loop.hold(barrier, "x", 1);
            }
            loop.channel.runPendingTasks();
        }
        assertEquals(0, loop.syncThread.size(), "quick syncs of a dozen keys run inline");
        assertEquals("x".repeat(120), loop.sent());
        loop.hold(barrier, "one;", 1);
        loop.channel.runPendingTasks();
        assertEquals("one;", loop.sent());
        for (int i = 0; i < 12; i++) {
            loop.hold(barrier, "y", 1);
        }
        // 20 µs for one key would predict 240 µs for twelve; the averages predict about 27.
        assertEquals(0, loop.syncThread.size(), "a dozen keys are not worth the hand-off");
        loop.channel.runPendingTasks();
        assertEquals("y".repeat(12), loop.sent());
        // Fifty unpipelined clients' keys (about 110 µs): a thread would save the loop about 2 µs
        // a connection, less than its wake-ups cost.
        for (int i = 0; i < 50; i++) {
            loop.hold(barrier, "z", 1);
        }
        assertEquals(0, loop.syncThread.size(), "a sync that is a small share of each connection's work stays inline");
        loop.channel.runPendingTasks();
        assertEquals("z".repeat(50), loop.sent());
        // Four pipelines of 16 writes (about 140 µs, 35 a connection): the sync starts at once on
        // the sync thread, while the loop serves the next connections.
        for (int i = 0; i < 4; i++) {
            loop.hold(barrier, "p", 16);
        }
        assertEquals(1, loop.syncThread.size());
        loop.syncThread.poll().run();
        loop.channel.runPendingTasks();
        assertEquals("pppp", loop.sent());
        loop.channel.finishAndReleaseAll();
    }

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
