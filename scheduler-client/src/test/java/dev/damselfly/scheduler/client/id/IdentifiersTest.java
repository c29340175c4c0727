package dev.damselfly.scheduler.client.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.proto.common.v2.SizeScope;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Host/peer ids (§3.2), piece length selection (§3.3), size scope (§3.4). */
class IdentifiersTest {
    private static final long MIB = 1L << 20;

    @Test
    void hostAndPeerIds() {
        assertEquals("10.0.0.1-node-a", HostIds.hostId("10.0.0.1", "node-a", false));
        assertEquals("10.0.0.1-node-a-seed", HostIds.hostId("10.0.0.1", "node-a", true));
        UUID u = UUID.fromString("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
        assertEquals("10.0.0.1-node-a-3f2504e0-4f89-41d3-9a0c-0305e82c3301", HostIds.peerId("10.0.0.1", "node-a", u, false));
        assertEquals("10.0.0.1-node-a-3f2504e0-4f89-41d3-9a0c-0305e82c3301-seed", HostIds.peerId("10.0.0.1", "node-a", u, true));
        String a = HostIds.peerId("10.0.0.1", "n", false);
        assertNotEquals(a, HostIds.peerId("10.0.0.1", "n", false));
        assertTrue(a.matches("10\\.0\\.0\\.1-n-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), a);
    }

    @Test
    void pieceLengthTableBoundaries() {
        assertEquals(4 * MIB, PieceLengths.forContentLength(0));
        assertEquals(4 * MIB, PieceLengths.forContentLength(1));
        assertEquals(4 * MIB, PieceLengths.forContentLength(2_097_152_499L));
        assertEquals(8 * MIB, PieceLengths.forContentLength(2_097_152_500L));
        assertEquals(8 * MIB, PieceLengths.forContentLength(4_194_304_499L));
        assertEquals(16 * MIB, PieceLengths.forContentLength(4_194_304_500L));
        assertEquals(16 * MIB, PieceLengths.forContentLength(8_388_608_499L));
        assertEquals(32 * MIB, PieceLengths.forContentLength(8_388_608_500L));
        assertEquals(32 * MIB, PieceLengths.forContentLength(16_777_216_499L));
        assertEquals(64 * MIB, PieceLengths.forContentLength(16_777_216_500L));
        assertEquals(64 * MIB, PieceLengths.forContentLength(1L << 50));
        assertThrows(IllegalArgumentException.class, () -> PieceLengths.forContentLength(-1));
    }

    @Test
    void pieceCount() {
        assertEquals(0, PieceLengths.pieceCount(0, 4 * MIB));
        assertEquals(1, PieceLengths.pieceCount(1, 4 * MIB));
        assertEquals(1, PieceLengths.pieceCount(4 * MIB, 4 * MIB));
        assertEquals(2, PieceLengths.pieceCount(4 * MIB + 1, 4 * MIB));
    }

    @Test
    void sizeScope() {
        assertEquals(SizeScope.EMPTY, SizeScopes.of(0, 0));
        assertEquals(SizeScope.TINY, SizeScopes.of(1, 1));
        assertEquals(SizeScope.TINY, SizeScopes.of(128, 1));
        assertEquals(SizeScope.SMALL, SizeScopes.of(129, 1));
        assertEquals(SizeScope.NORMAL, SizeScopes.of(8 * MIB, 2));
        assertEquals(SizeScope.NORMAL, SizeScopes.of(-1, 0));
    }
}
