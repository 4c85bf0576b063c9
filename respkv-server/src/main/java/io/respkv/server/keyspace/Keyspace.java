package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.Arrays;

/**
 * The data-type layer's view of one database inside one engine transaction: how Redis keys,
 * strings and expiry are laid out on the ordered key space (see {@link KeyCodec} and
 * {@link KeyMeta}). Commands call this, never the engine directly, so every engine gets the same
 * layout.
 *
 * <p>Expired keys are invisible: {@link #meta} answers null for them. A write to a key whose
 * stored entry has expired first removes the stale entry (and its expiry-index entry).
 *
 * <p>One instance serves one command execution; "now" is the command's time.
 */
public final class Keyspace {

    private final Transaction txn;
    private final int db;
    private final long now;

    /** The last metadata entry read, raw (possibly expired), so a read-then-write reads once. */
    private byte[] cachedKey;
    private byte[] cachedRaw;

    public Keyspace(Transaction txn, int db, long nowMillis) {
        this.txn = txn;
        this.db = db;
        this.now = nowMillis;
    }

    public int db() {
        return db;
    }

    public long now() {
        return now;
    }

    /** The engine transaction, for layers built on this one. */
    public Transaction txn() {
        return txn;
    }

    /** A view of another database in the same transaction (MOVE, COPY ... DB). */
    public Keyspace database(int otherDb) {
        return otherDb == db ? this : new Keyspace(txn, otherDb, now);
    }

    private byte[] rawMeta(byte[] key) {
        if (cachedKey != null && Arrays.equals(cachedKey, key)) {
            return cachedRaw;
        }
        byte[] raw = txn.get(KeyCodec.metaKey(db, key));
        cachedKey = key;
        cachedRaw = raw;
        return raw;
    }

    private void remember(byte[] key, byte[] raw) {
        cachedKey = key;
        cachedRaw = raw;
    }

    /** The live metadata of {@code key}, or null if it does not exist or has expired. */
    public KeyMeta meta(byte[] key) {
        byte[] raw = rawMeta(key);
        if (raw == null) {
            return null;
        }
        long expireAt = KeyMeta.expireAtOf(raw);
        if (expireAt != KeyMeta.NO_EXPIRY && expireAt <= now) {
            return null;
        }
        return KeyMeta.decode(raw);
    }

    /** Whether {@code key} exists (and has not expired). */
    public boolean exists(byte[] key) {
        byte[] raw = rawMeta(key);
        if (raw == null) {
            return false;
        }
        long expireAt = KeyMeta.expireAtOf(raw);
        return expireAt == KeyMeta.NO_EXPIRY || expireAt > now;
    }

    /** The live metadata of {@code key} if it has {@code type}; null if absent; WRONGTYPE otherwise. */
    public KeyMeta meta(byte[] key, RedisType type) {
        KeyMeta meta = meta(key);
        if (meta != null && meta.type() != type) {
            throw WrongTypeException.INSTANCE;
        }
        return meta;
    }

    /** The value of string {@code key}, null if absent; WRONGTYPE if another type. */
    public byte[] getString(byte[] key) {
        KeyMeta meta = meta(key, RedisType.STRING);
        return meta == null ? null : meta.value();
    }

    /**
     * Stores {@code meta} at {@code key}, replacing whatever was there (of any type, expired or
     * not) and keeping the expiry index in step.
     */
    public void put(byte[] key, KeyMeta meta) {
        byte[] old = rawMeta(key);
        if (old != null) {
            retire(key, old, meta.type() == RedisType.STRING ? -1 : meta.version());
        }
        byte[] encoded = meta.encode();
        txn.put(KeyCodec.metaKey(db, key), encoded);
        if (meta.hasExpiry()) {
            txn.put(KeyCodec.expiryKey(db, meta.expireAt(), key), EMPTY);
        }
        remember(key, encoded);
    }

    /** Sets a string value, replacing any previous value and type; {@code expireAt} 0 for none. */
    public void putString(byte[] key, byte[] value, long expireAt) {
        put(key, KeyMeta.string(value, expireAt));
    }

    /**
     * Replaces the value of string {@code key} and keeps its expiry, as Redis's in-place string
     * updates do (APPEND, SETRANGE, INCR...). {@code current} is the key's live metadata as
     * {@link #meta} returned it in this transaction, or null if the key does not exist, in which
     * case the key is created without expiry.
     */
    public void updateString(byte[] key, KeyMeta current, byte[] value) {
        if (current == null) {
            putString(key, value, KeyMeta.NO_EXPIRY);
            return;
        }
        if (current.type() != RedisType.STRING) {
            throw new IllegalArgumentException("not a string: " + current.type());
        }
        // Same type and same deadline: the expiry-index entry stays as it is.
        byte[] encoded = KeyMeta.string(value, current.expireAt()).encode();
        txn.put(KeyCodec.metaKey(db, key), encoded);
        remember(key, encoded);
    }

