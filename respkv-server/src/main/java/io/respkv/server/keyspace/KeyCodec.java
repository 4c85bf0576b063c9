package io.respkv.server.keyspace;

/**
 * Builds and parses the engine keys of the data layout (see docs/encoding.md).
 *
 * <pre>
 * metadata entry   'M' | db:u16 | user key                            -> {@link KeyMeta} bytes
 * expiry index     'X' | db:u16 | expire-at ms:u64 | user key          -> empty
 * element entry    'E' | db:u16 | key length:u32 | user key | version:u64 | sub key  (collections)
 * garbage marker   'G' | db:u16 | key length:u32 | user key | version:u64            -> empty
 * replication      'R' | name (ASCII)                                   -> the replica's state (respkv-raft):
 *                  "applied" (the log position applied), "acl" (the ACL users as of it)
 * </pre>
 *
 * All integers are big-endian so that byte order is numeric order: the expiry index scans in
 * deadline order, and a key's elements are contiguous under its version. The prefix byte
 * separates the families, and the database number keeps SELECTed databases apart in one key
 * space. A garbage marker is the element prefix of a retired collection version with the family
 * byte 'G' instead of 'E': one point read tells whether a version still has elements waiting
 * for the {@link VersionSweeper}, and the sweeper turns a marker into its element range by
 * swapping one byte.
 */
public final class KeyCodec {

    public static final byte META = 'M';
    public static final byte EXPIRY = 'X';
    public static final byte ELEMENT = 'E';
    public static final byte GARBAGE = 'G';
    /** State of a replica of the replicated log, outside every database (see ReplicaApplier). */
    public static final byte REPLICATION = 'R';

    /** Function libraries (FUNCTION LOAD), outside every database: {@code F l name} and {@code F f function}. */
    public static final byte FUNCTION = 'F';

    /** The highest database count the layout can address. */
    public static final int MAX_DATABASES = 1 << 16;

    private KeyCodec() {
    }

    /** {@code F | 'l' | library name}: the library's whole code. */
    public static byte[] functionLibraryKey(byte[] name) {
        return functionKey('l', name);
    }

    /** {@code F | 'f' | function name}: the name of the library that registered it. */
    public static byte[] functionIndexKey(byte[] name) {
        return functionKey('f', name);
    }

    /** {@code F | kind}: the prefix of every library ('l') or function index ('f') entry. */
    public static byte[] functionPrefix(char kind) {
        return new byte[] {FUNCTION, (byte) kind};
    }

    private static byte[] functionKey(char kind, byte[] name) {
        byte[] k = new byte[2 + name.length];
        k[0] = FUNCTION;
        k[1] = (byte) kind;
        System.arraycopy(name, 0, k, 2, name.length);
        return k;
    }

    /** {@code R | name}: a replica's own state, such as the last log index it applied. */
    public static byte[] replicationKey(String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] k = new byte[1 + n.length];
        k[0] = REPLICATION;
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    /** {@code M | db | key}.*/
    public static byte[] metaKey(int db, byte[] key) {
        byte[] out = new byte[META_HEADER + key.length];
        putMetaHeader(out, db);
        System.arraycopy(key, 0, out, META_HEADER, key.length);
        return out;
    }

    /** The length of a metadata key's {@code M | db} header. */
    public static final int META_HEADER = 3;

    /** Writes the {@code M | db} header of {@code db}'s metadata keys into {@code out}[0, {@link #META_HEADER}). */
    public static void putMetaHeader(byte[] out, int db) {
        out[0] = META;
        putDb(out, db);
    }

    /** The first metadata key of {@code db} (inclusive scan bound). */
    public static byte[] metaPrefix(int db) {
        byte[] out = new byte[3];
        out[0] = META;
        putDb(out, db);
        return out;
    }

    /** The exclusive upper bound of the metadata keys of {@code db}. */
    public static byte[] metaEnd(int db) {
        return prefixEnd(metaPrefix(db));
    }

    /** {@code M | db | prefix}: the first metadata key whose user key starts with {@code prefix}. */
    public static byte[] metaKeyPrefix(int db, byte[] prefix) {
        return metaKey(db, prefix);
    }

