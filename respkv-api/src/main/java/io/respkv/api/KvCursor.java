package io.respkv.api;

/**
 * A positioned iterator over key/value entries, as returned by {@link ReadView#scan}.
 *
 * <pre>{@code
 * try (KvCursor c = view.scan(low, high, false)) {
 *     while (c.next()) {
 *         use(c.key(), c.value());
 *     }
 * }
 * }</pre>
 *
 * {@link #key()} and {@link #value()} are valid after {@link #next()} returned true and until the
 * following call to {@code next()}; callers must not modify the returned arrays.
 */
public interface KvCursor extends AutoCloseable {

    /** Advances to the next entry; false when the range is exhausted. */
    boolean next();

    /** The current entry's key. */
    byte[] key();

    /** The current entry's value. */
    byte[] value();

    @Override
    void close();
}
