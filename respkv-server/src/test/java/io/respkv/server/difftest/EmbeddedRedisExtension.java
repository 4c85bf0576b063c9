package io.respkv.server.difftest;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link EmbeddedRedis} shared by the tests of a class: started before the first test,
 * stopped after the last. Register it on a {@code static} field (JUnit calls the before-all
 * and after-all callbacks only for static registrations):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedRedisExtension REDIS = new EmbeddedRedisExtension("maxmemory 10mb");
 *
 * @Test void pings() throws IOException {
 *     try (RawRespClient c = RawRespClient.connect(REDIS.redis().target())) { ... }
 * }
 * }</pre>
 */
public final class EmbeddedRedisExtension implements BeforeAllCallback, AfterAllCallback {

    private final List<String> extraConfig;
    private EmbeddedRedis redis;

    /** @param extraConfig redis.conf lines, see {@link EmbeddedRedis#start(String...)} */
    public EmbeddedRedisExtension(String... extraConfig) {
        this.extraConfig = List.of(extraConfig);
    }

    /** The running server. */
    public EmbeddedRedis redis() {
        if (redis == null) {
            throw new IllegalStateException("not started: register the extension on a static field");
        }
        return redis;
    }

    /** Shorthand for {@code redis().port()}. */
    public int port() {
        return redis().port();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        redis = EmbeddedRedis.start(extraConfig);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
