package io.respkv.examples.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OptimisticTransferExampleTest {

    @Test
    @Timeout(60)
    void concurrentTransfersKeepTheTotal() throws Exception {
        OptimisticTransferExample.Outcome o = OptimisticTransferExample.run(150, 3);
        assertEquals(2_000, o.alice() + o.bob(), o.toString());
        assertTrue(o.alice() >= 0 && o.bob() >= 0, o.toString());
        assertTrue(o.transfers() > 0, o.toString());
    }
}
