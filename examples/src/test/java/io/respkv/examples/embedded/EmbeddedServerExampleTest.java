package io.respkv.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmbeddedServerExampleTest {

    @Test
    void runsAgainstAnEmbeddedServerOnAFreePort() throws Exception {
        String out = EmbeddedServerExample.run(0);
        assertTrue(out.endsWith("answered: +OK\\r\\n$5\\r\\nworld\\r\\n"), out);
    }
}
