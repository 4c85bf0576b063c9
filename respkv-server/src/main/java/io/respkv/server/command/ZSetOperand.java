package io.respkv.server.command;

import io.respkv.api.KvCursor;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyMeta;
import io.respkv.server.keyspace.Keyspace;
import io.respkv.server.keyspace.RedisType;
import io.respkv.server.keyspace.RedisZSet;
import io.respkv.server.keyspace.WrongTypeException;
import java.util.Arrays;
import java.util.function.ObjDoubleConsumer;

/**
 * One input key of ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
 * {@code zsetopsrc}): a sorted set, a set (every member scoring 1), or a missing key (empty),
 * with the weight given to it.
 */
final class ZSetOperand {

    final byte[] key;
    final long size;
    double weight = 1.0;
    private final RedisZSet zset;
    /** The set's element prefix when the key holds a set. */
    private final byte[] setPrefix;
    private final Keyspace ks;

    private ZSetOperand(byte[] key, long size, RedisZSet zset, byte[] setPrefix, Keyspace ks) {
        this.key = key;
        this.size = size;
        this.zset = zset;
        this.setPrefix = setPrefix;
        this.ks = ks;
    }

    /**
     * The operand for {@code key}: a sorted set, a set, or empty when missing; WRONGTYPE for any
     * other type (as Redis's lookup loop, before any option is parsed).
     */
    static ZSetOperand open(Keyspace ks, byte[] key) {
        KeyMeta meta = ks.meta(key);
        if (meta == null) {
            return new ZSetOperand(key, 0, null, null, ks);
        }
        if (meta.type() == RedisType.ZSET) {
            RedisZSet z = RedisZSet.find(ks, key);
            return new ZSetOperand(key, z.size(), z, null, ks);
        }
        if (meta.type() == RedisType.SET) {
            return new ZSetOperand(key, meta.size(), null, KeyCodec.elementPrefix(ks.db(), key, meta.version()), ks);
        }
        throw WrongTypeException.INSTANCE;
    }

    /** Whether the key exists (for keyspace hit/miss counting). */
    boolean exists() {
        return zset != null || setPrefix != null;
    }

    /** What {@link #forEachWhile} calls: false stops the walk. */
    interface Visitor {
        boolean visit(byte[] member, double score);
    }

    /** Calls {@code each} with every member and its score (1 for a set member). */
    void forEach(ObjDoubleConsumer<byte[]> each) {
        forEachWhile((member, score) -> {
            each.accept(member, score);
            return true;
        });
    }

    /** Calls {@code each} with the members and their scores until it returns false. */
    void forEachWhile(Visitor each) {
        if (zset != null) {
            try (RedisZSet.IndexCursor c = zset.all(false)) {
                while (c.next()) {
                    if (!each.visit(c.member(), c.score())) {
                        return;
                    }
                }
            }
        } else if (setPrefix != null) {
            // A set member is the sub key of an element entry (docs/encoding.md, "Sets").
            try (KvCursor c = ks.txn().scan(setPrefix, KeyCodec.prefixEnd(setPrefix), false)) {
                while (c.next()) {
                    byte[] k = c.key();
                    if (!each.visit(Arrays.copyOfRange(k, setPrefix.length, k.length), 1.0)) {
                        return;
                    }
                }
            }
        }
    }

    /** The score of {@code member} (1 for a set member), or null if absent: one point read. */
    Double score(byte[] member) {
        if (zset != null) {
            return zset.score(member);
        }
        if (setPrefix != null) {
            return ks.txn().get(concat(setPrefix, member)) != null ? 1.0 : null;
        }
        return null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
