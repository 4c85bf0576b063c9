package io.respkv.server.command;

import io.respkv.api.CommandArgs;

/** Redis's rule for client names (CLIENT SETNAME, HELLO SETNAME): no spaces, newlines or special characters. */
final class ClientNames {

    private ClientNames() {
    }

    /** Null if argument {@code index} is a valid client name, else Redis's error line. */
    static String validate(CommandArgs args, int index) {
        int len = args.length(index);
        for (int i = 0; i < len; i++) {
            int c = args.byteAt(index, i) & 0xff;
            if (c < '!' || c > '~') {
                return "ERR Client names cannot contain spaces, newlines or special characters.";
            }
        }
        return null;
    }
}
