package io.respkv.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.difftest.EmbeddedRedis;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs {@link ProxyExample} against a one-node Redis Cluster (a real redis-server 7.0.15 owning every slot). */
@Timeout(60)
class ProxyExampleTest {

    @Test
    void routesThroughTheProxy() throws Exception {
        try (EmbeddedRedis node = EmbeddedRedis.startOneNodeCluster()) {
            List<String> lines = ProxyExample.run(new String[] {"127.0.0.1:" + node.port()}, 0);
            assertTrue(lines.get(0).endsWith("in front of 1 master(s)"), lines.get(0));
            assertEquals("MSET -> OK", lines.get(1));
            assertEquals("user:1 -> slot 10778 on 127.0.0.1:" + node.port(), lines.get(2));
            assertEquals("{user:1}.sessions -> slot 10778 on 127.0.0.1:" + node.port(), lines.get(5));
            assertEquals("MGET -> [ada, grace, 3 items, 2]", lines.get(6));
            assertEquals("DEL -> 4", lines.get(7));
        }
    }
}
