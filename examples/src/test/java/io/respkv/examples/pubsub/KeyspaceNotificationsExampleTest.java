package io.respkv.examples.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KeyspaceNotificationsExampleTest {

    @Test
    @Timeout(60)
    void printsTheEventsOfEveryWriteAndTheExpiry() throws Exception {
        assertEquals(List.of("set greeting", "expire greeting", "rpush queue", "lpop queue", "hset user:1",
                "del greeting", "set session", "expire session", "expired session"),
                KeyspaceNotificationsExample.run(0));
    }
}
