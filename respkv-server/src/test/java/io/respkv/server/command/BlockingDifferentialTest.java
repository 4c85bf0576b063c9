package io.respkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.BytesFormat;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RawRespClient;
import io.respkv.server.difftest.RespCommand;
import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespTarget;
import io.respkv.server.difftest.RespkvDifferentialTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP)
 * against redis-server 7.0.15 and respkv: each scenario runs with
 * several connections on one server, then on the other, and the transcripts (every reply, in
 * order, byte for byte, plus what had not arrived yet where that matters) must be equal. Both
 * runs also check the timing facts that are not in the bytes (a timeout fires after its time,
 * not long after). Scenarios wait until the server reports its clients blocked
 * ({@code INFO clients}) before acting, so the order of events is the same on both.
 */
class BlockingDifferentialTest extends RespkvDifferentialTest {

    private static final Duration QUIET = Duration.ofMillis(150);
    private static final Pattern BLOCKED = Pattern.compile("blocked_clients:(\\d+)");

    @FunctionalInterface
    interface Scenario {
        void run(Session s) throws Exception;
    }

    /** The connections of one scenario run on one server, and its transcript. */
    final class Session implements AutoCloseable {
        final RespTarget target;
        final ProtocolVersion protocol;
        final List<String> transcript = new ArrayList<>();
        final List<RawRespClient> clients = new ArrayList<>();
        final RawRespClient control;

        Session(RespTarget target, ProtocolVersion protocol) throws IOException {
            this.target = target;
            this.protocol = protocol;
            this.control = client();
            control.call("FLUSHALL");
        }

        /** A new connection in the scenario's protocol. */
        RawRespClient client() throws IOException {
            RawRespClient c = RawRespClient.connect(target);
            clients.add(c);
            if (protocol == ProtocolVersion.RESP3) {
                RespFrame hello = c.call("HELLO", "3");
                assertTrue(!hello.isError(), () -> "HELLO 3 failed: " + hello);
            }
            return c;
        }

        /** Sends a command and records its reply under {@code label}. */
        RespFrame call(String label, RawRespClient c, String line) throws IOException {
            RespFrame reply = c.call(RespCommand.parse(line));
            transcript.add(label + " " + line + " -> " + reply);
            return reply;
        }

        /** Sends a command without reading (it blocks). */
        void send(String label, RawRespClient c, String line) throws IOException {
            c.send(RespCommand.parse(line));
            transcript.add(label + " " + line + " (sent)");
        }

        /** Reads and records one reply of {@code c}. */
        RespFrame reply(String label, RawRespClient c) throws IOException {
            RespFrame reply = c.readReply();
            transcript.add(label + " <- " + reply);
            return reply;
        }

        /** Records what {@code c} received within a short quiet period (nothing, for a blocked client). */
        void pending(String label, RawRespClient c) throws IOException {
            RawRespClient.Drained got = c.drain(QUIET, Duration.ofSeconds(2), 1 << 16);
            transcript.add(label + " pending: " + BytesFormat.quote(got.bytes(), 200) + (got.closed() ? " closed" : ""));
        }

        /** Waits (bounded) until the server reports {@code n} blocked clients. */
        void awaitBlocked(int n) throws IOException, InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int last = -1;
            while (System.nanoTime() < end) {
                Matcher m = BLOCKED.matcher(control.call("INFO", "clients").text());
                last = m.find() ? Integer.parseInt(m.group(1)) : -1;
                if (last == n) {
                    return;
                }
                Thread.sleep(5);
            }
            fail(target + ": expected " + n + " blocked clients, last saw " + last);
        }

