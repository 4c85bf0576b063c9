package io.respkv.raft;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.FreePorts;
import io.respkv.server.RespServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * N respkv servers on loopback, each over its own engine, replicated by one Raft group. Nodes can
 * be stopped (server, Raft node and engine) and restarted over the same directories.
 */
final class RaftTestCluster implements AutoCloseable {

    final int size;
    final Path dir;
    final String peers;
    final Function<Path, KeyspaceEngine> engines;
    final RespServer[] servers;
    final RaftReplication[] nodes;
    /** Raft addresses of every node, members or not yet. */
    final String[] addresses;
    /** Adjusts each node's Raft options (snapshots, purge gap). */
    java.util.function.UnaryOperator<RaftReplication.Builder> options = b -> b;
    /** Adjusts node {@code i}'s server (an ACL file, say). */
    java.util.function.BiFunction<Integer, RespServer.Builder, RespServer.Builder> serverOptions = (i, b) -> b;

    RaftTestCluster(int size, Path dir, Function<Path, KeyspaceEngine> engines) throws IOException {
        this(size, size, dir, engines);
    }

    /** {@code members} of the {@code size} nodes form the group; the others can join later ({@link #join}). */
    RaftTestCluster(int members, int size, Path dir, Function<Path, KeyspaceEngine> engines) throws IOException {
        this.size = size;
        this.dir = dir;
        this.engines = engines;
        this.servers = new RespServer[size];
        this.nodes = new RaftReplication[size];
        this.addresses = new String[size];
        List<String> p = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            addresses[i] = "127.0.0.1:" + FreePorts.probe();
            if (i < members) {
                p.add("n" + i + "=" + addresses[i]);
            }
        }
        this.peers = String.join(",", p);
        this.members = members;
    }

    private final int members;

    /** Starts node {@code i}, not yet a member, with the group's members plus itself; RAFT.ADD makes it one. */
    void join(int i) throws Exception {
        servers[i] = startAsync(i, peers + ",n" + i + "=" + addresses[i]).get();
    }

    /** Starts every node; returns once all accept connections. */
    RaftTestCluster start() throws Exception {
        List<java.util.concurrent.CompletableFuture<RespServer>> starting = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            starting.add(startAsync(i, peers));
        }
        for (int i = 0; i < members; i++) {
            servers[i] = starting.get(i).get();
        }
        return this;
    }

    /**
     * Starts node {@code i}; if its Raft port is briefly taken (probed free, then used by another
     * socket, or not yet released by the node's previous run), stops what started and tries again.
     */
    private java.util.concurrent.CompletableFuture<RespServer> startAsync(int i, String memberList) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; ; attempt++) {
                nodes[i] = options.apply(RaftReplication.builder().id("n" + i).peers(memberList).storage(dir.resolve("raft-" + i))
                        .timeout(Duration.ofSeconds(5))).build();
                KeyspaceEngine engine = engines.apply(dir.resolve("engine-" + i));
                RespServer server = serverOptions.apply(i,
                        RespServer.builder().port(0).ownedEngine(engine).replication(nodes[i]).commandThreads(8)).build();
                try {
                    return server.start().join();
                } catch (RuntimeException e) {
                    server.close(); // closes the engine and the Raft node
                    if (attempt >= 20) {
                        throw e;
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException interrupted) {
                        throw new IllegalStateException(interrupted);
                    }
                }
            }
        });
    }

    /** Restarts a stopped node over its directories. */
    void restart(int i) throws Exception {
        servers[i] = startAsync(i, peers).get();
    }

    /** Stops node {@code i}: its server, Raft node and engine. */
    void stop(int i) {
        if (servers[i] != null) {
            servers[i].stop().join();
            servers[i] = null;
        }
    }

    int port(int i) {
        return servers[i].activePort();
    }

    /** The index of the current leader, waiting up to 10 s for one. */
    int leader() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < size; i++) {
                if (servers[i] != null && nodes[i].isLeader()) {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader in 10 s");
    }

    /** Waits until every running node applied at least as far as every other. */
    void awaitConverged() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < size; i++) {
                if (servers[i] != null) {
                    min = Math.min(min, nodes[i].appliedIndex());
                    max = Math.max(max, nodes[i].appliedIndex());
                }
            }
            if (min == max) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("replicas did not converge in 10 s");
    }


    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            try {
                stop(i);
            } catch (RuntimeException e) {
                // keep stopping the others
            }
        }
    }
}
