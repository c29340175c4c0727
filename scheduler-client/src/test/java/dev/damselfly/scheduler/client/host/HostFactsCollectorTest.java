package dev.damselfly.scheduler.client.host;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Host;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The announced Host carries real facts and passes the scheduler's validation. */
class HostFactsCollectorTest {
    @TempDir
    Path dir;

    @Test
    void collectsRealFacts() {
        HostIdentity id = HostIdentity.of("127.0.0.1", "node-a", 4000, dir).withAffinity("cn|sh", "idc1");
        Host h = new HostFactsCollector(id, () -> OptionalLong.of(12345)).collect();
        assertDoesNotThrow(() -> MessageValidator.validate(h));
        assertEquals("127.0.0.1-node-a", h.getId());
        assertEquals(0, h.getType());
        assertEquals(4000, h.getPort());
        assertEquals(4000, h.getDownloadPort());
        assertEquals(HostIdentity.DEFAULT_BANDWIDTH_BPS, h.getNetwork().getMaxTxBandwidth());
        assertEquals(12345, h.getNetwork().getTxBandwidth());
        assertEquals("cn|sh", h.getNetwork().getLocation());
        assertEquals("idc1", h.getNetwork().getIdc());
        assertEquals(Runtime.getRuntime().availableProcessors(), h.getCpu().getLogicalCount());
        assertTrue(h.getMemory().getTotal() > 0, "memory total");
        assertTrue(h.getDisk().getTotal() > 0, "disk total");
        assertTrue(h.getDisk().getUsedPercent() >= 0 && h.getDisk().getUsedPercent() <= 100);
        assertTrue(!h.getKernelVersion().isEmpty(), "kernel version");
    }

    @Test
    void seedAndZeroBandwidth() {
        HostIdentity seed = HostIdentity.of("127.0.0.1", "node-a", 4000, dir).asSeed(true);
        Host h = new HostFactsCollector(seed, OptionalLong::empty).collect();
        assertEquals(1, h.getType());
        assertEquals("127.0.0.1-node-a-seed", h.getId());
        assertTrue(!h.getNetwork().hasTxBandwidth());
        assertThrows(IllegalArgumentException.class,
                () -> HostIdentity.of("127.0.0.1", "a", 4000, dir).withBandwidth(0, 1));
    }
}
