package io.respkv.server.difftest;

import io.respkv.api.ProtocolVersion;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the differential tests: starts one real Redis ({@link EmbeddedRedis}) per test
 * class as the reference, and leaves the server under test to the subclass.
 *
 * <p>A subclass says where respkv listens ({@link #respkvPort()}) and may start and stop it
 * in {@link #startRespkv()} / {@link #stopRespkv()}, which run once per class, after Redis
 * starts and before it stops. Each test opens a {@link Differential} session with
 * {@link #open(ProtocolVersion)}, which flushes both servers, so tests do not see each
 * other's keys. Tests of one class share the two servers and must not run concurrently.
 *
 * <pre>{@code
 * class StringCommandsDifferentialTest extends DifferentialTestBase {
 *     private RespServer server;
 *
 *     @Override protected void startRespkv() { server = ...start on port 0...; }
 *     @Override protected void stopRespkv() { if (server != null) server.close(); }
 *     @Override protected int respkvPort() { return server.activePort(); }
 *
 *     @ProtocolTest
 *     void setGet(ProtocolVersion protocol) {
 *         try (Differential d = open(protocol)) {
 *             d.checkSequence("SET k v", "GET k", "GET missing");
 *         }
 *     }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DifferentialTestBase {

    private EmbeddedRedis redis;

    /** The loopback port of the server under test; called after {@link #startRespkv()}. */
    protected abstract int respkvPort();

    /** Starts the server under test, once per class. Default: nothing (it runs elsewhere). */
    protected void startRespkv() throws Exception {
    }

    /** Stops the server under test, once per class, even if a start failed. Default: nothing. */
    protected void stopRespkv() throws Exception {
    }

    /** Extra redis.conf lines for the reference Redis (see {@link EmbeddedRedis#start}). */
    protected List<String> redisConfig() {
        return List.of();
    }

    /** The name respkv's side has in failure messages. */
    protected String respkvName() {
        return "respkv";
    }

    /** Opens a session against Redis and respkv in {@code protocol}; both are flushed. */
    protected final Differential open(ProtocolVersion protocol) {
        return Differential.open(redis().target(), RespTarget.loopback(respkvName(), respkvPort()), protocol);
    }

    /** The reference Redis of this class. */
    protected final EmbeddedRedis redis() {
        if (redis == null) {
            throw new IllegalStateException("the reference redis is not running");
        }
        return redis;
    }

    @BeforeAll
    final void startServers() throws Exception {
        redis = EmbeddedRedis.start(redisConfig());
        startRespkv();
    }

    @AfterAll
    final void stopServers() throws Exception {
        try {
            stopRespkv();
        } finally {
            if (redis != null) {
                redis.close();
                redis = null;
            }
        }
    }
}
