package io.respkv.server.command.meta;

/**
 * Redis 7.0's own key-finding functions (the {@code getkeys_proc} of a command, in
 * {@code src/db.c}), used when a command's key specs cannot be applied to a request. Which
 * commands have one is not visible in {@code COMMAND INFO}, so this table follows the
 * {@code get_keys_function} entries of Redis 7.0's command definitions.
 */
final class NativeKeyFinders {

    private NativeKeyFinders() {
    }

    /** One key-finding function: appends the keys of {@code argv} to {@code out}. */
    @FunctionalInterface
    interface Finder {
        void find(CArgs argv, FoundKeys.Builder out);
    }

    private static final int RO_ACCESS = KeySpecFlag.RO.bit() | KeySpecFlag.ACCESS.bit();
    private static final int RW_ACCESS_UPDATE = KeySpecFlag.RW.bit() | KeySpecFlag.ACCESS.bit()
            | KeySpecFlag.UPDATE.bit();
    private static final int OW_UPDATE = KeySpecFlag.OW.bit() | KeySpecFlag.UPDATE.bit();
    private static final int RW_ACCESS_DELETE = KeySpecFlag.RW.bit() | KeySpecFlag.ACCESS.bit()
            | KeySpecFlag.DELETE.bit();

    /** The function of the command {@code fullName}, or {@code null} if it has none. */
    static Finder forCommand(String fullName) {
        switch (fullName) {
            case "set":
                return NativeKeyFinders::set;
            case "bitfield":
                return NativeKeyFinders::bitfield;
            case "sort":
                return NativeKeyFinders::sort;
            case "sort_ro":
                return (argv, out) -> out.add(1, RO_ACCESS);
            case "migrate":
                return NativeKeyFinders::migrate;
            case "georadius":
            case "georadiusbymember":
                return NativeKeyFinders::georadius;
            case "xread":
            case "xreadgroup":
                return NativeKeyFinders::xread;
            case "eval":
            case "evalsha":
            case "eval_ro":
            case "evalsha_ro":
            case "fcall":
            case "fcall_ro":
            case "blmpop":
            case "bzmpop":
                return (argv, out) -> generic(0, 2, 3, 1, argv, out);
            case "zunion":
            case "zinter":
            case "zdiff":
            case "zintercard":
            case "sintercard":
            case "lmpop":
            case "zmpop":
                return (argv, out) -> generic(0, 1, 2, 1, argv, out);
            case "zunionstore":
            case "zinterstore":
            case "zdiffstore":
                return (argv, out) -> generic(1, 2, 3, 1, argv, out);
            default:
                return null;
        }
    }

    /**
     * {@code genericGetKeys}: {@code [destkey] numkeys key...}, the count parsed with
     * {@code atoi}; nothing if the count is below 1 or larger than the arguments allow.
     */
    static void generic(int storeKeyOfs, int keyCountOfs, int firstKeyOfs, int keyStep, CArgs argv,
                        FoundKeys.Builder out) {
        int argc = argv.argc();
        if (keyCountOfs >= argc) {
            return;
        }
        int num = argv.atoi(keyCountOfs);
        if (num < 1 || num > (argc - firstKeyOfs) / keyStep) {
            return;
        }
        for (int i = 0; i < num; i++) {
            out.add(firstKeyOfs + i * keyStep, 0);
        }
        if (storeKeyOfs != 0) {
            out.add(storeKeyOfs, 0);
        }
    }

    /** {@code setGetKeys}: the key, read-write when a {@code GET} argument follows the value. */
    static void set(CArgs argv, FoundKeys.Builder out) {
        for (int i = 3; i < argv.argc(); i++) {
            if (argv.is(i, "get")) {
                out.add(1, RW_ACCESS_UPDATE);
                return;
            }
        }
        out.add(1, OW_UPDATE);
    }

