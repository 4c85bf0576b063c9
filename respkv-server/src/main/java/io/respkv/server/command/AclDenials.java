package io.respkv.server.command;

import io.respkv.server.ClientConnection;
import io.respkv.server.ServerState;
import io.respkv.server.acl.Acl;
import io.respkv.server.acl.AclLog;

/** Refusals by the ACL: their ACL LOG entries and error lines, as Redis 7.0's. */
final class AclDenials {

    private AclDenials() {
    }

    /** Redis's {@code addACLLogEntry}; {@code cmd} is the client's command for client-info's {@code cmd=}. */
    static void log(ServerState server, ClientConnection c, AclLog.Reason reason, byte[] object, String username,
                    long now, String cmd) {
        int max = 128;
        try {
            max = Integer.parseInt(server.settings().get("acllog-max-len"));
        } catch (RuntimeException ignored) {
            // a value CONFIG SET stored without checking it: keep Redis's default
        }
        server.acl().log().add(reason, c.transaction().inMulti() ? "multi" : "toplevel", object, username, now,
                ClientCommands.describe(now, c, cmd), max);
    }

    static AclLog.Reason reason(int denial) {
        return switch (denial) {
            case Acl.DENIED_CMD -> AclLog.Reason.COMMAND;
            case Acl.DENIED_KEY -> AclLog.Reason.KEY;
            default -> AclLog.Reason.CHANNEL;
        };
    }
}
