package io.respkv.server.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Redis's flag parsing and formatting of {@code notify-keyspace-events} (notify.c). */
class KeyspaceEventsTest {

    @Test
    void everyLetterIsAClass() {
        assertEquals(KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT | KeyspaceEvents.ALL, KeyspaceEvents.parse("KEA"));
        assertEquals(KeyspaceEvents.ALL, KeyspaceEvents.parse("g$lshzxetd"));
        assertEquals(KeyspaceEvents.NEW | KeyspaceEvents.KEY_MISS, KeyspaceEvents.parse("nm"));
        assertEquals(0, KeyspaceEvents.parse(""));
        assertEquals(-1, KeyspaceEvents.parse("KEZ"));
        assertEquals(-1, KeyspaceEvents.parse("K E"));
    }

    @Test
    void formatIsRedisNormalForm() {
        assertEquals("AKE", KeyspaceEvents.format(KeyspaceEvents.parse("EKA")));
        assertEquals("AKEm", KeyspaceEvents.format(KeyspaceEvents.parse("KEAnm"))); // n is hidden under A
        assertEquals("g$K", KeyspaceEvents.format(KeyspaceEvents.parse("K$g")));
        assertEquals("nKE", KeyspaceEvents.format(KeyspaceEvents.parse("EnK")));
        assertEquals("lshzxetdn", KeyspaceEvents.format(KeyspaceEvents.parse("ndtexzhsl")));
        assertEquals("", KeyspaceEvents.format(0));
    }

    @Test
    void aClassIsPublishedOnlyWithKOrE() {
        assertTrue(KeyspaceEvents.enabled(KeyspaceEvents.parse("Kl"), KeyspaceEvents.LIST));
        assertFalse(KeyspaceEvents.enabled(KeyspaceEvents.parse("l"), KeyspaceEvents.LIST));
        assertFalse(KeyspaceEvents.enabled(KeyspaceEvents.parse("KE$"), KeyspaceEvents.LIST));
        assertTrue(KeyspaceEvents.enabled(KeyspaceEvents.parse("Eg"), KeyspaceEvents.GENERIC | KeyspaceEvents.SET));
    }
}
