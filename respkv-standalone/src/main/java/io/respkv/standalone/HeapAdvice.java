package io.respkv.standalone;

import java.lang.management.ManagementFactory;

/**
 * The startup hint about the heap: a heap that starts below its maximum grows while the server
 * warms up, and the kernel zeroes every page it grows into on first touch, which cost a fresh
 * memory-engine server almost half of its CPU per pipelined SET (README, Tuning; docs/benchmarks.md,
 * "Memory engine vs Redis"). Like Elasticsearch's heap-size bootstrap check, but a hint: the
 * server runs either way.
 */
final class HeapAdvice {

    private HeapAdvice() {
    }

    /**
     * The hint for a heap of {@code initialBytes} that may grow to {@code maxBytes}, pre-touched or
     * not; null when the heap is fixed and pre-touched.
     */
    static String advice(long initialBytes, long maxBytes, boolean preTouch) {
        boolean fixed = initialBytes >= maxBytes;
        if (fixed && preTouch) {
            return null;
        }
        String what = fixed ? "the heap is not pre-touched"
                : "the heap starts at " + (initialBytes >> 20) + " MB and may grow to " + (maxBytes >> 20) + " MB";
        return "respkv: hint: " + what + "; for steady throughput from the start run java with -Xms equal to -Xmx"
                + " and -XX:+AlwaysPreTouch (README, Tuning)";
    }

    /** The hint for this JVM, or null (also when its options cannot be read). */
    static String forThisJvm() {
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long initial = Long.parseLong(hotspot.getVMOption("InitialHeapSize").getValue());
            long max = Long.parseLong(hotspot.getVMOption("MaxHeapSize").getValue());
            boolean preTouch = Boolean.parseBoolean(hotspot.getVMOption("AlwaysPreTouch").getValue());
            return advice(initial, max, preTouch);
        } catch (RuntimeException | LinkageError e) {
            return null; // not HotSpot: no hint rather than a wrong one
        }
    }
}
