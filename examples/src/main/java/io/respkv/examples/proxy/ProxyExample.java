package io.respkv.examples.proxy;

import io.respkv.proxy.ClusterNode;
import io.respkv.proxy.HashSlots;
import io.respkv.proxy.RespProxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Starts the cluster-routing proxy inside this JVM in front of a running Redis Cluster, and
 * talks to it with a plain (non-cluster) Jedis: keys of different hash slots, an MSET and an
 * MGET that span slots (the proxy splits and merges them), and which node each key went to.
 *
 * <pre>
 * usage: ProxyExample HOST:PORT[,HOST:PORT...] [proxy-port]     (proxy-port default 0: any free port)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.proxy.ProxyExample -Dexec.args=127.0.0.1:7000
 * </pre>
 */
public final class ProxyExample {

    private ProxyExample() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].matches("\\d+"))) {
            System.err.println("usage: ProxyExample HOST:PORT[,HOST:PORT...] [proxy-port]");
            System.exit(2);
        }
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        for (String line : run(args[0].split(","), port)) {
            System.out.println(line);
        }
    }

    /** Starts a proxy over {@code startupNodes}, writes and reads a few keys through it, and says where each went. */
    static List<String> run(String[] startupNodes, int port) {
        List<String> out = new ArrayList<>();
        try (RespProxy proxy = RespProxy.builder().startupNodes(startupNodes).port(port).start().join();
             Jedis jedis = new Jedis("127.0.0.1", proxy.activePort())) {
            out.add("proxy on 127.0.0.1:" + proxy.activePort() + " in front of " + proxy.masters().size() + " master(s)");
            String[] keys = {"user:1", "user:2", "cart:7", "{user:1}.sessions"};
            // one MSET: the proxy sends one request per slot and answers OK once all are done
            out.add("MSET -> " + jedis.mset(keys[0], "ada", keys[1], "grace", keys[2], "3 items", keys[3], "2"));
            for (String key : keys) {
                int slot = HashSlots.slot(key.getBytes(StandardCharsets.UTF_8));
                ClusterNode node = proxy.masterOf(slot);
                out.add(key + " -> slot " + slot + " on " + node);
            }
            // one MGET: values come back in the order of the keys, whichever node holds them
            out.add("MGET -> " + jedis.mget(keys));
            out.add("DEL -> " + jedis.del(keys));
        }
        return out;
    }
}
