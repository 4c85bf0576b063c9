package io.respkv.raft;

import io.respkv.api.CommandFlag;
import io.respkv.api.CommandSpec;
import io.respkv.server.command.CommandTable;
import io.respkv.server.command.ExecutionContext;
import java.util.Set;

/**
 * The Raft group's membership and introspection commands, registered by {@link RaftReplication}
 * (docs/replication.md). They run on the node that receives them and are not log entries
 * themselves (a membership change is Ratis's own configuration entry).
 *
 * <pre>
 * RAFT.MEMBERS              array of [id, address, role] for each member of the configuration
 * RAFT.LEADER               the leader's id, or nil during an election
 * RAFT.ADD id host:port     adds a member (started beforehand with the new member list); +OK
 * RAFT.REMOVE id            removes a member; +OK
 * RAFT.TRANSFER id          hands leadership to member id; +OK
 * RAFT.SNAPSHOT             snapshots this node now; the log index it covers
 * </pre>
 */
final class RaftCommands {

    private RaftCommands() {
    }

    static void register(CommandTable t, RaftReplication raft) {
        t.register(spec("raft.members", 1), ctx -> members(ctx, raft));
        t.register(spec("raft.leader", 1), ctx -> {
            String leader = raft.leaderId();
            if (leader == null) {
                ctx.reply().nullBulk();
            } else {
                ctx.reply().bulk(leader);
            }
        });
        t.register(spec("raft.add", 3), ctx -> run(ctx, () -> raft.addMember(ctx.args().string(1), ctx.args().string(2))));
        t.register(spec("raft.remove", 2), ctx -> run(ctx, () -> raft.removeMember(ctx.args().string(1))));
        t.register(spec("raft.transfer", 2), ctx -> run(ctx, () -> raft.transferLeadership(ctx.args().string(1))));
        t.register(spec("raft.snapshot", 1), ctx -> {
            try {
                ctx.reply().integer(raft.snapshotNow());
            } catch (RuntimeException e) {
                ctx.reply().error("ERR " + e.getMessage());
            }
        });
    }

    private static CommandSpec spec(String name, int arity) {
        return new CommandSpec(name, arity, Set.of(CommandFlag.ADMIN), 0, 0, 0, Set.of("admin", "slow", "dangerous"));
    }

    private static void members(ExecutionContext ctx, RaftReplication raft) {
        var members = raft.members();
        String leader = raft.leaderId();
        ctx.reply().array(members.size());
        members.forEach((id, address) -> {
            ctx.reply().array(3);
            ctx.reply().bulk(id);
            ctx.reply().bulk(address);
            ctx.reply().bulk(id.equals(leader) ? "leader" : "follower");
        });
    }

    private static void run(ExecutionContext ctx, Runnable change) {
        try {
            change.run();
            ctx.reply().ok();
        } catch (IllegalArgumentException e) {
            ctx.reply().error("ERR " + e.getMessage());
        } catch (RuntimeException e) {
            ctx.reply().error("ERR raft: " + e.getMessage());
        }
    }
}
