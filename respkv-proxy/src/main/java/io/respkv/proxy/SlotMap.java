package io.respkv.proxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One snapshot of which node serves which hash slot: the master of each slot, its replicas, and
 * the masters in the order of the first slot each serves (the order SCAN walks them in).
 * Immutable; {@link #withMaster} makes a copy for a MOVED redirection.
 */
final class SlotMap {

    private static final ClusterNode[] NO_REPLICAS = new ClusterNode[0];

    private final ClusterNode[] masters;
    private final ClusterNode[][] replicas;
    private final List<ClusterNode> masterOrder;

    SlotMap(ClusterNode[] masters, ClusterNode[][] replicas) {
        this.masters = masters;
        this.replicas = replicas;
        Set<ClusterNode> order = new LinkedHashSet<>();
        for (ClusterNode m : masters) {
            if (m != null) {
                order.add(m);
            }
        }
        this.masterOrder = Collections.unmodifiableList(new ArrayList<>(order));
    }

    /** An empty map: no slot served. */
    static SlotMap empty() {
        ClusterNode[][] replicas = new ClusterNode[HashSlots.SLOTS][];
        Arrays.fill(replicas, NO_REPLICAS);
        return new SlotMap(new ClusterNode[HashSlots.SLOTS], replicas);
    }

    /** Builds a map from slot ranges. */
    static final class Builder {
        private final ClusterNode[] masters = new ClusterNode[HashSlots.SLOTS];
        private final ClusterNode[][] replicas = new ClusterNode[HashSlots.SLOTS][];

        Builder range(int from, int to, ClusterNode master, List<ClusterNode> replicasOfRange) {
            ClusterNode[] r = replicasOfRange.isEmpty() ? NO_REPLICAS : replicasOfRange.toArray(NO_REPLICAS);
            for (int s = Math.max(0, from); s <= Math.min(HashSlots.SLOTS - 1, to); s++) {
                masters[s] = master;
                replicas[s] = r;
            }
            return this;
        }

        SlotMap build() {
            for (int s = 0; s < HashSlots.SLOTS; s++) {
                if (replicas[s] == null) {
                    replicas[s] = NO_REPLICAS;
                }
            }
            return new SlotMap(masters, replicas);
        }
    }

    /** The master serving {@code slot}, or null if no node does. */
    ClusterNode master(int slot) {
        return masters[slot];
    }

    /** The replicas of {@code slot}'s master (possibly none). */
    ClusterNode[] replicas(int slot) {
        return replicas[slot];
    }

    /** Every master, ordered by the lowest slot it serves. */
    List<ClusterNode> masters() {
        return masterOrder;
    }

    /** Whether every slot has a master. */
    boolean complete() {
        for (ClusterNode m : masters) {
            if (m == null) {
                return false;
            }
        }
        return true;
    }

    /** This map with {@code slot} moved to {@code node} (a MOVED redirection); its replicas are unknown until the next refresh. */
    SlotMap withMaster(int slot, ClusterNode node) {
        if (node.equals(masters[slot])) {
            return this;
        }
        ClusterNode[] m = masters.clone();
        ClusterNode[][] r = replicas.clone();
        m[slot] = node;
        r[slot] = NO_REPLICAS;
        return new SlotMap(m, r);
    }

    /** Every node named in this map, masters first. */
    Set<ClusterNode> nodes() {
        Set<ClusterNode> all = new LinkedHashSet<>(masterOrder);
        for (ClusterNode[] r : replicas) {
            Collections.addAll(all, r);
        }
        return all;
    }
}
