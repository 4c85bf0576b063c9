package io.respkv.examples.raft;

import io.respkv.raft.RaftReplication;
import io.respkv.server.RespServer;
import io.respkv.server.engine.MemoryEngine;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Three respkv nodes in one JVM, replicated by a Raft group (respkv-raft): a write through one
 * node is read back through each of the others, and every node reports the same digest.
 *
 * <pre>
 * usage: ReplicatedGroupExample [work-dir]     (default: a new temporary directory)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.raft.ReplicatedGroupExample
 * </pre>
 */
public final class ReplicatedGroupExample {

    private ReplicatedGroupExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.err.println("usage: ReplicatedGroupExample [work-dir]");
            System.exit(2);
        }
        Path dir = args.length == 1 ? Path.of(args[0]) : Files.createTempDirectory("respkv-raft-example");
        run(dir).forEach(System.out::println);
    }

    /** Starts the group under {@code dir}, writes on one node, reads on all; returns what it saw. */
    static List<String> run(Path dir) throws Exception {
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            peers.append(i == 0 ? "" : ",").append("n").append(i).append("=127.0.0.1:").append(freePort());
        }
        List<RespServer> nodes = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RaftReplication raft = RaftReplication.builder().id("n" + i).peers(peers.toString())
                        .storage(dir.resolve("raft-n" + i)).build();
                // each node its own engine: a MemoryEngine here, a RocksDbEngine in production
                nodes.add(RespServer.builder().port(0).ownedEngine(new MemoryEngine()).replication(raft).build());
            }
            List<java.util.concurrent.CompletableFuture<RespServer>> starting = new ArrayList<>();
            for (RespServer n : nodes) {
                starting.add(n.start());
            }
            for (var s : starting) {
                s.join();
            }
            // the first write waits for the group to elect a leader (well under a second here)
            try (Jedis first = new Jedis("127.0.0.1", nodes.get(0).activePort(), 15_000)) {
                first.set("greeting", "hello from n0");
                first.incr("visits");
            }
            for (int i = 0; i < 3; i++) {
                try (Jedis j = new Jedis("127.0.0.1", nodes.get(i).activePort(), 15_000)) {
                    String digest = new String((byte[]) j.sendCommand(() -> "RESPKV.DIGEST".getBytes()));
                    seen.add("n" + i + ": greeting=" + j.get("greeting") + " visits=" + j.get("visits")
                            + " digest=" + digest.substring(0, 12));
                }
            }
        } finally {
            for (RespServer n : nodes) {
                n.close();
            }
        }
        return seen;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
