package io.respkv.api;

/**
 * The arguments of one request, argument 0 being the command name. Implementations may be views
 * into a receive buffer that are only valid while the command executes: copy with
 * {@link #bytes(int)} what must outlive it.
 */
public interface CommandArgs {

    /** The number of arguments, the command name included. */
    int count();

    /** The length in bytes of argument {@code index}. */
    int length(int index);

    /** The byte at {@code offset} of argument {@code index}. */
    byte byteAt(int index, int offset);

    /** A copy of argument {@code index}. */
    byte[] bytes(int index);

    /** Argument {@code index} decoded as UTF-8 (for keywords and names, not for keys or values). */
    String string(int index);

    /**
     * Whether argument {@code index} is {@code keyword} the way Redis compares keywords and
     * subcommand names ({@code strcasecmp}): ASCII case is ignored and the argument ends at its
     * first NUL byte, so {@code "NX\0junk"} is {@code NX}. {@code keyword} is an ASCII word
     * without NUL; this compares in place without allocating.
     */
    boolean is(int index, String keyword);

    /**
     * Parses argument {@code index} as a signed 64-bit decimal with Redis's rules
     * ({@code string2ll}): optional {@code -}, no {@code +}, no spaces, no leading zeros except
     * {@code 0} itself, no overflow.
     *
     * @throws NumberFormatException if it is not such a number
     */
    long parseLong(int index);
}
