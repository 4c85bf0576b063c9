package io.respkv.api;

/**
 * Where a command writes its reply, in RESP3 terms. Implementations encode for the
 * connection's {@link #protocol()} and downgrade RESP3-only types for RESP2 exactly as Redis 7
 * does:
 *
 * <table>
 *   <caption>RESP2 downgrades</caption>
 *   <tr><th>call</th><th>RESP3</th><th>RESP2</th></tr>
 *   <tr><td>{@link #nullBulk()}</td><td>{@code _}</td><td>{@code $-1}</td></tr>
 *   <tr><td>{@link #nullArray()}</td><td>{@code _}</td><td>{@code *-1}</td></tr>
 *   <tr><td>{@link #map(int)}</td><td>{@code %n}</td><td>{@code *2n}</td></tr>
 *   <tr><td>{@link #set(int)}</td><td>{@code ~n}</td><td>{@code *n}</td></tr>
 *   <tr><td>{@link #push(int)}</td><td>{@code >n}</td><td>{@code *n}</td></tr>
 *   <tr><td>{@link #doubleValue(double)}</td><td>{@code ,1.5}</td><td>{@code $3 1.5}</td></tr>
 *   <tr><td>{@link #bool(boolean)}</td><td>{@code #t}</td><td>{@code :1}</td></tr>
 *   <tr><td>{@link #verbatim}</td><td>{@code =len txt:...}</td><td>bulk string</td></tr>
 *   <tr><td>{@link #bigNumber}</td><td>{@code (digits}</td><td>bulk string</td></tr>
 * </table>
 *
 * Aggregates are written as a header followed by exactly that many elements (two per map entry).
 */
public interface ReplySink {

    /** The protocol this sink encodes for. */
    ProtocolVersion protocol();

    /** {@code +text} — text must not contain CR or LF. */
    void simple(String text);

    /** {@code -line}: the whole error line without the dash, e.g. {@code ERR syntax error} or {@code WRONGTYPE ...}. */
    void error(String line);

    /** {@code :value}. */
    void integer(long value);

    /** A bulk string; {@code null} writes {@link #nullBulk()}. */
    void bulk(byte[] value);

    /** A bulk string from a slice of {@code value}. */
    void bulk(byte[] value, int offset, int length);

    /** A bulk string of the UTF-8 bytes of {@code text}; {@code null} writes {@link #nullBulk()}. */
    void bulk(String text);

    /** The null bulk string ({@code $-1} in RESP2, {@code _} in RESP3). */
    void nullBulk();

    /** The null array ({@code *-1} in RESP2, {@code _} in RESP3). */
    void nullArray();

    /** An array header for {@code count} elements. */
    void array(int count);

    /** A map header for {@code entries} key/value pairs (an array of 2×entries in RESP2). */
    void map(int entries);

    /** A set header (an array in RESP2). */
    void set(int count);

    /** A push header (an array in RESP2). */
    void push(int count);

    /** A double ({@code ,} in RESP3; a bulk string in RESP2), formatted as Redis 7.0 does ({@code %.17g}, {@code inf}, {@code -inf}). */
    void doubleValue(double value);

    /** A boolean ({@code #t}/{@code #f} in RESP3; {@code :1}/{@code :0} in RESP2). */
    void bool(boolean value);

    /** A verbatim string with a three-letter format such as {@code txt} (a bulk string in RESP2). */
    void verbatim(String format, byte[] text);

    /** A big number given as its decimal digits (a bulk string in RESP2). */
    void bigNumber(String digits);

    /** {@code +OK}. */
    default void ok() {
        simple("OK");
    }
}
