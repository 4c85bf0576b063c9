package io.respkv.engine.leveldb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Syncs the LevelDB log files that LevelDB itself leaves unsynced.
 *
 * <p>Why: when its memtable is full, LevelDB starts a new log file and closes the old one without
 * syncing it; the old log's records become durable only when the old memtable has been written to
 * a (synced) table, which takes a while. A {@code sync = true} write syncs only the new, current
 * log. So to make every commit written so far durable, the engine does a sync write and then
 * {@link #syncAllButNewest()}: it lists the database directory and {@code fdatasync}s every log
 * but the newest (which is the one the sync write just synced, or one even newer that holds none
 * of those commits). A log deleted before the listing saw it had its memtable in a synced table
 * already. When a log appears that this object has not seen, the directory itself is
 * {@code fsync}ed too, so the new log's directory entry survives a power loss.
 *
 * <p>Costs a directory listing per call: proportional to the number of files (LevelDB's tables are
 * 2 MiB each, so about 500 per GiB of data). Used holding the engine's sync lock only.
 */
final class LogFiles {

    private final Path dir;
    /** Open channels of the closed logs, by file name; kept until LevelDB deletes the log. */
    private final Map<String, FileChannel> open = new HashMap<>();
    /** Log names seen by the last listing. */
    private List<String> seen = List.of();

    LogFiles(Path dir) {
        this.dir = dir;
    }

    /** Fdatasyncs every log file but the newest; fsyncs the directory if a log is new. */
    void syncAllButNewest() throws IOException {
        List<String> logs = new ArrayList<>(2);
        String newest = null;
        long newestNumber = -1;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                long number = logNumber(name);
                if (number < 0) {
                    continue;
                }
                logs.add(name);
                if (number > newestNumber) {
                    newestNumber = number;
                    newest = name;
                }
            }
        }
        boolean appeared = false;
        for (String name : logs) {
            if (!seen.contains(name)) {
                appeared = true;
            }
            if (name.equals(newest)) {
                continue;
            }
            FileChannel channel = open.get(name);
            if (channel == null) {
                try {
                    channel = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
                } catch (NoSuchFileException gone) {
                    continue; // deleted after its memtable reached a synced table
                }
                open.put(name, channel);
            }
            channel.force(false);
        }
        for (Iterator<Map.Entry<String, FileChannel>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, FileChannel> e = it.next();
            if (!logs.contains(e.getKey()) || e.getKey().equals(newest)) {
                e.getValue().close();
                it.remove();
            }
        }
        if (appeared) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
        seen = logs;
    }

    /** Names of the closed logs held open; for tests. */
    java.util.Set<String> openChannels() {
        return java.util.Set.copyOf(open.keySet());
    }

    /** Closes the channels; idempotent. */
    void close() {
        for (FileChannel c : open.values()) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing left to sync through it
            }
        }
        open.clear();
    }

    /** The number of a LevelDB log file name ({@code 000123.log}), or -1 if it is not one. */
    static long logNumber(String name) {
        if (!name.endsWith(".log") || name.length() == 4) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < name.length() - 4; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || n > Long.MAX_VALUE / 10 - 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
