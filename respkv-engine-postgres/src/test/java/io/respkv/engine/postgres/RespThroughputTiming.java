package io.respkv.engine.postgres;

import io.respkv.api.Durability;
import io.respkv.server.RespServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * SET and GET per second from plain Jedis loops (one request in flight per client, no pipelining)
 * against respkv over a local embedded PostgreSQL with its default fsync on, SYNC and ASYNC, 1 and
 * 4 clients. Not a test (a rough number for docs/engines.md); run it with main class
 * {@code io.respkv.engine.postgres.RespThroughputTiming} on the module's test classpath.
 */
public final class RespThroughputTiming {

    private static final int OPS_PER_CLIENT = 3_000;

    private RespThroughputTiming() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            System.out.println("durability clients   SET/s   GET/s");
            for (int round = 0; round < 2; round++) { // the first round warms up the JIT and is not printed
            for (Durability durability : Durability.values()) {
                for (int clients : new int[] {1, 4}) {
                    try (PostgresEngine engine = PostgresEngine.builder().url(url).user("postgres")
                                 .schema("timing_" + durability.name().toLowerCase() + clients + "_" + round).durability(durability)
                                 .poolSize(clients + 2).build();
                         RespServer server = RespServer.builder().port(0).eventLoopThreads(clients).engine(engine)
                                 .start().join()) {
                        double set = run(server.activePort(), clients, true);
                        double get = run(server.activePort(), clients, false);
                        if (round == 1) {
                            System.out.printf("%-10s %7d %7.0f %7.0f%n", durability, clients, set, get);
                        }
                    }
                }
            }
            }
        }
    }

    private static double run(int port, int clients, boolean set) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port),
                            DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).build())) {
                        for (int i = 0; i < OPS_PER_CLIENT; i++) {
                            String key = "key:" + client + ":" + (i % 1000);
                            if (set) {
                                j.set(key, "value-" + i);
                            } else {
                                j.get(key);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return clients * OPS_PER_CLIENT * 1e9 / (System.nanoTime() - start);
        } finally {
            pool.shutdownNow();
        }
    }
}
