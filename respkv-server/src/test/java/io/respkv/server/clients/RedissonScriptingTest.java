package io.respkv.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.RespServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson's Lua-built primitives against respkv: RLock (lock, tryLock with a lease, reentrancy,
 * another client waiting and being woken by the unlock message) and RRateLimiter. Redisson runs
 * its scripts as EVALSHA, falling back to SCRIPT LOAD on NOSCRIPT.
 */
@Timeout(120)
class RedissonScriptingTest {

    private static RespServer server;
    private static RedissonClient first;
    private static RedissonClient second;

    @BeforeAll
    static void start() {
        server = RespServer.builder().port(0).eventLoopThreads(2).start().join();
        first = client();
        second = client();
    }

    private static RedissonClient client() {
        Config config = new Config();
        config.useSingleServer()
                .setAddress("redis://127.0.0.1:" + server.activePort())
                .setConnectionMinimumIdleSize(2)
                .setConnectionPoolSize(4)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(2)
                .setTimeout(5000)
                .setRetryAttempts(1);
        return Redisson.create(config);
    }

    @AfterAll
    static void stop() {
        if (first != null) {
            first.shutdown();
        }
        if (second != null) {
            second.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void lockIsReentrantAndExclusive() throws Exception {
        RLock lock = first.getLock("lock:reentrant");
        lock.lock();
        try {
            assertTrue(lock.isLocked());
            assertTrue(lock.isHeldByCurrentThread());
            lock.lock(); // reentrant: the hold count goes to 2
            assertEquals(2, lock.getHoldCount());
            lock.unlock();
            assertEquals(1, lock.getHoldCount());
            RLock other = second.getLock("lock:reentrant");
            assertFalse(other.tryLock(100, 10_000, TimeUnit.MILLISECONDS));
        } finally {
            lock.unlock();
        }
        assertFalse(lock.isLocked());
    }

    @Test
    void tryLockWithLeaseExpires() throws Exception {
        RLock lock = first.getLock("lock:lease");
        assertTrue(lock.tryLock(0, 300, TimeUnit.MILLISECONDS));
        long ttl = first.getKeys().remainTimeToLive("lock:lease");
        assertTrue(ttl > 0 && ttl <= 300, "ttl " + ttl);
        RLock other = second.getLock("lock:lease");
        // the lease ends by itself: the other client gets it within its wait
        assertTrue(other.tryLock(5_000, 10_000, TimeUnit.MILLISECONDS));
        other.unlock();
    }

    @Test
    void waiterIsWokenByUnlock() throws Exception {
        RLock lock = first.getLock("lock:wake");
        lock.lock(60, TimeUnit.SECONDS);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<Long> acquired = pool.submit(() -> {
                RLock other = second.getLock("lock:wake");
                waiting.countDown();
                long start = System.nanoTime();
                // a long wait: only the unlock message (pub/sub) can end it this early
                if (!other.tryLock(30, 60, TimeUnit.SECONDS)) {
                    return -1L;
                }
                long waited = System.nanoTime() - start;
                other.unlock();
                return waited;
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            Thread.sleep(300);
            lock.unlock();
            long waitedNanos = acquired.get(20, TimeUnit.SECONDS);
            assertTrue(waitedNanos > 0, "the waiter never got the lock");
            assertTrue(waitedNanos < Duration.ofSeconds(10).toNanos(), "woken late: " + waitedNanos);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rateLimiterAllowsTheRateOnly() {
        RRateLimiter limiter = first.getRateLimiter("limiter:api");
        assertTrue(limiter.trySetRate(RateType.OVERALL, 5, Duration.ofSeconds(30)));
        int allowed = 0;
        for (int i = 0; i < 8; i++) {
            if (limiter.tryAcquire()) {
                allowed++;
            }
        }
        assertEquals(5, allowed);
        assertEquals(0, limiter.availablePermits());
        RRateLimiter seen = second.getRateLimiter("limiter:api");
        assertFalse(seen.tryAcquire());
    }
}
