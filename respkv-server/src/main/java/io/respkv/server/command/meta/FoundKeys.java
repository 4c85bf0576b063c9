package io.respkv.server.command.meta;

import java.util.Arrays;
import java.util.Set;

/**
 * The key arguments {@link KeyFinder} found in one request: argument indexes relative to the
 * command name (0), each with the {@link KeySpecFlag} mask of the spec or rule that found it.
 */
public final class FoundKeys {

    private static final FoundKeys NONE = new FoundKeys(new int[0], new int[0], 0);

    private final int[] indexes;
    private final int[] flags;
    private final int count;

    private FoundKeys(int[] indexes, int[] flags, int count) {
        this.indexes = indexes;
        this.flags = flags;
        this.count = count;
    }

    /** No keys. */
    public static FoundKeys none() {
        return NONE;
    }

    /** The number of keys found. */
    public int count() {
        return count;
    }

    /** The argument index of key {@code i}, relative to the command name. */
    public int index(int i) {
        return indexes[i];
    }

    /** The {@link KeySpecFlag} mask of key {@code i}. */
    public int flagBits(int i) {
        return flags[i];
    }

    /** The flags of key {@code i}, in Redis's order. */
    public Set<KeySpecFlag> flags(int i) {
        return KeySpecFlag.fromBits(flags[i]);
    }

    /** The argument indexes, in the order found. */
    public int[] indexes() {
        return Arrays.copyOf(indexes, count);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("FoundKeys[");
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : ", ").append(indexes[i]).append(flags(i));
        }
        return s.append(']').toString();
    }

    /** Collects keys in order. */
    static final class Builder {
        private int[] indexes = new int[4];
        private int[] flags = new int[4];
        private int count;

        void add(int index, int flagBits) {
            if (count == indexes.length) {
                indexes = Arrays.copyOf(indexes, count * 2);
                flags = Arrays.copyOf(flags, count * 2);
            }
            indexes[count] = index;
            flags[count++] = flagBits;
        }

        int count() {
            return count;
        }

        FoundKeys build() {
            return count == 0 ? NONE : new FoundKeys(indexes, flags, count);
        }
    }
}
