package io.respkv.server.command.meta;

import static java.util.Objects.requireNonNull;

import io.respkv.api.ReplySink;
import java.util.List;

/**
 * An immutable RESP3 reply, kept with its exact types: the form in which the command metadata
 * captured from Redis is stored and replayed. Only the types that {@code COMMAND INFO} and
 * {@code COMMAND DOCS} use exist here. {@link #writeTo(ReplySink)} replays a tree through a sink,
 * which downgrades sets and maps for RESP2 exactly as Redis does.
 */
public sealed interface ReplyTree {

    /** Writes this reply, depth first. */
    void writeTo(ReplySink sink);

    /** A bulk string ({@code $}); metadata text is UTF-8. */
    record Bulk(String text) implements ReplyTree {
        public Bulk {
            requireNonNull(text, "text");
        }

        @Override
        public void writeTo(ReplySink sink) {
            sink.bulk(text);
        }
    }

    /** A simple string ({@code +}), e.g. a command flag. */
    record Simple(String text) implements ReplyTree {
        public Simple {
            requireNonNull(text, "text");
            if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("simple string with CR or LF: " + text);
            }
        }

        @Override
        public void writeTo(ReplySink sink) {
            sink.simple(text);
        }
    }

    /** An integer ({@code :}). */
    record Int(long value) implements ReplyTree {
        @Override
        public void writeTo(ReplySink sink) {
            sink.integer(value);
        }
    }

    /** The RESP3 null ({@code _}); written as the null bulk string, which is what Redis's {@code addReplyNull} sends in RESP2. */
    record Null() implements ReplyTree {
        @Override
        public void writeTo(ReplySink sink) {
            sink.nullBulk();
        }
    }

    /** An array ({@code *}). */
    record Array(List<ReplyTree> elements) implements ReplyTree {
        public Array {
            elements = List.copyOf(elements);
        }

        @Override
        public void writeTo(ReplySink sink) {
            sink.array(elements.size());
            for (ReplyTree e : elements) {
                e.writeTo(sink);
            }
        }
    }

    /** A set ({@code ~}): order is kept as Redis sent it. */
    record Set(List<ReplyTree> elements) implements ReplyTree {
        public Set {
            elements = List.copyOf(elements);
        }

        @Override
        public void writeTo(ReplySink sink) {
            sink.set(elements.size());
            for (ReplyTree e : elements) {
                e.writeTo(sink);
            }
        }
    }

    /**
     * A map ({@code %}) as its keys and values alternating, in the order Redis sent them (a map
     * reply may repeat a key, e.g. {@code COMMAND DOCS get get}).
     */
    record Map(List<ReplyTree> keysAndValues) implements ReplyTree {
        public Map {
            keysAndValues = List.copyOf(keysAndValues);
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs an even number of keys and values");
            }
        }

        /** The number of entries. */
        public int size() {
            return keysAndValues.size() / 2;
        }

        /** The key of entry {@code i}. */
        public ReplyTree key(int i) {
            return keysAndValues.get(2 * i);
        }

        /** The value of entry {@code i}. */
        public ReplyTree value(int i) {
            return keysAndValues.get(2 * i + 1);
        }

        /** The value of the first entry whose key is the bulk string {@code key}, or {@code null}. */
        public ReplyTree get(String key) {
            for (int i = 0; i < keysAndValues.size(); i += 2) {
                if (keysAndValues.get(i) instanceof Bulk b && b.text().equals(key)) {
                    return keysAndValues.get(i + 1);
                }
            }
            return null;
        }

        @Override
        public void writeTo(ReplySink sink) {
            sink.map(size());
            for (ReplyTree e : keysAndValues) {
                e.writeTo(sink);
            }
        }
    }
}
