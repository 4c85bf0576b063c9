package io.respkv.codec;

/**
 * Limits the request decoder enforces before it waits for (or lets the caller buffer) more bytes.
 *
 * @param maxBulkLength   the largest bulk string argument accepted ({@code proto-max-bulk-len},
 *                        512 MB by default); larger lengths get {@code ERR Protocol error: invalid bulk length}.
 *                        At most {@code Integer.MAX_VALUE - 2}, since one argument must fit in one buffer.
 * @param maxArguments    the most arguments one multibulk request may declare; more get
 *                        {@code ERR Protocol error: invalid multibulk length} (Redis's own bound is {@code INT_MAX})
 * @param maxInlineLength how many bytes may be buffered without a line terminator (Redis's
 *                        {@code PROTO_INLINE_MAX_SIZE}, 64 KB) for an inline request or a multibulk/bulk count line
 */
public record RespLimits(long maxBulkLength, int maxArguments, int maxInlineLength) {

    /** Redis 7.0's defaults: 512 MB bulk strings, 1M arguments, 64 KB inline requests. */
    public static final RespLimits DEFAULT = new RespLimits(512L * 1024 * 1024, 1024 * 1024, 64 * 1024);

    public RespLimits {
        if (maxBulkLength < 0 || maxBulkLength > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("maxBulkLength: " + maxBulkLength + " (expected: 0.." + (Integer.MAX_VALUE - 2) + ")");
        }
        if (maxArguments < 1) {
            throw new IllegalArgumentException("maxArguments: " + maxArguments + " (expected: >= 1)");
        }
        if (maxInlineLength < 1) {
            throw new IllegalArgumentException("maxInlineLength: " + maxInlineLength + " (expected: >= 1)");
        }
    }
}
