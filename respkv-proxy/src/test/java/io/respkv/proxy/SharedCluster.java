package io.respkv.proxy;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One 3-master, 3-replica {@link RedisClusterFixture} shared by the test classes that do not
 * damage it (differential, clients, resharding): started by the first class that registers this
 * extension, stopped by JUnit when the whole run ends (a root-store resource), so the run pays
 * for forming one cluster. Register on a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final SharedCluster CLUSTER = new SharedCluster();
 * }</pre>
 * Its {@code beforeAll} runs before the class's {@code @BeforeAll} methods.
 */
final class SharedCluster implements BeforeAllCallback {

    private RedisClusterFixture cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(SharedCluster.class, k -> new Resource(RedisClusterFixture.start(3, 1)), Resource.class)
                .cluster;
    }

    /** The shared cluster. */
    RedisClusterFixture cluster() {
        if (cluster == null) {
            throw new IllegalStateException("not started: register the extension on a static field");
        }
        return cluster;
    }

    private record Resource(RedisClusterFixture cluster) implements AutoCloseable {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
