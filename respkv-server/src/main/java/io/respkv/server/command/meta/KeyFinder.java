package io.respkv.server.command.meta;

import io.respkv.api.CommandArgs;
import java.util.List;

/**
 * Finds the key arguments of a request the way Redis 7.0 does
 * ({@code getKeysFromCommandWithSpecs} in {@code src/db.c}): from the command's key specs when
 * they all apply and none has variable flags, otherwise from the command's own key-finding rule
 * (Redis's {@code getkeys_proc}, see {@link NativeKeyFinders}), otherwise none.
 */
public final class KeyFinder {

    private KeyFinder() {
    }

    /**
     * The keys of the command {@code entry} whose name is argument {@code offset} of
     * {@code args} (0 for a plain request; 2 for {@code COMMAND GETKEYS <command> ...}). Indexes
     * in the result are relative to the command name. No keys means either that the request has
     * none or that it is malformed: Redis does not tell the two apart either.
     */
    public static FoundKeys find(CommandEntry entry, CommandArgs args, int offset) {
        CArgs argv = new CArgs(args, offset);
        List<KeySpec> specs = entry.keySpecs();
        boolean hasKeySpec = false;
        boolean hasVariableFlags = false;
        for (KeySpec spec : specs) {
            hasKeySpec |= !spec.has(KeySpecFlag.NOT_KEY);
            hasVariableFlags |= spec.has(KeySpecFlag.VARIABLE_FLAGS);
        }
        if (hasKeySpec && !hasVariableFlags) {
            FoundKeys found = usingKeySpecs(entry, argv);
            if (found != null) {
                return found;
            }
            // a spec did not apply (unknown or incomplete, or a malformed request): like Redis,
            // fall back to the command's own rule
        }
        NativeKeyFinders.Finder finder = entry.nativeKeyFinder();
        if (finder != null) {
            FoundKeys.Builder out = new FoundKeys.Builder();
            finder.find(argv, out);
            return out.build();
        }
        return FoundKeys.none();
    }

    /**
     * Redis's {@code getKeysUsingKeySpecs} with {@code GET_KEYSPEC_DEFAULT}: the keys of all
     * specs in order, or {@code null} when a spec cannot be applied to this request.
     */
    static FoundKeys usingKeySpecs(CommandEntry entry, CArgs argv) {
        int argc = argv.argc();
        FoundKeys.Builder out = new FoundKeys.Builder();
        for (KeySpec spec : entry.keySpecs()) {
            if (spec.has(KeySpecFlag.NOT_KEY)) {
                continue;
            }
            int first = 0;
            if (spec.beginSearch() instanceof KeySpec.Index index) {
                first = index.index();
            } else if (spec.beginSearch() instanceof KeySpec.Keyword keyword) {
                int startFrom = keyword.startFrom();
                int start = startFrom > 0 ? startFrom : argc + startFrom;
                int end = startFrom > 0 ? argc - 1 : 1;
                // as in Redis, the argument at 'end' itself is never compared
                for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                    if (i >= argc || i < 1) {
                        break;
                    }
                    if (argv.is(i, keyword.keyword())) {
                        first = i + 1;
                        break;
                    }
                }
                if (first == 0) {
                    continue;
                }
            } else {
                return null;
            }

            int last;
            int step;
            if (spec.findKeys() instanceof KeySpec.Range range) {
                step = range.keyStep();
                if (range.lastKey() >= 0) {
                    last = first + range.lastKey();
                } else if (range.limit() == 0) {
                    last = argc + range.lastKey();
                } else {
                    last = first + ((argc - first) / range.limit() + range.lastKey());
                }
            } else if (spec.findKeys() instanceof KeySpec.KeyNum keyNum) {
                step = keyNum.keyStep();
                // Redis checks keynumidx against argc only; the sum is checked here so that a
                // keyword search ending at the last argument cannot read past the request
                if (keyNum.keyNumIndex() >= argc || first + keyNum.keyNumIndex() >= argc) {
                    return null;
                }
                Long numKeys = argv.parseLong(first + keyNum.keyNumIndex());
                if (numKeys == null || numKeys < 0) {
                    return null;
                }
                first += keyNum.firstKey();
                last = first + numKeys.intValue() - 1;
            } else {
                return null;
            }

            if (last >= argc || last < first || first >= argc) {
                return null;
            }
            for (int i = first; i <= last; i += step) {
                out.add(i, spec.flagBits());
            }
            if (spec.has(KeySpecFlag.INCOMPLETE)) {
                return null;
            }
        }
        return out.build();
    }
}
