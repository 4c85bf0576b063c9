package io.respkv.examples.transactions;

import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * Transfers money between two accounts from several threads at once with Redis's optimistic
 * locking, through Jedis, against respkv embedded in this JVM: each transfer WATCHes both
 * balances, reads the payer's, and moves the amount in MULTI/EXEC. When another transfer changed
 * a watched balance in between, EXEC does nothing and replies null, and the transfer starts
 * again. The total never changes and no balance goes below zero.
 *
 * <pre>
 * usage: OptimisticTransferExample [transfers-per-thread [threads]]     (default 200 4)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.transactions.OptimisticTransferExample
 * </pre>
 */
public final class OptimisticTransferExample {

    /** What a run did: the final balances, the transfers made and the EXECs that had to be retried. */
    public record Outcome(long alice, long bob, long transfers, long retries) {
    }

    private static final long OPENING_BALANCE = 1_000;

    private OptimisticTransferExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 2 || !java.util.Arrays.stream(args).allMatch(a -> a.matches("[1-9]\\d{0,6}"))) {
            System.err.println("usage: OptimisticTransferExample [transfers-per-thread [threads]]");
            System.exit(2);
        }
        int transfers = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Outcome o = run(transfers, threads);
        System.out.printf("%d transfers (%d EXECs retried after a conflict): alice %d + bob %d = %d%n",
                o.transfers(), o.retries(), o.alice(), o.bob(), o.alice() + o.bob());
    }

    /** Starts a server, runs {@code transfersPerThread} transfers on each of {@code threads} threads, stops it. */
    public static Outcome run(int transfersPerThread, int threads) throws InterruptedException {
        try (RespServer server = RespServer.builder().port(0).eventLoopThreads(threads).start().join()) {
            try (Jedis jedis = connect(server)) {
                jedis.set("alice", Long.toString(OPENING_BALANCE));
                jedis.set("bob", Long.toString(OPENING_BALANCE));
            }
            AtomicLong done = new AtomicLong();
            AtomicLong retries = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    try (Jedis jedis = connect(server)) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int i = 0; i < transfersPerThread; i++) {
                            boolean toBob = random.nextBoolean();
                            if (transfer(jedis, toBob ? "alice" : "bob", toBob ? "bob" : "alice",
                                    1 + random.nextInt(50), retries)) {
                                done.incrementAndGet();
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
                        done.get(), retries.get());
            }
        }
    }

    /**
     * Moves {@code amount} from {@code from} to {@code to} unless {@code from} has less: WATCH,
     * read, MULTI, DECRBY, INCRBY, EXEC; again from WATCH while EXEC replies null. Returns
     * whether the money moved.
     */
    static boolean transfer(Jedis jedis, String from, String to, long amount, AtomicLong retries) {
        while (true) {
            jedis.watch(from, to);
            long balance = Long.parseLong(jedis.get(from));
            if (balance < amount) {
                jedis.unwatch();
                return false;
            }
            Transaction tx = jedis.multi();
            tx.decrBy(from, amount);
            tx.incrBy(to, amount);
            List<Object> replies = tx.exec();
            if (replies != null) {
                return true; // both writes committed together
            }
            retries.incrementAndGet(); // a watched balance changed since WATCH: nothing was done
        }
    }

    private static Jedis connect(RespServer server) {
        return new Jedis(server.bindAddress(), server.activePort());
    }
}
