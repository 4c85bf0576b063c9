package io.respkv.server.command.meta;

import io.respkv.api.CommandArgs;
import java.nio.charset.StandardCharsets;

/** A test-only {@link CommandArgs} over byte arrays, with Redis's {@code string2ll} rules. */
final class TestArgs implements CommandArgs {

    private final byte[][] args;

    TestArgs(byte[]... args) {
        this.args = args;
    }

    static TestArgs of(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new TestArgs(raw);
    }

    /** The same arguments as byte arrays (to send them to a real server). */
    byte[][] raw() {
        return args.clone();
    }

    @Override
    public int count() {
        return args.length;
    }

    @Override
    public int length(int index) {
        return args[index].length;
    }

    @Override
    public byte byteAt(int index, int offset) {
        return args[index][offset];
    }

    @Override
    public byte[] bytes(int index) {
        return args[index].clone();
    }

    @Override
    public String string(int index) {
        return new String(args[index], StandardCharsets.UTF_8);
    }

    @Override
    public boolean is(int index, String keyword) {
        byte[] a = args[index];
        if (a.length != keyword.length()) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            int x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
            char k = keyword.charAt(i);
            int y = k >= 'A' && k <= 'Z' ? k + 32 : k;
            if (x != y) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long parseLong(int index) {
        byte[] a = args[index];
        int n = a.length;
        if (n == 0 || n > 20) {
            throw new NumberFormatException("not an integer");
        }
        if (n == 1 && a[0] == '0') {
            return 0;
        }
        int p = 0;
        boolean negative = a[0] == '-';
        if (negative) {
            p++;
        }
        if (p >= n || a[p] < '1' || a[p] > '9') {
            throw new NumberFormatException("not an integer");
        }
        long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
        for (; p < n; p++) {
            int d = a[p] - '0';
            if (d < 0 || d > 9) {
                throw new NumberFormatException("not an integer");
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new NumberFormatException("overflow");
            }
            v = v * 10 - d;
        }
        if (negative) {
            return v;
        }
        if (v == Long.MIN_VALUE) {
            throw new NumberFormatException("overflow");
        }
        return -v;
    }
}
