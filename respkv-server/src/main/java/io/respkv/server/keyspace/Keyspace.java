package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The data-type layer's view of one database inside one engine transaction: how Redis keys,
 * strings and expiry are laid out on the ordered key space (see {@link KeyCodec} and
 * {@link KeyMeta}). Commands call this, never the engine directly, so every engine gets the same
 * layout.
 *
 * <p>Expired keys are invisible: {@link #meta} answers null for them. A write to a key whose
 * stored entry has expired first removes the stale entry (and its expiry-index entry), and
 * counts it in {@link #expiredRemoved()}; {@link #expireDue} removes keys nobody reads.
 *
 * <p>Replacing or deleting a collection is O(1) in its size: its version is <em>retired</em> by
 * writing a garbage marker ({@link KeyCodec#garbageKey}) in the same transaction, and the
 * {@link VersionSweeper} deletes the elements later. A new collection takes a version from
 * {@link #newVersion}, which never hands out a version whose elements still exist.
 *
 * <p>One instance serves one command execution; "now" is the command's time.
 */
public final class Keyspace {

    private final Transaction txn;
    private final int db;
    private final long now;
    /** Shared by every database view of this transaction (see {@link #database}). */
    private final Tally tally;

    /**
     * The last metadata entry read or written, raw (possibly expired), so a read-then-write reads
     * once; and its engine key, so the write does not encode the key again (engine keys are never
     * modified once made, so one array serves the read and the write).
     */
    private byte[] cachedKey;
    private byte[] cachedMetaKey;
    private byte[] cachedRaw;

    public Keyspace(Transaction txn, int db, long nowMillis) {
        this(txn, db, nowMillis, new Tally(null));
    }

    /**
     * A view that also records in {@code changes} every key it writes or deletes (see
     * {@link KeyChanges}), in this database and in those reached through {@link #database}.
     */
    public Keyspace(Transaction txn, int db, long nowMillis, KeyChanges changes) {
        this(txn, db, nowMillis, new Tally(changes));
    }

    private Keyspace(Transaction txn, int db, long nowMillis, Tally tally) {
        this.txn = txn;
        this.db = db;
        this.now = nowMillis;
        this.tally = tally;
    }

    /** What this transaction did that the server counts once it commits. */
    private static final class Tally {
        long expiredRemoved;
        /** Told of creations and expired removals (keyspace notifications); null: nobody. */
        Listener listener;
        /** Where changed keys are recorded; null: not recorded. */
        final KeyChanges changes;
        /** The server's memory of sets drawn from; null: none. */
        SampledSets sampledSets;
        /** Whether the engine may take writes of unread keys ({@link Transaction#putExpecting}). */
        boolean unreadWrites;
        /** Whether the engine's reads lock keys until the transaction ends. */
        boolean lockingReads;

        Tally(KeyChanges changes) {
            this.changes = changes;
        }
    }

    /**
     * Told of key creations and of expired entries this transaction removes, for keyspace
     * notifications (Redis's {@code new} event from {@code dbAdd}, {@code expired} from
     * {@code expireIfNeeded} and active expiry), in the order they happen.
     */
    public interface Listener {
        /** {@code key} of {@code db} did not exist (or had expired) and is being written. */
        void created(int db, byte[] key);

        /** The expired entry of {@code key} of {@code db} is being removed. */
        void expired(int db, byte[] key);
    }

    /** Sets the listener of this transaction (every database view shares it); null for none. */
    public Keyspace listener(Listener listener) {
        tally.listener = listener;
        return this;
    }

    /**
     * Lets random draws from sets remember their samplers across commands (see
     * {@link SampledSets}); every database view of this transaction shares it. Null for none.
     */
    public Keyspace sampledSets(SampledSets sampledSets) {
        tally.sampledSets = sampledSets;
        return this;
    }

    /**
     * Tells this transaction's views that the engine declares
     * {@link io.respkv.api.EngineFeature#UNREAD_WRITES}; without it {@link #overwriteStringUnread}
     * answers false at once instead of encoding a write the engine would refuse.
     */
    public Keyspace unreadWrites(boolean engineTakesThem) {
        tally.unreadWrites = engineTakesThem;
        return this;
    }

    /**
     * Tells this transaction's views that the engine declares
     * {@link io.respkv.api.EngineFeature#LOCKING_READS}: reading a key's metadata then holds off
     * every other writer of the key until this transaction ends (see {@link #metadataSerializesWriters}).
     */
    public Keyspace lockingReads(boolean engineLocksReads) {
        tally.lockingReads = engineLocksReads;
        return this;
    }

    /**
     * Whether having read a key's metadata is enough to serialize this transaction with every
     * other writer of the key's collection, so a change that leaves the metadata as it was need
     * not rewrite it to make concurrent writers conflict.
     */
    public boolean metadataSerializesWriters() {
        return tally.lockingReads;
    }

    /** The server's memory of sets drawn from, or null. */
    public SampledSets sampledSets() {
        return tally.sampledSets;
    }

    /** Records that {@code key} of this database changed (see {@link KeyChanges}). */
    private void changed(byte[] key) {
        if (tally.changes != null) {
            tally.changes.modified(db, key);
        }
    }

    /**
     * Records that {@code key} was modified without its metadata being written: a collection
     * element changed in place (HSET of an existing field). Everything that writes or deletes
     * metadata through this class is recorded already.
     */
    public void touched(byte[] key) {
        changed(key);
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
        return otherDb == db ? this : new Keyspace(txn, otherDb, now, tally);
    }

    private byte[] rawMeta(byte[] key) {
        if (isCached(key)) {
            return cachedRaw;
        }
        byte[] metaKey = KeyCodec.metaKey(db, key);
        byte[] raw = txn.get(metaKey);
        cachedKey = key;
        cachedMetaKey = metaKey;
        cachedRaw = raw;
        return raw;
    }

    private boolean isCached(byte[] key) {
        return cachedKey != null && Arrays.equals(cachedKey, key);
    }

    /** The engine key of {@code key}'s metadata: the cached one after a read of it. */
    private byte[] metaKey(byte[] key) {
        return isCached(key) ? cachedMetaKey : KeyCodec.metaKey(db, key);
    }

    /** Records that {@code key}'s metadata, at engine key {@code metaKey}, is now {@code raw}. */
    private void remember(byte[] key, byte[] metaKey, byte[] raw) {
        cachedKey = key;
        cachedMetaKey = metaKey;
        cachedRaw = raw;
    }

    private void forget() {
        remember(null, null, null);
    }

    /** The live metadata of {@code key}, or null if it does not exist or has expired. */
    public KeyMeta meta(byte[] key) {
        return live(rawMeta(key));
    }

    /**
     * {@link #meta(byte[])} for a command whose only read is this one, run alone
     * ({@code ExecutionContext.soleReadOnlyCommand}): read with {@link Transaction#getSole}, so the
     * engine may answer without locking the key; this keyspace's transaction then takes no other
     * read or write.
     */
    public KeyMeta soleMeta(byte[] key) {
        return live(txn.getSole(KeyCodec.metaKey(db, key)));
    }

    /** The metadata stored as {@code raw} if it has not expired, else (or if null) null. */
    private KeyMeta live(byte[] raw) {
        return raw == null || isExpired(raw) ? null : KeyMeta.decode(raw);
    }

    /**
     * The live metadata of each of {@code keys} (null where absent or expired), read with one
     * {@link io.respkv.api.ReadView#getAll} (one round trip on engines whose reads are remote).
     */
    public KeyMeta[] metas(byte[][] keys) {
        byte[][] metaKeys = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            metaKeys[i] = KeyCodec.metaKey(db, keys[i]);
        }
        byte[][] raws = txn.getAll(metaKeys);
        KeyMeta[] metas = new KeyMeta[keys.length];
        for (int i = 0; i < keys.length; i++) {
            metas[i] = live(raws[i]);
        }
        return metas;
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

    /**
     * Whether an entry is stored at {@code key} whose deadline has passed: the key is logically
     * gone but not yet removed (Redis's {@code keyIsExpired}, which WATCH and EXEC consult).
     */
    public boolean isStoredExpired(byte[] key) {
        byte[] raw = rawMeta(key);
        return raw != null && isExpired(raw);
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
        byte[] metaKey = cachedMetaKey; // rawMeta just cached this key's
        Listener listener = tally.listener;
        if (old != null) {
            if (isExpired(old)) {
                tally.expiredRemoved++;
                if (listener != null) {
                    listener.expired(db, key);
                    listener.created(db, key);
                }
            }
            retire(key, old, meta.type() == RedisType.STRING ? -1 : meta.version());
        } else if (listener != null) {
            listener.created(db, key);
        }
        byte[] encoded = meta.encode();
        txn.put(metaKey, encoded);
        if (meta.hasExpiry()) {
            txn.put(KeyCodec.expiryKey(db, meta.expireAt(), key), EMPTY);
        }
        remember(key, metaKey, encoded);
        changed(key);
    }

    /** Sets a string value, replacing any previous value and type; {@code expireAt} 0 for none. */
    public void putString(byte[] key, byte[] value, long expireAt) {
        put(key, KeyMeta.string(value, expireAt));
    }

    /**
     * Sets a string value as {@link #putString} would on a key that is absent or a string without
     * expiry, without reading the key, when the engine can check that at commit instead
     * ({@link Transaction#putExpecting}); for commands whose reply does not depend on what the key
     * held (a plain SET, SETEX, MSET). If the key was something else, the commit fails as a
     * conflict, and the retried command finds this returning false for the key. Returns false,
     * having done nothing, when the engine does not offer that or this transaction has read the
     * key: the caller then reads and writes as usual.
     *
     * <p>Replacing an absent key or a string without expiry touches nothing but the metadata
     * entry: no expiry-index entry to remove, no collection version to retire, nothing expired to
     * count (see {@link KeyMeta#persistentStringHeader}).
     */
    public boolean overwriteStringUnread(byte[] key, byte[] value, long expireAt) {
        if (!tally.unreadWrites) {
            return false;
        }
        if (isCached(key)) {
            return false; // read already: the usual path costs nothing more
        }
        if (tally.listener != null) {
            return false; // keyspace notifications need to know whether the key is new or expired
        }
        byte[] encoded = KeyMeta.string(value, expireAt).encode();
        byte[] metaKey = KeyCodec.metaKey(db, key);
        if (!txn.putExpecting(metaKey, encoded, PERSISTENT_STRING_HEADER)) {
            return false;
        }
        if (expireAt != KeyMeta.NO_EXPIRY) {
            txn.put(KeyCodec.expiryKey(db, expireAt, key), EMPTY);
        }
        remember(key, metaKey, encoded);
        changed(key);
        return true;
    }

    /** Sets a string value without reading the key where the engine allows, else as {@link #putString}. */
    public void overwriteString(byte[] key, byte[] value, long expireAt) {
        if (!overwriteStringUnread(key, value, expireAt)) {
            putString(key, value, expireAt);
        }
    }

    private static final byte[] PERSISTENT_STRING_HEADER = KeyMeta.persistentStringHeader();

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
        byte[] metaKey = metaKey(key);
        txn.put(metaKey, encoded);
        remember(key, metaKey, encoded);
        changed(key);
    }

    /**
     * Deletes {@code key}. Returns whether a live key was deleted (an expired leftover is
     * removed too, but does not count).
     */
    public boolean delete(byte[] key) {
        byte[] old = rawMeta(key);
        byte[] metaKey = cachedMetaKey; // rawMeta just cached this key's
        if (old == null) {
            return false;
        }
        boolean live = !isExpired(old);
        if (!live) {
            tally.expiredRemoved++;
            if (tally.listener != null) {
                tally.listener.expired(db, key);
            }
        }
        retire(key, old, -1);
        txn.delete(metaKey);
        remember(key, metaKey, null);
        changed(key);
        return live;
    }

    private boolean isExpired(byte[] raw) {
        long expireAt = KeyMeta.expireAtOf(raw);
        return expireAt != KeyMeta.NO_EXPIRY && expireAt <= now;
    }

    /**
     * Removes what belongs to the stored entry {@code old} of {@code key} beyond its metadata:
     * its expiry-index entry and, for a collection whose version is not kept, retires the
     * version: a garbage marker, written in this transaction, hands its elements to the
     * {@link VersionSweeper}. No element is read or written here, so this is O(1) whatever the
     * collection's size.
     */
    private void retire(byte[] key, byte[] old, long keptVersion) {
        long expireAt = KeyMeta.expireAtOf(old);
        if (expireAt != KeyMeta.NO_EXPIRY) {
            txn.delete(KeyCodec.expiryKey(db, expireAt, key));
        }
        if (KeyMeta.typeOf(old).isCollection()) {
            long version = KeyMeta.decode(old).version();
            if (version != keptVersion) {
                txn.put(KeyCodec.garbageKey(db, key, version), EMPTY);
            }
        }
    }

    /**
     * The number of expired keys this transaction removed, in every database it touched: the
     * stale entries writes replaced or deleted, and the keys {@link #expireDue} expired. The
     * caller adds it to {@code expired_keys} once the transaction has committed.
     */
    public long expiredRemoved() {
        return tally.expiredRemoved;
    }

    // ---- collection versions ----

    /** How many bits of a fresh version are random; the bits above are the command's time in ms. */
    public static final int VERSION_RANDOM_BITS = 20;

    /**
     * Allocates the version for a new collection at {@code key}: {@code (now << 20) | 20 random
     * bits}, drawn from the command's time and random source, so a replicated command allocates
     * the same version on every replica. A draw is never a version whose elements still exist:
     * the version of the entry stored at {@code key} (live or expired) or one retired but not yet
     * swept (one point read of its garbage marker); such a draw is redrawn. The version's element
     * prefix is declared empty to the transaction ({@link io.respkv.api.Transaction#declareEmptyPrefix}).
     *
     * <p>Only collection creation calls this; strings have no version.
     */
    public long newVersion(byte[] key, RandomGenerator random) {
        while (true) {
            long candidate = (now << VERSION_RANDOM_BITS) | random.nextInt(1 << VERSION_RANDOM_BITS);
            if (!versionInUse(key, candidate)) {
                // Nothing exists under it, and nothing can be written there before this commit
                // names it: engines that cache what they commit then answer element reads of the
                // new collection (SADD's "is it a member already?") without a store lookup.
                txn.declareEmptyPrefix(KeyCodec.elementPrefix(db, key, candidate));
                return candidate;
            }
        }
    }

    /**
     * Whether elements of {@code key} may exist under {@code version}: it is the version of the
     * entry stored at {@code key} (live or expired), or a retired version not yet swept.
     */
    public boolean versionInUse(byte[] key, long version) {
        byte[] raw = rawMeta(key);
        if (raw != null && KeyMeta.typeOf(raw).isCollection() && KeyMeta.decode(raw).version() == version) {
            return true;
        }
        return txn.get(KeyCodec.garbageKey(db, key, version)) != null;
    }

    // ---- active expiry ----

    /** What one {@link #expireDue} call found: index entries looked at and keys expired. */
    public record ExpiryBatch(int sampled, int expired) {
    }

    /**
     * Active expiry of this database: takes up to {@code limit} expiry-index entries due at
     * {@link #now()} (oldest deadline first) and removes each key whose stored deadline is still
     * the indexed one: metadata, index entry and, for a collection, its version (retired). An
     * index entry whose key is gone or now carries another deadline is stale and only the entry
     * is removed. The metadata is point-read, so a concurrent write to the key conflicts with
     * (and is ordered against) this transaction.
     */
    public ExpiryBatch expireDue(int limit) {
        List<byte[]> due = new ArrayList<>(Math.min(limit, 64));
        try (KvCursor c = txn.scan(KeyCodec.expiryPrefix(db), KeyCodec.expiryDueBound(db, now), false)) {
            while (due.size() < limit && c.next()) {
                due.add(c.key().clone());
            }
        }
        int expired = 0;
        for (byte[] indexKey : due) {
            byte[] key = KeyCodec.userKeyOfExpiry(indexKey);
            byte[] raw = rawMeta(key);
            byte[] metaKey = cachedMetaKey; // rawMeta just cached this key's
            if (raw != null && KeyMeta.expireAtOf(raw) == KeyCodec.expireAtOfExpiryKey(indexKey)) {
                if (tally.listener != null) {
                    tally.listener.expired(db, key);
                }
                retire(key, raw, -1);
                txn.delete(metaKey);
                remember(key, metaKey, null);
                changed(key);
                expired++;
            } else {
                txn.delete(indexKey);
            }
        }
        tally.expiredRemoved += expired;
        return new ExpiryBatch(due.size(), expired);
    }

    /** Changes the expiry of live {@code meta} at {@code key}; {@code expireAt} 0 removes it. */
    public void setExpireAt(byte[] key, KeyMeta meta, long expireAt) {
        put(key, meta.withExpireAt(expireAt));
    }

    /**
     * Removes every key of this database: range deletes of its metadata, expiry index, elements
     * (live and retired) and garbage markers. Cheap on engines with
     * {@link io.respkv.api.EngineFeature#NATIVE_RANGE_DELETE}; proportional to the data elsewhere.
     */
    public void flush() {
        for (byte family : new byte[] {KeyCodec.META, KeyCodec.EXPIRY, KeyCodec.ELEMENT, KeyCodec.GARBAGE}) {
            byte[] prefix = KeyCodec.familyPrefix(family, db);
            txn.deleteRange(prefix, KeyCodec.prefixEnd(prefix));
        }
        forget();
        if (tally.changes != null) {
            tally.changes.flushed(db);
        }
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

    // ---- key-level operations: KEYS/SCAN ranges, COPY, RENAME, MOVE, RANDOMKEY ----

    /** The type of live {@code key}, or null if it does not exist (no value is decoded). */
    public RedisType type(byte[] key) {
        return exists(key) ? KeyMeta.typeOf(rawMeta(key)) : null;
    }

    /**
     * Opens a cursor over the live keys of this database with {@code from <= key < to} in key
     * order ({@code from} null: the first key; {@code to} null: no upper bound). Expired keys are
     * skipped. KEYS and SCAN use it to bound a scan by a pattern's literal prefix.
     */
    public KeyCursor keys(byte[] from, byte[] to) {
        byte[] low = from == null ? KeyCodec.metaPrefix(db) : KeyCodec.metaKey(db, from);
        byte[] high = to == null ? KeyCodec.metaEnd(db) : KeyCodec.metaKey(db, to);
        return new KeyCursor(txn.scan(low, high, false), now);
    }

    /**
     * Opens a cursor over the live keys of this database with {@code from <= key < to}, in key
     * order or, if {@code reverse}, in reverse key order ({@code from} null: the first key;
     * {@code to} null: no upper bound). Expired keys are skipped.
     */
    public KeyCursor keys(byte[] from, byte[] to, boolean reverse) {
        byte[] low = from == null ? KeyCodec.metaPrefix(db) : KeyCodec.metaKey(db, from);
        byte[] high = to == null ? KeyCodec.metaEnd(db) : KeyCodec.metaKey(db, to);
        return new KeyCursor(txn.scan(low, high, reverse), now);
    }

    /**
     * Copies live key {@code src} of this database to {@code dst} in {@code target} (this
     * database or another one of the same transaction, see {@link #database}), replacing whatever
     * {@code dst} holds there, of any type. The copy has the same type, value and expiry deadline.
     * Returns false, and changes nothing, if {@code src} does not exist.
     *
     * <p>A string is one metadata entry. A collection's elements are copied one by one under a
     * version of {@code dst} whose elements do not exist (see {@link #versionInUse}): the
     * source's version if free, else the next free one, so replacing {@code dst} retires its old
     * elements and never mixes them with the copied ones, and the sweeper never deletes a copied
     * element: O(n) in the number of elements. The choice depends only on the stored state, so
     * it is the same on every replica. Each element is read with a point read, so the copy
     * conflicts with (and is retried after) a concurrent command that changed one of them.
     *
     * <p>Copying a key onto itself rewrites it under a new version.
     */
    public boolean copyTo(byte[] src, Keyspace target, byte[] dst) {
        KeyMeta meta = meta(src);
        if (meta == null) {
            return false;
        }
        if (meta.type() == RedisType.STRING) {
            target.put(dst, meta);
            return true;
        }
        long version = meta.version();
        while (target.versionInUse(dst, version)) {
            version++;
        }
        byte[] from = KeyCodec.elementPrefix(db, src, meta.version());
        byte[] to = KeyCodec.elementPrefix(target.db, dst, version);
        // The engine cursor does not see writes made after it was opened, and the target
        // prefix differs from the source prefix, so writing while iterating is safe.
        boolean zset = meta.type() == RedisType.ZSET;
        try (KvCursor c = txn.scan(from, KeyCodec.prefixEnd(from), false)) {
            while (c.next()) {
                byte[] elementKey = c.key();
                // A sorted set's score index entries are written for scans only (never read by
                // key: Transaction.putScanned); each changes with its member entry, whose point
                // read below stands for both.
                boolean scannedOnly = zset && RedisZSet.isIndexEntry(elementKey, from.length);
                // A point read joins the transaction's read set; a scanned entry does not.
                byte[] value = scannedOnly ? c.value() : txn.get(elementKey);
                if (value == null) {
                    continue;
                }
                byte[] copyKey = new byte[to.length + elementKey.length - from.length];
                System.arraycopy(to, 0, copyKey, 0, to.length);
                System.arraycopy(elementKey, from.length, copyKey, to.length, elementKey.length - from.length);
                if (scannedOnly) {
                    target.txn.putScanned(copyKey, value);
                } else {
                    target.txn.put(copyKey, value);
                }
            }
        }
        // withVersion keeps what a type adds to the metadata (a list's head position)
        target.put(dst, meta.withVersion(version));
        return true;
    }

    /**
     * Renames live key {@code src} to {@code dst} in this database, replacing what {@code dst}
     * held and keeping the value and expiry. Returns false if {@code src} does not exist.
     * {@code src} and {@code dst} must differ. For a collection this is an O(n) copy of its
     * elements (see {@link #copyTo}) followed by an O(1) retirement of the old ones: element
     * keys embed the user key, so they cannot keep their place.
     */
    public boolean rename(byte[] src, byte[] dst) {
        if (Arrays.equals(src, dst)) {
            throw new IllegalArgumentException("rename onto itself");
        }
        if (!copyTo(src, this, dst)) {
            return false;
        }
        delete(src);
        return true;
    }

    /**
     * Moves live {@code key} from this database to the same key in {@code target}, replacing what
     * it held there, keeping value and expiry; O(n) for a collection as {@link #copyTo}. Returns
     * false if {@code key} does not exist here. {@code target} must be another database.
     */
    public boolean moveTo(byte[] key, Keyspace target) {
        if (target.db == db) {
            throw new IllegalArgumentException("move within database " + db);
        }
        if (!copyTo(key, target, key)) {
            return false;
        }
        delete(key);
        return true;
    }

    /**
     * A random live key of this database, or null if it has none.
     *
     * <p>Not O(n): it reads the first and last stored keys, draws a probe between them and, on a
     * coin flip, answers the first live key at or after the probe or the last live key at or
     * before it (wrapping around at the ends). The probe is drawn uniformly in the 7 bytes that
     * follow the common prefix of the first and last key, read as a number. So the choice is
     * biased: a key is picked with a probability proportional to the mean width of the gaps on
     * either side of it, measured in those 7 bytes (the first and last key have one gap only,
     * so half the weight of an evenly spaced neighbour). Keys spread evenly over the byte range
     * (random ids, counters of equal width) come out close to uniform; a key next to a wide gap
     * is favoured, and of a run of keys that agree on those 7 bytes only the first and the last
     * are ever picked. Expired keys are skipped, which is O(number skipped): in a database
     * whose keys have all expired but are not yet purged it walks to the end.
     */
    public byte[] randomKey(RandomGenerator random) {
        byte[] low = KeyCodec.metaPrefix(db);
        byte[] high = KeyCodec.metaEnd(db);
        byte[] first = edgeKey(low, high, false);
        if (first == null) {
            return null;
        }
        byte[] last = edgeKey(low, high, true);
        if (last == null) {
            // Scans see the latest commits, not a snapshot: the keys may have gone (active
            // expiry, another client) between the two edge reads.
            last = first;
        }
        byte[] probe = probeBetween(first, last, random);
        byte[] afterProbe = Arrays.copyOf(probe, probe.length + 1); // the least key > probe
        if (random.nextBoolean()) {
            byte[] key = firstLive(probe, high, false);
            return key != null ? key : firstLive(low, probe, false);
        }
        byte[] key = firstLive(low, afterProbe, true);
        return key != null ? key : firstLive(afterProbe, high, true);
    }

    /** The first live user key of the metadata range {@code [low, high)} in scan direction, or null. */
    private byte[] firstLive(byte[] low, byte[] high, boolean reverse) {
        try (KeyCursor c = new KeyCursor(txn.scan(low, high, reverse), now)) {
            return c.next() ? c.key() : null;
        }
    }

    /** The first (or last) stored engine key in {@code [low, high)}, expired or not. */
    private byte[] edgeKey(byte[] low, byte[] high, boolean last) {
        try (KvCursor c = txn.scan(low, high, last)) {
            return c.next() ? c.key().clone() : null;
        }
    }

    private static final int PROBE_BYTES = 7;

    /** A key {@code p} with {@code a[0..c] <= p <= b}, drawn uniformly in 7 bytes after the common prefix. */
    private static byte[] probeBetween(byte[] a, byte[] b, RandomGenerator random) {
        int common = Arrays.mismatch(a, b);
        if (common < 0) {
            return a.clone();
        }
        long ua = window(a, common);
        long ub = window(b, common);
        long u = ub > ua ? ua + random.nextLong(ub - ua + 1) : ua;
        byte[] probe = Arrays.copyOf(a, common + PROBE_BYTES);
        for (int i = PROBE_BYTES - 1; i >= 0; i--) {
            probe[common + i] = (byte) u;
            u >>>= 8;
        }
        return probe;
    }

    /** The 7 bytes of {@code k} from {@code at} as a number, zero-padded past the end. */
    private static long window(byte[] k, int at) {
        long v = 0;
        for (int i = 0; i < PROBE_BYTES; i++) {
            v = (v << 8) | (at + i < k.length ? k[at + i] & 0xff : 0);
        }
        return v;
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
