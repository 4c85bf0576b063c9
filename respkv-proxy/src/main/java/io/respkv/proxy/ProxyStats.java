package io.respkv.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of what the proxy did to hide the cluster from its clients; read any time. */
public final class ProxyStats {

    final LongAdder moved = new LongAdder();
    final LongAdder asked = new LongAdder();
    final LongAdder tryAgain = new LongAdder();
    final LongAdder backendFailures = new LongAdder();

    ProxyStats() {
    }

    /** MOVED redirections followed. */
    public long moved() {
        return moved.sum();
    }

    /** ASK redirections followed (each with ASKING). */
    public long asked() {
        return asked.sum();
    }

    /** TRYAGAIN replies retried. */
    public long tryAgain() {
        return tryAgain.sum();
    }

    /** Backend connections that failed or were lost. */
    public long backendFailures() {
        return backendFailures.sum();
    }

    @Override
    public String toString() {
        return "ProxyStats[moved=" + moved() + ", asked=" + asked() + ", tryAgain=" + tryAgain()
                + ", backendFailures=" + backendFailures() + "]";
    }
}
