package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.RespServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Two respkv servers over engines that share one store (PostgreSQL, TiKV): what several stateless
 * respkv instances behind a load balancer are, for the shared-store engines' cross-instance
 * tests. Clients are Jedis connections spread over both instances; {@link #close} stops them and
 * both servers (which close their engines).
 */
public final class TwoInstances implements AutoCloseable {

    private final int clientsPerInstance;
    private final int socketTimeoutMillis;
    private final List<RespServer> servers = new ArrayList<>();
    private final ExecutorService clients;

    /**
     * Starts two servers, instance {@code i} over {@code engine.apply(i)}, each with one event loop
     * per client; clients give up on a reply after {@code socketTimeoutMillis}.
     */
    public TwoInstances(int clientsPerInstance, int socketTimeoutMillis, IntFunction<KeyspaceEngine> engine) {
        this.clientsPerInstance = clientsPerInstance;
        this.socketTimeoutMillis = socketTimeoutMillis;
        for (int i = 0; i < 2; i++) {
            servers.add(RespServer.builder().port(0).eventLoopThreads(clientsPerInstance).ownedEngine(engine.apply(i))
                    .start().join());
        }
        clients = Executors.newFixedThreadPool(clients());
    }

    /** Every client of both instances. */
    public int clients() {
        return 2 * clientsPerInstance;
    }

    /** A RESP2 Jedis connection to instance 0 or 1. */
    public Jedis connect(int instance) {
        return new Jedis(new HostAndPort("127.0.0.1", servers.get(instance).activePort()),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).socketTimeoutMillis(socketTimeoutMillis).build());
    }

    /** Runs {@code work(client id, jedis)} on every client at once, client {@code c} on instance {@code c % 2}. */
    public void onAllClients(ClientWork work) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients(); c++) {
            int client = c;
            done.add(clients.submit(() -> {
                try (Jedis jedis = connect(client % 2)) {
                    go.await();
                    work.run(client, jedis);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(150, TimeUnit.SECONDS);
        }
    }

    /** What one client does. */
    @FunctionalInterface
    public interface ClientWork {
        void run(int client, Jedis jedis) throws Exception;
    }

    /**
     * Every client writes {@code perClient} elements to one hash, one list and one set (and, with
     * {@code zset}, one sorted set, scored so the order is known) at once; then both instances must
     * see every element of every client: no update lost to a concurrent one.
     */
    public void collectionWritesLoseNothing(int perClient, boolean zset) throws Exception {
        onAllClients((client, jedis) -> {
            for (int i = 0; i < perClient; i++) {
                String id = client + ":" + i;
                jedis.hset("hash", "f" + id, id);
                jedis.lpush("list", id);
                if (zset) {
                    jedis.zadd("zset", client * 1000 + i, "m" + id);
                }
                jedis.sadd("set", "m" + id);
            }
        });
        int total = clients() * perClient;
        Set<String> expectedIds = new HashSet<>();
        for (int c = 0; c < clients(); c++) {
            for (int i = 0; i < perClient; i++) {
                expectedIds.add(c + ":" + i);
            }
        }
        for (int instance = 0; instance < 2; instance++) {
            try (Jedis j = connect(instance)) {
                assertEquals(total, j.hlen("hash"));
                assertEquals(total, j.llen("list"));
                assertEquals(total, j.scard("set"));
                Map<String, String> hash = j.hgetAll("hash");
                for (String id : expectedIds) {
                    assertEquals(id, hash.get("f" + id));
                }
                assertEquals(expectedIds, new HashSet<>(j.lrange("list", 0, -1)));
                Set<String> members = j.smembers("set");
                for (String id : expectedIds) {
                    assertTrue(members.contains("m" + id), id);
                }
                if (zset) {
                    assertEquals(total, j.zcard("zset"));
                    List<String> ranked = j.zrange("zset", 0, -1);
                    assertEquals(total, ranked.size());
                    assertEquals("m0:0", ranked.get(0));
                    assertEquals("m" + (clients() - 1) + ":" + (perClient - 1), ranked.get(total - 1));
                }
            }
        }
    }

    /** A write on one instance is read on the other at once, {@code rounds} times. */
    public void writesAreReadOnTheOtherInstanceAtOnce(int rounds) {
        try (Jedis a = connect(0); Jedis b = connect(1)) {
            for (int i = 0; i < rounds; i++) {
                a.set("k", "v" + i);
                assertEquals("v" + i, b.get("k"));
                b.del("k");
                assertEquals(null, a.get("k"));
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        clients.shutdownNow();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        for (RespServer s : servers) {
            s.close();
        }
    }
}