        @Override
        public void close() throws IOException {
            for (RawRespClient c : clients) {
                c.close();
            }
        }
    }

    private void compare(ProtocolVersion protocol, Scenario scenario) throws Exception {
        List<String> expected = run(redis().target(), protocol, scenario);
        List<String> actual = run(RespTarget.loopback("respkv", respkvPort()), protocol, scenario);
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    private List<String> run(RespTarget target, ProtocolVersion protocol, Scenario scenario) throws Exception {
        try (Session s = new Session(target, protocol)) {
            scenario.run(s);
            s.awaitBlocked(0);
            return s.transcript;
        }
    }

    @ProtocolTest
    void pushWakesABlockedClient(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient b = s.client();
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.pending("A", a);
            s.call("B", b, "RPUSH q x");
            s.reply("A", a);
            // the waiter was served before the pusher's next command
            s.call("B", b, "LLEN q");
            s.call("B", b, "EXISTS q");
            s.send("A", a, "BRPOP q 0");
            s.awaitBlocked(1);
            s.call("B", b, "LPUSH q y z");
            s.reply("A", a);
            s.call("B", b, "LRANGE q 0 -1");
        });
    }

    @ProtocolTest
    void waitersAreServedInTheOrderTheyBlocked(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient b = s.client();
            RawRespClient c = s.client();
            RawRespClient pusher = s.client();
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.send("B", b, "BRPOP q 0");
            s.awaitBlocked(2);
            s.send("C", c, "BLPOP other q 0");
            s.awaitBlocked(3);
            s.call("P", pusher, "RPUSH q 1 2");
            s.reply("A", a);
            s.reply("B", b);
            s.pending("C", c);
            s.call("P", pusher, "LLEN q");
            s.call("P", pusher, "RPUSH q 3 4");
            s.reply("C", c);
            s.call("P", pusher, "LRANGE q 0 -1");
        });
    }

    @ProtocolTest
    void oneWaiterPerElement(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient b = s.client();
            RawRespClient c = s.client();
            RawRespClient pusher = s.client();
            s.send("A", a, "BRPOP q 0");
            s.awaitBlocked(1);
            s.send("B", b, "BLPOP q 0");
            s.awaitBlocked(2);
            s.send("C", c, "BLPOP q 0");
            s.awaitBlocked(3);
            s.call("P", pusher, "RPUSH q 1");
            s.reply("A", a);
            s.pending("B", b);
            s.call("P", pusher, "RPUSH q 2 3 4");
            s.reply("B", b);
            s.reply("C", c);
            s.call("P", pusher, "LRANGE q 0 -1");
        });
    }

    @ProtocolTest
    void timeoutRepliesANullArray(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            long start = System.nanoTime();
            s.call("A", a, "BLPOP q 0.2");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 190 && elapsedMs < 2_000, s.target + ": BLPOP 0.2 took " + elapsedMs + " ms");
            start = System.nanoTime();
            s.call("A", a, "BRPOP q 1");
            elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 990 && elapsedMs < 3_000, s.target + ": BRPOP 1 took " + elapsedMs + " ms");
            s.call("A", a, "BLMOVE q d LEFT RIGHT 0.05");
            s.call("A", a, "BRPOPLPUSH q d 0.01");
            s.call("A", a, "BLMPOP 0.01 2 q r LEFT COUNT 3");
            s.call("A", a, "BLPOP q 0.0001");
            s.call("A", a, "EXISTS q d");
            s.call("A", a, "PING");
        });
    }

    @ProtocolTest
    void disconnectReleasesTheWaiter(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient b = s.client();
            RawRespClient pusher = s.client();
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.send("B", b, "BLPOP q 0");
            s.awaitBlocked(2);
            a.close();
            s.awaitBlocked(1);
            s.call("P", pusher, "RPUSH q x y");
            s.reply("B", b);
            s.call("P", pusher, "LRANGE q 0 -1");
            b.close();
            s.awaitBlocked(0);
            s.send("C", pusher, "BLMOVE nokey dst LEFT LEFT 0");
            s.awaitBlocked(1);
            pusher.close();
            s.awaitBlocked(0);
            RawRespClient d = s.client();
            s.call("D", d, "RPUSH nokey v");
            s.call("D", d, "LRANGE nokey 0 -1");
            s.call("D", d, "EXISTS dst");
        });
    }

    @ProtocolTest
    void blmoveMovesToAnotherListAndWakesItsWaiters(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient mover = s.client();
            RawRespClient reader = s.client();
            RawRespClient pusher = s.client();
            s.send("M", mover, "BLMOVE src dst RIGHT LEFT 0");
            s.awaitBlocked(1);
            s.call("P", pusher, "RPUSH src a b");
            s.reply("M", mover);
            s.call("P", pusher, "LRANGE src 0 -1");
            s.call("P", pusher, "LRANGE dst 0 -1");
            // chained: the element BLMOVE pushes onto dst serves a client blocked on dst
            s.call("P", pusher, "DEL src dst");
            s.send("R", reader, "BLPOP dst 0");
            s.awaitBlocked(1);
            s.send("M", mover, "BRPOPLPUSH src dst 0");
            s.awaitBlocked(2);
            s.call("P", pusher, "LPUSH src x");
            s.reply("M", mover);
            s.reply("R", reader);
            s.call("P", pusher, "EXISTS src dst");
            // onto itself
            s.send("M", mover, "BLMOVE self self LEFT RIGHT 0");
            s.awaitBlocked(1);
            s.call("P", pusher, "RPUSH self 1 2 3");
            s.reply("M", mover);
            s.call("P", pusher, "LRANGE self 0 -1");
        });
    }

    @ProtocolTest
    void blmoveToAWrongTypeDestinationFailsWhenServed(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient mover = s.client();
            RawRespClient other = s.client();
            RawRespClient pusher = s.client();
            s.send("M", mover, "BLMOVE src dst LEFT RIGHT 0");
            s.awaitBlocked(1);
            s.send("O", other, "BLPOP src 0");
            s.awaitBlocked(2);
            s.call("P", pusher, "SET dst str");
            s.call("P", pusher, "RPUSH src v1");
            s.reply("M", mover);
            s.reply("O", other);
            s.call("P", pusher, "EXISTS src");
            s.call("P", pusher, "GET dst");
        });
    }

    @ProtocolTest
    void pipelinedCommandsAfterABlockingCommandWaitTheirTurn(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient pusher = s.client();
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (String line : new String[] {"PING first", "BLPOP q 0", "PING after", "LLEN q", "BLPOP q 0",
                "RPOP q"}) {
                pipeline.write(RespCommand.parse(line).encode());
            }
            a.sendRaw(pipeline.toByteArray());
            s.transcript.add("A pipeline sent");
            s.reply("A", a);
            s.awaitBlocked(1);
            s.pending("A", a);
            s.call("P", pusher, "RPUSH q x y");
            s.reply("A", a);
            s.reply("A", a);
            s.reply("A", a);
            // the second BLPOP took y without blocking; RPOP found nothing
            s.reply("A", a);
            s.reply("A", a);
            s.call("A", a, "PING end");
            // a command sent while blocked runs after the blocked one completes
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.send("A", a, "LPUSH q mine");
            s.pending("A", a);
            s.call("P", pusher, "RPUSH q theirs");
            s.reply("A", a);
            s.reply("A", a);
            s.call("P", pusher, "LRANGE q 0 -1");
        });
    }

    @ProtocolTest
    void wakingRules(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient p = s.client();
            // several keys: served from the one pushed
            s.send("A", a, "BLPOP k1 k2 k1 0");
            s.awaitBlocked(1);
            s.call("P", p, "RPUSH k2 v");
            s.reply("A", a);
            // a key that becomes another type does not wake; a list created later does
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.call("P", p, "SET q s");
            s.call("P", p, "APPEND q t");
            s.pending("A", a);
            s.call("P", p, "DEL q");
            s.call("P", p, "RPUSH q z");
            s.reply("A", a);
            // BLMPOP with a count takes up to count from one list
            s.send("A", a, "BLMPOP 0 2 m1 m2 RIGHT COUNT 5");
            s.awaitBlocked(1);
            s.call("P", p, "RPUSH m2 a b c");
            s.reply("A", a);
            s.call("P", p, "EXISTS m2");
            // pushes by LMOVE, RPOPLPUSH, LINSERT-free paths, RENAME and COPY wake waiters too
            s.call("P", p, "RPUSH s1 e1 e2");
            s.send("A", a, "BLPOP t1 0");
            s.awaitBlocked(1);
            s.call("P", p, "LMOVE s1 t1 LEFT LEFT");
            s.reply("A", a);
            s.send("A", a, "BRPOP t2 0");
            s.awaitBlocked(1);
            s.call("P", p, "RENAME s1 t2");
            s.reply("A", a);
            s.call("P", p, "RPUSH s3 c1");
            s.send("A", a, "BLPOP t3 0");
            s.awaitBlocked(1);
            s.call("P", p, "COPY s3 t3");
            s.reply("A", a);
            s.call("P", p, "EXISTS t1 t2 t3 s3");
        });
    }

    @ProtocolTest
    void databasesAreSeparate(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient p = s.client();
            s.call("A", a, "SELECT 1");
            s.send("A", a, "BLPOP q 0");
            s.awaitBlocked(1);
            s.call("P", p, "RPUSH q in-db0");
            s.pending("A", a);
            s.call("P", p, "MOVE q 1");
            s.reply("A", a);
            s.call("P", p, "SELECT 1");
            s.call("P", p, "EXISTS q");
            s.send("A", a, "BLPOP q2 0");
            s.awaitBlocked(1);
            s.call("P", p, "RPUSH q2 in-db1");
            s.reply("A", a);
            s.call("P", p, "SELECT 0");
            s.call("P", p, "RPUSH c x");
            s.send("A", a, "BLPOP c 0");
            s.awaitBlocked(1);
            s.call("P", p, "COPY c c DB 1");
            s.reply("A", a);
            s.call("P", p, "LLEN c");
        });
    }

    // ---- sorted sets ----

    @ProtocolTest
    void sortedSetPopsWithoutBlockingAndTheirErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("ZADD z 1 a 2 b 3 c -0 d 1.5 e", "ZADD y 10 m 11 n 12 o 13 p", "SET s v", "RPUSH l x",
                    "BZPOPMIN z 0", "BZPOPMAX z 0", "BZPOPMIN nokey z 0.5", "BZPOPMAX nokey y 0",
                    "BZMPOP 0 1 z MIN", "BZMPOP 0 2 nokey z MAX COUNT 5", "EXISTS z", "BZMPOP 0 1 y min count 1",
                    "BZPOPMIN s 0", "BZPOPMIN nokey s 0", "BZPOPMIN y s 0", "BZPOPMAX l 0", "BZMPOP 0 2 l y MIN",
                    "BLPOP y 0", "BZPOPMIN nokey abc", "BZPOPMIN s -1", "BZPOPMAX y inf", "BZPOPMIN y nan",
                    "BZMPOP abc 1 y MIN", "BZMPOP -1 1 y MIN", "BZMPOP 0 0 y MIN", "BZMPOP 0 1 y MIDDLE",
                    "BZMPOP abc 1 y MIDDLE", "BZMPOP abc 0 y MIN", "BZMPOP 0 1 y MIN COUNT 0",
                    "BZMPOP 0 1 y MIN COUNT -1", "BZMPOP 0 1 y MIN COUNT abc", "BZMPOP 0 1 y MIN COUNT 1 COUNT 1",
                    "BZMPOP 0 1 y MIN foo", "BZMPOP 0 2 y MIN", "BZMPOP 0 9223372036854775807 y MIN",
                    "BZPOPMIN", "BZPOPMIN y", "BZMPOP 0 1", "BZMPOP 0 1 y", "ZADD inf -inf lo +inf hi",
                    "BZPOPMAX inf 0", "BZPOPMIN inf 0");
        }
    }

    @ProtocolTest
    void sortedSetWaiters(ProtocolVersion protocol) throws Exception {
        compare(protocol, s -> {
            RawRespClient a = s.client();
            RawRespClient b = s.client();
            RawRespClient c = s.client();
            RawRespClient p = s.client();
            s.send("A", a, "BZPOPMIN z 0");
            s.awaitBlocked(1);
            s.send("B", b, "BZPOPMAX z other 0");
            s.awaitBlocked(2);
            s.send("C", c, "BZMPOP 0 2 other z MAX COUNT 2");
            s.awaitBlocked(3);
            s.call("P", p, "ZADD z 5 five 1 one 3 three 4 four 2 two 6 six");
            s.reply("A", a);
            s.reply("B", b);
            s.reply("C", c);
            s.call("P", p, "ZRANGE z 0 -1 WITHSCORES");
            // a list pushed under a key a sorted-set waiter waits on does not serve it, and the
            // list waiter behind it is served
            s.call("P", p, "DEL z");
            s.send("A", a, "BZPOPMIN mixed 0");
            s.awaitBlocked(1);
            s.send("B", b, "BLPOP mixed 0");
            s.awaitBlocked(2);
            s.call("P", p, "RPUSH mixed e1");
            s.reply("B", b);
            s.pending("A", a);
            s.call("P", p, "ZADD mixed 7 seven");
            s.reply("A", a);
            // timeouts
            s.call("C", c, "BZPOPMAX nothing 0.05");
            s.call("C", c, "BZMPOP 0.05 1 nothing MIN");
        });
    }
}
