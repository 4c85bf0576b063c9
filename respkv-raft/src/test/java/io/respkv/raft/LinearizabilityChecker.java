package io.respkv.raft;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a history of operations on one register is linearizable (Wing and Gong's search
 * with Lowe's memoization of (linearized set, state), as Porcupine does): some order of the
 * operations, each placed between its call and its return, explains every observed output.
 * An operation whose outcome is unknown (the client saw an error or a timeout) has its return
 * at infinity and accepts any output: it may have taken effect at any time after its call, or
 * not at all.
 */
final class LinearizabilityChecker {

    enum Kind { GET, SET, INCR }

    /**
     * One operation: {@code value} is SET's argument; {@code output} what GET returned (null: no
     * key) or INCR's result; {@code known} false for an unknown outcome.
     */
    record Op(Kind kind, Long value, Long output, boolean known, long call, long ret) {
    }

    private LinearizabilityChecker() {
    }

    /** The register's value after {@code op} from {@code state}, or {@code INVALID} if its output contradicts it. */
    private static Object step(Long state, Op op) {
        switch (op.kind()) {
            case GET -> {
                return !op.known() || Objects.equals(state, op.output()) ? state : INVALID;
            }
            case SET -> {
                return op.value();
            }
            default -> {
                long next = (state == null ? 0 : state) + 1;
                return !op.known() || op.output() == next ? (Long) next : INVALID;
            }
        }
    }

    private static final Object INVALID = new Object();

    private static final class Entry {
        final int op;
        final boolean isCall;
        final long time;
        Entry prev;
        Entry next;
        Entry match; // a call's return entry

        Entry(int op, boolean isCall, long time) {
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    /** Whether {@code history} (of one register, initially absent) is linearizable. */
    static boolean check(List<Op> history) {
        int n = history.size();
        List<Entry> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Op op = history.get(i);
            Entry call = new Entry(i, true, op.call());
            Entry ret = new Entry(i, false, op.known() ? op.ret() : Long.MAX_VALUE);
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // calls before returns at equal times: overlapping operations may go in either order
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.isCall));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        BitSet linearized = new BitSet(n);
        Set<Object> seen = new HashSet<>();
        List<Entry> stackEntries = new ArrayList<>();
        List<Long> stackStates = new ArrayList<>();
        Long state = null;
        Entry entry = head.next;
        while (head.next != null) {
            if (entry.isCall) {
                Object next = step(state, history.get(entry.op));
                if (next != INVALID) {
                    BitSet candidate = (BitSet) linearized.clone();
                    candidate.set(entry.op);
                    if (seen.add(List.of(candidate, Objects.toString(next)))) {
                        stackEntries.add(entry);
                        stackStates.add(state);
                        state = (Long) next;
                        linearized.set(entry.op);
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (stackEntries.isEmpty()) {
                    return false;
                }
                Entry top = stackEntries.remove(stackEntries.size() - 1);
                state = stackStates.remove(stackStates.size() - 1);
                linearized.clear(top.op);
                unlift(top);
                entry = top.next;
            }
        }
        return true;
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }
}