    /** The user key inside a metadata key. */
    public static byte[] userKeyOfMeta(byte[] metaKey) {
        byte[] out = new byte[metaKey.length - 3];
        System.arraycopy(metaKey, 3, out, 0, out.length);
        return out;
    }

    /** {@code X | db | expireAt | key}. */
    public static byte[] expiryKey(int db, long expireAtMillis, byte[] key) {
        byte[] out = new byte[11 + key.length];
        out[0] = EXPIRY;
        putDb(out, db);
        putLong(out, 3, expireAtMillis);
        System.arraycopy(key, 0, out, 11, key.length);
        return out;
    }

    /** The first expiry-index key of {@code db}. */
    public static byte[] expiryPrefix(int db) {
        byte[] out = new byte[3];
        out[0] = EXPIRY;
        putDb(out, db);
        return out;
    }

    /** The exclusive bound of expiry entries of {@code db} due at or before {@code nowMillis}. */
    public static byte[] expiryDueBound(int db, long nowMillis) {
        byte[] out = new byte[11];
        out[0] = EXPIRY;
        putDb(out, db);
        putLong(out, 3, nowMillis + 1);
        return out;
    }

    /** The deadline stored in an expiry-index key. */
    public static long expireAtOfExpiryKey(byte[] expiryKey) {
        return getLong(expiryKey, 3);
    }

    /** The user key stored in an expiry-index key. */
    public static byte[] userKeyOfExpiry(byte[] expiryKey) {
        byte[] out = new byte[expiryKey.length - 11];
        System.arraycopy(expiryKey, 11, out, 0, out.length);
        return out;
    }

    /** {@code E | db | keylen | key | version}: the prefix of every element of one key version. */
    public static byte[] elementPrefix(int db, byte[] key, long version) {
        byte[] out = new byte[15 + key.length];
        out[0] = ELEMENT;
        putDb(out, db);
        putInt(out, 3, key.length);
        System.arraycopy(key, 0, out, 7, key.length);
        putLong(out, 7 + key.length, version);
        return out;
    }

    /** The length of {@link #elementPrefix} for {@code key}: where the sub key starts in an element key. */
    public static int elementPrefixLength(byte[] key) {
        return 15 + key.length;
    }

    /** {@code E | db | keylen | key | version | subKey}. */
    public static byte[] elementKey(int db, byte[] key, long version, byte[] subKey) {
        byte[] prefix = elementPrefix(db, key, version);
        byte[] out = new byte[prefix.length + subKey.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(subKey, 0, out, prefix.length, subKey.length);
        return out;
    }

    /**
     * {@code G | db | keylen | key | version}: the marker saying that version {@code version} of
     * {@code key} was retired and its elements still await the sweeper.
     */
    public static byte[] garbageKey(int db, byte[] key, long version) {
        byte[] out = elementPrefix(db, key, version);
        out[0] = GARBAGE;
        return out;
    }

    /** The element prefix ({@code E | db | keylen | key | version}) a garbage marker stands for. */
    public static byte[] elementPrefixOfGarbage(byte[] garbageKey) {
        if (garbageKey.length < 15 || garbageKey[0] != GARBAGE) {
            throw new IllegalArgumentException("not a garbage marker");
        }
        byte[] out = garbageKey.clone();
        out[0] = ELEMENT;
        return out;
    }

    /** The first key of a database-wide family ({@code prefix} then db). */
    public static byte[] familyPrefix(byte family, int db) {
        byte[] out = new byte[3];
        out[0] = family;
        putDb(out, db);
        return out;
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, or null if there is
     * none (the prefix is all 0xFF).
     */
    public static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] out = new byte[i + 1];
                System.arraycopy(prefix, 0, out, 0, i + 1);
                out[i]++;
                return out;
            }
        }
        return null;
    }

    private static void putDb(byte[] out, int db) {
        if (db < 0 || db >= MAX_DATABASES) {
            throw new IllegalArgumentException("database out of range: " + db);
        }
        out[1] = (byte) (db >>> 8);
        out[2] = (byte) db;
    }

    static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
    }

    static void putLong(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] in, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[at + i] & 0xff);
        }
        return v;
    }
}
