package io.respkv.engine.leveldb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {

    @TempDir
    Path dir;

    @Test
    void logNumbersAreParsedFromLevelDbNamesOnly() {
        assertEquals(7, LogFiles.logNumber("000007.log"));
        assertEquals(1234567, LogFiles.logNumber("1234567.log"));
        assertEquals(-1, LogFiles.logNumber("LOG"));
        assertEquals(-1, LogFiles.logNumber("LOG.old"));
        assertEquals(-1, LogFiles.logNumber(".log"));
        assertEquals(-1, LogFiles.logNumber("000007.sst"));
        assertEquals(-1, LogFiles.logNumber("x00007.log"));
        assertEquals(-1, LogFiles.logNumber("99999999999999999999999.log"));
    }

    @Test
    void syncsEveryLogButTheNewestAndForgetsDeletedOnes() throws Exception {
        for (String name : new String[] {"000007.log", "000012.log", "000010.sst", "LOG", "CURRENT"}) {
            Files.write(dir.resolve(name), new byte[] {1, 2, 3});
        }
        LogFiles logs = new LogFiles(dir);
        logs.syncAllButNewest();
        assertEquals(java.util.Set.of("000007.log"), logs.openChannels());
        Files.write(dir.resolve("000020.log"), new byte[] {4});
        logs.syncAllButNewest();
        assertEquals(java.util.Set.of("000007.log", "000012.log"), logs.openChannels());
        Files.delete(dir.resolve("000007.log")); // LevelDB deletes a log once its memtable is in a table
        logs.syncAllButNewest();
        assertEquals(java.util.Set.of("000012.log"), logs.openChannels());
        logs.close();
        assertEquals(java.util.Set.of(), logs.openChannels());
    }
}
