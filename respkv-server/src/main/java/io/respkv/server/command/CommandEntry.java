package io.respkv.server.command;

import io.respkv.api.Command;
import io.respkv.api.CommandSpec;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One row of the {@link CommandTable}: what a command declares ({@link CommandSpec}), what it
 * does, its subcommands if it is a container (CONFIG, CLIENT, COMMAND), and its statistics for
 * {@code INFO commandstats}.
 */
public final class CommandEntry {

    private final CommandSpec spec;
    private Command<? super ExecutionContext> command;
    private final Map<String, CommandEntry> subcommands = new TreeMap<>();
    /** Not a write, yet applied on every replica of a replicated log (see {@link #replicated}). */
    private boolean replicatedAlthoughNotWrite;
    final LongAdder calls = new LongAdder();
    final LongAdder micros = new LongAdder();
    final LongAdder rejectedCalls = new LongAdder();
    final LongAdder failedCalls = new LongAdder();

    CommandEntry(CommandSpec spec, Command<? super ExecutionContext> command) {
        this.spec = spec;
        this.command = command;
    }

    public CommandSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    Command<? super ExecutionContext> command() {
        return command;
    }

    /**
     * Whether the command goes through the replicated log (Raft) instead of running on the node
     * the client is connected to: the writes (Redis's {@code write} flag), and the commands
     * registered with {@link CommandTable#registerReplicated}: PUBLISH (subscribers of every
     * node receive the message), ACL SETUSER and ACL DELUSER (every node has the same users),
     * EVAL, EVALSHA and FCALL (a script or function may write: one log entry).
     */
    public boolean replicated() {
        return replicatedAlthoughNotWrite || spec.isWrite();
    }

    void replicatedAlthoughNotWrite(boolean replicated) {
        this.replicatedAlthoughNotWrite = replicated;
    }

    /** Whether this is a container whose behaviour lives in subcommands. */
    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /** Whether the command does something when called by its own name (COMMAND does, CONFIG does not). */
    public boolean isExecutable() {
        return command != null;
    }

    void command(Command<? super ExecutionContext> command) {
        this.command = command;
    }

    /** Subcommands by lower-case name (without the container prefix). */
    public Map<String, CommandEntry> subcommands() {
        return Collections.unmodifiableMap(subcommands);
    }

    void addSubcommand(String sub, CommandEntry entry) {
        subcommands.put(sub, entry);
    }

    public long calls() {
        return calls.sum();
    }

    public long micros() {
        return micros.sum();
    }

    public long rejectedCalls() {
        return rejectedCalls.sum();
    }

    public long failedCalls() {
        return failedCalls.sum();
    }

    void resetStats() {
        calls.reset();
        micros.reset();
        rejectedCalls.reset();
        failedCalls.reset();
    }
}
