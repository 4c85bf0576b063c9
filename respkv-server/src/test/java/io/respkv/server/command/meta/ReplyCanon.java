package io.respkv.server.command.meta;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the parts of Redis's COMMAND replies that come in hash order (which changes with every
 * redis-server start) into name order: the subcommands of a COMMAND INFO entry and of a COMMAND
 * DOCS entry. Works on RESP3 trees and on RESP2 trees (where sets are arrays and maps are flat
 * arrays). Everything else is left exactly as it was.
 */
final class ReplyCanon {

    private ReplyCanon() {
    }

    /** A COMMAND INFO entry (10-element array) with its subcommands (element 9) sorted by name. */
    static ReplyTree info(ReplyTree entry) {
        if (!(entry instanceof ReplyTree.Array a) || a.elements().size() != 10) {
            return entry; // e.g. the null of an unknown command
        }
        List<ReplyTree> e = new ArrayList<>(a.elements());
        List<ReplyTree> subs = new ArrayList<>(elements(e.get(9)));
        subs.replaceAll(ReplyCanon::info);
        subs.sort(Comparator.comparing(s -> text(((ReplyTree.Array) s).elements().get(0))));
        e.set(9, e.get(9) instanceof ReplyTree.Set ? new ReplyTree.Set(subs) : new ReplyTree.Array(subs));
        return new ReplyTree.Array(e);
    }

    /** A COMMAND DOCS entry (map, or flat array in RESP2) with its {@code subcommands} sorted by name. */
    static ReplyTree docs(ReplyTree entry) {
        List<ReplyTree> kv = new ArrayList<>(pairs(entry));
        for (int i = 0; i < kv.size(); i += 2) {
            if (text(kv.get(i)).equals("subcommands")) {
                kv.set(i + 1, sortPairs(kv.get(i + 1)));
            }
        }
        return entry instanceof ReplyTree.Map ? new ReplyTree.Map(kv) : new ReplyTree.Array(kv);
    }

    /** A whole COMMAND DOCS reply (name/docs pairs) with every entry canonical and the entries sorted. */
    static ReplyTree docsReply(ReplyTree reply) {
        List<ReplyTree> kv = new ArrayList<>(pairs(reply));
        for (int i = 1; i < kv.size(); i += 2) {
            kv.set(i, docs(kv.get(i)));
        }
        return sortPairs(reply instanceof ReplyTree.Map ? new ReplyTree.Map(kv) : new ReplyTree.Array(kv));
    }

    /** A whole COMMAND / COMMAND INFO reply with every entry canonical and the entries sorted by name. */
    static ReplyTree infoReply(ReplyTree reply) {
        List<ReplyTree> entries = new ArrayList<>(elements(reply));
        entries.replaceAll(ReplyCanon::info);
        entries.sort(Comparator.comparing(s -> text(((ReplyTree.Array) s).elements().get(0))));
        return new ReplyTree.Array(entries);
    }

    private static ReplyTree sortPairs(ReplyTree map) {
        List<ReplyTree> kv = pairs(map);
        List<ReplyTree[]> entries = new ArrayList<>();
        for (int i = 0; i < kv.size(); i += 2) {
            entries.add(new ReplyTree[] {kv.get(i), kv.get(i + 1)});
        }
        entries.sort(Comparator.comparing(p -> text(p[0])));
        List<ReplyTree> out = new ArrayList<>();
        for (ReplyTree[] p : entries) {
            out.add(p[0]);
            out.add(p[1]);
        }
        return map instanceof ReplyTree.Map ? new ReplyTree.Map(out) : new ReplyTree.Array(out);
    }

    private static List<ReplyTree> pairs(ReplyTree t) {
        if (t instanceof ReplyTree.Map m) {
            return m.keysAndValues();
        }
        return ((ReplyTree.Array) t).elements();
    }

    private static List<ReplyTree> elements(ReplyTree t) {
        if (t instanceof ReplyTree.Set s) {
            return s.elements();
        }
        return ((ReplyTree.Array) t).elements();
    }

    private static String text(ReplyTree t) {
        if (t instanceof ReplyTree.Bulk b) {
            return b.text();
        }
        return ((ReplyTree.Simple) t).text();
    }
}
