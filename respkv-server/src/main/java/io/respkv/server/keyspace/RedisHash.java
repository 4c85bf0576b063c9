package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Redis hash on the layout (docs/encoding.md, "Hashes"): the key's metadata entry holds the
 * version and the field count, and each field is one element entry
 * {@code E|db|keylen|key|version|field -> value}. Reading or writing one field is one point
 * read or write plus the metadata; the metadata is rewritten only when the field count changes.
 *
 * <p>An instance is a view of one key inside one command's transaction:
 * <pre>{@code
 * RedisHash h = RedisHash.at(ks, key);   // WRONGTYPE if key holds another type
 * byte[] v = h.get(field);               // null if the field or the hash is absent
 * h.set(field, value, ctx.random());     // creates the hash if absent
 * }</pre>
 * Every mutating method leaves the metadata consistent when it returns: a hash that becomes
 * empty is deleted, as Redis deletes empty collections, and a new hash takes a fresh version
 * from {@link Keyspace#newVersion} (so elements of an older, retired hash at the same key are
 * never seen). The expiry of an existing hash is kept.
 */
public final class RedisHash {

    private final Keyspace ks;
    private final byte[] key;
    /** The live metadata, or null while the hash does not exist. */
    private KeyMeta meta;

    private RedisHash(Keyspace ks, byte[] key, KeyMeta meta) {
        this.ks = ks;
        this.key = key;
        this.meta = meta;
    }

    /**
     * The hash at {@code key} (one metadata read).
     *
     * @throws WrongTypeException if {@code key} holds another type
     */
    public static RedisHash at(Keyspace ks, byte[] key) {
        return new RedisHash(ks, key, ks.meta(key, RedisType.HASH));
    }

    /** Whether the hash exists (a live key of type hash). */
    public boolean exists() {
        return meta != null;
    }

    /** The number of fields (0 if the hash does not exist), from the metadata. */
    public long size() {
        return meta == null ? 0 : meta.size();
    }

    /** The value of {@code field}, or null: one point read. */
    public byte[] get(byte[] field) {
        if (meta == null) {
            return null;
        }
        return ks.txn().get(elementKey(field));
    }

    /**
     * The values of {@code fields} in their order (null where absent): one
     * {@link io.respkv.api.ReadView#getAll} for all of them.
     */
    public byte[][] getAll(byte[][] fields) {
        if (meta == null) {
            return new byte[fields.length][];
        }
        byte[][] keys = new byte[fields.length][];
        for (int i = 0; i < fields.length; i++) {
            keys[i] = elementKey(fields[i]);
        }
        return ks.txn().getAll(keys);
    }

    /**
     * Sets {@code field} to {@code value}, creating the hash if it does not exist. Returns true if
     * the field is new. {@code random} is the command's random source (for a new hash's version).
     */
    public boolean set(byte[] field, byte[] value, RandomGenerator random) {
        return setAll(List.of(field, value), random) == 1;
    }

    /**
     * Sets each field of {@code fieldsAndValues} (field, value, field, value...) in order, a
     * later value of the same field replacing an earlier one; creates the hash if it does not
     * exist. Returns the number of fields that were new.
     */
    public long setAll(List<byte[]> fieldsAndValues, RandomGenerator random) {
        if (fieldsAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException("fields and values must pair up");
        }
        if (fieldsAndValues.isEmpty()) {
            return 0;
        }
        if (meta == null) {
            // Not stored until the end: the final put also retires an expired predecessor.
            meta = KeyMeta.collection(RedisType.HASH, KeyMeta.NO_EXPIRY, ks.newVersion(key, random), 0);
        }
        long size = meta.size();
        long created = 0;
        for (int i = 0; i < fieldsAndValues.size(); i += 2) {
            byte[] elementKey = elementKey(fieldsAndValues.get(i));
            if (size == 0 || ks.txn().get(elementKey) == null) {
                created++;
                size++;
            }
            ks.txn().put(elementKey, fieldsAndValues.get(i + 1));
        }
        if (created > 0) {
            store(size);
        } else {
            ks.touched(key); // only existing fields changed: the metadata stays as it is
        }
        return created;
    }

    /**
     * Sets {@code field} to {@code value} only if the field does not exist (creating the hash if
     * needed). Returns whether it was set.
     */
    public boolean setIfAbsent(byte[] field, byte[] value, RandomGenerator random) {
        if (get(field) != null) {
            return false;
        }
        return set(field, value, random);
    }

    /**
     * Removes the given fields; returns how many existed. A hash left empty is deleted (its
     * version retired).
     */
    public long delete(List<byte[]> fields) {
        if (meta == null) {
            return 0;
        }
        long size = meta.size();
        long removed = 0;
        for (byte[] field : fields) {
            if (size == 0) {
                break; // emptied: the remaining fields cannot exist (Redis stops here too)
            }
            byte[] elementKey = elementKey(field);
            if (ks.txn().get(elementKey) != null) {
                ks.txn().delete(elementKey);
                removed++;
                size--;
            }
        }
        if (removed > 0) {
            store(size);
        }
        return removed;
    }

    /**
     * Opens a cursor over the fields {@code from <= field < to} in byte order ({@code from}
     * null: the first field; {@code to} null: no upper bound). Scanned entries do not join the
     * transaction's read set (the metadata read by {@link #at} does).
     */
    public FieldCursor fields(byte[] from, byte[] to) {
        if (meta == null) {
            return new FieldCursor(null, 0);
        }
        byte[] prefix = prefix();
        byte[] low = from == null ? prefix : concat(prefix, from);
        byte[] high = to == null ? KeyCodec.prefixEnd(prefix) : concat(prefix, to);
        if (Arrays.compareUnsigned(low, high) >= 0) {
            return new FieldCursor(null, 0);
        }
        return new FieldCursor(ks.txn().scan(low, high, false), prefix.length);
    }

    /** Opens a cursor over every field in byte order. */
    public FieldCursor fields() {
        return fields(null, null);
    }

    /** A sampler of this hash's fields (HRANDFIELD); an absent hash has none. */
    public ElementSampler sampler() {
        if (meta == null) {
            throw new IllegalStateException("the hash does not exist");
        }
        return new ElementSampler(ks.txn(), prefix());
    }

    private void store(long size) {
        if (size == 0) {
            ks.delete(key);
            meta = null;
            return;
        }
        meta = meta.withSize(size);
        ks.put(key, meta);
    }

    private byte[] prefix() {
        return KeyCodec.elementPrefix(ks.db(), key, meta.version());
    }

    private byte[] elementKey(byte[] field) {
        return KeyCodec.elementKey(ks.db(), key, meta.version(), field);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Fields and values in byte order of the field. */
    public static final class FieldCursor implements AutoCloseable {
        private final KvCursor cursor;
        private final int prefixLength;

        FieldCursor(KvCursor cursor, int prefixLength) {
            this.cursor = cursor;
            this.prefixLength = prefixLength;
        }

        public boolean next() {
            return cursor != null && cursor.next();
        }

        /** The current field (a copy). */
        public byte[] field() {
            byte[] k = cursor.key();
            return Arrays.copyOfRange(k, prefixLength, k.length);
        }

        /** The current value (a copy). */
        public byte[] value() {
            return cursor.value().clone();
        }

        @Override
        public void close() {
            if (cursor != null) {
                cursor.close();
            }
        }
    }
}