    /**
     * Deletes {@code key}. Returns whether a live key was deleted (an expired leftover is
     * removed too, but does not count).
     */
    public boolean delete(byte[] key) {
        byte[] old = rawMeta(key);
        if (old == null) {
            return false;
        }
        long expireAt = KeyMeta.expireAtOf(old);
        boolean live = expireAt == KeyMeta.NO_EXPIRY || expireAt > now;
        retire(key, old, -1);
        txn.delete(KeyCodec.metaKey(db, key));
        remember(key, null);
        return live;
    }

    /**
     * Removes what belongs to the stored entry {@code old} of {@code key} beyond its metadata:
     * its expiry-index entry and, for a collection whose version is not kept, its elements.
     */
    private void retire(byte[] key, byte[] old, long keptVersion) {
        long expireAt = KeyMeta.expireAtOf(old);
        if (expireAt != KeyMeta.NO_EXPIRY) {
            txn.delete(KeyCodec.expiryKey(db, expireAt, key));
        }
        if (KeyMeta.typeOf(old).isCollection()) {
            KeyMeta oldMeta = KeyMeta.decode(old);
            if (oldMeta.version() != keptVersion) {
                byte[] prefix = KeyCodec.elementPrefix(db, key, oldMeta.version());
                txn.deleteRange(prefix, KeyCodec.prefixEnd(prefix));
            }
        }
    }

    /** Changes the expiry of live {@code meta} at {@code key}; {@code expireAt} 0 removes it. */
    public void setExpireAt(byte[] key, KeyMeta meta, long expireAt) {
        put(key, meta.withExpireAt(expireAt));
    }

    /** Removes every key of this database. */
    public void flush() {
        for (byte family : new byte[] {KeyCodec.META, KeyCodec.EXPIRY, KeyCodec.ELEMENT}) {
            byte[] prefix = KeyCodec.familyPrefix(family, db);
            txn.deleteRange(prefix, KeyCodec.prefixEnd(prefix));
        }
        remember(null, null);
    }

    /**
     * Opens a cursor over the live keys of this database in key order, starting at the first key
     * {@code >= from} ({@code null}: the beginning). Expired keys are skipped.
     */
    public KeyCursor keys(byte[] from) {
        byte[] low = from == null ? KeyCodec.metaPrefix(db) : KeyCodec.metaKey(db, from);
        return new KeyCursor(txn.scan(low, KeyCodec.metaEnd(db), false), now);
    }

    /** Counts the live keys of this database (a scan of the metadata entries). */
    public long size() {
        long n = 0;
        try (KeyCursor c = keys(null)) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    /** The number of live keys of this database and how many of them have an expiry (INFO keyspace). */
    public long[] countKeysAndExpires() {
        long keys = 0;
        long expires = 0;
        try (KeyCursor c = keys(null)) {
            while (c.next()) {
                keys++;
                if (c.hasExpiry()) {
                    expires++;
                }
            }
        }
        return new long[] {keys, expires};
    }

    private static final byte[] EMPTY = new byte[0];

    /** Live keys in order, with their metadata decoded on demand. */
    public static final class KeyCursor implements AutoCloseable {
        private final KvCursor cursor;
        private final long now;

        KeyCursor(KvCursor cursor, long now) {
            this.cursor = cursor;
            this.now = now;
        }

        public boolean next() {
            while (cursor.next()) {
                long expireAt = KeyMeta.expireAtOf(cursor.value());
                if (expireAt == KeyMeta.NO_EXPIRY || expireAt > now) {
                    return true;
                }
            }
            return false;
        }

        /** The user key. */
        public byte[] key() {
            return KeyCodec.userKeyOfMeta(cursor.key());
        }

        /** Whether the current key has an expiry. */
        public boolean hasExpiry() {
            return KeyMeta.expireAtOf(cursor.value()) != KeyMeta.NO_EXPIRY;
        }

        /** The type of the current key, without decoding its value. */
        public RedisType type() {
            return KeyMeta.typeOf(cursor.value());
        }

        public KeyMeta meta() {
            return KeyMeta.decode(cursor.value());
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
