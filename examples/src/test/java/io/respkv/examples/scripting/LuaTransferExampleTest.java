package io.respkv.examples.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LuaTransferExampleTest {

    @Test
    @Timeout(60)
    void concurrentScriptedTransfersKeepTheTotal() throws Exception {
        LuaTransferExample.Outcome o = LuaTransferExample.run(150, 3);
        assertEquals(2_000, o.alice() + o.bob(), o.toString());
        assertTrue(o.alice() >= 0 && o.bob() >= 0, o.toString());
        assertEquals(450, o.transfers() + o.refused(), o.toString());
        assertTrue(o.transfers() > 0, o.toString());
    }
}
