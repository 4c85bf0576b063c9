package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH against redis-server 7.0.15, byte for byte in RESP2
 * and RESP3; scenarios with a second client use {@link Differential#openPeer()}, whose commands
 * run between this client's, in program order, on both servers. The atomicity tests at the end
 * are respkv-only (Redis is atomic by being single-threaded).
 */
class TransactionCommandsDifferentialTest extends RespkvDifferentialTest {

    /** Several event loops, so the clients of the atomicity tests really run at the same time. */
    @Override
    protected RespServer.Builder configure(RespServer.Builder builder) {
        return builder.eventLoopThreads(4);
    }

    @ProtocolTest
    void queuedCommandsRunAtExec(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "MULTI", "SET a 1", "GET a", "INCR a", "INCRBY a 10", "GET a", "EXISTS a", "EXEC",
                    "GET a",
                    "MULTI", "EXEC",
                    "MULTI", "HSET h f v g w", "HGETALL h", "ZADD z 1 m 2 n", "ZRANGE z 0 -1 WITHSCORES",
                    "SADD s x", "SMEMBERS s", "LPUSH l a b", "LRANGE l 0 -1", "TTL h", "TYPE z", "PING",
                    "ECHO \"a\\x00b\\r\\n\"", "GET missing", "EXEC");
        }
    }

    /**
     * A GET run alone may read without a key lock (Transaction.getSole); queued first in EXEC, on
     * a key whose value the engine has cached, it must stay an ordinary read that later writes of
     * the same transaction can follow.
     */
    @ProtocolTest
    void aQueuedGetOfACachedKeyIsFollowedByWrites(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("SET a 1", "GET a", "STRLEN a", "GETRANGE a 0 -1",
                    "MULTI", "GET a", "SET a 2", "STRLEN a", "GETRANGE a 0 0", "INCR a", "EXEC", "GET a");
        }
    }

    @ProtocolTest
    void queueTimeErrorsAbortExec(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "MULTI", "SET a 1", "NOSUCH x", "SET b 2", "EXEC", "EXISTS a b",
                    "MULTI", "SET a 1", "GET", "EXEC", "EXISTS a",
                    "MULTI", "SET a 1", "CLIENT nosuch", "EXEC", "EXISTS a",
                    "MULTI", "SET a 1", "CONFIG", "EXEC",
                    "MULTI", "MULTI x", "SET a 1", "EXEC",
                    "MULTI", "WATCH", "EXEC",
                    "MULTI", "DISCARD x", "DISCARD", "EXEC",
                    "MULTI", "SHUTDOWN", "EXEC", "PING",
                    "MULTI", "EXEC x", "EXEC", "EXISTS a",
                    "EXEC x", "EXEC y z", "DISCARD x", "MULTI x", "PING");
        }
    }

    @ProtocolTest
    void runtimeErrorsStayInsideTheArray(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "SET s x", "LPUSH l a",
                    "MULTI", "INCR s", "SET t 1", "LPUSH s a", "GET l", "SADD l m", "HSET s f v", "INCR t",
                    "SET x 1 EX -5", "SET x 1 FOO", "LINDEX l notanumber", "ZADD z nan m", "APPEND t 2", "EXEC",
                    "GET t", "GET s", "LRANGE l 0 -1", "EXISTS x z");
            // multi-key writes refused for the type of a later key must not have done the rest
            d.checkSequence(
                    "SET str x", "LPUSH src a b", "SADD set m", "ZADD zs 1 m", "HSET hash f v",
                    "MULTI", "LMOVE src str LEFT LEFT", "RPOPLPUSH src str", "SMOVE set str m", "SMOVE str set m",
                    "LMOVE str src LEFT LEFT", "SINTERSTORE dst set str", "SUNIONSTORE set set str",
                    "SDIFFSTORE set set str", "ZUNIONSTORE zs 2 zs str", "ZINTERSTORE zs 2 zs hash",
                    "ZRANGESTORE zs str 0 -1", "LMPOP 2 src str LEFT", "ZMPOP 2 zs str MIN", "RENAME str src",
                    "EXEC",
                    "LRANGE src 0 -1", "SMEMBERS set", "ZRANGE zs 0 -1 WITHSCORES", "TYPE str", "EXISTS dst");
        }
    }

    @ProtocolTest
    void nestingAndMisplacedCommands(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "EXEC", "DISCARD", "UNWATCH",
                    "MULTI", "MULTI", "SET a 1", "EXEC", "GET a",
                    "MULTI", "WATCH a", "SET a 2", "EXEC", "GET a",
                    "MULTI", "UNWATCH", "EXEC",
                    "MULTI", "SET a 3", "DISCARD", "GET a", "EXEC", "DISCARD",
                    "MULTI", "SELECT 1", "SET a db1", "SELECT 0", "GET a", "SELECT 1", "EXEC", "GET a",
                    "SELECT 0", "GET a",
                    "MULTI", "SET a 1", "RESET", "EXEC", "GET a",
                    "MULTI", "SELECT 99", "PING", "EXEC");
        }
    }

    @ProtocolTest
    void blockingCommandsInsideExecAnswerAsOnTimeout(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "MULTI", "BLPOP nolist 0", "BRPOP nolist 1", "BLMOVE nolist dst LEFT RIGHT 0",
                    "BRPOPLPUSH nolist dst 0", "BLMPOP 0 1 nolist LEFT", "BZPOPMIN z 0", "BZPOPMAX z 0",
                    "BZMPOP 0 1 z MIN", "LPUSH l x y", "BLPOP l 0", "BRPOP l 0", "BLPOP l 0", "EXEC",
                    "EXISTS l dst");
        }
    }

    @ProtocolTest
    void watchedKeyModifiedByAnotherClient(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("SET a 1", "WATCH a");
            other.checkSequence("SET a 2");
            d.checkSequence("MULTI", "GET a", "SET a 3", "EXEC", "GET a");
            // the watch is gone after EXEC, failed or not
            other.checkSequence("SET a 4");
            d.checkSequence("MULTI", "GET a", "EXEC");

            // unmodified: EXEC runs
            d.checkSequence("WATCH a b");
            other.checkSequence("GET a", "EXISTS a", "SET c 1");
            d.checkSequence("MULTI", "INCR a", "EXEC");

            // a write that changes nothing is no modification in Redis
            d.checkSequence("SADD s m", "HSET h f v", "WATCH s h a nokey");
            other.checkSequence("SADD s m", "SREM s nope", "HDEL h nope", "DEL nokey", "PERSIST a", "EXPIRE nokey 10",
                    "LPOP nokey", "SETRANGE a 0 \"\"", "RENAME nokey x", "ZREM s m");
            d.checkSequence("MULTI", "SMEMBERS s", "EXEC");

            // an in-place element change is one
            d.checkSequence("WATCH h");
            other.checkSequence("HSET h f w");
            d.checkSequence("MULTI", "HGET h f", "EXEC");
        }
    }

    @ProtocolTest
    void everyKindOfWriteTouchesAWatchedKey(ProtocolVersion protocol) {
        String[][] writes = {
            {"SET k 1", "DEL k"}, {"SET k 1", "UNLINK k"}, {"SET k 1", "EXPIRE k 100"}, {"SET k 1 EX 100", "PERSIST k"},
            {"SET j 1", "RENAME j k"}, {"SET k 1", "RENAME k j"}, {"SET k 1", "MOVE k 1"}, {"SET j 1", "COPY j k"},
            {"SET k 1", "APPEND k x"}, {"SET k 1", "INCR k"}, {"SET k 1", "SET k 1"}, {"LPUSH k a", "LSET k 0 b"},
            {"LPUSH k a b", "LPOP k"}, {"SADD k a", "SPOP k"}, {"ZADD k 1 a", "ZINCRBY k 1 a"}, {"HSET k f 1", "HINCRBY k f 1"},
            {"SADD j a", "SINTERSTORE k j"}, {"SET k 1", "GETDEL k"}, {"SET k 1", "GETEX k PX 100000"},
        };
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            for (String[] w : writes) {
                d.checkSequence("FLUSHALL", w[0], "WATCH k");
                other.checkSequence(w[1]);
                d.checkSequence("MULTI", "PING", "EXEC");
            }
            // a missing key that another client creates
            d.checkSequence("FLUSHALL", "WATCH k");
            other.checkSequence("LPUSH k x");
            d.checkSequence("MULTI", "PING", "EXEC");
            // the client's own writes count too
            d.checkSequence("WATCH k", "DEL k", "MULTI", "PING", "EXEC");
        }
    }

    @ProtocolTest
    void unwatchDiscardAndResetForgetTheWatches(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("WATCH a", "UNWATCH");
            other.checkSequence("SET a 1");
            d.checkSequence("MULTI", "GET a", "EXEC");

            d.checkSequence("WATCH a", "MULTI", "DISCARD");
            other.checkSequence("SET a 2");
            d.checkSequence("MULTI", "GET a", "EXEC");

            d.checkSequence("WATCH a", "RESET");
            other.checkSequence("SET a 3");
            d.checkSequence("MULTI", "GET a", "EXEC");

            // UNWATCH after the modification clears the failure
            d.checkSequence("WATCH a");
            other.checkSequence("SET a 4");
            d.checkSequence("UNWATCH", "MULTI", "GET a", "EXEC");

            // watching twice, and more keys later, still one watch each
            d.checkSequence("WATCH a", "WATCH a b", "WATCH a");
            other.checkSequence("SET b 1");
            d.checkSequence("MULTI", "GET b", "EXEC");
        }
    }

    @ProtocolTest
    void watchesBelongToTheirDatabase(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("SELECT 1", "WATCH a");
            other.checkSequence("SET a 0");
            d.checkSequence("MULTI", "GET a", "EXEC");

            d.checkSequence("WATCH a");
            other.checkSequence("SELECT 1", "SET a 1", "SELECT 0");
            d.checkSequence("SELECT 0", "MULTI", "GET a", "EXEC");

            // MOVE touches the source and the destination
            d.checkSequence("SELECT 2", "WATCH m");
            other.checkSequence("SET m x", "MOVE m 2");
            d.checkSequence("MULTI", "GET m", "EXEC", "SELECT 0");
        }
    }

    @ProtocolTest
    void flushTouchesOnlyKeysThatExisted(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("SET a 1", "WATCH a");
            other.checkSequence("FLUSHDB");
            d.checkSequence("MULTI", "PING", "EXEC");

            d.checkSequence("WATCH nokey");
            other.checkSequence("FLUSHDB");
            d.checkSequence("MULTI", "PING", "EXEC");

            d.checkSequence("SET a 1", "WATCH a");
            other.checkSequence("SELECT 3", "FLUSHDB", "SELECT 0");
            d.checkSequence("MULTI", "PING", "EXEC");

            d.checkSequence("SELECT 3", "SET a 1", "WATCH a", "SELECT 0");
            other.checkSequence("FLUSHALL");
            d.checkSequence("MULTI", "PING", "EXEC");

            d.checkSequence("SET a 1", "WATCH a", "MULTI", "FLUSHDB", "EXEC");
        }
    }

    @ProtocolTest
    void watchedKeyThatExpires(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            // live when watched, expired by EXEC (removed or not by then): EXEC fails
            d.checkSequence("SET k v PX 150", "WATCH k");
            KeyCommandsDifferentialTest.sleepMillis(400);
            d.checkSequence("MULTI", "PING", "EXEC");

            // already expired when watched: its removal is no change...
            d.checkSequence("SET k v PX 20");
            KeyCommandsDifferentialTest.sleepMillis(150);
            d.checkSequence("WATCH k");
            other.checkSequence("GET k", "DEL k", "EXISTS k");
            d.checkSequence("MULTI", "PING", "EXEC");

            d.checkSequence("SET k v PX 20");
            KeyCommandsDifferentialTest.sleepMillis(150);
            d.checkSequence("WATCH k");
            KeyCommandsDifferentialTest.sleepMillis(250); // active expiry may remove it meanwhile
            d.checkSequence("MULTI", "PING", "EXEC");

            // ...but storing it again is
            d.checkSequence("SET k v PX 20");
            KeyCommandsDifferentialTest.sleepMillis(150);
            d.checkSequence("WATCH k");
            other.checkSequence("SET k again");
            d.checkSequence("MULTI", "GET k", "EXEC");

            // a watched key given an expiry that has not passed yet is modified (EXPIRE touches it)
            d.checkSequence("SET k v", "WATCH k");
            other.checkSequence("PEXPIRE k 100000");
            d.checkSequence("MULTI", "PTTL k", "EXEC");
        }
    }

    @ProtocolTest
    void execRepliesInsideTheArrayFollowTheProtocol(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence(
                    "HSET h a 1 b 2", "ZADD z 1.5 m",
                    "MULTI", "HGETALL h", "ZSCORE z m", "ZRANGE z 0 -1 WITHSCORES", "GET nokey", "HGETALL nokey",
                    "SMEMBERS nokey", "EXISTS h", "CONFIG GET maxmemory", "LPOS nokey a",
                    "ZRANDMEMBER nokey", "EXEC");
            // a queued HELLO switches the protocol of the replies after it (HELLO's own reply
            // carries the connection id: compared by shape)
            d.checkSequence("MULTI", "HELLO 2", "HGETALL h", "ZSCORE z m");
            d.checkShape("EXEC");
            d.checkSequence("HGETALL h");
        }
    }

    @ProtocolTest
    void watchFailureIsANullArray(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("WATCH k");
            other.checkSequence("SET k 1");
            d.checkSequence("MULTI", "SET k 2", "NOSUCH", "EXEC", "GET k");
            d.checkSequence("WATCH k");
            other.checkSequence("SET k 3");
            d.checkSequence("MULTI", "SET k 4", "EXEC", "GET k");
        }
    }

    @ProtocolTest
    void clientListShowsMultiAndDirtyState(ProtocolVersion protocol) {
        try (Differential d = open(protocol); Differential other = d.openPeer()) {
            d.checkSequence("CLIENT SETNAME watcher");
            assertMultiFields(other, "flags=N multi=-1");
            d.checkSequence("WATCH k");
            other.checkSequence("SET k 1");
            assertMultiFields(other, "flags=d multi=-1");
            d.checkSequence("MULTI", "SET x 1", "GET x");
            assertMultiFields(other, "flags=xd multi=0"); // a doomed transaction queues nothing
            d.checkSequence("EXEC");
            assertMultiFields(other, "flags=N multi=-1");
            d.checkSequence("MULTI", "SET x 1", "GET x");
            assertMultiFields(other, "flags=x multi=2");
            d.checkSequence("NOSUCH", "SET y 1");
            assertMultiFields(other, "flags=x multi=2");
            d.checkSequence("DISCARD");
            assertMultiFields(other, "flags=N multi=-1");
        }
    }

    /** The {@code flags=} and {@code multi=} fields of the client named "watcher", same on both servers. */
    private static void assertMultiFields(Differential other, String expected) {
        Differential.Replies r = other.sendBoth("CLIENT", "LIST");
        assertEquals(expected, multiFields(r.reference().text()), "redis");
        assertEquals(expected, multiFields(r.candidate().text()), "respkv");
    }

    private static String multiFields(String clientList) {
        for (String line : clientList.split("\n")) {
            if (line.contains(" name=watcher ")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (flags=\\S+) .* (multi=\\S+) ").matcher(line);
                return m.find() ? m.group(1) + " " + m.group(2) : line;
            }
        }
        return clientList;
    }

    // ---- respkv only: atomicity of EXEC under concurrency ----

    /**
     * One client EXECs INCRs of three counters and an MSET of three keys in a loop while another
     * reads them with MGET: it must never see part of an EXEC.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anotherClientNeverSeesPartOfAnExec() throws Exception {
        RespTarget target = new RespTarget("respkv", "127.0.0.1", respkvPort());
        try (RawRespClient setup = RawRespClient.connect(target)) {
            setup.call("FLUSHALL");
            setup.call("MSET", "c1", "0", "c2", "0", "c3", "0", "m1", "0", "m2", "0", "m3", "0");
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        int[] reads = new int[1];
        Thread reader = new Thread(() -> {
            try (RawRespClient r = RawRespClient.connect(target)) {
                while (!done.get() && broken.get() == null) {
                    RespFrame f = r.call("MGET", "c1", "c2", "c3", "m1", "m2", "m3");
                    List<RespFrame> v = f.elements();
                    String c = v.get(0).text();
                    String m = v.get(3).text();
                    for (int i = 0; i < 3; i++) {
                        if (!c.equals(v.get(i).text()) || !m.equals(v.get(3 + i).text())) {
                            broken.set("partial EXEC seen: " + f);
                        }
                    }
                    reads[0]++;
                }
            } catch (Exception e) {
                broken.compareAndSet(null, "reader failed: " + e);
            }
        }, "mget-reader");
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int execs = 0;
        try (RawRespClient w = RawRespClient.connect(target)) {
            while (execs < 3000 && System.nanoTime() < deadline && broken.get() == null) {
                String n = Integer.toString(execs + 1);
                w.send(io.respkv.server.difftest.RespCommand.of("MULTI"));
                w.send(io.respkv.server.difftest.RespCommand.of("INCR", "c1"));
                w.send(io.respkv.server.difftest.RespCommand.of("INCR", "c2"));
                w.send(io.respkv.server.difftest.RespCommand.of("MSET", "m1", n, "m2", n, "m3", n));
                w.send(io.respkv.server.difftest.RespCommand.of("INCR", "c3"));
                w.send(io.respkv.server.difftest.RespCommand.of("EXEC"));
                for (int i = 0; i < 5; i++) {
                    w.readReply();
                }
                RespFrame exec = w.readReply();
                assertEquals(4, exec.elements().size(), () -> "EXEC replied " + exec);
                execs++;
            }
        } finally {
            done.set(true);
            reader.join(10_000);
        }
        assertEquals(null, broken.get());
        assertTrue(execs > 50 && reads[0] > 50, "too little concurrency: " + execs + " EXECs, " + reads[0] + " reads");
        try (RawRespClient check = RawRespClient.connect(target)) {
            assertEquals(Integer.toString(execs), check.call("GET", "c3").text());
        }
    }

    /**
     * Several clients increment one counter with WATCH/GET/MULTI/SET/EXEC, retrying when EXEC
     * replies null: no increment may be lost (optimistic locking works under concurrency).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void optimisticIncrementsAreNeverLost() throws Exception {
        RespTarget target = new RespTarget("respkv", "127.0.0.1", respkvPort());
        try (RawRespClient setup = RawRespClient.connect(target)) {
            setup.call("FLUSHALL");
        }
        int clients = 3;
        int each = 400;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] conflicts = new int[clients];
        Thread[] threads = new Thread[clients];
        for (int t = 0; t < clients; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try (RawRespClient c = RawRespClient.connect(target)) {
                    for (int done = 0; done < each; ) {
                        c.call("WATCH", "counter");
                        RespFrame v = c.call("GET", "counter");
                        long n = v.isNull() ? 0 : Long.parseLong(v.text());
                        c.call("MULTI");
                        c.call("SET", "counter", Long.toString(n + 1));
                        RespFrame exec = c.call("EXEC");
                        if (exec.isNull()) {
                            conflicts[id]++;
                        } else if (exec.elements().size() == 1 && "OK".equals(exec.elements().get(0).text())) {
                            done++;
                        } else {
                            throw new AssertionError("EXEC replied " + exec);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(50_000);
        }
        assertEquals(null, failure.get());
        try (RawRespClient check = RawRespClient.connect(target)) {
            assertEquals(Integer.toString(clients * each), check.call("GET", "counter").text());
        }
    }
}