    /** {@code bitfieldGetKeys}: the key, read-only unless a SET/INCRBY (or a syntax error) occurs. */
    static void bitfield(CArgs argv, FoundKeys.Builder out) {
        int argc = argv.argc();
        boolean readonly = true;
        for (int i = 2; i < argc; i++) {
            int remaining = argc - i - 1;
            if (argv.is(i, "get") && remaining >= 2) {
                i += 2;
            } else if ((argv.is(i, "set") || argv.is(i, "incrby")) && remaining >= 3) {
                readonly = false;
                break;
            } else if (argv.is(i, "overflow") && remaining >= 1) {
                i += 1;
            } else {
                readonly = false;
                break;
            }
        }
        out.add(1, readonly ? RO_ACCESS : RW_ACCESS_UPDATE);
    }

    /** {@code sortGetKeys}: the sorted key and the key of the last {@code STORE}. */
    static void sort(CArgs argv, FoundKeys.Builder out) {
        String[] names = {"limit", "get", "by"};
        int[] skips = {2, 1, 1};
        int store = -1;
        for (int i = 2; i < argv.argc(); i++) {
            for (int j = 0; j < names.length; j++) {
                if (argv.is(i, names[j])) {
                    i += skips[j];
                    break;
                } else if (argv.is(i, "store") && i + 1 < argv.argc()) {
                    // like Redis, keep scanning (from the store key itself) so the last STORE wins
                    store = i + 1;
                    break;
                }
            }
        }
        out.add(1, RO_ACCESS);
        if (store >= 0) {
            out.add(store, OW_UPDATE);
        }
    }

    /** {@code migrateGetKeys}: the key argument, or the keys after {@code KEYS} when it is empty. */
    static void migrate(CArgs argv, FoundKeys.Builder out) {
        int argc = argv.argc();
        int first = 3;
        int num = 1;
        String[] names = {"copy", "replace", "auth", "auth2"};
        int[] skips = {0, 0, 1, 2};
        if (argc > 6) {
            for (int i = 6; i < argc; i++) {
                if (argv.is(i, "keys")) {
                    if (!argv.isEmpty(3)) {
                        num = 0; // a syntax error, which MIGRATE itself reports
                    } else {
                        first = i + 1;
                        num = argc - first;
                    }
                    break;
                }
                for (int j = 0; j < names.length; j++) {
                    if (argv.is(i, names[j])) {
                        i += skips[j];
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < num; i++) {
            out.add(first + i, RW_ACCESS_DELETE);
        }
    }

    /** {@code georadiusGetKeys}: the key and the last {@code STORE}/{@code STOREDIST} key. */
    static void georadius(CArgs argv, FoundKeys.Builder out) {
        int stored = -1;
        for (int i = 5; i < argv.argc(); i++) {
            if ((argv.is(i, "store") || argv.is(i, "storedist")) && i + 1 < argv.argc()) {
                stored = i + 1;
                i++;
            }
        }
        out.add(1, 0);
        if (stored != -1) {
            out.add(stored, 0);
        }
    }

    /** {@code xreadGetKeys}: the first half of the arguments after {@code STREAMS}. */
    static void xread(CArgs argv, FoundKeys.Builder out) {
        int argc = argv.argc();
        int streamsPos = -1;
        for (int i = 1; i < argc; i++) {
            if (argv.is(i, "block") || argv.is(i, "count")) {
                i++;
            } else if (argv.is(i, "group")) {
                i += 2;
            } else if (argv.is(i, "noack")) {
                continue;
            } else if (argv.is(i, "streams")) {
                streamsPos = i;
                break;
            } else {
                break;
            }
        }
        int num = streamsPos == -1 ? 0 : argc - streamsPos - 1;
        if (streamsPos == -1 || num == 0 || num % 2 != 0) {
            return;
        }
        num /= 2;
        for (int i = streamsPos + 1; i < argc - num; i++) {
            out.add(i, 0);
        }
    }
}
