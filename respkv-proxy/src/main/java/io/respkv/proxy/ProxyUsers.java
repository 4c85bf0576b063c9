package io.respkv.proxy;

import io.respkv.server.acl.Acl;
import io.respkv.server.acl.AclUser;
import io.respkv.server.acl.CommandBits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxy's own users: Redis 7.0's ACL (respkv-server's {@link Acl}, the same rules, checks and
 * error lines as a respkv server) over Redis's command catalog. They decide who may connect to
 * the proxy and what each client may run, before anything reaches a node; the proxy reaches the
 * nodes as its own backend user ({@code --user}/{@code --password}). Users come from the ACL
 * file ({@code aclfile}) and {@code requirepass}; {@code ACL LOAD} reloads the file. Shared by
 * every event loop.
 */
final class ProxyUsers {

    final Acl acl;
    /** Every open client session, to close those of users a reload removed. */
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();

    /** Loads {@code aclFile} (null: none); fails on any error in it, as Redis does at startup. */
    ProxyUsers(Path aclFile, String requirePass) {
        this.acl = new Acl(CommandBits.redis(), aclFile, requirePass);
        if (aclFile != null) {
            String errors = acl.load(new ArrayList<>());
            if (errors != null) {
                throw new IllegalStateException("Aborting startup because of ACL errors: " + errors);
            }
        }
    }

    void opened(ClientSession session) {
        sessions.add(session);
    }

    void closed(ClientSession session) {
        sessions.remove(session);
    }

    /**
     * Closes the connections of users that no longer exist (Redis's ACLFreeUserAndKillClients),
     * but {@code self}'s (the client that ran ACL LOAD: it closes after its reply).
     */
    void disconnect(List<AclUser> gone, ClientSession self) {
        if (gone.isEmpty()) {
            return;
        }
        for (ClientSession s : sessions) {
            if (s != self && gone.contains(s.user())) {
                s.logOut();
            }
        }
    }
}
