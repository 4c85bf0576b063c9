package io.respkv.jmh;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Transaction;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisHash;
import io.respkv.server.keyspace.RedisList;
import io.respkv.server.keyspace.RedisSet;
import io.respkv.server.keyspace.RedisZSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The data-type layer of each collection on an engine, without the network or RESP: what a
 * hash, set, sorted set or list command costs in {@code Keyspace} and the engine. Each command is
 * one transaction begun with {@code beginDeferringSync()} and committed, as the server runs it,
 * and every {@value #BATCH} commands {@code syncCommitted()} is called once, as the server does
 * per pipelined batch; results are per command.
 *
 * <ul>
 *   <li>{@code hset}: HSET of an existing field of a 100,000-field hash (64-byte value).</li>
 *   <li>{@code hget}: HGET of an existing field.</li>
 *   <li>{@code saddSrem}: SADD of a member that is not there, then SREM of it (two commands),
 *       on a 100,000-member set.</li>
 *   <li>{@code sismember}: SISMEMBER of an existing member.</li>
 *   <li>{@code zaddUpdate}: ZADD of an existing member of a 100,000-member sorted set with a new
 *       score (its score entry rewritten, the old index entry deleted, a new one written).</li>
 *   <li>{@code zscore}: ZSCORE of an existing member.</li>
 *   <li>{@code lpushLpop}: LPUSH then LPOP (two commands) on a 100,000-element list.</li>
 * </ul>
 *
 * <pre>
 * ./mvnw -B -q -pl jmh -am package -DskipTests
 * java -jar jmh/target/benchmarks.jar CollectionsBenchmark -prof gc
 * </pre>
 * {@code rocksdb} runs with ASYNC durability (the engine, not the disk).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CollectionsBenchmark {

    static final int ELEMENTS = 100_000;
    /** Commands per {@code syncCommitted()}: one redis-benchmark {@code -P 16} batch. */
    static final int BATCH = 16;
    private static final long NOW = 1_700_000_000_000L;

    private static final byte[] HASH = bytes("bench:hash");
    private static final byte[] SET = bytes("bench:set");
    private static final byte[] ZSET = bytes("bench:zset");
    private static final byte[] LIST = bytes("bench:list");

    @Param({"memory", "rocksdb"})
    public String engine;

    private KeyspaceEngine kv;
    private BenchEngine opened;
    private byte[][] elements;
    private byte[][] absent;
    private byte[] value;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        elements = new byte[ELEMENTS][];
        absent = new byte[ELEMENTS][];
        for (int i = 0; i < ELEMENTS; i++) {
            elements[i] = bytes(String.format("element:%08d", i));
            absent[i] = bytes(String.format("missing:%08d", i));
        }
        value = new byte[64];
        java.util.Arrays.fill(value, (byte) 'v');
        opened = BenchEngine.open(engine);
        kv = opened.engine();
        SplittableRandom random = new SplittableRandom(1);
        for (int from = 0; from < ELEMENTS; from += 1_000) {
            int start = from;
            kv.transact(txn -> {
                Keyspace ks = new Keyspace(txn, 0, NOW);
                RedisHash hash = RedisHash.at(ks, HASH);
                RedisSet set = new RedisSet(ks);
                RedisZSet zset = RedisZSet.find(ks, ZSET);
                if (zset == null) {
                    zset = RedisZSet.create(ks, ZSET, random);
                }
                RedisList list = RedisList.openOrCreate(ks, LIST, random);
                for (int i = start; i < start + 1_000; i++) {
                    hash.set(elements[i], value, random);
                    set.add(SET, List.of(elements[i]), random);
                    zset.insert(elements[i], i);
                    list.push(elements[i], true);
                }
                zset.save();
                list.store();
                return null;
            });
        }
        kv.syncCommitted();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        opened.close();
    }

    /** One command: {@code body} in its own transaction, committed without waiting for the sync. */
    private <T> T command(java.util.function.Function<Keyspace, T> body) {
        try (Transaction txn = kv.beginDeferringSync()) {
            T result = body.apply(new Keyspace(txn, 0, NOW));
            txn.commit();
            return result;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void hset(RandomIndex c) {
        for (int i = 0; i < BATCH; i++) {
            byte[] field = elements[c.next(ELEMENTS)];
            command(ks -> RedisHash.at(ks, HASH).set(field, value, c.random));
        }
        kv.syncCommitted();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void hget(RandomIndex c, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            byte[] field = elements[c.next(ELEMENTS)];
            bh.consume(command(ks -> RedisHash.at(ks, HASH).get(field)));
        }
        kv.syncCommitted();
    }

    /** SADD of a missing member and SREM of it: per command, the two averaged. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void saddSrem(RandomIndex c) {
        for (int i = 0; i < BATCH; i += 2) {
            List<byte[]> member = List.of(absent[c.next(ELEMENTS)]);
            command(ks -> new RedisSet(ks).add(SET, member, c.random));
            command(ks -> new RedisSet(ks).remove(SET, member));
        }
        kv.syncCommitted();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sismember(RandomIndex c, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            byte[] member = elements[c.next(ELEMENTS)];
            bh.consume(command(ks -> {
                RedisSet set = new RedisSet(ks);
                return set.contains(SET, set.meta(SET), member);
            }));
        }
        kv.syncCommitted();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void zaddUpdate(RandomIndex c) {
        for (int i = 0; i < BATCH; i++) {
            byte[] member = elements[c.next(ELEMENTS)];
            double score = c.random.nextInt(ELEMENTS);
            command(ks -> {
                RedisZSet zset = RedisZSet.find(ks, ZSET);
                Double old = zset.score(member);
                zset.update(member, old, score);
                zset.save();
                return null;
            });
        }
        kv.syncCommitted();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void zscore(RandomIndex c, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            byte[] member = elements[c.next(ELEMENTS)];
            bh.consume(command(ks -> RedisZSet.find(ks, ZSET).score(member)));
        }
        kv.syncCommitted();
    }

    /** LPUSH and LPOP: per command, the two averaged; the list keeps its length. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lpushLpop(RandomIndex c, Blackhole bh) {
        for (int i = 0; i < BATCH; i += 2) {
            byte[] element = elements[c.next(ELEMENTS)];
            command(ks -> {
                RedisList list = RedisList.open(ks, LIST);
                list.push(element, true);
                list.store();
                return null;
            });
            bh.consume(command(ks -> {
                RedisList list = RedisList.open(ks, LIST);
                byte[] popped = list.pop(true);
                list.store();
                return popped;
            }));
        }
        kv.syncCommitted();
    }
}
