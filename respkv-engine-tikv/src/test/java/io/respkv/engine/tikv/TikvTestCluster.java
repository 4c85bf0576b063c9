package io.respkv.engine.tikv;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster the tests run on: a real one when {@code -Dtikv.pd=host:port[,...]} is given,
 * otherwise one {@linkplain StandInTikvCluster stand-in} per test JVM (started on first use).
 * Every engine a test opens gets its own key prefix, and on the stand-in the regions are split
 * inside that prefix so reads, scans and commits cross region boundaries.
 */
final class TikvTestCluster {

    /** System property naming a real cluster's PD endpoints. */
    static final String PD_PROPERTY = "tikv.pd";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static StandInTikvCluster standIn;

    private TikvTestCluster() {
    }

    /** True when the tests run against a real cluster. */
    static boolean real() {
        String pd = System.getProperty(PD_PROPERTY);
        return pd != null && !pd.isBlank();
    }

    /** The stand-in of this JVM (started on first use), or null against a real cluster. */
    static synchronized StandInTikvCluster standIn() {
        if (real()) {
            return null;
        }
        if (standIn == null) {
            standIn = new StandInTikvCluster(List.of());
            Runtime.getRuntime().addShutdownHook(new Thread(standIn::close));
        }
        return standIn;
    }

    /** The PD endpoints to use. */
    static String pd() {
        return real() ? System.getProperty(PD_PROPERTY) : standIn().pdAddress();
    }

    /** A fresh prefix, split into regions on the stand-in at a few places inside its data keys. */
    static String newPrefix(String name) {
        String prefix = "respkv-test/" + RUN + "/" + name + PREFIXES.incrementAndGet() + "/";
        StandInTikvCluster c = standIn();
        if (c != null) {
            TikvKeys keys = new TikvKeys(prefix.getBytes(StandardCharsets.UTF_8));
            for (byte[] split : List.of(new byte[] {0x00, 0x00}, b("a"), b("k05"), b("k1"), b("m"), b("x"),
                    new byte[] {(byte) 0x80}, new byte[] {(byte) 0xff})) {
                c.split(keys.data(split));
            }
        }
        return prefix;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An engine on a fresh prefix. */
    static TikvEngine open(String name) {
        return TikvEngine.builder().pd(pd()).prefix(newPrefix(name)).build();
    }
}
