package io.respkv.server.command.meta;

import java.util.EnumSet;
import java.util.Set;

/**
 * The flags of a Redis 7 key spec and of a key found by {@code COMMAND GETKEYSANDFLAGS}, in
 * Redis's bit order (which is also the order Redis lists them in replies).
 */
public enum KeySpecFlag {
    RO("RO"),
    RW("RW"),
    OW("OW"),
    RM("RM"),
    ACCESS("access"),
    UPDATE("update"),
    INSERT("insert"),
    DELETE("delete"),
    NOT_KEY("not_key"),
    INCOMPLETE("incomplete"),
    VARIABLE_FLAGS("variable_flags");

    private static final KeySpecFlag[] VALUES = values();

    private final String wireName;

    KeySpecFlag(String wireName) {
        this.wireName = wireName;
    }

    /** The flag as Redis writes it, e.g. {@code RW} or {@code access}. */
    public String wireName() {
        return wireName;
    }

    /** This flag's bit in a flag mask. */
    public int bit() {
        return 1 << ordinal();
    }

    /** The flag Redis spells {@code wire}, or {@code null}. */
    public static KeySpecFlag fromWireName(String wire) {
        for (KeySpecFlag f : VALUES) {
            if (f.wireName.equals(wire)) {
                return f;
            }
        }
        return null;
    }

    /** The flags of a mask, in bit order. */
    public static Set<KeySpecFlag> fromBits(int bits) {
        EnumSet<KeySpecFlag> out = EnumSet.noneOf(KeySpecFlag.class);
        for (KeySpecFlag f : VALUES) {
            if ((bits & f.bit()) != 0) {
                out.add(f);
            }
        }
        return out;
    }
}
