package io.respkv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.engine.MemoryEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Scripts under Raft: each EVAL/EVALSHA is one log entry, applied on every node with the
 * leader's time and seed, so scripts that draw random numbers, pop random members and set
 * expiries leave identical replicas. EVALSHA goes into the log as the EVAL of its body.
 */
@Timeout(180)
class RaftScriptingTest {

    @TempDir
    Path dir;
    RaftTestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new RaftTestCluster(3, dir, path -> new MemoryEngine()).start();
        cluster.leader();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.port(node), 10_000);
    }

    private static final String RANDOM_WRITES =
            "local n = math.random(1000000) "
            + "redis.call('hset', KEYS[1], 'f' .. math.random(50), n) "
            + "redis.call('sadd', KEYS[2], 'm' .. math.random(500)) "
            + "redis.call('incrby', KEYS[3], math.random(10)) "
            + "if math.random(4) == 1 then redis.call('spop', KEYS[2]) end "
            + "redis.call('zadd', KEYS[4], math.random(), 'z' .. math.random(20)) "
            + "return n";

    private static final String COUNTER =
            "local v = redis.call('incr', KEYS[1]) redis.call('pexpire', KEYS[1], 600000) "
            + "redis.call('rpush', KEYS[2], v) return v";

    @Test
    void scriptHeavyWorkloadLeavesEqualDigests() throws Exception {
        String sha;
        try (Jedis j = client(0)) {
            sha = j.scriptLoad(COUNTER); // cached on node 0 only: the log carries the body
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int node = t % 3;
                done.add(pool.submit(() -> {
                    try (Jedis j = client(node)) {
                        for (int k = 0; k < 60; k++) {
                            j.eval(RANDOM_WRITES, List.of("h", "s", "c", "z"), List.of());
                            if (node == 0) {
                                j.evalsha(sha, List.of("counter", "log"), List.of());
                            } else {
                                j.eval(COUNTER, List.of("counter", "log"), List.of());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Jedis j = client(1)) {
            // node 1 never loaded the script but cached it while applying the EVALs of the log
            assertEquals(361L, j.evalsha(sha, List.of("counter", "log"), List.of()));
            JedisDataException noscript = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    () -> j.evalsha("ffffffffffffffffffffffffffffffffffffffff", 0));
            assertEquals("NOSCRIPT No matching script. Please use EVAL.", noscript.getMessage());
        }
        cluster.awaitConverged();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                digests.add(new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes())));
                assertEquals("361", j.get("counter"), "node " + i);
                assertEquals(361, j.llen("log"), "node " + i);
                assertTrue(j.pttl("counter") > 0, "node " + i);
                assertTrue(j.hlen("h") > 0, "node " + i);
            }
        }
        assertEquals(digests.get(0), digests.get(1));
        assertEquals(digests.get(0), digests.get(2));
    }

    @Test
    void functionsLoadedOnOneNodeRunOnEvery() throws Exception {
        String lib = "#!lua name=counters\n"
                + "redis.register_function('bump', function(keys, args) "
                + "local v = redis.call('incrby', keys[1], math.random(100)) redis.call('rpush', keys[2], v) return v end)\n"
                + "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, "
                + "flags={'no-writes'}}";
        try (Jedis j = client(2)) {
            assertEquals("counters", j.functionLoad(lib));
        }
        for (int node = 0; node < 3; node++) {
            try (Jedis j = client(node)) {
                for (int k = 0; k < 20; k++) {
                    j.fcall("bump", List.of("total", "history"), List.of());
                }
            }
        }
        cluster.awaitConverged();
        List<String> digests = new ArrayList<>();
        String total = null;
        for (int i = 0; i < 3; i++) {
            try (Jedis j = client(i)) {
                digests.add(new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes())));
                assertEquals(60, j.llen("history"), "node " + i);
                String peeked = (String) j.fcallReadonly("peek", List.of("total"), List.of());
                if (total == null) {
                    total = peeked;
                }
                assertEquals(total, peeked, "node " + i);
                assertEquals(1, j.functionList().size(), "node " + i);
            }
        }
        assertEquals(digests.get(0), digests.get(1));
        assertEquals(digests.get(0), digests.get(2));
    }
}
