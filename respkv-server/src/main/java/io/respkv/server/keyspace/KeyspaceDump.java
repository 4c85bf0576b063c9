package io.respkv.server.keyspace;

import io.respkv.api.KvCursor;
import io.respkv.api.ReadView;
import io.respkv.server.util.RedisNumbers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Writes the live keys of a keyspace as a stream of RESP commands that rebuild them: what
 * {@code respkv dump} prints and {@code redis-cli --pipe} replays into a real Redis or respkv.
 *
 * <p>Per database that holds keys: {@code SELECT db}, then per live key, in key order:
 * <pre>
 * string      SET key value
 * hash        DEL key, HSET key field value [field value ...]     (in chunks)
 * list        DEL key, RPUSH key element [element ...]            (in chunks, head to tail)
 * set         DEL key, SADD key member [member ...]               (in chunks)
 * sorted set  DEL key, ZADD key score member [score member ...]  (in chunks)
 * with a TTL  PEXPIREAT key deadline-ms                           (after the value)
 * </pre>
 *
 * A collection goes out in chunks of at most {@value #CHUNK_ELEMENTS} elements or about
 * {@value #CHUNK_BYTES} bytes, so neither this writer nor the server replaying it holds a large
 * collection in one request; the {@code DEL} in front makes the chunks rebuild the key whatever
 * the target held there (SET replaces a string anyway). Scores are printed as ZSCORE prints them
 * ({@code %.17g}, {@code inf}, {@code -inf}), which parse back to the same double. The deadline
 * is absolute, as stored ({@code PEXPIREAT}, as Redis's AOF rewrite writes it): a replay at any
 * later time gives the same deadlines, where a relative {@code PEXPIRE} would lengthen every TTL
 * by the time between the dump and the replay. A key whose deadline has passed by then is
 * deleted by its {@code PEXPIREAT}, as it would have expired.
 *
 * <p>Reads go through a {@link ReadView}, normally a {@link io.respkv.api.Snapshot}, so the
 * stream is one point in time. Nothing is held beyond the current key's chunk: the keys and the
 * elements are streamed from engine cursors. Keys that expired at {@code nowMillis} are left out.
 * Elements of retired versions (deleted collections not yet swept) are never read: only the
 * version a key's metadata names is.
 */
public final class KeyspaceDump {

    /** Elements per HSET/RPUSH/SADD/ZADD command at most. */
    public static final int CHUNK_ELEMENTS = 1000;
    /** Argument bytes after which a chunk is sent even if it has fewer elements. */
    public static final int CHUNK_BYTES = 1 << 20;

    private static final byte[] SELECT = ascii("SELECT");
    private static final byte[] SET = ascii("SET");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] HSET = ascii("HSET");
    private static final byte[] RPUSH = ascii("RPUSH");
    private static final byte[] SADD = ascii("SADD");
    private static final byte[] ZADD = ascii("ZADD");
    private static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    private static final byte[] CRLF = {'\r', '\n'};

    private final ReadView view;
    private final long now;
    private final OutputStream out;
    private final List<byte[]> chunk = new ArrayList<>();
    private long chunkBytes;
    private long commands;
    private long keys;

    /**
     * A dump of what {@code view} holds, leaving out keys expired at {@code nowMillis}, written
     * to {@code out} (which the caller buffers, flushes and closes).
     */
    public KeyspaceDump(ReadView view, long nowMillis, OutputStream out) {
        this.view = Objects.requireNonNull(view, "view");
        this.now = nowMillis;
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * The first database {@code >= from} with a stored key (live or not yet purged), or -1 if
     * there is none: one seek, so walking the databases present costs one seek each, however
     * many the server is configured with.
     */
    public int nextDatabase(int from) {
        if (from >= KeyCodec.MAX_DATABASES) {
            return -1;
        }
        try (KvCursor c = view.scan(KeyCodec.metaPrefix(from), KeyCodec.prefixEnd(new byte[] {KeyCodec.META}), false)) {
            if (!c.next()) {
                return -1;
            }
            byte[] k = c.key();
            return ((k[1] & 0xff) << 8) | (k[2] & 0xff);
        }
    }

    /** The number of live keys of {@code db} (a scan of its metadata entries, as DBSIZE). */
    public long countKeys(int db) {
        long n = 0;
        try (Keyspace.KeyCursor c = liveKeys(db)) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Writes the commands rebuilding the live keys of {@code db}: {@code SELECT db} then each
     * key; nothing if it has none. {@code progress} hears the total number of keys this dump has
     * written so far after each key. Returns the number of keys of {@code db} written.
     */
    public long writeDatabase(int db, LongConsumer progress) throws IOException {
        long before = keys;
        boolean selected = false;
        try (Keyspace.KeyCursor c = liveKeys(db)) {
            while (c.next()) {
                if (!selected) {
                    command(SELECT, ascii(Integer.toString(db)));
                    selected = true;
                }
                writeKey(db, c.key(), c.meta());
                keys++;
                progress.accept(keys);
            }
        }
        return keys - before;
    }

    /** Commands written so far (what a replay answers with as many replies). */
    public long commands() {
        return commands;
    }

    /** Keys written so far. */
    public long keys() {
        return keys;
    }

    private Keyspace.KeyCursor liveKeys(int db) {
        return new Keyspace.KeyCursor(view.scan(KeyCodec.metaPrefix(db), KeyCodec.metaEnd(db), false), now);
    }

    private void writeKey(int db, byte[] key, KeyMeta meta) throws IOException {
        switch (meta.type()) {
            case STRING -> command(SET, key, meta.value());
            case HASH -> writeElements(key, meta, HSET, KeyCodec.elementPrefix(db, key, meta.version()), null);
            case SET -> writeElements(key, meta, SADD, KeyCodec.elementPrefix(db, key, meta.version()), null);
            case LIST -> {
                byte[] prefix = KeyCodec.elementPrefix(db, key, meta.version());
                // exactly the positions head .. head + size - 1 (docs/encoding.md, Lists)
                byte[] from = concat(prefix, RedisList.subKey(meta.listHead()));
                byte[] to = concat(prefix, RedisList.subKey(meta.listHead() + meta.size()));
                writeElements(key, meta, RPUSH, from, to);
            }
            case ZSET -> {
                // the member entries ('m' | member -> score bits), not the score index
                byte[] members = concat(KeyCodec.elementPrefix(db, key, meta.version()), new byte[] {RedisZSet.MEMBER});
                writeElements(key, meta, ZADD, members, null);
            }
        }
        if (meta.hasExpiry()) {
            command(PEXPIREAT, key, ascii(Long.toString(meta.expireAt())));
        }
    }

    /**
     * DEL, then the elements in {@code [from, to)} ({@code to} null: every key starting with
     * {@code from}) as chunked {@code verb key ...} commands. A hash field, set member or sorted
     * set member is what follows {@code from} in the element key; a list element is the value.
     */
    private void writeElements(byte[] key, KeyMeta meta, byte[] verb, byte[] from, byte[] to)
            throws IOException {
        command(DEL, key);
        RedisType type = meta.type();
        byte[] end = to != null ? to : KeyCodec.prefixEnd(from);
        int elements = 0;
        startChunk(verb, key);
        try (KvCursor c = view.scan(from, end, false)) {
            while (c.next()) {
                switch (type) {
                    case HASH -> add(sub(c.key(), from.length), c.value().clone());
                    case SET -> add(sub(c.key(), from.length));
                    case LIST -> add(c.value().clone());
                    case ZSET -> add(RedisNumbers.formatDouble(Double.longBitsToDouble(KeyCodec.getLong(c.value(), 0))),
                            sub(c.key(), from.length));
                    default -> throw new IllegalStateException("not a collection: " + type);
                }
                if (++elements == CHUNK_ELEMENTS || chunkBytes >= CHUNK_BYTES) {
                    flushChunk();
                    startChunk(verb, key);
                    elements = 0;
                }
            }
        }
        flushChunk();
    }

    private void startChunk(byte[] verb, byte[] key) {
        chunk.clear();
        chunk.add(verb);
        chunk.add(key);
        chunkBytes = 0;
    }

    private void add(byte[] arg) {
        chunk.add(arg);
        chunkBytes += arg.length;
    }

    private void add(byte[] a, byte[] b) {
        add(a);
        add(b);
    }

    /** Writes the pending chunk if it holds an element. */
    private void flushChunk() throws IOException {
        if (chunk.size() > 2) {
            command(chunk);
        }
        chunk.clear();
    }

    private void command(byte[]... args) throws IOException {
        command(List.of(args));
    }

    /** One RESP array of bulk strings, as redis-cli sends a command. */
    private void command(List<byte[]> args) throws IOException {
        out.write('*');
        out.write(ascii(Integer.toString(args.size())));
        out.write(CRLF);
        for (byte[] arg : args) {
            out.write('$');
            out.write(ascii(Integer.toString(arg.length)));
            out.write(CRLF);
            out.write(arg);
            out.write(CRLF);
        }
        commands++;
    }

    private static byte[] sub(byte[] k, int at) {
        byte[] out = new byte[k.length - at];
        System.arraycopy(k, at, out, 0, out.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
