package io.respkv.examples.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ReplicatedGroupExampleTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void everyNodeReadsTheWriteAndReportsTheSameDigest() throws Exception {
        List<String> seen = ReplicatedGroupExample.run(dir);
        assertEquals(3, seen.size());
        String digest = seen.get(0).substring(seen.get(0).indexOf("digest="));
        for (String line : seen) {
            assertTrue(line.contains("greeting=hello from n0 visits=1 "), line);
            assertTrue(line.endsWith(digest), line);
        }
    }
}
