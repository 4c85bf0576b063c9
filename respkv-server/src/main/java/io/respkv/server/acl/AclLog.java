package io.respkv.server.acl;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;

/**
 * Redis's ACL LOG: the latest denials (a command, a key, a channel, or a failed authentication),
 * newest first; a denial like one of the 10 newest entries (same reason, context, object and
 * user, within 60 seconds) counts into it instead of adding an entry.
 */
public final class AclLog {

    /** Denial reasons, as ACL LOG names them. */
    public enum Reason {
        COMMAND("command"), KEY("key"), CHANNEL("channel"), AUTH("auth");

        final String wire;

        Reason(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** One entry (mutable under the log's lock). */
    public static final class Entry {
        long count = 1;
        final Reason reason;
        final String context;
        final byte[] object;
        final String username;
        long createdMillis;
        String clientInfo;

        Entry(Reason reason, String context, byte[] object, String username, long createdMillis, String clientInfo) {
            this.reason = reason;
            this.context = context;
            this.object = object;
            this.username = username;
            this.createdMillis = createdMillis;
            this.clientInfo = clientInfo;
        }

        public long count() {
            return count;
        }

        public Reason reason() {
            return reason;
        }

        public String context() {
            return context;
        }

        public byte[] object() {
            return object;
        }

        public String username() {
            return username;
        }

        public long createdMillis() {
            return createdMillis;
        }

        public String clientInfo() {
            return clientInfo;
        }
    }

    private static final long GROUPING_MILLIS = 60_000;
    private final LinkedList<Entry> entries = new LinkedList<>();

    /** Records a denial; keeps at most {@code maxLen} entries. */
    public synchronized void add(Reason reason, String context, byte[] object, String username, long now,
                                 String clientInfo, int maxLen) {
        int scanned = 0;
        for (var it = entries.iterator(); it.hasNext() && scanned < 10; scanned++) {
            Entry e = it.next();
            if (e.reason == reason && e.context.equals(context) && Math.abs(e.createdMillis - now) <= GROUPING_MILLIS
                    && java.util.Arrays.equals(e.object, object) && e.username.equals(username)) {
                it.remove();
                entries.addFirst(e);
                e.clientInfo = clientInfo;
                e.createdMillis = now;
                e.count++;
                return;
            }
        }
        entries.addFirst(new Entry(reason, context, object, username, now, clientInfo));
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    /** The newest {@code count} entries, copied. */
    public synchronized List<Entry> latest(long count) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (out.size() >= count) {
                break;
            }
            Entry copy = new Entry(e.reason, e.context, e.object, e.username, e.createdMillis, e.clientInfo);
            copy.count = e.count;
            out.add(copy);
        }
        return out;
    }

    public synchronized void reset() {
        entries.clear();
    }
}
