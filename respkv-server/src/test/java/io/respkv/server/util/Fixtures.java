package io.respkv.server.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/** Reads the generated expectation files in {@code fixtures/} (see fixtures/README.md). */
final class Fixtures {

    private Fixtures() {
    }

    static List<String> lines(String name) {
        // The files sit beside the tests in the source tree; surefire runs in the module dir.
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        Path p = Path.of(base, "src/test/java/io/respkv/server/util/fixtures", name);
        try {
            return Files.readAllLines(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + p + " is missing", e);
        }
    }

    /** Decodes a fixture input: plain text, "hex:...", or "z:head:count:tail" (a run of '0'). */
    static byte[] input(String field) {
        if (field.startsWith("hex:")) {
            return HexFormat.of().parseHex(field.substring(4));
        }
        if (field.startsWith("z:")) {
            String[] parts = field.split(":", -1);
            return (parts[1] + "0".repeat(Integer.parseInt(parts[2])) + parts[3])
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return field.getBytes(StandardCharsets.US_ASCII);
    }

    /** Hex bytes, or "-" for none (glob.txt). */
    static byte[] hexOrEmpty(String field) {
        return field.equals("-") ? new byte[0] : HexFormat.of().parseHex(field);
    }

    /** The fixture form of an output text: itself, or "fnv:length:hash" when over 200 bytes. */
    static String text(byte[] t) {
        if (t.length <= 200) {
            return new String(t, StandardCharsets.US_ASCII);
        }
        long x = 0xcbf29ce484222325L;
        for (byte b : t) {
            x ^= b & 0xff;
            x *= 0x100000001b3L;
        }
        return "fnv:" + t.length + ":" + String.format("%016x", x);
    }
}
