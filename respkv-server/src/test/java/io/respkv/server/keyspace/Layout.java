package io.respkv.server.keyspace;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Test helpers that read and write the layout directly through an engine. */
public final class Layout {

    private Layout() {
    }

    public static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Runs {@code body} on database {@code db} at {@code now} in one committed transaction. */
    public static void run(KeyspaceEngine engine, int db, long now, Consumer<Keyspace> body) {
        engine.transact(txn -> {
            body.accept(new Keyspace(txn, db, now));
            return null;
        });
    }

    /**
     * Stores a collection of {@code count} elements at {@code key}: its metadata through the
     * keyspace, its elements ({@code sub key = "m" + i}, value {@code "v"}) straight through the
     * engine in transactions of {@code batch} entries, as the collection types will lay them out.
     */
    public static void putCollection(KeyspaceEngine engine, int db, long now, byte[] key, RedisType type,
                                     long version, long expireAt, int count, int batch) {
        for (int from = 0; from < count; from += batch) {
            int start = from;
            int end = Math.min(count, from + batch);
            engine.transact(txn -> {
                for (int i = start; i < end; i++) {
                    txn.put(KeyCodec.elementKey(db, key, version, b("m" + i)), b("v"));
                }
                return null;
            });
        }
        run(engine, db, now, ks -> ks.put(key, KeyMeta.collection(type, expireAt, version, count)));
    }

    /** The number of entries whose key starts with {@code prefix}. */
    public static long count(KeyspaceEngine engine, byte[] prefix) {
        long n = 0;
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    /** The entries of one family in one database, as raw engine keys. */
    public static List<byte[]> keys(KeyspaceEngine engine, byte family, int db) {
        List<byte[]> out = new ArrayList<>();
        byte[] prefix = KeyCodec.familyPrefix(family, db);
        try (Transaction txn = engine.begin(); KvCursor c = txn.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                out.add(c.key().clone());
            }
        }
        return out;
    }

    /** The number of elements stored under {@code version} of {@code key}. */
    public static long elements(KeyspaceEngine engine, int db, byte[] key, long version) {
        return count(engine, KeyCodec.elementPrefix(db, key, version));
    }

    /** Whether a garbage marker exists for {@code version} of {@code key}. */
    public static boolean marked(KeyspaceEngine engine, int db, byte[] key, long version) {
        try (Transaction txn = engine.begin()) {
            return txn.get(KeyCodec.garbageKey(db, key, version)) != null;
        }
    }
}
