package io.respkv.examples.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AclExampleTest {

    @Test
    void theRestrictedUserReadsItsKeysAndIsRefusedTheRest() {
        AclExample.Outcome o = AclExample.run("test-admin");
        assertEquals("revenue up", o.allowedRead());
        assertEquals(List.of(
                "NOPERM this user has no permissions to access one of the keys used as arguments",
                "NOPERM this user has no permissions to run the 'set' command"), o.refusals());
        // Jedis's own CLIENT SETINFO at connect is refused too (silently for the application)
        assertEquals(List.of("command:set", "key:payroll", "command:client|setinfo"), o.loggedDenials());
    }
}
