package io.respkv.server.command;

import io.respkv.api.CommandSpec;
import java.util.function.Function;

/** Assembles the command table of every command respkv implements. */
public final class BuiltinCommands {

    private BuiltinCommands() {
    }

    /** A validated table of the built-in commands, with specs from {@code specs}. */
    public static CommandTable table(Function<String, CommandSpec> specs) {
        CommandTable t = new CommandTable(specs);
        ConnectionCommands.register(t);
        AclCommands.register(t);
        ServerCommands.register(t);
        KeyCommands.register(t);
        ClientCommands.register(t);
        ConfigCommands.register(t);
        InfoCommand.register(t);
        CommandCommands.register(t);
        StringCommands.register(t);
        HashCommands.register(t);
        ObjectCommands.register(t);
        ZSetCommands.register(t);
        ListCommands.register(t);
        ZSetBlockingCommands.register(t);
        SetCommands.register(t);
        TransactionCommands.register(t);
        ExtensionCommands.register(t);
        PubSubCommands.register(t);
        ConsistencyCommands.register(t);
        ScriptCommands.register(t);
        FunctionCommands.register(t);
        t.validate();
        return t;
    }
}
