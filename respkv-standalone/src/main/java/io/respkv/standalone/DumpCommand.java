package io.respkv.standalone;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.Snapshot;
import io.respkv.server.keyspace.KeyCodec;
import io.respkv.server.keyspace.KeyspaceDump;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code java -jar respkv.jar dump}: writes a respkv store's keyspace as RESP commands that
 * {@code redis-cli --pipe} replays into a real Redis or a respkv (see {@link KeyspaceDump} for
 * the stream).
 *
 * <pre>
 * java -jar respkv.jar dump --dir PATH [--engine rocksdb] [--db N|all] [--output FILE|-] [engine options]
 * java -jar respkv.jar dump --dir ./respkv-data | redis-cli --pipe
 * </pre>
 *
 * It opens the store itself, takes one {@link Snapshot} and streams it: memory stays bounded
 * whatever the keyspace's size. No respkv server may hold the store: RocksDB's {@code LOCK} file
 * makes the open fail, and the dump says so (stop the server first, or dump a copy of the
 * directory made with {@link KeyspaceEngine#checkpoint}). When stderr is a terminal, a progress
 * bar there shows the keys written out of the total and the time elapsed.
 */
public final class DumpCommand {

    /** Exit status of a bad command line. */
    static final int USAGE = 2;
    /** Exit status of a dump that could not be made (the store, the output). */
    static final int FAILED = 1;

    /** Flags of the server that mean nothing to a dump: refused rather than silently ignored. */
    private static final Set<String> SERVER_ONLY = Set.of("--port", "--bind", "--requirepass", "--aclfile", "--protected-mode", "--maxclients", "--timeout",
            "--client-query-buffer-limit", "--databases",
            "--event-loop-threads", "--transport", "--command-threads", "--max-bulk-length");

    /** Milliseconds between two redraws of the progress bar. */
    private static final long REDRAW_MILLIS = 200;

    private DumpCommand() {
    }

    /** The {@code dump} subcommand from {@link Main#main}: runs it and exits with its status. */
    static void main(String[] argv) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        int status = run(argv, stdout, System.out, System.err, stderrIsTerminal(), System::currentTimeMillis);
        System.exit(status);
    }

    /**
     * Whether standard error is a terminal. Java 17 has no isatty: {@code System.console()} is
     * non-null only when standard input <em>and output</em> are terminals, so it is null in the
     * main use, {@code dump ... | redis-cli --pipe}, where stderr is still the user's terminal.
     * On Linux, {@code /proc/self/fd/2} tells where stderr goes (a link to {@code /dev/pts/N} or
     * {@code /dev/ttyN} for a terminal); elsewhere, {@code System.console()} decides.
     */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux, or not readable: fall back below
        }
        return System.console() != null;
    }

    /**
     * Runs {@code dump} with {@code argv} (the arguments after {@code dump}) and returns the exit
     * status: 0 done, 1 failed ({@link #FAILED}), 2 bad command line ({@link #USAGE}).
     *
     * @param stdout where {@code --output -} (the default) writes the dump; flushed, not closed
     * @param help where {@code --help} prints the usage
     * @param err messages, and the progress bar if {@code terminal}
     * @param terminal whether {@code err} is a terminal (show a progress bar)
     * @param clock the wall clock, Unix ms: keys expired at its reading when the dump starts are left out
     */
    static int run(String[] argv, OutputStream stdout, PrintStream help, PrintStream err, boolean terminal,
                   LongSupplier clock) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("respkv dump: " + e.getMessage());
            err.println("Try 'dump --help'.");
            return USAGE;
        }
        if (args.help) {
            usage(help);
            return 0;
        }
        String dir = args.engine.engineOptions.get("dir");
        if (args.engine.engine.equals("memory")) {
            err.println("respkv dump: the memory engine keeps nothing between runs: there is nothing to dump");
            return USAGE;
        }
        if (dir != null) {
            String problem = notAStore(Path.of(dir));
            if (problem != null) {
                err.println("respkv dump: " + problem);
                return FAILED;
            }
        } else if (!args.engine.engine.equals("postgres")) {
            err.println("respkv dump: --dir is required (the data directory of the " + args.engine.engine + " engine)");
            return USAGE;
        }
        KeyspaceEngine engine;
        try {
            engine = Main.openEngine(args.engine.engine, args.engine.engineOptions);
        } catch (IllegalArgumentException e) {
            err.println("respkv dump: " + e.getMessage());
            return USAGE;
        } catch (RuntimeException e) {
            err.println("respkv dump: " + openFailure(args.engine.engine, dir, e));
            return FAILED;
        }
        long start = clock.getAsLong();
        try (engine; Snapshot snapshot = engine.snapshot(); OutputStream target = args.output == null
                ? new NonClosing(stdout) : Files.newOutputStream(Path.of(args.output))) {
            BufferedOutputStream out = new BufferedOutputStream(target, 1 << 16);
            KeyspaceDump dump = new KeyspaceDump(snapshot, start, out);
            List<Integer> dbs = new ArrayList<>();
            if (args.db >= 0) {
                dbs.add(args.db);
            } else {
                for (int db = dump.nextDatabase(0); db >= 0; db = dump.nextDatabase(db + 1)) {
                    dbs.add(db);
                }
            }
            ProgressBar bar = null;
            if (terminal) {
                err.print("respkv dump: counting keys...");
                err.flush();
                long total = 0;
                for (int db : dbs) {
                    total += dump.countKeys(db);
                }
                bar = new ProgressBar(err, total, clock, start);
            }
            for (int db : dbs) {
                ProgressBar b = bar;
                dump.writeDatabase(db, b == null ? done -> { } : b::update);
            }
            out.flush();
            if (bar != null) {
                bar.finish(dump.keys());
            }
            return 0;
        } catch (IOException e) {
            if (terminal) {
                err.println(); // leave the progress bar's line
            }
            err.println("respkv dump: cannot write the dump" + (args.output == null ? "" : " to " + args.output) + ": "
                    + e.getMessage());
            return FAILED;
        } catch (RuntimeException e) {
            if (terminal) {
                err.println();
            }
            err.println("respkv dump: failed reading the " + args.engine.engine + " engine: " + e.getMessage());
            return FAILED;
        }
    }

    /** Why {@code dir} is no store to dump, or null if it may be one. */
    private static String notAStore(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "no data directory at " + dir;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                return "the data directory " + dir + " is empty: there is nothing to dump";
            }
        } catch (IOException e) {
            return "cannot read the data directory " + dir + ": " + e.getMessage();
        }
        return null;
    }

    /** The message for an engine that did not open: a held lock gets its own explanation. */
    private static String openFailure(String engine, String dir, RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (dir != null && message.toLowerCase(Locale.ROOT).contains("lock")) {
            return dir + " is in use by another process (a running respkv server?): its " + engine
                    + " store is locked. Stop the server first, or dump a copy made with a checkpoint."
                    + " (" + message + ")";
        }
        return "cannot open the " + engine + " engine: " + message;
    }

    static void usage(PrintStream out) {
        out.println("""
                usage: java -jar respkv.jar dump --dir PATH [options]

                Writes the whole keyspace of a respkv store (every type, TTLs as absolute PEXPIREAT deadlines)
                as RESP commands that `redis-cli --pipe` replays into a Redis or respkv server:

                  java -jar respkv.jar dump --dir ./respkv-data | redis-cli -p 6379 --pipe

                The store must not be open in a running respkv server (stop it first).

                  --dir PATH                data directory of the store (required, except for --engine postgres)
                  --engine NAME             storage engine of the store (default rocksdb)
                  --db N|all                dump database N only, or every database (default all)
                  --output FILE|-           write the dump to FILE, or to standard output (default -)
                  --pg-url URL ...          postgres engine options, as for the server (see --help of the server)
                  --help                    print this help

                A progress bar (keys written / total, time elapsed) is drawn on stderr when it is a terminal.""");
    }

    /** The dump's command line: its own flags, and the engine's, parsed as the server parses them. */
    static final class Args {
        boolean help;
        /** -1: every database. */
        int db = -1;
        /** null: standard output. */
        String output;
        Main.Options engine;

        static Args parse(String[] argv) {
            Args a = new Args();
            List<String> engineArgs = new ArrayList<>();
            for (int i = 0; i < argv.length; i++) {
                String flag = argv[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    a.help = true;
                    continue;
                }
                if (SERVER_ONLY.contains(flag)) {
                    throw new IllegalArgumentException(flag + " is a server option; dump does not take it");
                }
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                String value = argv[++i];
                switch (flag) {
                    case "--db" -> a.db = database(value);
                    case "--output" -> a.output = value.equals("-") ? null : value;
                    default -> {
                        engineArgs.add(flag);
                        engineArgs.add(value);
                    }
                }
            }
            a.engine = Main.Options.parse(engineArgs.toArray(String[]::new));
            return a;
        }

        private static int database(String value) {
            if (value.equalsIgnoreCase("all")) {
                return -1;
            }
            try {
                int db = Integer.parseInt(value);
                if (db >= 0 && db < KeyCodec.MAX_DATABASES) {
                    return db;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("--db needs all or a database number from 0 to "
                    + (KeyCodec.MAX_DATABASES - 1) + ", got '" + value + "'");
        }
    }

    /** {@code [#####.....] 1,234/10,000 keys  12%  0:07} redrawn in place on a terminal. */
    static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintStream err;
        private final long total;
        private final LongSupplier clock;
        private final long start;
        private long lastDraw = Long.MIN_VALUE;

        ProgressBar(PrintStream err, long total, LongSupplier clock, long start) {
            this.err = err;
            this.total = total;
            this.clock = clock;
            this.start = start;
            draw(0, start);
        }

        void update(long done) {
            long now = clock.getAsLong();
            if (now - lastDraw >= REDRAW_MILLIS) {
                draw(done, now);
            }
        }

        void finish(long done) {
            draw(done, clock.getAsLong());
            err.println();
            err.flush();
        }

        private void draw(long done, long now) {
            lastDraw = now;
            // keys may expire between the count and the dump: never past 100%
            long shown = Math.min(done, total);
            int filled = total == 0 ? WIDTH : (int) (shown * WIDTH / total);
            int percent = total == 0 ? 100 : (int) (shown * 100 / total);
            long seconds = Math.max(0, now - start) / 1000;
            err.print(String.format(Locale.ROOT, "\rrespkv dump: [%s%s] %,d/%,d keys %3d%%  %d:%02d elapsed",
                    "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, percent, seconds / 60, seconds % 60));
            err.flush();
        }
    }

    /** Standard output must stay open after the dump (the caller owns it): flush, never close. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
