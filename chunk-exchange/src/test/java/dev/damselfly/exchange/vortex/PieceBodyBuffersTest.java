package dev.damselfly.exchange.vortex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PieceBodyBuffersTest {
    static {
        NettyLeaks.install();
    }

    private static final int MIB = 1 << 20;

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.assertNoLeaks();
    }

    @Test
    void bodyHasTheExactLengthAndAnAlignedAddress() {
        PieceBodyBuffers buffers = new PieceBodyBuffers(8 * MIB);
        for (int length : new int[] {0, 1, 4095, 4096, 65_537, 4 * MIB}) {
            PieceBodyBuffers.Lease lease = buffers.take(length);
            ByteBuf body = lease.body();
            assertEquals(length, body.capacity(), "capacity for " + length);
            assertEquals(0, body.writerIndex());
            assertEquals(length, body.writableBytes());
            ByteBuffer nio = body.nioBuffer(0, length);
            assertTrue(nio.isDirect());
            assertEquals(0, nio.alignmentOffset(0, PieceBodyBuffers.ALIGNMENT), "alignment for " + length);
            buffers.give(lease);
        }
        buffers.close();
    }

    @Test
    void aGivenBackBufferIsReusedEmptyForTheNextPiece() {
        PieceBodyBuffers buffers = new PieceBodyBuffers(8 * MIB);
        PieceBodyBuffers.Lease first = buffers.take(4 * MIB);
        first.body().writeBytes(new byte[1000]);
        buffers.give(first);
        assertEquals(4 * MIB, buffers.idleBytes());

        PieceBodyBuffers.Lease again = buffers.take(3 * MIB); // a shorter last piece fits the kept buffer
        assertSame(first, again);
        assertEquals(0, again.body().writerIndex());
        assertEquals(3 * MIB, again.body().capacity());
        assertEquals(0, buffers.idleBytes());
        buffers.give(again);
        buffers.close();
        assertEquals(0, buffers.idleBytes());
    }

    @Test
    void aLargerPieceReplacesAKeptSmallerBuffer() {
        PieceBodyBuffers buffers = new PieceBodyBuffers(64 * MIB);
        PieceBodyBuffers.Lease small = buffers.take(4 * MIB);
        buffers.give(small);
        PieceBodyBuffers.Lease large = buffers.take(8 * MIB);
        assertNotSame(small, large);
        assertEquals(8 * MIB, large.body().capacity());
        assertEquals(0, buffers.idleBytes(), "the small one was freed, not kept");
        buffers.give(large);
        buffers.close();
    }

    @Test
    void theIdleSetNeverExceedsItsBudget() {
        PieceBodyBuffers buffers = new PieceBodyBuffers(8 * MIB);
        PieceBodyBuffers.Lease[] inFlight = new PieceBodyBuffers.Lease[5];
        for (int i = 0; i < inFlight.length; i++) {
            inFlight[i] = buffers.take(4 * MIB);
        }
        for (PieceBodyBuffers.Lease l : inFlight) {
            buffers.give(l);
        }
        assertEquals(8 * MIB, buffers.idleBytes(), "two of five kept, three freed");
        buffers.close();
        assertEquals(0, buffers.idleBytes());
    }

    @Test
    void aBufferGivenBackAfterCloseIsFreed() {
        PieceBodyBuffers buffers = new PieceBodyBuffers(8 * MIB);
        PieceBodyBuffers.Lease late = buffers.take(MIB);
        buffers.close();
        buffers.give(late);
        assertEquals(0, buffers.idleBytes());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PieceBodyBuffers(-1));
        PieceBodyBuffers buffers = new PieceBodyBuffers(0);
        assertThrows(IllegalArgumentException.class, () -> buffers.take(-1));
        assertThrows(IllegalArgumentException.class, () -> buffers.take(PieceBodyBuffers.MAX_LENGTH + 1));
        buffers.close();
    }
}
