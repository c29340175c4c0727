package dev.damselfly.rafsmount.fuse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UringQueuesTest {
    @Test
    void countsTheCpusOfAKernelCpuList() {
        assertEquals(1, UringQueues.countCpus("0"));
        assertEquals(2, UringQueues.countCpus("0-1"));
        assertEquals(7, UringQueues.countCpus("0-3,6,8-9"));
    }

    @Test
    void thisMachineHasAtLeastOnePossibleCpu() throws Exception {
        int n = UringQueues.possibleCpus();
        assertTrue(n >= Runtime.getRuntime().availableProcessors(), "possible CPUs " + n + " fewer than online ones");
    }
}
