package io.respkv.examples.scripting;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;

/**
 * Transfers money between two accounts from several threads at once with one Lua script per
 * transfer, through Jedis, against respkv embedded in this JVM. The script reads the payer's
 * balance, refuses an overdraft with {@code redis.error_reply}, and moves the amount: it runs as
 * one engine transaction, so no other client sees a half-done transfer and no WATCH/retry loop
 * is needed on the client side. The script is loaded once ({@code SCRIPT LOAD}) and run by SHA1.
 *
 * <pre>
 * usage: LuaTransferExample [transfers-per-thread [threads]]     (default 200 4)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.scripting.LuaTransferExample
 * </pre>
 */
public final class LuaTransferExample {

    /** What a run did: the final balances, the transfers made and those refused for lack of funds. */
    public record Outcome(long alice, long bob, long transfers, long refused) {
    }

    private static final long OPENING_BALANCE = 1_000;

    /** KEYS[1] pays ARGV[1] to KEYS[2]; replies the payer's new balance, or an INSUFFICIENT error. */
    static final String TRANSFER = """
            local balance = tonumber(redis.call('get', KEYS[1]) or '0')
            local amount = tonumber(ARGV[1])
            if balance < amount then
              return redis.error_reply('INSUFFICIENT funds: ' .. balance)
            end
            redis.call('decrby', KEYS[1], amount)
            redis.call('incrby', KEYS[2], amount)
            return balance - amount
            """;

    private LuaTransferExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 2 || !java.util.Arrays.stream(args).allMatch(a -> a.matches("[1-9]\\d{0,6}"))) {
            System.err.println("usage: LuaTransferExample [transfers-per-thread [threads]]");
            System.exit(2);
        }
        int transfers = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Outcome o = run(transfers, threads);
        System.out.printf("%d transfers (%d refused for lack of funds): alice %d + bob %d = %d%n",
                o.transfers(), o.refused(), o.alice(), o.bob(), o.alice() + o.bob());
    }

    /** Starts a server, runs {@code transfersPerThread} transfers on each of {@code threads} threads, stops it. */
    public static Outcome run(int transfersPerThread, int threads) throws InterruptedException {
        try (RespServer server = RespServer.builder().port(0).eventLoopThreads(threads).start().join()) {
            String sha;
            try (Jedis jedis = connect(server)) {
                jedis.set("alice", Long.toString(OPENING_BALANCE));
                jedis.set("bob", Long.toString(OPENING_BALANCE));
                sha = jedis.scriptLoad(TRANSFER);
            }
            AtomicLong done = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    try (Jedis jedis = connect(server)) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int i = 0; i < transfersPerThread; i++) {
                            boolean toBob = random.nextBoolean();
                            String amount = Integer.toString(1 + random.nextInt(200));
                            try {
                                jedis.evalsha(sha, List.of(toBob ? "alice" : "bob", toBob ? "bob" : "alice"),
                                        List.of(amount));
                                done.incrementAndGet();
                            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                                if (!e.getMessage().startsWith("INSUFFICIENT")) {
                                    throw e;
                                }
                                refused.incrementAndGet();
                            }
                        }
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }, "transfer-" + t);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException("a transfer failed", failures.get(0));
            }
            try (Jedis jedis = connect(server)) {
                return new Outcome(Long.parseLong(jedis.get("alice")), Long.parseLong(jedis.get("bob")),
                        done.get(), refused.get());
            }
        }
    }

    private static Jedis connect(RespServer server) {
        return new Jedis("127.0.0.1", server.activePort(), 10_000);
    }
}
